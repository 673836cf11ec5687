/**
 * The worker on PostgreSQL, as users run it: the compiled CLI with DATABASE_URL, from a feed served
 * on localhost to the fake Discord. Several processes on one database post every alert once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peers, startPeers } from '../helpers/peers.js';
import { createTestDatabase, postgresSkipNote, postgresUrl } from '../helpers/pg-database.js';
import { runCli } from '../helpers/run-cli.js';

const HOUR = 3_600_000;

/** Attribution reports written for this test, each naming a different actor and state. */
const REPORTS = [
  [
    'Poland blames Russia for cyberattack on water utilities',
    'pl-ru',
    "Poland's digital affairs minister said hackers working for Russian military intelligence broke into the control systems of several water utilities.",
  ],
  [
    'Japan says Chinese state hackers stole space agency data',
    'jp-cn',
    'Japanese police said the Chinese state-sponsored group APT10 stole research data from the space agency over two years.',
  ],
  [
    'US charges Iranian hackers over attacks on election websites',
    'us-ir',
    'The Justice Department said hackers working for the Iranian government attacked state election websites and stole voter records.',
  ],
  [
    'Seoul says North Korean group Kimsuky phished defence officials',
    'kr-kp',
    "South Korea's intelligence service said the North Korean group Kimsuky sent phishing emails to officials at the defence ministry.",
  ],
] as const;

function feedDocument(now: number, host: string): string {
  const items = REPORTS.map(
    ([title, slug, body], index) => `
    <item><title>${title}</title><link>https://${host}/${slug}</link>
      <pubDate>${new Date(now - (index + 1) * HOUR).toUTCString()}</pubDate>
      <description>${body}</description></item>`,
  ).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${host}</title><link>https://${host}/</link>${items}</channel></rss>`;
}

describe.skipIf(!postgresUrl())(`workers on PostgreSQL${postgresSkipNote()}`, () => {
  let peers: Peers;
  beforeAll(async () => {
    peers = await startPeers();
  });
  afterAll(() => peers?.close());

  it('delivers each alert once, however many workers poll and deliver at the same time', async () => {
    const database = await createTestDatabase();
    try {
      const { feeds, discord } = peers;
      // Two outlets carrying the same four stories: one story, one alert each.
      feeds.serve('/desk.xml', {
        body: feedDocument(Date.now(), 'desk.example'),
        contentType: 'application/rss+xml',
      });
      feeds.serve('/wire.xml', {
        body: feedDocument(Date.now(), 'wire.example'),
        contentType: 'application/rss+xml',
      });
      const webhook = discord.createWebhook();
      const env = {
        ATTRIBOT_FEEDS: `${feeds.url('/desk.xml')},${feeds.url('/wire.xml')}`,
        DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${webhook.id}/${webhook.token}`,
        DISCORD_API_BASE: discord.apiBase,
        DATABASE_URL: database.url,
      };
      const results = await Promise.all([
        runCli(['once'], env),
        runCli(['once'], env),
        runCli(['once'], env),
      ]);
      expect(results.map((result) => result.code)).toEqual([0, 0, 0]);
      const posted = discord.messages(webhook.id).map((message) => JSON.stringify(message.embeds));
      for (const [title] of REPORTS)
        expect(posted.filter((text) => text.includes(title)).length).toBeLessThanOrEqual(1);
      // Every story alerted; a second outlet's copy edits its story's alert rather than posting again.
      const alerted = REPORTS.filter(([title]) => posted.some((text) => text.includes(title)));
      expect(alerted).toHaveLength(REPORTS.length);
      expect(posted).toHaveLength(REPORTS.length);

      const again = await runCli(['once'], env);
      expect(again.code).toBe(0);
      expect(discord.messages(webhook.id)).toHaveLength(REPORTS.length);
    } finally {
      await database.drop();
    }
  }, 120_000);

  it('check-config names the database without its password and never contacts it', async () => {
    const result = await runCli(['check-config'], {
      DATABASE_URL: 'postgres://attribot:s3cret-pass@db.invalid:5432/attribot',
      ATTRIBOT_FEEDS: 'https://news.example/feed.xml',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(PostgreSQL)');
    expect(result.stdout).toContain('db.invalid:5432/attribot');
    expect(result.stdout).not.toContain('s3cret-pass');
  });
});

describe('DATABASE_URL', () => {
  it('must be a PostgreSQL URL: a path there is refused with a pointer to ATTRIBOT_DB', async () => {
    const result = await runCli(['check-config'], { DATABASE_URL: 'data/attribot.db' });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('DATABASE_URL');
    expect(result.stdout).toContain('ATTRIBOT_DB');
  });

  it('a PostgreSQL that cannot be reached stops the worker with a message, not a stack', async () => {
    const result = await runCli(['once'], {
      DATABASE_URL: 'postgres://attribot:s3cret-pass@127.0.0.1:9/attribot',
      ATTRIBOT_FEEDS: 'https://news.example/feed.xml',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/cannot start: .*refused/i);
    expect(result.stderr).not.toContain('s3cret-pass');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
