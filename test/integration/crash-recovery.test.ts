/**
 * The store is the ledger: a worker killed while Discord has not answered loses nothing, and the
 * restarted worker delivers each alert exactly once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peers, startPeers, waitFor } from '../helpers/peers.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';

function feed(now: number): string {
  const item = (title: string, slug: string, body: string) => `
    <item><title>${title}</title><link>https://desk.example/${slug}</link>
      <pubDate>${new Date(now - 3_600_000).toUTCString()}</pubDate>
      <description>${body}</description></item>`;
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>
  ${item(
    'Netherlands blames Russia for hack of police systems',
    'nl-russia',
    "The Dutch government said hackers working for Russia's GRU military intelligence service breached police computer systems.",
  )}
  ${item(
    'South Korea says North Korean hackers stole defence data',
    'kr-dprk',
    'South Korean police said the North Korean state-backed group Andariel stole data from defence contractors.',
  )}
  </channel></rss>`;
}

describe('crash recovery', () => {
  let peers: Peers;
  beforeAll(async () => {
    peers = await startPeers();
  });
  afterAll(() => peers?.close());

  it('a worker killed mid-delivery loses and repeats nothing after restart', async () => {
    const { feeds, discord } = peers;
    feeds.serve('/feed.xml', { body: feed(Date.now()), contentType: 'application/rss+xml' });
    const webhook = discord.createWebhook();
    const env = {
      ATTRIBOT_FEEDS: feeds.url('/feed.xml'),
      DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${webhook.id}/${webhook.token}`,
      DISCORD_API_BASE: discord.apiBase,
      ATTRIBOT_DB: join(peers.dir, 'attribot.db'),
    };
    discord.hangNext(1);
    const worker = spawnCli(['run'], env);
    const webhookPosts = () => discord.requests.filter((request) => request.method === 'POST').length;
    await waitFor(() => webhookPosts() >= 1, 45_000);
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('close', resolve));
    expect(discord.messages(webhook.id)).toHaveLength(0);

    const restarted = await runCli(['once'], env);
    expect(restarted.code).toBe(0);
    const titles = discord.messages(webhook.id).map((message) => JSON.stringify(message.embeds));
    expect(titles).toHaveLength(2);
    expect(titles.filter((text) => text.includes('Russia'))).toHaveLength(1);
    expect(titles.filter((text) => text.includes('North Korea'))).toHaveLength(1);

    const again = await runCli(['once'], env);
    expect(again.code).toBe(0);
    expect(discord.messages(webhook.id)).toHaveLength(2);
  }, 120_000);
});
