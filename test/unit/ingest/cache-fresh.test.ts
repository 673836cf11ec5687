import { describe, expect, it } from 'vitest';
import { cacheFreshMs } from '../../../src/ingest/fetch-feed.js';

const NOW = new Date('2024-06-01T12:00:00Z');

describe('cacheFreshMs', () => {
  it.each([
    [{ 'cache-control': 'max-age=120' }, 120_000],
    [{ 'cache-control': 'max-age="120"' }, 120_000],
    [{ 'cache-control': 'Max-Age=120, s-maxage=900' }, 120_000],
    [{ 'cache-control': 'max-age=abc' }, 0],
    [{ 'cache-control': 'no-store' }, 0],
    [{ 'cache-control': 'max-age=60', age: '600' }, 0],
    // No Date header: Expires counts from the client's clock.
    [{ expires: 'Sat, 01 Jun 2024 12:10:00 GMT' }, 600_000],
    [{ expires: 'Sat, 01 Jun 2024 11:00:00 GMT' }, 0],
    [{ expires: '-1' }, 0],
    [{ 'cache-control': 'max-age=30', expires: 'Sat, 01 Jun 2024 13:00:00 GMT' }, 30_000],
    [{}, undefined],
  ])('%o → %s', (headers, expected) => {
    expect(cacheFreshMs(new Headers(headers), NOW)).toBe(expected);
  });
});
