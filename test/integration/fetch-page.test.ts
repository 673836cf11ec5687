import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPageFetcher, type HttpPageFetcherOptions, PageFetchError } from '../../src/ingest/fetch-page.js';
import { type FeedServer, startFeedServer } from '../helpers/feed-server.js';

const PAGES = new URL('../fixtures/pages/', import.meta.url);

function page(name: string): Buffer {
  return readFileSync(new URL(`${name}/source.html`, PAGES));
}

let server: FeedServer;

beforeAll(async () => {
  server = await startFeedServer();
});

afterAll(async () => {
  await server.close();
});

/** Loopback is private, so these tests run as an admin with ATTRIBOT_ALLOW_PRIVATE_NETWORK=1 would. */
function fetcher(options: Partial<HttpPageFetcherOptions> = {}): HttpPageFetcher {
  return new HttpPageFetcher({
    userAgent: 'attribot-test/1.0 (+https://example.invalid/bot)',
    allowPrivateNetwork: true,
    timeoutMs: 3_000,
    perHostGapMs: 0,
    ...options,
  });
}

async function pageError(client: HttpPageFetcher, url: string): Promise<PageFetchError> {
  const error: unknown = await client.fetchPage(url).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof PageFetchError)) throw new Error(`expected PageFetchError, got ${String(error)}`);
  return error;
}

describe('HttpPageFetcher against a local server', () => {
  it('follows a redirect, decodes the ISO-8859-1 winfuture page and extracts its article', async () => {
    server.route('/go/winfuture', { kind: 'redirect', location: '/news,139377.html', status: 301 });
    server.serve('/news,139377.html', {
      body: page('winfuture-nasa-plus-iso-8859-1-de'),
      contentType: 'text/html; charset=iso-8859-1',
    });

    const result = await fetcher().fetchPage(server.url('/go/winfuture'));

    expect(result.url).toBe(server.url('/news,139377.html'));
    expect(result.title).toContain('NASA+');
    expect(result.published).toBe('2023-11-03T14:32:00.000Z');
    expect(result.text).toContain('Der Start der Plattform ist Bestandteil einer weitgehenden Überarbeitung');
    expect(result.text).not.toContain('\ufffd');
    const request = server.requestsTo('/news,139377.html')[0];
    expect(request?.headers['user-agent']).toMatch(/^attribot-test/);
    expect(request?.headers.accept).toMatch(/text\/html/);
  });

  it('trusts the bytes over a lying meta charset (JVN page says Shift_JIS, is UTF-8)', async () => {
    server.serve('/jvn', { body: page('jvn-ipedia-vuln-entry-ja'), contentType: 'text/html' });

    const result = await fetcher().fetchPage(server.url('/jvn'));

    expect(result.text).toMatch(/[\u3040-\u30ff]/);
    expect(result.text).not.toContain('\ufffd');
  });

  it('decompresses a gzip-encoded page', async () => {
    server.serve('/gz', {
      body: gzipSync(page('threatpost-android-ransomware')),
      contentType: 'text/html; charset=utf-8',
      contentEncoding: 'gzip',
    });

    const result = await fetcher().fetchPage(server.url('/gz'));

    expect(result.text).toContain('These messages include links to the ransomware');
  });

  it.each(['application/pdf', 'image/png', 'application/json', 'application/rss+xml'])(
    'refuses %s as not an HTML page',
    async (contentType) => {
      const path = `/typed/${contentType.replace(/\W/g, '-')}`;
      server.serve(path, { body: '%PDF-1.4 not a page', contentType });

      const error = await pageError(fetcher(), server.url(path));

      expect(error.kind).toBe('not-html');
      expect(error.message).toContain(contentType);
    },
  );

  it('enforces the byte cap on the decompressed body', async () => {
    server.route('/bomb', { kind: 'gzip-bomb', inflatedBytes: 20 * 1024 * 1024, contentType: 'text/html' });
    server.serve('/big', { body: page('threatpost-android-ransomware'), contentType: 'text/html' });

    expect((await pageError(fetcher({ maxBytes: 1024 * 1024 }), server.url('/bomb'))).kind).toBe('too-large');
    expect((await pageError(fetcher({ maxBytes: 10_000 }), server.url('/big'))).kind).toBe('too-large');
  });

  it('gives up at the deadline on a slow-drip server', async () => {
    server.route('/drip', { kind: 'slow-drip', intervalMs: 50, contentType: 'text/html' });

    const started = Date.now();
    const error = await pageError(fetcher({ timeoutMs: 300 }), server.url('/drip'));

    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports HTTP errors with their status', async () => {
    server.route('/gone', { kind: 'status', status: 410 });

    const error = await pageError(fetcher(), server.url('/gone'));

    expect(error).toMatchObject({ kind: 'http', status: 410 });
  });

  it('refuses loopback when private networks are not allowed, without sending a request', async () => {
    server.serve('/private', { body: '<p>secret</p>', contentType: 'text/html' });

    const error = await pageError(fetcher({ allowPrivateNetwork: false }), server.url('/private'));

    expect(error.kind).toBe('blocked');
    expect(server.requestsTo('/private')).toHaveLength(0);
  });
});

describe('per-host politeness', () => {
  /** A page that answers after `delayMs` and records how many requests were in flight. */
  function slowPage(path: string, delayMs: number): { peak: () => number; starts: number[] } {
    let inFlight = 0;
    let peak = 0;
    const starts: number[] = [];
    server.route(path, async (_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      starts.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight--;
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>ok</p>');
    });
    return { peak: () => peak, starts };
  }

  it('keeps at most N requests in flight to one host:port', async () => {
    const probe = slowPage('/slow-concurrency', 60);
    const client = fetcher({ perHostConcurrency: 2 });

    await Promise.all(Array.from({ length: 6 }, () => client.fetchPage(server.url('/slow-concurrency'))));

    expect(probe.starts).toHaveLength(6);
    expect(probe.peak()).toBe(2);
  });

  it('spaces the starts of requests to one host by the configured gap', async () => {
    const probe = slowPage('/slow-gap', 0);
    const client = fetcher({ perHostConcurrency: 4, perHostGapMs: 120 });

    await Promise.all(Array.from({ length: 3 }, () => client.fetchPage(server.url('/slow-gap'))));

    const gaps = probe.starts.slice(1).map((start, index) => start - (probe.starts[index] ?? 0));
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(100);
  });
});
