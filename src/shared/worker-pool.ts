/**
 * A small pool of worker threads that runs CPU-bound tasks under a time budget. The budget clock
 * starts when a worker takes the task (time spent queued does not count); past it the worker is
 * terminated (the only way to stop synchronous code) and replaced, and the task fails with
 * BudgetExceededError. So a hostile document costs at most one budget of one thread, while the
 * main thread keeps serving its timers, sockets and signals.
 *
 * Worker modules call `serveTasks(handlers)`. From TypeScript sources (tsx, vitest) the worker
 * loads through tsx's ESM hooks; from dist/ it is plain JavaScript.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, type ResourceLimits, Worker } from 'node:worker_threads';
import { AppError } from './errors.js';

/** The task ran past its budget and was abandoned. */
export class BudgetExceededError extends AppError {
  readonly kind = 'budget' as const;
  readonly budgetMs: number;

  constructor(task: string, budgetMs: number) {
    super(`${task} took longer than its budget of ${budgetMs} ms and was abandoned`);
    this.budgetMs = budgetMs;
  }
}

/** The worker died under the task (out of memory, a crash) rather than answering. */
export class WorkerFailedError extends AppError {
  readonly kind = 'worker' as const;
}

export interface WorkerPoolOptions {
  /** The worker module (it calls serveTasks). */
  module: URL;
  /** Threads at most; default one less than the cores, at least 1, at most 4. */
  size?: number;
  /** Default budget of one task. */
  budgetMs: number;
  /** Heap caps per worker, so one document cannot take the process's memory. */
  resourceLimits?: ResourceLimits;
}

interface Job {
  task: string;
  payload: unknown;
  budgetMs: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** The worker has loaded its module and said so. */
  ready: boolean;
}

type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; name: string; message: string; kind?: string };

/** An error thrown in a worker, as the main thread sees it: its name, message and `kind` survive. */
export class WorkerTaskError extends AppError {
  readonly kind: string | undefined;

  constructor(name: string, message: string, kind: string | undefined) {
    super(message);
    this.name = name;
    this.kind = kind;
  }
}

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #size: number;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#size = Math.max(1, options.size ?? defaultPoolSize());
  }

  /** Runs `task` with `payload` in a worker; rejects with BudgetExceededError past the budget. */
  run<T>(task: string, payload: unknown, budgetMs = this.#options.budgetMs): Promise<T> {
    if (this.#closed) return Promise.reject(new AppError('worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ task, payload, budgetMs, resolve: resolve as (value: unknown) => void, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new AppError('worker pool closed'));
    const slots = [...this.#slots];
    this.#slots.clear();
    for (const slot of slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.job?.reject(new AppError('worker pool closed'));
      slot.job = null;
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = [...this.#slots].find((candidate) => candidate.ready && candidate.job === null);
      if (!slot) {
        // A worker still loading its module will take the next job; the budget starts only then.
        const starting = [...this.#slots].filter((candidate) => !candidate.ready).length;
        if (starting < this.#queue.length && this.#slots.size < this.#size) {
          this.#spawn();
          continue;
        }
        return;
      }
      const job = this.#queue.shift() as Job;
      this.#start(slot, job);
    }
  }

  #spawn(): Slot {
    const worker = startWorker(this.#options.module, this.#options.resourceLimits);
    const slot: Slot = { worker, job: null, timer: null, ready: false };
    this.#slots.add(slot);
    worker.unref();
    worker.on('message', (reply: Reply | { ready: true }) => {
      if ('ready' in reply) {
        slot.ready = true;
        this.#dispatch();
      } else {
        this.#settle(slot, reply);
      }
    });
    worker.on('error', (error) =>
      this.#fail(slot, new WorkerFailedError(`worker failed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) => {
      if (this.#slots.has(slot)) this.#fail(slot, new WorkerFailedError(`worker exited with code ${code}`));
    });
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    slot.timer = setTimeout(() => {
      slot.timer = null;
      this.#fail(slot, new BudgetExceededError(job.task, job.budgetMs));
    }, job.budgetMs);
    slot.worker.postMessage({ id: 0, task: job.task, payload: job.payload });
  }

  #settle(slot: Slot, reply: Reply): void {
    const job = slot.job;
    if (!job) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    // An idle worker must not keep the process alive.
    slot.worker.unref();
    if (reply.ok) job.resolve(reply.value);
    else job.reject(new WorkerTaskError(reply.name, reply.message, reply.kind));
    this.#dispatch();
  }

  /** The worker is dropped (terminated if still running) and its task, if any, rejected. */
  #fail(slot: Slot, error: AppError): void {
    if (!this.#slots.delete(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    void slot.worker.terminate();
    job?.reject(error);
    if (!this.#closed) this.#dispatch();
  }
}

function startWorker(module: URL, resourceLimits: ResourceLimits | undefined): Worker {
  const options = { ...(resourceLimits ? { resourceLimits } : {}) };
  if (!module.pathname.endsWith('.ts')) return new Worker(module, options);
  // Sources run through tsx: the worker registers its hooks first, then loads the module.
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}

export type TaskHandlers = Record<string, (payload: never) => unknown>;

/** The worker side: answers each task message with its handler's result or error. */
export function serveTasks(handlers: TaskHandlers): void {
  if (isMainThread || !parentPort) return;
  const port = parentPort;
  port.on('message', async (message: { id: number; task: string; payload: never }) => {
    try {
      const handler = handlers[message.task];
      if (!handler) throw new Error(`unknown task ${message.task}`);
      port.postMessage({ id: message.id, ok: true, value: await handler(message.payload) });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const kind = (failure as { kind?: unknown }).kind;
      port.postMessage({
        id: message.id,
        ok: false,
        name: failure.name,
        message: failure.message,
        ...(typeof kind === 'string' ? { kind } : {}),
      });
    }
  });
  // The module is loaded: from now on the pool's budget clock measures work, not start-up.
  port.postMessage({ ready: true });
}
