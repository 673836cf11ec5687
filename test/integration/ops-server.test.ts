import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { applyEnvironment } from '../../src/config/env.js';
import { Config } from '../../src/config/schema.js';
import { type OpsServer, startOpsServer } from '../../src/server/server.js';
import { silentLogger } from '../../src/shared/logger.js';
import { etagOf, type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { TestClock } from '../helpers/test-clock.js';

describe('/healthz and /metrics', () => {
  const temp = makeTempDir();
  const clock = new TestClock(new Date().toISOString());
  let feeds: FeedServer;
  let app: App;
  let ops: OpsServer;
  let base: string;

  beforeAll(async () => {
    feeds = await startFeedServer();
    const body =
      '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link></channel></rss>';
    feeds.serve('/empty.xml', { body, contentType: 'application/rss+xml', etag: etagOf(body) });
    const config = Config.parse({
      feeds: [{ url: feeds.url('/empty.xml') }, { url: feeds.url('/missing.xml') }],
    });
    const { effective } = applyEnvironment(config, { ATTRIBOT_DB: join(temp.dir, 'a.db') });
    app = await App.create(effective!, { log: silentLogger(), stdout: new PassThrough(), clock });
    ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: app.metrics,
      health: () => app.health(),
    });
    base = `http://127.0.0.1:${ops.port}`;
  });
  afterAll(async () => {
    await ops?.close();
    await app?.stop();
    await feeds?.close();
    temp.cleanup();
  });

  it('exposes counters for polls and outbox state after a cycle', async () => {
    await app.cycle();
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE attribot_feed_polls_total counter');
    expect(text).toContain('attribot_feed_polls_total{status="ok"} 1');
    expect(text).toContain('attribot_feed_polls_total{status="failed"} 1');
    expect(text).toContain('attribot_outbox_rows{status="pending"} 0');
    expect(text).toMatch(/attribot_last_cycle_timestamp_seconds \d+/);
  });

  it('is healthy while cycles run and unhealthy when they stop', async () => {
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ status: 'ok', feeds: 2, outboxPending: 0 });
    clock.advance(60 * 60_000);
    const stale = await fetch(`${base}/healthz`);
    expect(stale.status).toBe(503);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
