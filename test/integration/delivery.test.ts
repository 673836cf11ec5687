/**
 * The outbox worker with the real discord.js webhook sender against the fake Discord: bucket rate
 * limits, a 429, 5xx answers and an outage; nothing lost, nothing duplicated, order kept, and no
 * request sooner than Discord allowed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordWebhookSender } from '../../src/deliver/discord-sender.js';
import { drainOutbox } from '../../src/deliver/outbox-worker.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type FakeDiscord, startFakeDiscord } from '../helpers/fake-discord.js';
import { alertItems } from '../helpers/messages.js';
import { TestClock } from '../helpers/test-clock.js';

describe('delivery through discord.js to the fake Discord', () => {
  let discord: FakeDiscord;
  let store: SqliteStore;
  let sender: DiscordWebhookSender;
  let webhookId: string;
  const clock = new TestClock('2026-11-28T12:00:00Z');

  beforeEach(async () => {
    discord = await startFakeDiscord({ rateLimit: { limit: 3, windowMs: 400 } });
    const webhook = discord.createWebhook();
    webhookId = webhook.id;
    sender = new DiscordWebhookSender({
      name: 'main',
      id: webhook.id,
      token: webhook.token,
      apiBase: discord.apiBase,
      timeoutMs: 2_000,
    });
    store = new SqliteStore(':memory:');
  });
  afterEach(async () => {
    sender.close();
    await store.close();
    await discord.close();
  });

  async function queue(count: number): Promise<string[]> {
    const titles = Array.from({ length: count }, (_, n) => `alert ${String(n).padStart(2, '0')}`);
    await store.recordItems(alertItems('main', titles), clock.now().toISOString());
    return titles;
  }

  /** Drains until the outbox is empty, moving the test clock past each backoff. */
  async function deliverAll(maxRounds = 20): Promise<number> {
    let rounds = 0;
    while ((await store.pendingOutbox(1)).length > 0 && rounds < maxRounds) {
      await drainOutbox({ store, clock, log: silentLogger(), senders: new Map([['main', sender]]) });
      clock.advance(10 * 60_000);
      rounds++;
    }
    return rounds;
  }

  it('delivers every alert once, in order, within the rate limits, through 429 and 5xx answers', async () => {
    const titles = await queue(8);
    discord.failNext(1, { status: 500 });
    discord.failNext(1, { status: 429, retryAfter: 0.3 });
    discord.failNext(2, { status: 503 });
    await deliverAll();

    const delivered = discord.messages(webhookId).map((message) => message.embeds[0]?.title);
    expect(delivered).toEqual(titles);
    expect(discord.violations).toEqual([]);
    expect(
      (await store.outbox()).every((row) => row.status === 'sent' && row.discordMessageId !== null),
    ).toBe(true);
  });

  it('keeps everything through an outage and sends it when Discord is back', async () => {
    const titles = await queue(3);
    discord.failNext(6, { status: 502 });
    await drainOutbox({ store, clock, log: silentLogger(), senders: new Map([['main', sender]]) });
    expect(discord.messages(webhookId)).toHaveLength(0);
    expect((await store.outbox()).map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);
    // Each drain tries only the oldest row (order is kept), so the outage costs one request a round.
    await deliverAll();
    expect(discord.requests.filter((request) => request.status === 502)).toHaveLength(6);
    expect(discord.messages(webhookId).map((message) => message.embeds[0]?.title)).toEqual(titles);
  });
});
