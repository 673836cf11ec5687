import { describe, expect, it } from 'vitest';
import { HostLimiter, hostKey, runPerKey } from '../../../src/shared/host-limits.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hostKey', () => {
  it.each([
    ['https://Example.COM/feed', 'example.com:443'],
    ['http://example.com/feed', 'example.com:80'],
    ['http://127.0.0.1:8080/x', '127.0.0.1:8080'],
  ])('%s → %s', (url, key) => {
    expect(hostKey(url)).toBe(key);
  });
});

describe('runPerKey', () => {
  it('keeps result order, caps each key, and lets other keys pass a busy one', async () => {
    const started: string[] = [];
    let peakA = 0;
    let activeA = 0;
    const items = ['a1', 'a2', 'a3', 'b1', 'c1'];
    const results = await runPerKey(
      items,
      (item) => item[0] as string,
      { concurrency: 3, perKey: 1 },
      async (item) => {
        started.push(item);
        if (item.startsWith('a')) peakA = Math.max(peakA, ++activeA);
        await tick(item.startsWith('a') ? 15 : 1);
        if (item.startsWith('a')) activeA--;
        return item.toUpperCase();
      },
    );
    expect(results).toEqual(['A1', 'A2', 'A3', 'B1', 'C1']);
    expect(peakA).toBe(1);
    // b1 and c1 start before a2: the busy host does not block the queue.
    expect(started.slice(0, 3)).toEqual(['a1', 'b1', 'c1']);
  });
});

describe('HostLimiter', () => {
  it('spaces starts to one host by the gap', async () => {
    let now = 0;
    const limiter = new HostLimiter(2, 1_000, () => now);
    const release = await limiter.acquire('h:443');
    release();
    let second = false;
    const pending = limiter.acquire('h:443').then((done) => {
      second = true;
      done();
    });
    await tick(5);
    expect(second).toBe(false);
    now = 1_000;
    await pending;
    expect(second).toBe(true);
  });
});
