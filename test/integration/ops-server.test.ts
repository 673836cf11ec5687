/**
 * The ops endpoints of a real worker after real cycles against a local feed server: /metrics
 * (prom-client histograms, per-feed labels, process metrics), /readyz (each reason it gives) and
 * /healthz (liveness only).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Readiness } from '../../src/server/readiness.js';
import type { Store } from '../../src/store/store.js';
import { etagOf, type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { type OpsApp, parseMetrics, sampleValue, startOpsApp } from '../helpers/ops-app.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function rss(items: Array<{ slug: string; title: string; body: string; ageHours: number }>): string {
  const now = Date.now();
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>
  ${items
    .map(
      (item) => `<item><title>${item.title}</title><link>https://desk.example/${item.slug}</link>
      <pubDate>${new Date(now - item.ageHours * 3_600_000).toUTCString()}</pubDate><description>${item.body}</description></item>`,
    )
    .join('\n')}
  </channel></rss>`;
}

const ATTRIBUTION = {
  slug: 'parliament-breach',
  title: 'Australia accuses China over parliament email breach',
  body: "The Australian government said on Tuesday that hackers working for China's Ministry of State Security breached the parliament's email system last month.",
  ageHours: 1,
};

describe('ops endpoints of a running worker', () => {
  const temp = makeTempDir();
  let feeds: FeedServer;
  let worker: OpsApp;

  beforeAll(async () => {
    feeds = await startFeedServer();
    const body = rss([ATTRIBUTION]);
    feeds.serve('/news.xml', { body, contentType: 'application/rss+xml', etag: etagOf(body) });
    worker = await startOpsApp(
      {
        feeds: [
          { url: feeds.url('/news.xml'), name: 'Desk News' },
          { url: feeds.url('/missing.xml'), name: 'Gone Feed' },
        ],
      },
      { dir: temp.dir },
    );
  });
  afterAll(async () => {
    await worker?.close();
    await feeds?.close();
    temp.cleanup();
  });

  it('is not ready before its first cycle, and says so', async () => {
    const response = await fetch(`${worker.base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Readiness;
    expect(body).toMatchObject({ status: 'not ready', ready: false, checks: { cycle: false, store: true } });
    expect(body.reasons).toEqual([expect.stringContaining('no cycle has finished yet')]);
    // Liveness is another question: a worker that just started is alive.
    expect((await fetch(`${worker.base}/healthz`)).status).toBe(200);
  });

  it('serves histograms, per-feed failures and process metrics after a real cycle, all named attribot_*', async () => {
    const summary = await worker.app.cycle();
    expect(summary.delivery.sent).toBe(1);
    const response = await fetch(`${worker.base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const samples = parseMetrics(text);

    for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE ')))
      expect(line.split(' ')[2]).toMatch(/^attribot_/);
    expect(text).toContain('# TYPE attribot_feed_poll_duration_seconds histogram');

    // One poll each: its time lands in every bucket from its own upwards, and in +Inf.
    for (const status of ['ok', 'failed']) {
      const buckets = samples.filter(
        (s) => s.name === 'attribot_feed_poll_duration_seconds_bucket' && s.labels.status === status,
      );
      expect(buckets.length).toBeGreaterThan(5);
      expect(buckets.find((s) => s.labels.le === '+Inf')?.value).toBe(1);
      const counts = buckets.map((s) => s.value);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(sampleValue(samples, 'attribot_feed_poll_duration_seconds_count', { status })).toBe(1);
    }
    expect(sampleValue(samples, 'attribot_cycle_duration_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'attribot_cycle_duration_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(sampleValue(samples, 'attribot_extraction_duration_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'attribot_extraction_duration_seconds_sum')).toBeGreaterThan(0);
    // The alert reached the console destination: item first seen → acknowledged.
    expect(sampleValue(samples, 'attribot_delivery_latency_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'attribot_delivery_latency_seconds_bucket', { le: '1' })).toBe(1);

    // Per configured feed, by name; the healthy one shows at 0.
    expect(sampleValue(samples, 'attribot_feed_failures_total', { feed: 'Gone Feed' })).toBe(1);
    expect(sampleValue(samples, 'attribot_feed_failures_total', { feed: 'Desk News' })).toBe(0);

    // The counters and gauges attribot had before prom-client, under the same names.
    expect(sampleValue(samples, 'attribot_feed_polls_total', { status: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'attribot_feed_polls_total', { status: 'failed' })).toBe(1);
    expect(sampleValue(samples, 'attribot_items_total', { kind: 'newItems' })).toBe(1);
    expect(sampleValue(samples, 'attribot_alerts_total')).toBe(1);
    expect(sampleValue(samples, 'attribot_deliveries_total', { result: 'sent' })).toBe(1);
    expect(sampleValue(samples, 'attribot_outbox_rows', { status: 'pending' })).toBe(0);
    expect(sampleValue(samples, 'attribot_outbox_rows', { status: 'sent' })).toBe(1);
    expect(sampleValue(samples, 'attribot_last_cycle_timestamp_seconds')).toBe(
      Math.round(worker.clock.now().getTime() / 1000),
    );

    // The README's table lists exactly attribot's own metrics (the rest are Node's process_* and nodejs_*).
    const families = text
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '))
      .map((line) => line.split(' ')[2] as string);
    const own = families.filter((name) => !/^attribot_(process|nodejs)_/.test(name));
    const documented = [...README.matchAll(/^\| `(attribot_\w+)` \| (?:counter|gauge|histogram) \|/gm)].map(
      (match) => match[1],
    );
    expect(own.sort()).toEqual(documented.sort());

    // Node's process metrics, prefixed.
    expect(sampleValue(samples, 'attribot_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'attribot_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts a feed outside the running config under one bounded label', async () => {
    await worker.app.cycle([{ url: feeds.url('/also-missing.xml'), name: 'Not In Config' }]);
    const samples = parseMetrics(await (await fetch(`${worker.base}/metrics`)).text());
    expect(sampleValue(samples, 'attribot_feed_failures_total', { feed: '(other)' })).toBe(1);
    expect(samples.some((s) => s.labels.feed === 'Not In Config')).toBe(false);
  });

  it('is ready once a cycle finished with enough feeds answering (1 of 2 meets the default 0.5)', async () => {
    const response = await fetch(`${worker.base}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      reasons: [],
      checks: { config: true, store: true, cycle: true, feeds: true },
      feeds: { known: 2, succeeding: 1, required: 1 },
    });
  });

  it('is not ready, and then not healthy, once cycles stop', async () => {
    // Two poll intervals (2 × 10 min) without a cycle: not ready; liveness waits 15 min.
    worker.clock.advance(21 * 60_000);
    const stale = await fetch(`${worker.base}/readyz`);
    expect(stale.status).toBe(503);
    const body = (await stale.json()) as Readiness;
    expect(body.checks.cycle).toBe(false);
    expect(body.reasons).toEqual([expect.stringMatching(/^the last cycle finished 21 min ago/)]);
    expect((await fetch(`${worker.base}/healthz`)).status).toBe(503);
    expect((await fetch(`${worker.base}/nope`)).status).toBe(404);
  });
});

describe('/readyz when feeds or the database fail', () => {
  const temp = makeTempDir();
  let feeds: FeedServer;
  const workers: OpsApp[] = [];

  beforeAll(async () => {
    feeds = await startFeedServer();
    const body = rss([ATTRIBUTION]);
    feeds.serve('/news.xml', { body, contentType: 'application/rss+xml', etag: etagOf(body) });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await feeds?.close();
    temp.cleanup();
  });

  it('is not ready when fewer feeds answer than settings.readiness.minFeedSuccessRatio asks', async () => {
    const worker = await startOpsApp(
      {
        settings: { readiness: { minFeedSuccessRatio: 0.75 } },
        feeds: [
          { url: feeds.url('/news.xml') },
          { url: feeds.url('/gone-1.xml') },
          { url: feeds.url('/gone-2.xml') },
        ],
      },
      { dir: temp.dir },
    );
    workers.push(worker);
    await worker.app.cycle();
    const response = await fetch(`${worker.base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Readiness;
    expect(body.checks).toEqual({ config: true, store: true, cycle: true, feeds: false });
    // Failing feeds are not a reason to restart the worker: it stays alive.
    expect((await fetch(`${worker.base}/healthz`)).status).toBe(200);
    expect(body.reasons).toEqual([
      expect.stringContaining('only 1 of 3 feeds answered their last poll (3 needed'),
    ]);
  });

  it('is not ready when the database does not answer its probe', async () => {
    let broken = false;
    const wrapStore = (store: Store): Store =>
      new Proxy(store, {
        get(target, property) {
          if (property === 'probe' && broken) return () => Promise.reject(new Error('disk I/O error'));
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const worker = await startOpsApp(
      { feeds: [{ url: feeds.url('/news.xml') }] },
      { dir: temp.dir, wrapStore },
    );
    workers.push(worker);
    await worker.app.cycle();
    expect((await fetch(`${worker.base}/readyz`)).status).toBe(200);
    broken = true;
    const response = await fetch(`${worker.base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Readiness;
    expect(body.checks.store).toBe(false);
    expect(body.reasons).toEqual(['the database cannot be reached: disk I/O error']);
  });
});
