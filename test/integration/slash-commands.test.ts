import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAlert } from '../../src/alerts/route.js';
import type { Attribution } from '../../src/attribution/attribution.js';
import { type SlashCommands, slashCommandBots, startSlashCommands } from '../../src/commands/gateway.js';
import type { RecentAlert } from '../../src/commands/handle.js';
import { applyOverrides, describeOverrides } from '../../src/config/overrides.js';
import { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteOverrideStore } from '../../src/store/sqlite/sqlite-overrides.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type FakeDiscord, type FakeInteraction, startFakeDiscord } from '../helpers/fake-discord.js';
import { type FakeGateway, type InjectedCommand, startFakeGateway } from '../helpers/fake-gateway.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { TestClock } from '../helpers/test-clock.js';

const EPHEMERAL = 64;

let discord: FakeDiscord;
let gateway: FakeGateway;
let commands: SlashCommands;
let store: SqliteStore;
let temp: { dir: string; cleanup: () => void };
let database: string;
let token: string;
let guildId: string;
let channelId: string;
let adminRole: string;
let otherRole: string;
const clock = new TestClock('2024-05-01T12:00:00Z');
const explained: string[] = [];

const recent: RecentAlert[] = [
  {
    title: 'UK blames Russia for @everyone [hacks](https://evil.example)',
    url: 'https://news.example/a',
    at: '2024-05-01T11:00:00Z',
  },
  { title: null, url: null, at: '2024-05-01T10:00:00Z', destinations: ['soc'] },
];

const config = Config.parse({
  destinations: [{ name: 'soc', type: 'bot', tokenEnv: 'T', channelId: '123456789012345678' }],
  routes: [{ name: 'all', destinations: ['soc'] }],
});

const story: Attribution = {
  id: 's',
  is_attribution: true,
  actors: [{ name: 'APT41', aliases: ['Double Dragon', 'Wicked Panda'], country: 'China', stated: true }],
  attributed_countries: ['China'],
  attributing_parties: ['Mandiant'],
  products: [],
  cves: [],
  confidence: 0.8,
  confidence_reason: 'vendor attribution',
  evidence: ['Mandiant attributed the intrusions to APT41.'],
};

beforeAll(async () => {
  discord = await startFakeDiscord();
  token = discord.createBot();
  guildId = discord.snowflake();
  channelId = discord.createChannel();
  adminRole = discord.snowflake();
  otherRole = discord.snowflake();
  gateway = await startFakeGateway(discord, [
    { id: guildId, roleIds: [adminRole, otherRole], channelIds: [channelId] },
  ]);
  temp = makeTempDir();
  database = join(temp.dir, 'attribot.db');
  store = new SqliteStore(database);
  const overrides = new SqliteOverrideStore(store.database);
  commands = await startSlashCommands({
    token,
    apiBase: discord.apiBase,
    guilds: [{ guildId, adminRoleIds: [adminRole] }],
    context: {
      overrides,
      clock,
      recentAlerts: async (limit) => recent.slice(0, limit),
      explainUrl: async (url) => {
        explained.push(url);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return `Article ${url}\nis_attribution: true\nactors: APT41 (China)\n\`\`\`injected fence @everyone`;
      },
      describeOverrides: (current) => describeOverrides(config, current, clock.now()),
    },
    log: silentLogger(),
    waitGuildTimeoutMs: 2_000,
  });
});

afterAll(async () => {
  await commands?.stop();
  await gateway?.close();
  await discord?.close();
  await store?.close();
  temp?.cleanup();
});

async function until<T>(probe: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const last = discord.requests.slice(-3).map((r) => `${r.method} ${r.path} → ${r.status}`);
      throw new Error(`timed out waiting; last requests: ${last.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Injects a command and waits until the bot has answered it (and finished an edit, if deferred). */
async function run(command: Omit<InjectedCommand, 'guildId' | 'channelId'>): Promise<FakeInteraction> {
  const id = gateway.injectCommand({ guildId, channelId, ...command });
  const interaction = await until(() => {
    const seen = discord.interaction(id);
    return seen && seen.callbacks.length > 0 ? seen : undefined;
  });
  if (interaction.callbacks[0]?.type === 5) await until(() => interaction.original?.edited);
  await commands.idle();
  return interaction;
}

const ADMIN = { userId: '300000000000000001', permissions: String(0x20) };
const MEMBER = { userId: '300000000000000002', permissions: String(0x400 | 0x800) };

describe('slash commands over the gateway', () => {
  it('identifies with the Guilds intent over uncompressed JSON and registers /attribot in the server', async () => {
    expect(gateway.connections).toHaveLength(1);
    // discord.js heartbeats on the interval HELLO gave, and the gateway acknowledges (op 1 → op 11).
    await until(() => (gateway.connections[0]?.heartbeats ?? 0) >= 1);
    expect(gateway.connections[0]?.query).toEqual({ v: '10', encoding: 'json' });
    expect(gateway.connections[0]?.identify).toMatchObject({ token, intents: 1 });
    const registered = discord.guildCommands(commands.applicationId, guildId) as Array<
      Record<string, unknown>
    >;
    expect(registered.map((command) => command.name)).toEqual(['attribot']);
    const options = registered[0]?.options as Array<{ name: string }>;
    expect(options.map((option) => option.name)).toEqual(['recent', 'explain', 'watch', 'mute', 'unmute']);
    expect(commands.registeredGuilds).toEqual([guildId]);
  });

  it('lets a Manage Server member add a watch that persists across reopening the store', async () => {
    const interaction = await run({
      ...ADMIN,
      path: ['watch', 'add'],
      options: { kind: 'actor', value: 'Wicked Panda' },
    });
    expect(interaction.callbacks[0]?.type).toBe(4);
    expect(interaction.original).toMatchObject({
      content: `Now watching actor **Wicked Panda** (added by <@${ADMIN.userId}>).`,
      flags: 0,
      allowed_mentions: { parse: [] },
    });
    const reopened = new SqliteStore(database);
    try {
      const loaded = await new SqliteOverrideStore(reopened.database).loadOverrides();
      expect(loaded.watches).toEqual([
        { kind: 'actors', value: 'Wicked Panda', addedBy: ADMIN.userId, addedAt: '2024-05-01T12:00:00.000Z' },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it('lets a member with a configured admin role change watches, escaping what they typed', async () => {
    const interaction = await run({
      userId: '300000000000000003',
      permissions: '0',
      roleIds: [otherRole, adminRole],
      path: ['watch', 'add'],
      options: { kind: 'keyword', value: '@everyone *wiper*' },
    });
    expect(interaction.original?.content).toBe(
      'Now watching keyword **@\u200beveryone \\*wiper\\*** (added by <@300000000000000003>).',
    );
    const list = await run({ ...MEMBER, path: ['watch', 'list'] });
    expect(list.original?.flags).toBe(EPHEMERAL);
    expect(list.original?.content).toContain(
      'watchlist "discord" adds actors: Wicked Panda; keywords: @everyone *wiper*',
    );
  });

  it('refuses changes from other members, ephemerally, and stores nothing', async () => {
    const interaction = await run({
      ...MEMBER,
      roleIds: [otherRole],
      path: ['mute'],
      options: { kind: 'actor', value: 'APT41', duration: '1d' },
    });
    expect(interaction.original).toMatchObject({
      content:
        'Only members with the Manage Server permission or an attribot admin role can change watches and mutes.',
      flags: EPHEMERAL,
    });
    expect((await new SqliteOverrideStore(store.database).loadOverrides()).mutes).toEqual([]);
  });

  it('mutes matching route decisions until the mute ends', async () => {
    const overrides = new SqliteOverrideStore(store.database);
    const decisions = async () => {
      const effective = applyOverrides(config, await overrides.loadOverrides(), clock.now());
      return routeAlert({ attribution: story, title: 'APT41 again' }, effective.routes, effective.watchlists);
    };
    expect(await decisions()).toHaveLength(1);
    const interaction = await run({
      ...ADMIN,
      path: ['mute'],
      options: { kind: 'actor', value: 'double dragon', duration: '2h' },
    });
    expect(interaction.original?.content).toBe(
      `Muted actor **double dragon** until <t:${Date.parse('2024-05-01T14:00:00Z') / 1000}:R> (by <@${ADMIN.userId}>).`,
    );
    expect(await decisions()).toEqual([]);
    clock.advance(2 * 3_600_000);
    expect(await decisions()).toEqual([
      { destination: 'soc', route: 'all', mentionRoleIds: [], digest: false },
    ]);
  });

  it('answers recent from the callback, ephemerally and without live links or pings', async () => {
    const interaction = await run({ ...MEMBER, path: ['recent'], options: { count: 2 } });
    expect(interaction.original?.flags).toBe(EPHEMERAL);
    expect(interaction.original?.allowed_mentions).toEqual({ parse: [] });
    expect(interaction.original?.content).toBe(
      [
        `• [UK blames Russia for @\u200beveryone \\[hacks\\]\\(https:\u200b//evil.example\\)](<https://news.example/a>) · <t:${Date.parse('2024-05-01T11:00:00Z') / 1000}:R>`,
        `• Untitled · <t:${Date.parse('2024-05-01T10:00:00Z') / 1000}:R> → soc`,
      ].join('\n'),
    );
  });

  it('defers explain, then edits the original reply with the explanation', async () => {
    const interaction = await run({
      ...MEMBER,
      path: ['explain'],
      options: { url: 'https://news.example/apt41' },
    });
    expect(interaction.callbacks).toEqual([{ type: 5, data: { flags: EPHEMERAL } }]);
    expect(explained).toEqual(['https://news.example/apt41']);
    expect(interaction.original?.edited).toBe(true);
    expect(interaction.original?.content).toBe(
      '```text\nArticle https://news.example/apt41\nis_attribution: true\nactors: APT41 (China)\n`\u200b`\u200b`injected fence @everyone\n```',
    );
    expect(interaction.original?.allowed_mentions).toEqual({ parse: [] });
  });

  it('refuses a URL that is not http(s) without calling explain', async () => {
    const interaction = await run({ ...MEMBER, path: ['explain'], options: { url: 'file:///etc/passwd' } });
    expect(interaction.original).toMatchObject({ content: 'Give an http(s) article URL.', flags: EPHEMERAL });
    expect(explained).toHaveLength(1);
  });
});

describe('slash command startup', () => {
  it('rejects a token Discord refuses, without quoting it', async () => {
    const bad = 'bm90LWEtYm90.not-a-real-token';
    const error = await startSlashCommands({
      token: bad,
      apiBase: discord.apiBase,
      guilds: [{ guildId, adminRoleIds: [] }],
      context: {
        overrides: new SqliteOverrideStore(store.database),
        clock,
        recentAlerts: async () => [],
        explainUrl: async () => '',
        describeOverrides: () => '',
      },
      log: silentLogger(),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/^Error: Discord bot login failed/);
    expect(String(error)).not.toContain(bad);
  });

  it('groups bot destinations with a server by token and merges admin roles', () => {
    const destination = { type: 'bot' as const, channelId: '1', adminRoleIds: [] as string[] };
    expect(
      slashCommandBots([
        { ...destination, name: 'a', token: 't1', guildId: '10', adminRoleIds: ['r1'] },
        { ...destination, name: 'b', token: 't1', guildId: '10', adminRoleIds: ['r2', 'r1'] },
        { ...destination, name: 'c', token: 't1', guildId: '11' },
        { ...destination, name: 'd', token: 't2' },
        { name: 'e', type: 'console' },
      ]),
    ).toEqual([
      {
        token: 't1',
        guilds: [
          { guildId: '10', adminRoleIds: ['r1', 'r2'] },
          { guildId: '11', adminRoleIds: [] },
        ],
      },
    ]);
  });
});
