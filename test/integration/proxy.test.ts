/**
 * Feed and page fetches through a real local forward proxy (test/helpers/http-proxy.ts): http://
 * in absolute form, https:// through CONNECT, Proxy-Authorization from the proxy URL, no_proxy
 * bypass, the SSRF guard on the target, and a proxy that is down.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FeedFetchError, HttpFeedFetcher, isRetryable } from '../../src/ingest/fetch-feed.js';
import { HttpPageFetcher, PageFetchError } from '../../src/ingest/fetch-page.js';
import { createGuardedLookup } from '../../src/ingest/url-guard.js';
import { createLookupFetch, httpGet } from '../../src/shared/http.js';
import { type ProxySettings, proxySettingsFromEnv } from '../../src/shared/proxy.js';
import { etagOf, type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { startTestProxy, type TestProxy } from '../helpers/http-proxy.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Proxied</title><link>https://news.example/</link>
  <item><title>CERT-UA attributes wiper to Sandworm</title><link>https://news.example/wiper</link><guid>w1</guid></item>
</channel></rss>`;

function settings(env: Record<string, string>): ProxySettings {
  const { settings: read, problems } = proxySettingsFromEnv(env);
  expect(problems).toEqual([]);
  if (!read) throw new Error('no proxy settings');
  return read;
}

async function failure<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof type)) throw new Error(`expected ${type.name}, got ${String(error)}`);
  return error;
}

let feeds: FeedServer;
let proxy: TestProxy;

beforeEach(async () => {
  feeds = await startFeedServer();
  feeds.serve('/feed.xml', { body: RSS, contentType: 'application/rss+xml', etag: etagOf(RSS) });
  proxy = await startTestProxy({ credentials: { user: 'svc-attribot', password: 'p@ss:w0rd' } });
});

afterEach(async () => {
  await proxy.close();
  await feeds.close();
});

const withAuth = (): string =>
  `http://svc-attribot:${encodeURIComponent('p@ss:w0rd')}@127.0.0.1:${proxy.port}`;

describe('feeds through an HTTP proxy', () => {
  it('fetches an http:// feed in absolute form with Proxy-Authorization from the URL', async () => {
    const fetcher = new HttpFeedFetcher({
      userAgent: 'attribot-test',
      proxy: settings({ http_proxy: withAuth() }),
    });
    const result = await fetcher.fetchFeed(feeds.url('/feed.xml'), {});
    expect(result.status).toBe('ok');
    expect(result.status === 'ok' && result.body).toContain('Sandworm');
    expect(proxy.requests).toMatchObject([
      {
        method: 'GET',
        target: feeds.url('/feed.xml'),
        status: 200,
        headers: {
          host: new URL(feeds.origin).host,
          'proxy-authorization': `Basic ${Buffer.from('svc-attribot:p@ss:w0rd').toString('base64')}`,
        },
      },
    ]);
    expect(feeds.requests[0]?.headers['proxy-authorization']).toBeUndefined();
  });

  it('a proxy that wants credentials it was not given answers 407: an HTTP error of the feed', async () => {
    const fetcher = new HttpFeedFetcher({
      userAgent: 'attribot-test',
      proxy: settings({ HTTP_PROXY: proxy.url }),
    });
    const error = await failure(fetcher.fetchFeed(feeds.url('/feed.xml'), {}), FeedFetchError);
    expect(error).toMatchObject({ kind: 'http', status: 407 });
    expect(feeds.requests).toEqual([]);
  });

  it('goes direct for hosts no_proxy lists, in any of its forms', async () => {
    const { port } = new URL(feeds.origin);
    for (const noProxy of ['127.0.0.1', `127.0.0.1:${port}`, '127.0.0.0/8', 'example.org, 127.0.0.1', '*']) {
      const fetcher = new HttpFeedFetcher({
        userAgent: 'attribot-test',
        proxy: settings({ http_proxy: proxy.url, NO_PROXY: noProxy }),
      });
      expect((await fetcher.fetchFeed(feeds.url('/feed.xml'), {})).status).toBe('ok');
    }
    expect(proxy.requests).toEqual([]);
    expect(feeds.requests).toHaveLength(5);
    // Another port of the same host is not exempt by a port-bound entry.
    const portBound = new HttpFeedFetcher({
      userAgent: 'attribot-test',
      proxy: settings({ http_proxy: withAuth(), no_proxy: '127.0.0.1:1' }),
    });
    expect((await portBound.fetchFeed(feeds.url('/feed.xml'), {})).status).toBe('ok');
    expect(proxy.requests).toHaveLength(1);
  });

  it('a proxy that is down is a clear, retryable feed error naming the proxy and not its password', async () => {
    const down = await startTestProxy();
    const url = down.url;
    await down.close();
    const fetcher = new HttpFeedFetcher({
      userAgent: 'attribot-test',
      proxy: settings({ http_proxy: url.replace('http://', 'http://svc:secret-pw@') }),
    });
    const error = await failure(fetcher.fetchFeed(feeds.url('/feed.xml'), {}), FeedFetchError);
    expect(error.kind).toBe('proxy');
    expect(error.message).toBe(`Proxy ${url} failed: ECONNREFUSED`);
    expect(error.message).not.toContain('secret-pw');
    expect(isRetryable(error)).toBe(true);
    expect(feeds.requests).toEqual([]);
  });
});

describe('article pages through a proxy keep the SSRF guard on the target', () => {
  it('refuses a private target before asking the proxy (the proxy itself is on loopback)', async () => {
    feeds.serve('/page.html', { body: '<html><body><p>x</p></body></html>', contentType: 'text/html' });
    const fetcher = new HttpPageFetcher({
      userAgent: 'attribot-test',
      allowPrivateNetwork: false,
      proxy: settings({ http_proxy: withAuth() }),
    });
    const error = await failure(fetcher.fetchPage(feeds.url('/page.html')), PageFetchError);
    expect(error.kind).toBe('blocked');
    const named = new HttpPageFetcher({
      userAgent: 'attribot-test',
      allowPrivateNetwork: false,
      proxy: settings({ http_proxy: withAuth() }),
      lookup: async () => [{ address: '10.20.30.40', family: 4 }],
    });
    const viaName = await failure(named.fetchPage('http://intranet.corp.example/wiki'), PageFetchError);
    expect(viaName.kind).toBe('blocked');
    expect(viaName.message).toContain('10.20.30.40');
    expect(proxy.requests).toEqual([]);
  });

  it('checks the target of the lookup-pinned fetch too: a private name is refused, a public one goes to the proxy', async () => {
    const lookup = createGuardedLookup({
      allowPrivateNetwork: false,
      lookup: async (host) =>
        host === 'intranet.corp.example'
          ? [{ address: '192.168.1.5', family: 4 }]
          : [{ address: '93.184.215.14', family: 4 }],
    });
    const proxied = createLookupFetch(lookup, { proxy: settings({ http_proxy: withAuth() }) });
    const options = { timeoutMs: 5_000, maxBytes: 10_000, maxRedirects: 0, fetch: proxied };
    await expect(httpGet('http://intranet.corp.example/', options)).rejects.toMatchObject({
      reason: 'address',
    });
    expect(proxy.requests).toEqual([]);
    // The public name is the proxy's to resolve: here it cannot, so it answers 502 itself.
    await expect(httpGet('http://public.example.invalid/', options)).rejects.toMatchObject({
      kind: 'http',
      status: 502,
    });
    expect(proxy.requests.map((request) => request.target)).toEqual(['http://public.example.invalid/']);
  });

  it('a private target goes through when allowPrivateNetwork allows it', async () => {
    feeds.serve('/page.html', {
      body: '<html><head><title>Wiper</title></head><body><article><p>CERT-UA said the wiper was Sandworm’s.</p></article></body></html>',
      contentType: 'text/html',
    });
    const fetcher = new HttpPageFetcher({
      userAgent: 'attribot-test',
      allowPrivateNetwork: true,
      perHostGapMs: 0,
      proxy: settings({ http_proxy: withAuth() }),
    });
    const page = await fetcher.fetchPage(feeds.url('/page.html'));
    expect(page.text).toContain('Sandworm');
    expect(proxy.requests.map((request) => request.target)).toEqual([feeds.url('/page.html')]);
  });
});

describe('https:// through CONNECT', () => {
  let tls: Server;
  let origin: string;
  let ca: string;
  const temp = makeTempDir();

  beforeAll(async () => {
    const key = join(temp.dir, 'key.pem');
    const cert = join(temp.dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert, 'utf8');
    tls = createServer({ key: readFileSync(key), cert: ca }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS);
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
    temp.cleanup();
  });

  const lookup = createGuardedLookup({ allowPrivateNetwork: true });

  it('tunnels with CONNECT host:port and Proxy-Authorization, TLS end to end, and reuses the tunnel', async () => {
    const fetch = createLookupFetch(lookup, { proxy: settings({ HTTPS_PROXY: withAuth() }), ca });
    const options = { timeoutMs: 5_000, maxBytes: 100_000, maxRedirects: 0, fetch };
    const first = await httpGet(`${origin}/feed.xml`, options);
    const second = await httpGet(`${origin}/feed.xml`, options);
    expect(new TextDecoder().decode(first.body)).toContain('Sandworm');
    expect(second.status).toBe(200);
    expect(proxy.requests).toMatchObject([
      {
        method: 'CONNECT',
        target: new URL(origin).host,
        status: 200,
        headers: {
          'proxy-authorization': `Basic ${Buffer.from('svc-attribot:p@ss:w0rd').toString('base64')}`,
        },
      },
    ]);
  });

  it('a refused CONNECT is a proxy error with the proxy’s status', async () => {
    const fetch = createLookupFetch(lookup, { proxy: settings({ https_proxy: proxy.url }), ca });
    const options = { timeoutMs: 5_000, maxBytes: 100_000, maxRedirects: 0, fetch };
    await expect(httpGet(`${origin}/feed.xml`, options)).rejects.toMatchObject({
      kind: 'proxy',
      status: 407,
      message: `Proxy ${proxy.url} refused CONNECT ${new URL(origin).host}: 407 Proxy Authentication Required`,
    });
  });

  it('a proxy that hangs up on CONNECT is a proxy error, not a hang until the deadline', async () => {
    const hangUp = createNetServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    const port = (hangUp.address() as AddressInfo).port;
    try {
      const fetch = createLookupFetch(lookup, { proxy: settings({ https_proxy: `127.0.0.1:${port}` }), ca });
      await expect(
        httpGet(`${origin}/feed.xml`, { timeoutMs: 10_000, maxBytes: 100_000, maxRedirects: 0, fetch }),
      ).rejects.toMatchObject({
        kind: 'proxy',
        message: `Proxy http://127.0.0.1:${port} closed the connection before answering CONNECT`,
      });
    } finally {
      await new Promise((resolve) => hangUp.close(resolve));
    }
  });

  it('the http proxy setting does not apply to https:// URLs', async () => {
    const fetch = createLookupFetch(lookup, { proxy: settings({ http_proxy: withAuth() }), ca });
    const response = await httpGet(`${origin}/feed.xml`, {
      timeoutMs: 5_000,
      maxBytes: 100_000,
      maxRedirects: 0,
      fetch,
    });
    expect(response.status).toBe(200);
    expect(proxy.requests).toEqual([]);
  });
});

describe('the worker reads the proxy from its environment', () => {
  it('polls a feed through http_proxy, and reports a proxy that is down as the feed’s last error', async () => {
    const temp = makeTempDir();
    try {
      const db = join(temp.dir, 'proxy.db');
      const env = {
        ATTRIBOT_FEEDS: feeds.url('/feed.xml'),
        ATTRIBOT_DB: db,
        http_proxy: withAuth(),
        NO_PROXY: 'example.org',
      };
      expect((await runCli(['once'], env)).code).toBe(0);
      expect(proxy.requests.map((request) => request.target)).toEqual([feeds.url('/feed.xml')]);

      const down = await startTestProxy();
      await down.close();
      const failed = await runCli(['once'], { ...env, http_proxy: down.url });
      expect(failed.code).toBe(0);
      const report = await runCli(['feeds'], { ...env, http_proxy: down.url });
      expect(report.stdout).toContain(`Proxy ${down.url} failed: ECONNREFUSED`);
    } finally {
      temp.cleanup();
    }
  });

  it('check-config refuses a proxy URL it cannot use, without quoting it', async () => {
    const result = await runCli(['check-config'], {
      https_proxy: 'socks5://user:hunter2@proxy.corp.example:1080',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('https_proxy: socks5:// proxies are not supported');
    expect(result.stdout).not.toContain('hunter2');
  });
});
