/**
 * What a worker's log says, read as JSON lines from a real worker polling a local feed server: a
 * first poll's seeding is news, not a warning; a cycle in which most feeds fail says what to check;
 * a restart names the failing feeds it leaves in backoff; `once` counts the alerts it leaves behind.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import type { Store } from '../../src/store/store.js';
import { type FakeDiscord, startFakeDiscord } from '../helpers/fake-discord.js';
import { etagOf, type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { type OpsApp, startOpsApp } from '../helpers/ops-app.js';
import { makeTempDir } from '../helpers/temp-dir.js';

type Line = Record<string, unknown> & { level: string; msg: string; time: string };

function backlogFeed(): string {
  const now = Date.now();
  const item = (n: number, ageHours: number) =>
    `<item><title>Patch notes ${n}</title><link>https://vendor.example/notes/${n}</link><guid>notes-${n}</guid>
    <pubDate>${new Date(now - ageHours * 3_600_000).toUTCString()}</pubDate><description>Maintenance release ${n}.</description></item>`;
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Vendor</title><link>https://vendor.example/</link>
  ${[item(1, 24 * 30), item(2, 24 * 20), item(3, 24 * 10), item(4, 2)].join('\n')}</channel></rss>`;
}

/** A feed whose one fresh item is an attribution, so it queues an alert. */
function attributionFeed(): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>
  <item><title>Officials blame North Korea for exchange theft</title><link>https://desk.example/lazarus-exchange</link>
  <guid>lazarus-exchange</guid><pubDate>${new Date(Date.now() - 3_600_000).toUTCString()}</pubDate>
  <description>The FBI said on Friday that the Lazarus Group, hackers working for North Korea, stole $40 million from a cryptocurrency exchange. The bureau attributed the theft to North Korea after tracing the funds.</description></item>
  </channel></rss>`;
}

describe('worker logs', () => {
  const temp = makeTempDir();
  const lines: Line[] = [];
  let feeds: FeedServer;
  let discord: FakeDiscord;
  const workers: OpsApp[] = [];

  const log = createLogger({
    level: 'info',
    format: 'json',
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
        done();
      },
    }),
  });
  const logged = (msg: string): Line[] => lines.filter((line) => line.msg === msg);

  beforeAll(async () => {
    feeds = await startFeedServer();
    const body = backlogFeed();
    feeds.serve('/vendor.xml', { body, contentType: 'application/rss+xml', etag: etagOf(body) });
    feeds.serve('/desk.xml', { body: attributionFeed(), contentType: 'application/rss+xml' });
    discord = await startFakeDiscord();
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await feeds?.close();
    await discord?.close();
    temp.cleanup();
  });

  it("logs a first poll's seeding and an ordinary cycle at info, with ISO times", async () => {
    const worker = await startOpsApp(
      { feeds: [{ url: feeds.url('/vendor.xml'), name: 'Vendor' }] },
      { dir: temp.dir, log },
    );
    workers.push(worker);
    lines.length = 0;
    await worker.app.cycle();
    const [seeded] = logged('Admin notice');
    expect(seeded).toMatchObject({ level: 'info', notice: 'seeded' });
    expect(seeded?.text).toMatch(/^first poll: 3 older items recorded as seen without alerts/);
    const [cycle] = logged('Cycle finished');
    expect(cycle).toMatchObject({ level: 'info', feeds: 1, failed: 0, seeded: 3, newItems: 1 });
    expect(cycle).not.toHaveProperty('hint');
    expect(cycle?.durationMs).toEqual(expect.any(Number));
    for (const line of lines) expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('says what to check, at warn, when most feeds fail the same way', async () => {
    // Nothing listens on port 9 of loopback: every connection is refused, as behind a broken proxy.
    const worker = await startOpsApp(
      {
        feeds: [
          { url: 'http://127.0.0.1:9/a.xml', name: 'A' },
          { url: 'http://127.0.0.1:9/b.xml', name: 'B' },
          { url: feeds.url('/vendor.xml'), name: 'Vendor' },
        ],
      },
      { dir: temp.dir, log },
    );
    workers.push(worker);
    lines.length = 0;
    await worker.app.cycle();
    const [cycle] = logged('Cycle finished');
    expect(cycle).toMatchObject({
      level: 'warn',
      feeds: 3,
      failed: 2,
      commonError: { kind: 'connect', feeds: 2, example: expect.stringContaining('ECONNREFUSED') },
      failingFeeds: ['http://127.0.0.1:9/a.xml', 'http://127.0.0.1:9/b.xml'],
    });
    expect(cycle?.hint).toMatch(
      /^2 of 3 feeds failed; 2 with connect \(.*ECONNREFUSED.*\): connections fail: check the network, the firewall and, behind a corporate proxy, HTTPS_PROXY/,
    );
  });

  it('names, at start, the failing feeds that keep the backoff of the run before', async () => {
    const database = join(temp.dir, 'restart.db');
    const config = {
      feeds: [
        { url: 'http://127.0.0.1:9/gone.xml', name: 'Gone' },
        { url: feeds.url('/vendor.xml'), name: 'Vendor' },
      ],
    };
    const before = await startOpsApp(config, { dir: temp.dir, log, env: { ATTRIBOT_DB: database } });
    await before.app.cycle();
    await before.close();

    lines.length = 0;
    const after = await startOpsApp(config, { dir: temp.dir, log, env: { ATTRIBOT_DB: database } });
    workers.push(after);
    after.app.start();
    // At least one: the cron tick of a minute boundary may finish a second cycle before the poll looks.
    await expect.poll(() => logged('Cycle finished').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const [kept] = lines.filter((line) => line.msg.startsWith('Failing feeds keep their backoff'));
    expect(kept).toMatchObject({
      level: 'info',
      kept: 1,
      feeds: [{ url: 'http://127.0.0.1:9/gone.xml', failures: 1, until: expect.any(String) }],
    });
    expect(kept?.msg).toContain('attribot feeds retry URL');
    expect(logged('Cycle finished')[0]).toMatchObject({ feeds: 1, failed: 0 });
  });

  /** A worker whose webhook Discord refuses (an unknown token: 401), so its alert stays in the outbox. */
  async function refusedWorker(
    wrapStore?: (store: Store) => Store,
  ): Promise<{ worker: OpsApp; webhookId: string }> {
    const webhook = discord.createWebhook();
    const worker = await startOpsApp(
      {
        feeds: [{ url: feeds.url('/desk.xml'), name: 'Desk' }],
        destinations: [{ name: 'intel', type: 'webhook', webhookUrlEnv: 'INTEL_WEBHOOK_URL' }],
      },
      {
        dir: temp.dir,
        log,
        env: {
          INTEL_WEBHOOK_URL: `https://discord.com/api/webhooks/${webhook.id}/not-${webhook.token}`,
          DISCORD_API_BASE: discord.apiBase,
        },
        ...(wrapStore ? { wrapStore } : {}),
      },
    );
    workers.push(worker);
    return { worker, webhookId: webhook.id };
  }

  it('once: counts the alerts it leaves in the outbox, per destination, and names the suspended ones', async () => {
    const { worker, webhookId } = await refusedWorker();
    lines.length = 0;
    await worker.app.once();
    const [left] = lines.filter((line) => line.msg.startsWith('Undelivered alerts stay in the outbox'));
    expect(left).toMatchObject({
      level: 'warn',
      pending: 1,
      destinations: { intel: 1 },
      suspended: ['intel'],
      nextAttemptAt: expect.any(String),
    });
    expect(discord.messages(webhookId)).toEqual([]);
  });

  it('once: ends as usual when the outbox cannot be counted, saying why instead of the counts', async () => {
    const { worker } = await refusedWorker(
      (store) =>
        new Proxy(store, {
          get(target, key, receiver) {
            if (key === 'destinationStatus') return () => Promise.reject(new Error('database is locked'));
            const value = Reflect.get(target, key, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    );
    lines.length = 0;
    await worker.app.once();
    const [left] = lines.filter((line) => line.msg.startsWith('Undelivered alerts stay in the outbox'));
    expect(left).toMatchObject({
      level: 'warn',
      countError: 'database is locked',
      nextAttemptAt: expect.any(String),
    });
    expect(left).not.toHaveProperty('pending');
  });
});
