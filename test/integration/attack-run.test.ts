/**
 * The attack run of issue 9, end to end on loopback: hostile feeds, pages and headers next to an
 * honest feed. Whatever the hostile ones send, the honest feed's alert is delivered, each hostile
 * feed fails (or is read) alone, and /healthz keeps answering while the cycle runs.
 */
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { applyEnvironment } from '../../src/config/env.js';
import { Config } from '../../src/config/schema.js';
import { PrometheusMetrics } from '../../src/server/metrics.js';
import { type OpsServer, startOpsServer } from '../../src/server/server.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { waitFor } from '../helpers/peers.js';
import { spawnCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function rss(items: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>${items}</channel></rss>`;
}

function item(title: string, link: string, body: string): string {
  return `<item><title>${title}</title><link>${link}</link><pubDate>${new Date(Date.now() - 3_600_000).toUTCString()}</pubDate><description><![CDATA[${body}]]></description></item>`;
}

const HONEST = item(
  'Britain blames Russian military intelligence for attack on energy firms',
  'https://desk.example/2026/uk-gru-energy',
  "<p>The UK National Cyber Security Centre said Russia's GRU military intelligence service was almost certainly behind the intrusion at several energy suppliers. " +
    'Officials said the hackers used a flaw in Fortinet FortiOS to get in. The Russian embassy denied the claim.</p>',
);

const HOSTILE_PAGE = `<html><body>${'<div class="ad"><p>Sponsored words, sponsored words.</p>'.repeat(6_000)}</body></html>`;

describe('attack run: hostile feeds next to an honest one', () => {
  const temp = makeTempDir();
  let server: FeedServer;
  let app: App;
  const metrics = new PrometheusMetrics();
  let ops: OpsServer;
  const out = new PassThrough();
  let printed = '';

  beforeAll(async () => {
    server = await startFeedServer();
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    const serve = (path: string, body: string, contentType = 'application/rss+xml'): void =>
      server.serve(path, { body, contentType });
    serve('/honest.xml', rss(HONEST));
    serve('/pin.xml', `<?xml version="1.0"?>${' '.repeat(40)}x`);
    serve('/quadratic.xml', `<html><body>${'<feed '.repeat(60_000)}</body></html>`, 'text/html');
    serve('/cdata.xml', rss('<![CDATA[ a & b '.repeat(60_000)));
    serve(
      '/nested.xml',
      rss(item('Deep', 'https://desk.example/deep', `${'<div><b>'.repeat(20_000)}deep words`)),
    );
    serve('/summary.xml', rss(item('Short summary item', server.url('/page.html'), '<p>Too short.</p>')));
    serve('/page.html', HOSTILE_PAGE, 'text/html; charset=utf-8');
    server.route('/retry.xml', { kind: 'status', status: 429, headers: { 'retry-after': '99999999999999' } });
    // Keeps the cycle busy for about two seconds, so /healthz is asked while feeds are in flight.
    server.route('/slow.xml', { kind: 'slow-drip', intervalMs: 20, body: rss('').padEnd(100, ' ') });
    const paths = [
      '/honest.xml',
      '/pin.xml',
      '/quadratic.xml',
      '/cdata.xml',
      '/nested.xml',
      '/summary.xml',
      '/retry.xml',
      '/slow.xml',
    ];
    const config = Config.parse({
      feeds: paths.map((path) => ({ url: server.url(path) })),
      settings: { concurrency: 8, perHostConcurrency: 8, documentBudget: '20s' },
    });
    const { effective } = applyEnvironment(config, {
      ATTRIBOT_DB: join(temp.dir, 'attack.db'),
      ATTRIBOT_ALLOW_PRIVATE_NETWORK: '1',
    });
    app = await App.create(effective!, { log: silentLogger(), stdout: out, metrics });
    ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      health: () => app.health(),
    });
  });

  afterAll(async () => {
    await ops?.close();
    await app?.stop();
    await server?.close();
    temp.cleanup();
  });

  it('delivers the honest alert, fails each hostile feed alone, and answers /healthz throughout', async () => {
    let done = false;
    const cycle = app.cycle().finally(() => {
      done = true;
    });
    const statuses: number[] = [];
    while (!done) {
      statuses.push((await fetch(`http://127.0.0.1:${ops.port}/healthz`)).status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const summary = await cycle;
    expect(statuses.length).toBeGreaterThan(3);
    expect(new Set(statuses)).toEqual(new Set([200]));

    const byPath = new Map(summary.feeds.map((outcome) => [new URL(outcome.feedUrl).pathname, outcome]));
    expect(byPath.get('/honest.xml')).toMatchObject({ status: 'ok', newItems: 1, alerts: 1 });
    for (const path of ['/pin.xml', '/quadratic.xml', '/cdata.xml']) {
      expect(byPath.get(path)?.status, path).toBe('failed');
    }
    expect(byPath.get('/nested.xml')).toMatchObject({ status: 'ok', newItems: 1 });
    expect(byPath.get('/summary.xml')).toMatchObject({ status: 'ok', newItems: 1 });
    expect(byPath.get('/slow.xml')?.status).toBe('ok');

    const retry = byPath.get('/retry.xml');
    expect(retry?.status).toBe('failed');
    expect(retry?.notices.map((notice) => notice.kind)).toContain('throttled');
    // The Retry-After is capped at maxBackoff (6 h) and the feed's state was saved.
    const store = new SqliteStore(join(temp.dir, 'attack.db'));
    try {
      const state = await store.getFeedState(server.url('/retry.xml'));
      const wait = Date.parse(state?.nextPollAt ?? '') - Date.now();
      expect(wait).toBeGreaterThan(5 * 3_600_000);
      expect(wait).toBeLessThanOrEqual(6 * 3_600_000);
    } finally {
      await store.close();
    }

    // Delivery ran: the honest feed's alert reached the console destination.
    expect(summary.delivery.sent).toBe(1);
    expect(printed).toMatch(/Russia/);
  });
});

describe('attack run: the worker process under hostile feeds', () => {
  it('keeps answering /healthz and stops promptly on SIGTERM', async () => {
    const server = await startFeedServer();
    const temp = makeTempDir();
    server.serve('/pin.xml', {
      body: `<?xml version="1.0"?>${' '.repeat(40)}x`,
      contentType: 'application/rss+xml',
    });
    server.serve('/quadratic.xml', { body: `<html>${'<feed '.repeat(60_000)}`, contentType: 'text/html' });
    server.route('/retry.xml', { kind: 'status', status: 429, headers: { 'retry-after': '99999999999999' } });
    const child = spawnCli(['run'], {
      ATTRIBOT_DB: join(temp.dir, 'run.db'),
      ATTRIBOT_FEEDS: ['/pin.xml', '/quadratic.xml', '/retry.xml'].map((path) => server.url(path)).join(','),
      ATTRIBOT_HTTP_PORT: '0',
    });
    let logs = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      logs += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor(() => logs.includes('"Cycle finished"'), 30_000);
      const logLine = (message: string): Record<string, unknown> =>
        JSON.parse(logs.split('\n').find((line) => line.includes(`"${message}"`)) ?? '{}') as Record<
          string,
          unknown
        >;
      const port = logLine('Serving the status page, /healthz, /readyz and /metrics').port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(logLine('Cycle finished').failed).toBe(3);
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000)),
      ]);
      expect(code).toBe(0);
      expect(logs).toContain('"attribot stopped"');
    } finally {
      child.kill('SIGKILL');
      await server.close();
      temp.cleanup();
    }
  }, 60_000);
});
