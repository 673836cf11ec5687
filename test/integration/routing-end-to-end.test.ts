/**
 * Routes decide who gets what: a webhook desk per country, a bot channel that pings an opted-in role,
 * an admin destination for notices only — through the real CLI against the fake Discord.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etagOf } from '../helpers/feed-server.js';
import { type Peers, startPeers } from '../helpers/peers.js';
import { deskFeed } from '../helpers/rss.js';
import { runCli } from '../helpers/run-cli.js';

const ROLE = '223344556677889900';

function feed(now: number): string {
  return deskFeed(now, [
    {
      slug: 'china',
      title: 'Australia accuses China over parliament email breach',
      body: "The Australian government said on Tuesday that hackers working for China's Ministry of State Security breached parliament's email system. @everyone read this.",
    },
    {
      slug: 'iran',
      title: 'Israel says Iranian state hackers hit water utilities',
      body: "Israel's National Cyber Directorate said an Iranian state-sponsored group linked to the Islamic Revolutionary Guard Corps attacked water utility controllers.",
    },
  ]);
}

describe('routing through the CLI', () => {
  let peers: Peers;
  beforeAll(async () => {
    peers = await startPeers();
  });
  afterAll(() => peers?.close());

  it('sends each story only where a route wants it, pinging only the opted-in role', async () => {
    const { feeds, discord } = peers;
    const body = feed(Date.now());
    feeds.serve('/feed.xml', { body, contentType: 'application/rss+xml', etag: etagOf(body) });
    const china = discord.createWebhook();
    const admin = discord.createWebhook();
    const botToken = discord.createBot();
    const botChannel = discord.createChannel();
    const config = join(peers.dir, 'routes.yaml');
    writeFileSync(
      config,
      [
        'feeds:',
        `  - { name: Desk, url: "${feeds.url('/feed.xml')}" }`,
        'destinations:',
        '  - { name: china-desk, type: webhook, webhookUrlEnv: CHINA_HOOK }',
        `  - { name: mideast, type: bot, tokenEnv: BOT_TOKEN, channelId: "${botChannel}" }`,
        '  - { name: admin, type: webhook, webhookUrlEnv: ADMIN_HOOK }',
        'routes:',
        '  - { name: china, destinations: [china-desk], match: { countries: [China] } }',
        `  - { name: iran, destinations: [mideast], match: { countries: [Iran] }, mentionRoles: ["${ROLE}"] }`,
        '',
      ].join('\n'),
    );
    const env = {
      CHINA_HOOK: `https://discord.com/api/webhooks/${china.id}/${china.token}`,
      ADMIN_HOOK: `https://discord.com/api/webhooks/${admin.id}/${admin.token}`,
      BOT_TOKEN: botToken,
      DISCORD_API_BASE: discord.apiBase,
      ATTRIBOT_DB: join(peers.dir, 'routes.db'),
    };

    const check = await runCli(['check-config', '--config', config], env);
    expect(check.code).toBe(0);
    expect(check.stdout).not.toContain(botToken);

    const result = await runCli(['once', '--config', config], env);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain(botToken);

    const chinaMessages = discord.messages(china.id);
    expect(chinaMessages).toHaveLength(1);
    expect(JSON.stringify(chinaMessages[0]!.embeds)).toContain('China');
    expect(chinaMessages[0]!.mention_everyone).toBe(false);
    expect(chinaMessages[0]!.content ?? '').not.toContain('<@&');

    const botMessages = discord.messages(botChannel);
    expect(botMessages).toHaveLength(1);
    expect(JSON.stringify(botMessages[0]!.embeds)).toContain('Iran');
    expect(botMessages[0]!.content).toBe(`<@&${ROLE}>`);
    expect(botMessages[0]!.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
    expect(botMessages[0]!.nonce).toBeTruthy();

    const adminMessages = discord.messages(admin.id);
    expect(adminMessages.every((message) => JSON.stringify(message.embeds).includes('admin notice'))).toBe(
      true,
    );
  });
});

function rss(items: Array<{ slug: string; host: string; title: string; body: string }>, now: number): string {
  const entries = items.map(
    (item) => `
    <item><title>${item.title}</title><link>https://${item.host}/${item.slug}</link>
      <pubDate>${new Date(now - 1_800_000).toUTCString()}</pubDate><description>${item.body}</description></item>`,
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>${entries.join('')}</channel></rss>`;
}

describe('routes by feed and source, into a webhook thread', () => {
  let peers: Peers;
  beforeAll(async () => {
    peers = await startPeers();
  });
  afterAll(() => peers?.close());

  it('a story reaches the feed-restricted route once a listed feed reports it, in the thread, under the desk name', async () => {
    const { feeds, discord } = peers;
    const now = Date.now();
    const story = {
      title: 'Poland blames Sandworm for heating plant intrusions',
      body: "Poland's digital affairs minister said Russian military intelligence hackers from the Sandworm group broke into the control systems of heating plants in December.",
    };
    const vendor = rss([{ slug: 'sandworm-heating', host: 'blog.vendor.example', ...story }], now);
    feeds.serve('/vendor.xml', { body: vendor, contentType: 'application/rss+xml', etag: etagOf(vendor) });
    const quiet = rss([], now);
    feeds.serve('/gov.xml', { body: quiet, contentType: 'application/rss+xml', etag: etagOf(quiet) });

    const channel = discord.createChannel();
    const thread = discord.createThread(channel);
    const govHook = discord.createWebhook({ channelId: channel, name: 'Hook' });
    const vendorHook = discord.createWebhook();
    const config = join(peers.dir, 'origins.yaml');
    writeFileSync(
      config,
      [
        'feeds:',
        `  - { name: Vendor Blog, url: "${feeds.url('/vendor.xml')}" }`,
        `  - { name: Gov Advisories, url: "${feeds.url('/gov.xml')}" }`,
        'destinations:',
        `  - { name: gov-desk, type: webhook, webhookUrlEnv: GOV_HOOK, threadId: "${thread}", username: Gov desk }`,
        '  - { name: vendor-desk, type: webhook, webhookUrlEnv: VENDOR_HOOK }',
        'routes:',
        '  - { name: gov, destinations: [gov-desk], feeds: [gov advisories] }',
        '  - { name: vendors, destinations: [vendor-desk], sources: [vendor.example] }',
        '',
      ].join('\n'),
    );
    const env = {
      GOV_HOOK: `https://discord.com/api/webhooks/${govHook.id}/${govHook.token}`,
      VENDOR_HOOK: `https://discord.com/api/webhooks/${vendorHook.id}/${vendorHook.token}`,
      DISCORD_API_BASE: discord.apiBase,
      ATTRIBOT_DB: join(peers.dir, 'origins.db'),
    };
    expect((await runCli(['check-config', '--config', config], env)).code).toBe(0);

    // Only the vendor has it: the source route takes it, the feed route does not.
    expect((await runCli(['once', '--config', config], env)).code).toBe(0);
    expect(discord.messages(vendorHook.id)).toHaveLength(1);
    expect(discord.messages(thread)).toEqual([]);

    // The government feed reports the same incident: the story now has a report from it.
    const gov = rss([{ slug: 'advisory-26-001', host: 'gov.example', ...story }], now);
    feeds.serve('/gov.xml', { body: gov, contentType: 'application/rss+xml', etag: etagOf(gov) });
    expect((await runCli(['once', '--config', config], env)).code).toBe(0);

    const inThread = discord.messages(thread);
    expect(inThread).toHaveLength(1);
    expect(inThread[0]?.author.username).toBe('Gov desk');
    expect(JSON.stringify(inThread[0]?.embeds)).toContain('Sandworm');
    const posted = discord.requests.find((request) => request.createdMessageId === inThread[0]?.id);
    expect(posted?.query).toEqual({ wait: 'true', thread_id: thread });
    expect(posted?.body).toMatchObject({ username: 'Gov desk' });
    // The vendor desk's alert is edited (+1 outlet), not posted again.
    expect(discord.messages(vendorHook.id)).toHaveLength(1);

    // A later report edits the story's alert in the thread: the edit names the thread too.
    const followUp = rss(
      [
        { slug: 'sandworm-heating', host: 'blog.vendor.example', ...story },
        { slug: 'sandworm-heating-update', host: 'blog.vendor.example', ...story },
      ],
      now,
    );
    feeds.serve('/vendor.xml', {
      body: followUp,
      contentType: 'application/rss+xml',
      etag: etagOf(followUp),
    });
    expect((await runCli(['once', '--config', config], env)).code).toBe(0);
    const threadEdits = discord.requests.filter(
      (request) => request.method === 'PATCH' && request.path.includes(`/webhooks/${govHook.id}/`),
    );
    expect(threadEdits.length).toBeGreaterThan(0);
    for (const edit of threadEdits) {
      expect(edit.query).toEqual({ thread_id: thread });
      expect(edit.status).toBe(200);
    }
    expect(discord.messages(thread)).toHaveLength(1);
    expect(discord.messages(thread)[0]?.edited_timestamp).not.toBeNull();
  });

  it('explain routes an article as a feed’s report with --feed, and refuses an unknown feed with a "did you mean"', async () => {
    const { dir } = peers;
    const config = join(dir, 'explain.yaml');
    writeFileSync(
      config,
      [
        'feeds:',
        '  - { name: Gov Advisories, url: "https://gov.example/feed.xml" }',
        'destinations:',
        '  - { name: log, type: console }',
        'routes:',
        '  - { name: gov, destinations: [log], feeds: [Gov Advisories] }',
        '  - { name: poland, destinations: [log], sources: [gov.pl] }',
        '',
      ].join('\n'),
    );
    const article = join(dir, 'article.json');
    writeFileSync(
      article,
      `${JSON.stringify({
        id: 'a',
        title: 'Poland blames Sandworm for heating plant intrusions',
        text: "Poland's digital affairs minister said Russian military intelligence hackers from the Sandworm group broke into the control systems of heating plants.",
        url: 'https://www.gov.pl/web/digitalization/sandworm',
      })}\n`,
    );
    const plain = await runCli(['explain', '--config', config, article], {});
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('✗ gov (no report from feed "Gov Advisories")');
    expect(plain.stdout).toContain('✓ poland (every story from source gov.pl)');
    expect(plain.stdout).toContain('--feed NAME routes the article as a report of that feed');

    const asFeed = await runCli(['explain', '--config', config, '--feed', 'gov advisories', article], {});
    expect(asFeed.code).toBe(0);
    expect(asFeed.stdout).toContain('as a report of feed "Gov Advisories"');
    expect(asFeed.stdout).toContain('✓ gov (every story from feed "Gov Advisories")');

    const typo = await runCli(['explain', '--config', config, '--feed', 'Gov Advisory', article], {});
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--feed: unknown feed "Gov Advisory" (did you mean "Gov Advisories"?)');
  });
});
