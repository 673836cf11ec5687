import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchResult } from '../../src/ingest/feed-item.js';
import { FeedFetchError, HttpFeedFetcher, isRetryable } from '../../src/ingest/fetch-feed.js';
import { FeedParseError, parseFeed } from '../../src/ingest/parse-feed.js';
import { type FeedServer, gzipBomb, startFeedServer } from '../helpers/feed-server.js';

const USER_AGENT = 'attribot-test/1.0 (+https://example.invalid/bot)';
const NOW = new Date('2024-06-01T12:00:00Z');

let server: FeedServer;
let fetcher: HttpFeedFetcher;

beforeAll(async () => {
  server = await startFeedServer();
  fetcher = new HttpFeedFetcher({
    userAgent: USER_AGENT,
    timeoutMs: 2_000,
    maxBytes: 2 * 1024 * 1024,
    now: () => NOW,
  });
});

afterAll(async () => {
  await server.close();
});

async function fetchError(url: string, client: HttpFeedFetcher = fetcher): Promise<FeedFetchError> {
  const error: unknown = await client.fetchFeed(url, {}).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof FeedFetchError)) throw new Error(`expected FeedFetchError, got ${String(error)}`);
  return error;
}

function okBody(result: FetchResult): string {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${result.status}`);
  return result.body;
}

/** A port with nothing listening: bind one, note it, release it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('HttpFeedFetcher against a local feed server', () => {
  it('fetches and decodes a feed, returning validators, then gets 304 with them', async () => {
    server.serveFixture('/xakep.rss', 'xakep-ru-security-news.windows-1251.rss', {
      contentType: 'application/rss+xml; charset=windows-1251',
      etag: '"xakep-v1"',
      lastModified: 'Fri, 04 Oct 2013 00:00:00 GMT',
    });

    const first = await fetcher.fetchFeed(server.url('/xakep.rss'), {});
    const second = await fetcher.fetchFeed(
      server.url('/xakep.rss'),
      first.status === 'ok' ? first.validators : {},
    );

    expect(first).toMatchObject({
      status: 'ok',
      url: server.url('/xakep.rss'),
      contentType: 'application/rss+xml; charset=windows-1251',
      validators: { etag: '"xakep-v1"', lastModified: 'Fri, 04 Oct 2013 00:00:00 GMT' },
    });
    expect(okBody(first)).toContain('Руководители разведки США шутят об убийстве Сноудена');
    expect(second).toEqual({
      status: 'not-modified',
      url: server.url('/xakep.rss'),
      validators: { etag: '"xakep-v1"', lastModified: 'Fri, 04 Oct 2013 00:00:00 GMT' },
    });
    const [firstRequest, secondRequest] = server.requestsTo('/xakep.rss');
    expect(firstRequest?.headers['if-none-match']).toBeUndefined();
    expect(firstRequest?.headers['user-agent']).toBe(USER_AGENT);
    expect(firstRequest?.headers.accept).toContain('application/rss+xml');
    expect(secondRequest?.headers).toMatchObject({
      'if-none-match': '"xakep-v1"',
      'if-modified-since': 'Fri, 04 Oct 2013 00:00:00 GMT',
    });
  });

  it('gets 304 from Last-Modified alone', async () => {
    server.serve('/lm.xml', {
      body: '<rss version="2.0"><channel><title>t</title></channel></rss>',
      contentType: 'application/rss+xml',
      lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
    });

    const result = await fetcher.fetchFeed(server.url('/lm.xml'), {
      lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
    });

    expect(result.status).toBe('not-modified');
  });

  it('carries validators a 304 refreshes, and none when it sends none', async () => {
    let etag = '"v2"';
    server.route('/refresh.xml', (req, res) => {
      const headers: Record<string, string> = { 'content-type': 'application/rss+xml' };
      if (etag) headers.etag = etag;
      if (req.headers['if-none-match']) res.writeHead(304, headers).end();
      else res.writeHead(200, headers).end('<rss version="2.0"><channel><title>t</title></channel></rss>');
    });

    const refreshed = await fetcher.fetchFeed(server.url('/refresh.xml'), { etag: '"v1"' });
    etag = '';
    const bare = await fetcher.fetchFeed(server.url('/refresh.xml'), { etag: '"v2"' });

    expect(refreshed).toEqual({
      status: 'not-modified',
      url: server.url('/refresh.xml'),
      validators: { etag: '"v2"' },
    });
    expect(bare).toEqual({ status: 'not-modified', url: server.url('/refresh.xml') });
  });

  it.each([
    [{ 'cache-control': 'public, max-age=600' }, 600_000],
    [{ 'cache-control': 'max-age=600', age: '100' }, 500_000],
    [{ 'cache-control': 's-maxage=300' }, 300_000],
    [{ 'cache-control': 'no-cache, max-age=600' }, 0],
    [{ expires: 'Sat, 01 Jun 2024 12:30:00 GMT', date: 'Sat, 01 Jun 2024 12:00:00 GMT' }, 1_800_000],
    [
      { expires: 'Sat, 01 Jun 2024 12:30:00 GMT', date: 'Sat, 01 Jun 2024 12:00:00 GMT', age: '60' },
      1_740_000,
    ],
    [{ expires: '0' }, 0],
    [{ 'cache-control': 'public' }, undefined],
  ])('reads freshness %o into cacheFreshMs on ok and 304', async (headers, expected) => {
    const path = `/fresh-${Object.values(headers).join('-').replace(/\W/g, '')}.xml`;
    server.serve(path, {
      body: '<rss version="2.0"><channel><title>t</title></channel></rss>',
      contentType: 'application/rss+xml',
      etag: '"f1"',
      headers,
    });

    const ok = await fetcher.fetchFeed(server.url(path), {});
    const notModified = await fetcher.fetchFeed(server.url(path), { etag: '"f1"' });

    expect(ok.status).toBe('ok');
    expect(notModified.status).toBe('not-modified');
    expect(ok.cacheFreshMs).toBe(expected);
    expect(notModified.cacheFreshMs).toBe(expected);
  });

  it('decompresses a gzip Content-Encoding body (nshipster)', async () => {
    server.serveFixture('/nshipster.xml', 'nshipster.gzip-compressed.rss.gz', {
      contentType: 'application/rss+xml',
    });

    const body = okBody(await fetcher.fetchFeed(server.url('/nshipster.xml'), {}));
    const feed = await parseFeed(body, server.url('/nshipster.xml'));

    expect(server.requestsTo('/nshipster.xml')[0]?.headers['accept-encoding']).toMatch(/gzip/);
    expect(body.startsWith('<?xml')).toBe(true);
    expect(feed.items).toHaveLength(25);
  });

  it('follows a redirect chain, resolving a relative Location, and reports the final URL', async () => {
    server.serve('/final.xml', {
      body: '<rss version="2.0"><channel><title>final</title></channel></rss>',
      contentType: 'application/rss+xml',
    });
    server.route('/hop1', { kind: 'redirect', location: '/hop2', status: 301 });
    server.route('/hop2', { kind: 'redirect', location: server.url('/final.xml'), status: 308 });

    const result = await fetcher.fetchFeed(server.url('/hop1'), {});

    expect(result).toMatchObject({ status: 'ok', url: server.url('/final.xml') });
    expect(okBody(result)).toContain('<title>final</title>');
    // Every hop was permanent (301, 308): the feed's new home is reported.
    expect(result.movedTo).toBe(server.url('/final.xml'));
  });

  it('reports no new home when a temporary redirect is part of the chain', async () => {
    server.serve('/there.xml', {
      body: '<rss version="2.0"><channel><title>there</title></channel></rss>',
      contentType: 'application/rss+xml',
    });
    server.route('/moved', { kind: 'redirect', location: '/temp', status: 301 });
    server.route('/temp', { kind: 'redirect', location: '/there.xml', status: 302 });
    const result = await fetcher.fetchFeed(server.url('/moved'), {});
    expect(result).toMatchObject({ status: 'ok', url: server.url('/there.xml') });
    expect(result.movedTo).toBe(server.url('/temp'));
  });

  it('stops a redirect loop with too-many-redirects after 5 hops', async () => {
    server.route('/loop-a', { kind: 'redirect', location: '/loop-b' });
    server.route('/loop-b', { kind: 'redirect', location: '/loop-a' });
    const before = server.requests.length;

    const error = await fetchError(server.url('/loop-a'));

    expect(error.kind).toBe('too-many-redirects');
    expect(server.requests.length - before).toBe(6); // the first request plus 5 followed redirects
    expect(isRetryable(error)).toBe(false);
  });

  it.each([
    ['delta seconds', '120', 120_000],
    ['an HTTP date', 'Sat, 01 Jun 2024 12:05:00 GMT', 300_000],
  ])('turns 429 with Retry-After as %s into retryAfterMs', async (_name, retryAfter, expected) => {
    server.route('/limited', { kind: 'status', status: 429, headers: { 'retry-after': retryAfter } });

    const error = await fetchError(server.url('/limited'));

    expect(error).toMatchObject({
      kind: 'http',
      status: 429,
      retryAfterMs: expected,
      url: server.url('/limited'),
    });
    expect(isRetryable(error)).toBe(true);
  });

  it('reads Retry-After on 503', async () => {
    server.route('/maintenance', { kind: 'status', status: 503, headers: { 'retry-after': '30' } });

    expect(await fetchError(server.url('/maintenance'))).toMatchObject({
      kind: 'http',
      status: 503,
      retryAfterMs: 30_000,
    });
  });

  it('reports 500 as a retryable http error and 404 as a permanent one', async () => {
    server.route('/broken', { kind: 'status', status: 500, body: 'oops' });

    const serverError = await fetchError(server.url('/broken'));
    const notFound = await fetchError(server.url('/no-such-feed'));

    expect(serverError).toMatchObject({ kind: 'http', status: 500 });
    expect(serverError).not.toHaveProperty('retryAfterMs');
    expect(isRetryable(serverError)).toBe(true);
    expect(notFound).toMatchObject({ kind: 'http', status: 404 });
    expect(isRetryable(notFound)).toBe(false);
  });

  it('times out a slow-drip body within the deadline', async () => {
    server.route('/slow', { kind: 'slow-drip', intervalMs: 20 });
    const quick = new HttpFeedFetcher({ userAgent: USER_AGENT, timeoutMs: 300 });
    const started = performance.now();

    const error = await fetchError(server.url('/slow'), quick);

    const elapsed = performance.now() - started;
    expect(error.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    expect(isRetryable(error)).toBe(true);
  });

  it('cuts off an endless body at maxBytes', async () => {
    server.route('/endless', { kind: 'endless' });
    const small = new HttpFeedFetcher({ userAgent: USER_AGENT, timeoutMs: 2_000, maxBytes: 256 * 1024 });

    const error = await fetchError(server.url('/endless'), small);

    expect(error.kind).toBe('too-large');
    expect(isRetryable(error)).toBe(false);
  });

  it('cuts off a gzip bomb by its inflated size, though its download is under the cap', async () => {
    const inflatedBytes = 50 * 1024 * 1024;
    const maxBytes = 1024 * 1024;
    server.route('/bomb', { kind: 'gzip-bomb', inflatedBytes });
    const capped = new HttpFeedFetcher({ userAgent: USER_AGENT, maxBytes });

    const error = await fetchError(server.url('/bomb'), capped);

    expect(gzipBomb(inflatedBytes).length).toBeLessThan(maxBytes);
    expect(error.kind).toBe('too-large');
  });

  it('rejects a declared Content-Length above the cap without reading the body', async () => {
    server.serve('/big', { body: Buffer.alloc(300 * 1024, 'x'), contentType: 'application/rss+xml' });
    const small = new HttpFeedFetcher({ userAgent: USER_AGENT, maxBytes: 100 * 1024 });

    expect((await fetchError(server.url('/big'), small)).kind).toBe('too-large');
  });

  it('refuses a media type that cannot be a feed', async () => {
    server.serve('/logo.png', { body: Buffer.from([0x89, 0x50, 0x4e, 0x47]), contentType: 'image/png' });

    expect(await fetchError(server.url('/logo.png'))).toMatchObject({ kind: 'not-a-feed', status: 200 });
  });

  it('fetches an HTML page fine, which the parser then refuses as not-a-feed', async () => {
    server.serve('/blog', {
      body: '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Blog</title></head><body><p>Hello</p></body></html>',
      contentType: 'text/html; charset=utf-8',
    });

    const body = okBody(await fetcher.fetchFeed(server.url('/blog'), {}));
    const error: unknown = await parseFeed(body, server.url('/blog')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(FeedParseError);
    expect(error).toMatchObject({ kind: 'not-a-feed' });
  });

  it('reports a refused connection as connect', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/feed.xml`;

    const error = await fetchError(url);

    expect(error).toMatchObject({ kind: 'connect', url });
    expect(error.cause).toBeDefined();
    expect(isRetryable(error)).toBe(true);
  });

  it('reports an unknown host as dns', async () => {
    const error = await fetchError('http://no-such-feed-host.invalid/feed.xml');

    expect(error.kind).toBe('dns');
    expect(error.cause).toBeDefined();
  });

  it('refuses a non-http URL without a request', async () => {
    expect((await fetchError('file:///etc/passwd')).kind).toBe('invalid-url');
  });
});
