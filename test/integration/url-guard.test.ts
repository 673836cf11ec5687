/**
 * The SSRF guard against a real local server. DNS is injected: names under .test resolve to what
 * each test says, so "public" hosts can be simulated without leaving loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPageFetcher, PageFetchError } from '../../src/ingest/fetch-page.js';
import type { ResolvedAddress, ResolveHost } from '../../src/ingest/url-guard.js';
import { type FeedServer, startFeedServer } from '../helpers/feed-server.js';

const ARTICLE = `<html><head><title>Story</title></head><body><article><p>${'Attackers linked to a foreign service breached the network, officials said. '.repeat(6)}</p></article></body></html>`;
const PUBLIC_ADDRESS = '93.184.216.34';

let server: FeedServer;
let port: string;

beforeAll(async () => {
  server = await startFeedServer();
  port = new URL(server.origin).port;
  server.serve('/secret', { body: ARTICLE, contentType: 'text/html' });
  server.serve('/story', { body: ARTICLE, contentType: 'text/html' });
});

afterAll(async () => {
  await server.close();
});

function resolver(answers: Record<string, string[] | (() => string[])>): ResolveHost & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const answer = answers[hostname];
    const addresses = typeof answer === 'function' ? answer() : answer;
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

/**
 * Stands in for the internet: whatever host a URL names, the request goes to the local server
 * (the Host header keeps the name). Only the guard's per-hop check stands between a URL and it.
 */
const viaLocalServer: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  return fetch(`${server.origin}${url.pathname}${url.search}`, init);
};

async function pageError(fetcher: HttpPageFetcher, url: string): Promise<PageFetchError> {
  const error: unknown = await fetcher.fetchPage(url).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof PageFetchError)) throw new Error(`expected PageFetchError, got ${String(error)}`);
  return error;
}

function fetcherWith(options: {
  lookup: ResolveHost;
  allowHosts?: string[];
  fetch?: typeof fetch;
}): HttpPageFetcher {
  return new HttpPageFetcher({
    userAgent: 'attribot-test/1.0',
    allowPrivateNetwork: false,
    timeoutMs: 3_000,
    perHostGapMs: 0,
    ...options,
  });
}

describe('SSRF guard on every redirect hop', () => {
  it('fetches through a host that resolves to a public address', async () => {
    const fetcher = fetcherWith({
      lookup: resolver({ 'public.test': [PUBLIC_ADDRESS] }),
      fetch: viaLocalServer,
    });
    const page = await fetcher.fetchPage(`http://public.test:${port}/story`);
    expect(page.text).toContain('Attackers linked');
  });

  it.each([
    ['a loopback literal', (p: string) => `http://127.0.0.1:${p}/secret`],
    ['an IPv6 loopback literal', (p: string) => `http://[::1]:${p}/secret`],
    ['a decimal IPv4 literal', (p: string) => `http://2130706433:${p}/secret`],
    ['the cloud metadata address', () => 'http://169.254.169.254/secret'],
    ['a name resolving to a private address', (p: string) => `http://internal.test:${p}/secret`],
  ])('refuses a redirect from a public host to %s before connecting', async (_label, target) => {
    const path = `/hop-${Math.random().toString(36).slice(2)}`;
    server.route(path, { kind: 'redirect', location: target(port) });
    const fetcher = fetcherWith({
      lookup: resolver({ 'public.test': [PUBLIC_ADDRESS], 'internal.test': [PUBLIC_ADDRESS, '10.0.0.7'] }),
      fetch: viaLocalServer,
    });
    const before = server.requestsTo('/secret').length;

    const error = await pageError(fetcher, `http://public.test:${port}${path}`);

    expect(error.kind).toBe('blocked');
    expect(server.requestsTo(path)).toHaveLength(1);
    expect(server.requestsTo('/secret')).toHaveLength(before);
  });

  it('checks the hop after an allowed one with the real pinned transport', async () => {
    // public.test is allow-listed and really lives on loopback; its redirect target is not.
    server.route('/to-internal', { kind: 'redirect', location: `http://internal.test:${port}/secret` });
    const lookup = resolver({ 'public.test': ['127.0.0.1'], 'internal.test': ['127.0.0.1'] });
    const fetcher = fetcherWith({ lookup, allowHosts: ['public.test'] });
    const before = server.requestsTo('/secret').length;

    const error = await pageError(fetcher, `http://public.test:${port}/to-internal`);

    expect(error.kind).toBe('blocked');
    expect(error.message).toMatch(/127\.0\.0\.1.*loopback/);
    expect(server.requestsTo('/to-internal')).toHaveLength(1);
    expect(server.requestsTo('/secret')).toHaveLength(before);
  });

  it('connects to the address it checked: a DNS answer that changes after the check is refused', async () => {
    // First answer (the check): public. Every later answer (the connection): loopback.
    let answers = 0;
    const lookup = resolver({ 'rebind.test': () => (answers++ === 0 ? [PUBLIC_ADDRESS] : ['127.0.0.1']) });
    const fetcher = fetcherWith({ lookup });
    const before = server.requestsTo('/secret').length;

    const error = await pageError(fetcher, `http://rebind.test:${port}/secret`);

    expect(error.kind).toBe('blocked');
    expect(lookup.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(server.requestsTo('/secret')).toHaveLength(before);
  });

  it('lets the admin reach private addresses when allowed', async () => {
    const fetcher = new HttpPageFetcher({
      userAgent: 'attribot-test/1.0',
      allowPrivateNetwork: true,
      perHostGapMs: 0,
      lookup: resolver({ 'intranet.test': ['127.0.0.1'] }),
    });
    const page = await fetcher.fetchPage(`http://intranet.test:${port}/story`);
    expect(page.url).toBe(`http://intranet.test:${port}/story`);
    expect(page.text).toContain('Attackers linked');
  });
});
