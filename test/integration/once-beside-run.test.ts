/**
 * Two processes on one SQLite file, as on one host: `attribot once` started while `attribot run` is
 * up polls and delivers beside it, and no alert is posted twice. Before feed leases and outbox
 * claims (issue 10), both drained the same rows and an alert went out twice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { generateItems, rssDocument, seededRandom } from '../helpers/crash-items.js';
import { type FakeDiscord, type FakeMessage, startFakeDiscord } from '../helpers/fake-discord.js';
import { type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { waitFor } from '../helpers/peers.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEEDS = 3;
const DESTINATIONS = ['intel', 'soc', 'ir'] as const;

describe('attribot once beside attribot run on one SQLite file', () => {
  const temp = makeTempDir();
  let feeds: FeedServer;
  let discord: FakeDiscord;

  beforeAll(async () => {
    feeds = await startFeedServer();
    // Each post takes a while to be answered, so the two processes' deliveries overlap.
    discord = await startFakeDiscord({ answerDelayMs: 300, rateLimit: { limit: 50, windowMs: 2_000 } });
  });
  afterAll(async () => {
    await feeds?.close();
    await discord?.close();
    temp.cleanup();
  });

  it('posts every alert once when once starts in the middle of run’s delivery', async () => {
    const now = Date.now();
    const items = generateItems(24, FEEDS, seededRandom(910), 'beside');
    for (let feed = 0; feed < FEEDS; feed++) {
      const own = items
        .map((item, index) => ({ item, publishedAt: now - 3_600_000 + index * 60_000 }))
        .filter(({ item }) => item.feed === feed);
      feeds.serve(`/desk-${feed}.xml`, { body: rssDocument(feed, own), contentType: 'application/rss+xml' });
    }
    const webhooks = DESTINATIONS.map(() => discord.createWebhook());
    const config = join(temp.dir, 'attribot.yaml');
    writeFileSync(
      config,
      [
        'settings: { minConfidence: 0, floodCap: 1000 }',
        'feeds:',
        ...Array.from({ length: FEEDS }, (_, feed) => `  - url: ${feeds.url(`/desk-${feed}.xml`)}`),
        'destinations:',
        ...DESTINATIONS.map(
          (name) => `  - { name: ${name}, type: webhook, webhookUrlEnv: ${name.toUpperCase()}_WEBHOOK_URL }`,
        ),
        'routes:',
        `  - { name: everything, destinations: [${DESTINATIONS.join(', ')}] }`,
      ].join('\n'),
    );
    const database = join(temp.dir, 'shared.db');
    const env = (client: string): Record<string, string> => ({
      ATTRIBOT_CONFIG: config,
      ATTRIBOT_DB: database,
      DISCORD_API_BASE: discord.apiBaseFor(client),
      ...Object.fromEntries(
        DESTINATIONS.map((name, index) => {
          const webhook = webhooks[index] as { id: string; token: string };
          return [
            `${name.toUpperCase()}_WEBHOOK_URL`,
            `https://discord.com/api/webhooks/${webhook.id}/${webhook.token}`,
          ];
        }),
      ),
    });

    let pendingWhenOnceStarted = 0;
    const run = spawnCli(['run'], env('run'));
    let runLog = '';
    run.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      runLog += chunk;
    });
    const runClosed = new Promise((resolve) => run.once('close', resolve));
    try {
      // `once` starts while run is in the middle of delivering: rows are pending and being sent.
      await waitFor(
        () => discord.requests.some((request) => request.client === 'run' && request.method === 'POST'),
        60_000,
      );
      const watcher = new SqliteStore(database);
      pendingWhenOnceStarted = (await watcher.outboxCounts()).pending;
      await watcher.close();
      const once = await runCli(['once'], env('once'));
      expect(once.code, once.stderr).toBe(0);
      expect(once.stderr).toContain('"Cycle finished"');
      await waitFor(() => runLog.includes('"Cycle finished"'), 60_000);
      // Whatever `once` left to the other process (a destination it held) goes out on run's ticks.
      const store = new SqliteStore(database);
      try {
        for (let wait = 0; (await store.outboxCounts()).pending > 0; wait++) {
          if (wait > 600) throw new Error('the outbox did not drain');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await store.close();
      }
    } finally {
      run.kill('SIGTERM');
      await runClosed;
    }

    const store = new SqliteStore(database);
    const rows = await store.outbox();
    await store.close();
    const posted = (message: FakeMessage): string => JSON.stringify([message.content, message.embeds]);
    let total = 0;
    for (const [index, name] of DESTINATIONS.entries()) {
      const webhook = webhooks[index] as { id: string };
      const messages = discord.messages(webhook.id).map(posted);
      // No message twice, and one message per row that was sent as a new message.
      expect(new Set(messages).size, name).toBe(messages.length);
      const sentRows = rows.filter(
        (row) => row.destination === name && row.status === 'sent' && row.kind !== 'edit',
      );
      expect(messages.length, name).toBe(sentRows.length);
      total += messages.length;
    }
    // Every item an alert was queued for reached every destination.
    expect(rows.filter((row) => row.status === 'pending')).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(DESTINATIONS.length * 3);
    // The two overlapped: `once` ran while run still had alerts to send.
    expect(pendingWhenOnceStarted).toBeGreaterThan(0);
  }, 120_000);
});
