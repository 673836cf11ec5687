import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  WorkerFailedError,
  WorkerPool,
  WorkerTaskError,
} from '../../src/shared/worker-pool.js';

const SPIN_WORKER = new URL('../helpers/spin-worker.ts', import.meta.url);

describe('WorkerPool', () => {
  let pool: WorkerPool;
  afterEach(() => pool?.close());

  it('abandons a task past its budget while the main thread keeps serving, then runs the next task', async () => {
    pool = new WorkerPool({ module: SPIN_WORKER, size: 1, budgetMs: 1_500 });
    await expect(pool.run('echo', { value: 'warm' })).resolves.toBe('warm');
    const server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const spinning = pool.run('spin', {});
      // While the worker spins, the main thread answers HTTP requests.
      const answers: string[] = [];
      for (let i = 0; i < 3; i++) answers.push(await (await fetch(`http://127.0.0.1:${port}/`)).text());
      expect(answers).toEqual(['ok', 'ok', 'ok']);
      await expect(spinning).rejects.toBeInstanceOf(BudgetExceededError);
    } finally {
      server.close();
    }
    // The terminated worker was replaced.
    await expect(pool.run('echo', { value: 'after' })).resolves.toBe('after');
  });

  it('hands back a task error with its name, message and kind', async () => {
    pool = new WorkerPool({ module: SPIN_WORKER, size: 1, budgetMs: 10_000 });
    const error = await pool.run('fail', { message: 'bad input' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkerTaskError);
    expect(error).toMatchObject({ message: 'bad input', kind: 'custom' });
  });

  it('fails the task of a worker that dies, and goes on with a new one', async () => {
    pool = new WorkerPool({ module: SPIN_WORKER, size: 1, budgetMs: 10_000 });
    await expect(pool.run('exit', {})).rejects.toBeInstanceOf(WorkerFailedError);
    await expect(pool.run('echo', { value: 'again' })).resolves.toBe('again');
  });

  it('refuses work once closed', async () => {
    pool = new WorkerPool({ module: SPIN_WORKER, size: 1, budgetMs: 10_000 });
    await pool.close();
    await expect(pool.run('echo', { value: 'x' })).rejects.toThrow(/closed/);
  });
});
