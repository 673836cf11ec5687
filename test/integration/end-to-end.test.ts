/**
 * From a feed served on localhost to a message received by the fake Discord, through the real CLI:
 * `attribot once` twice, then a new item, then the console fallback.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../helpers/fake-discord.js';
import { etagOf, type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface Entry {
  title: string;
  link: string;
  hoursAgo: number;
  body: string;
}

function rss(entries: Entry[], now = Date.now()): string {
  const items = entries
    .map(
      (entry) => `
    <item>
      <title>${entry.title}</title>
      <link>${entry.link}</link>
      <guid isPermaLink="true">${entry.link}</guid>
      <pubDate>${new Date(now - entry.hoursAgo * 3_600_000).toUTCString()}</pubDate>
      <description><![CDATA[<p>${entry.body}</p>]]></description>
    </item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Security Desk</title><link>https://desk.example/</link>
<description>Security news</description>${items}
</channel></rss>`;
}

const EXCHANGE: Entry = {
  title: 'US and allies accuse China over Microsoft Exchange hacking campaign',
  link: 'https://desk.example/2026/us-allies-china-exchange?utm_source=rss',
  hoursAgo: 2,
  body:
    'The United States on Monday formally accused China of being behind the hacking campaign that hit Microsoft Exchange Server earlier this year. ' +
    "The White House said hackers working for China's Ministry of State Security (MSS) exploited flaws in the email software to break into tens of thousands of computers. " +
    'The European Union, the United Kingdom, NATO, Japan, Australia, Canada and New Zealand joined the condemnation. ' +
    'A spokesperson for the Chinese embassy rejected the accusations as groundless.',
};

const EARNINGS: Entry = {
  title: 'Chipmaker beats forecasts on demand from China and Japan',
  link: 'https://desk.example/2026/chipmaker-earnings',
  hoursAgo: 1,
  body: 'Shares rose 4% after the company reported record quarterly revenue, driven by data-centre demand in China, Japan and Germany.',
};

const OLD_ATTRIBUTION: Entry = {
  title: 'Britain blames Russia for cyberattack on Ukrainian banks',
  link: 'https://desk.example/2026/uk-russia-banks',
  hoursAgo: 72,
  body: "The UK government said Russia's GRU military intelligence agency was almost certainly behind the attacks on Ukrainian banks.",
};

const LATER: Entry = {
  title: 'Microsoft says Iranian state hackers targeted Israeli firms',
  link: 'https://desk.example/2026/iran-israel',
  hoursAgo: 0.5,
  body:
    "Microsoft said on Thursday that an Iranian state-sponsored group it tracks as Mint Sandstorm, which is linked to Iran's Islamic Revolutionary Guard Corps, " +
    'exploited a vulnerability in Zoho ManageEngine (CVE-2022-47966) to breach organisations in Israel.',
};

describe('end to end: feed → extraction → outbox → Discord', () => {
  let feeds: FeedServer;
  let discord: FakeDiscord;
  const temp = makeTempDir();
  let env: Record<string, string>;
  let webhookId: string;
  let firstDocument: string;

  function serveFeed(body: string): void {
    feeds.serve('/security.xml', {
      body,
      contentType: 'application/rss+xml; charset=utf-8',
      etag: etagOf(body),
    });
  }

  beforeAll(async () => {
    feeds = await startFeedServer();
    discord = await startFakeDiscord();
    const webhook = discord.createWebhook();
    webhookId = webhook.id;
    firstDocument = rss([EXCHANGE, EARNINGS, OLD_ATTRIBUTION]);
    serveFeed(firstDocument);
    env = {
      ATTRIBOT_FEEDS: feeds.url('/security.xml'),
      DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${webhook.id}/${webhook.token}`,
      DISCORD_API_BASE: discord.apiBase,
      ATTRIBOT_DB: join(temp.dir, 'attribot.db'),
    };
  });

  afterAll(async () => {
    await feeds?.close();
    await discord?.close();
    temp.cleanup();
  });

  it('delivers exactly one alert for the attribution story, linked to the article, that cannot ping', async () => {
    const result = await runCli(['once'], env);
    expect(result.stderr).not.toMatch(/"level":"(error|fatal)"/);
    expect(result.code).toBe(0);

    const messages = discord.messages(webhookId);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    const embed = message!.embeds[0]!;
    const text = JSON.stringify(embed);
    expect(embed.url).toBe('https://desk.example/2026/us-allies-china-exchange?utm_source=rss');
    expect(text).toContain('China');
    expect(text).toMatch(/Microsoft Exchange/);
    expect(text).toContain('Ministry of State Security');
    const mentions = message!.allowed_mentions as { parse?: unknown; roles?: unknown };
    expect(mentions.parse).toEqual([]);
    expect(mentions.roles ?? []).toEqual([]);
    expect(message!.mention_everyone).toBe(false);
    expect(result.stderr).toContain('"seeded":1');
  });

  it('sends nothing on a second run over the same feed (and asks with validators)', async () => {
    const requestsBefore = feeds.requests.length;
    const result = await runCli(['once'], env);
    expect(result.code).toBe(0);
    expect(discord.messages(webhookId)).toHaveLength(1);
    const second = feeds.requests.slice(requestsBefore);
    expect(second).toHaveLength(1);
    expect(second[0]?.headers['if-none-match']).toBe(etagOf(firstDocument));
    expect(result.stderr).toContain('"notModified":1');
  });

  it('alerts on an item that appears later, and only on that one', async () => {
    serveFeed(rss([LATER, EXCHANGE, EARNINGS, OLD_ATTRIBUTION]));
    const result = await runCli(['once'], env);
    expect(result.code).toBe(0);
    const messages = discord.messages(webhookId);
    expect(messages).toHaveLength(2);
    const text = JSON.stringify(messages[1]!.embeds);
    expect(text).toContain('Iran');
    expect(text).toContain('CVE-2022-47966');
    expect(messages[1]!.embeds[0]!.url).toBe(LATER.link);
  });

  it('prints alerts for a person when no Discord is configured', async () => {
    const consoleEnv = { ATTRIBOT_FEEDS: env.ATTRIBOT_FEEDS!, ATTRIBOT_DB: join(temp.dir, 'console.db') };
    const result = await runCli(['once'], consoleEnv);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('China');
    expect(result.stdout).toContain('Ministry of State Security');
    expect(result.stdout).not.toContain('{"level"');
  });

  it('refuses to start on a broken config, naming file and line', async () => {
    const result = await runCli(['once', '--config', 'test/fixtures/config/broken.yaml'], {
      ATTRIBOT_DB: join(temp.dir, 'x.db'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.yaml:\d+: feeds\[0\]\.url/);
  });
});
