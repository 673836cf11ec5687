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
