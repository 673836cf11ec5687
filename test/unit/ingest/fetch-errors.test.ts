import { describe, expect, it } from 'vitest';
import { FeedFetchError, isRetryable } from '../../../src/ingest/fetch-feed.js';
import { FeedParseError } from '../../../src/ingest/parse-feed.js';
import { parseRetryAfter } from '../../../src/shared/http.js';

const NOW = new Date('2024-06-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['delta seconds', '120', 120_000],
    ['zero', '0', 0],
    ['padded', ' 5 ', 5_000],
    ['an HTTP date in the future', 'Sat, 01 Jun 2024 12:01:30 GMT', 90_000],
    ['an HTTP date in the past', 'Sat, 01 Jun 2024 11:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['a negative number', '-5', undefined],
    ['missing', null, undefined],
  ])('%s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('isRetryable', () => {
  const url = 'https://example.com/feed';

  it.each([
    [new FeedFetchError('timeout', 'slow', { url }), true],
    [new FeedFetchError('connect', 'refused', { url }), true],
    [new FeedFetchError('dns', 'nxdomain', { url }), true],
    [new FeedFetchError('http', '503', { url, status: 503 }), true],
    [new FeedFetchError('http', '429', { url, status: 429 }), true],
    [new FeedFetchError('http', '408', { url, status: 408 }), true],
    [new FeedFetchError('http', '404', { url, status: 404 }), false],
    [new FeedFetchError('http', '410', { url, status: 410 }), false],
    [new FeedFetchError('tls', 'bad cert', { url }), false],
    [new FeedFetchError('too-large', 'big', { url }), false],
    [new FeedFetchError('too-many-redirects', 'loop', { url }), false],
    [new FeedFetchError('not-a-feed', 'image', { url }), false],
    [new FeedParseError('malformed', 'broken', url), false],
    [new Error('bug'), false],
  ])('%s → %s', (error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });

  it('keeps the cause and leaves absent details absent', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new FeedFetchError('connect', 'refused', { url, cause });

    expect(error.cause).toBe(cause);
    expect(error.name).toBe('FeedFetchError');
    expect(error).not.toHaveProperty('status');
    expect(error).not.toHaveProperty('retryAfterMs');
  });
});
