/**
 * The admin commands through the real CLI on a real ledger (a SQLite file written with the Store
 * API, and the listings on PostgreSQL through DATABASE_URL); `destinations test` against the fake
 * Discord that DISCORD_API_BASE points at.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { FEEDS, ivantiReport, lazarusReport, sandwormReport } from '../contract/fixtures.js';
import { GONE_FEED, MOVED_TO, REFUSAL, writeAdminConfig, writeAdminLedger } from '../helpers/admin-ledger.js';
import { type FakeDiscord, type FakeWebhook, startFakeDiscord } from '../helpers/fake-discord.js';
import { createTestDatabase, postgresSkipNote, postgresUrl } from '../helpers/pg-database.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let discord: FakeDiscord;
let intel: FakeWebhook;
let soc: FakeWebhook;
/** What intel's URL was until its webhook was deleted: Discord answers 404 Unknown Webhook. */
let deletedIntel: string;

beforeAll(async () => {
  discord = await startFakeDiscord();
  intel = discord.createWebhook({ name: 'intel' });
  soc = discord.createWebhook({ name: 'soc' });
  deletedIntel = `${discord.apiBase}/webhooks/${discord.snowflake()}/${intel.token}`;
});
afterAll(() => discord.close());

async function withStore<T>(
  location: string,
  work: (store: Awaited<ReturnType<typeof openStore>>['store']) => Promise<T>,
): Promise<T> {
  const { store } = await openStore(location);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('admin commands on a SQLite ledger', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let config: string;
  let database: string;
  const env = (extra: Record<string, string> = {}) => ({
    ATTRIBOT_DB: database,
    DISCORD_API_BASE: discord.apiBase,
    INTEL_WEBHOOK_URL: deletedIntel,
    SOC_WEBHOOK_URL: soc.url,
    ...extra,
  });
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli([...args, '--config', config], env(extra));

  beforeEach(async () => {
    temp = makeTempDir();
    config = join(temp.dir, 'attribot.yaml');
    database = join(temp.dir, 'data', 'attribot.db');
    writeAdminConfig(config);
    await withStore(database, (store) => writeAdminLedger(store));
  });
  afterEach(() => temp.cleanup());

  it('feeds: every configured feed with its state, last success, last error and what it produced', async () => {
    const result = await cli(['feeds']);
    expect(result.code).toBe(0);
    const blocks = result.stdout.split('\n\n');
    expect(blocks[0]).toMatch(/^The Record {2}https:\/\/therecord\.media\/feed\//);
    expect(blocks[0]).toMatch(
      /state {9}ok, next poll \S+ \S+ UTC \(in 10 min\); moved to https:\/\/therecord\.media\/rss/,
    );
    expect(blocks[0]).toMatch(/items seen {4}1 · alerts sent 0/);
    expect(blocks[1]).toMatch(/state {9}backing off until .* \(in 1\.7 h\) \(3 failures in a row\)/);
    expect(blocks[1]).toMatch(/last error {4}HTTP 503 Service Unavailable/);
    // Lazarus to intel and soc, Ivanti to soc.
    expect(blocks[1]).toMatch(/items seen {4}2 · alerts sent 3/);
    expect(blocks[2]).toMatch(/state {9}disabled since .* \(1 h ago\) \(the publisher answered 410 Gone\)/);
    expect(blocks[3]).toMatch(/state {9}never polled/);
    expect(blocks[3]).toMatch(/last success {2}never/);
    expect(blocks[4]).toMatch(/^4 feeds, 2 not ok/);
  });

  it('feeds --json: the same, for scripts', async () => {
    const result = await cli(['feeds', '--json']);
    expect(result.code).toBe(0);
    const feeds = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(feeds.map((feed) => [feed.url, feed.health])).toEqual([
      [FEEDS.record, 'ok'],
      [FEEDS.bleeping, 'backing-off'],
      [GONE_FEED, 'disabled'],
      [FEEDS.hackerNews, 'never-polled'],
    ]);
    expect(feeds[0]).toMatchObject({ movedTo: MOVED_TO, items: { processed: 1 }, alertsSent: 0 });
    expect(feeds[1]).toMatchObject({ consecutiveFailures: 3, lastError: 'HTTP 503 Service Unavailable' });
    expect(feeds[2]).toMatchObject({ disabledReason: 'the publisher answered 410 Gone' });
  });

  it('feeds retry URL: due at the next tick, backoff forgotten; an unknown URL is an error', async () => {
    const before = Date.now();
    const result = await cli(['feeds', 'retry', FEEDS.bleeping]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/polled at the next tick of a running worker \(was: backing off until/);
    const state = await withStore(database, (store) => store.getFeedState(FEEDS.bleeping));
    expect(state).toMatchObject({ consecutiveFailures: 0, lastError: 'HTTP 503 Service Unavailable' });
    expect(Date.parse(state!.nextPollAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(state!.nextPollAt!)).toBeLessThanOrEqual(Date.now());

    const unknown = await cli(['feeds', 'retry', 'https://nowhere.example/feed']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no configured feed has the URL "https:\/\/nowhere\.example\/feed"/);
    expect((await cli(['feeds', 'retry'])).code).toBe(2);
    expect((await cli(['feeds', 'retry', FEEDS.record, '--all'])).code).toBe(2);
  });

  it('feeds retry --all: every failing or disabled feed, the healthy ones left alone', async () => {
    const result = await cli(['feeds', 'retry', '--all']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${FEEDS.bleeping}: polled at the next tick`);
    expect(result.stdout).toContain(`${GONE_FEED}: polled at the next tick`);
    expect(result.stdout).toMatch(/^2 of 4 feed\(s\) retried/m);
    const [record, gone] = await withStore(database, (store) =>
      Promise.all([store.getFeedState(FEEDS.record), store.getFeedState(GONE_FEED)]),
    );
    expect(gone).toMatchObject({ disabledAt: null, disabledReason: null, consecutiveFailures: 0 });
    expect(Date.parse(record!.nextPollAt!)).toBeGreaterThan(Date.now());
  });

  it('destinations: queue, last alert delivered, suspension and last error of each', async () => {
    const result = await cli(['destinations']);
    expect(result.code).toBe(0);
    const [intelBlock, socBlock, logBlock, summary] = result.stdout.split('\n\n');
    expect(intelBlock).toMatch(/^intel \(webhook\)\n {2}queue {9}2 pending, 0 held for the digest/);
    expect(intelBlock).toMatch(/last alert {4}.* \(3 d ago\)/);
    expect(intelBlock).toMatch(
      /suspended {5}until .* \(in 10 min\): it refused delivery; .*attribot destinations test intel/,
    );
    expect(intelBlock).toContain(`last error    ${REFUSAL}`);
    expect(socBlock).toMatch(/queue {9}0 pending, 1 held for the digest/);
    expect(socBlock).toMatch(/last alert {4}.* \(50 min ago\)/);
    expect(socBlock).not.toMatch(/suspended/);
    expect(logBlock).toMatch(/^log \(console\)/);
    expect(summary).toBe('3 destinations, 2 alerts pending, 1 suspended\n');

    const json = JSON.parse((await cli(['destinations', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(json[0]).toMatchObject({
      name: 'intel',
      type: 'webhook',
      pending: 2,
      held: 0,
      lastError: REFUSAL,
    });
    expect(json[0]?.suspendedUntil).toEqual(expect.any(String));
    expect(json[1]).toMatchObject({ name: 'soc', pending: 0, held: 1, suspendedUntil: null, retryAt: null });
  });

  it('destinations test: a 404 is reported and lifts nothing; once the URL is fixed, success lifts the suspension', async () => {
    const refused = await cli(['destinations', 'test', 'intel']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /intel: the test message was not delivered: .*failed with 404 \(code 10015\)/,
    );
    expect(refused.stdout).toMatch(/The webhook was deleted or its URL is wrong/);
    expect(refused.stdout + refused.stderr).not.toContain(intel.token);
    const still = await withStore(database, (store) => store.destinationStatus(['intel']));
    expect(still[0]?.head).toMatchObject({ suspended: true });

    const fixed = await cli(['destinations', 'test', 'intel'], { INTEL_WEBHOOK_URL: intel.url });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/^intel: Discord accepted the test message \(message \d+\) in \d+ ms$/m);
    expect(fixed.stdout).toContain(
      'Suspension lifted: 2 pending alert(s) go out at the next tick of a running worker.',
    );
    const [posted] = discord.messages(intel.id);
    expect(posted?.embeds[0]?.title).toBe('attribot test message');
    expect(posted?.content).toMatch(/test message for destination "intel"/);
    const lifted = await withStore(database, (store) => store.destinationStatus(['intel']));
    expect(lifted[0]?.head).toMatchObject({ suspended: false });
    expect(Date.parse(lifted[0]!.head!.nextAttemptAt)).toBeLessThanOrEqual(Date.now());
  });

  it('destinations test: a bot destination posts with its token to its channel', async () => {
    const channelId = discord.createChannel();
    const token = discord.createBot();
    writeFileSync(
      config,
      `feeds: []\ndestinations:\n  - { name: desk, type: bot, tokenEnv: DESK_TOKEN, channelId: "${channelId}" }\n`,
    );
    const result = await cli(['destinations', 'test', 'desk'], { DESK_TOKEN: token });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^desk: Discord accepted the test message \(message \d+\)/);
    expect(discord.messages(channelId).map((message) => message.embeds[0]?.title)).toEqual([
      'attribot test message',
    ]);
    const refused = await cli(['destinations', 'test', 'desk'], { DESK_TOKEN: 'not-a-valid-token' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/failed with 401/);
    expect(refused.stdout).toMatch(/Discord does not accept the bot token/);
  });

  it("destinations test NAME needs only that destination's secret, and says so when it is unset", async () => {
    writeFileSync(
      config,
      [
        'feeds: []',
        'destinations:',
        '  - { name: intel, type: webhook, webhookUrlEnv: INTEL_WEBHOOK_URL }',
        '  - { name: ics, type: webhook, webhookUrlEnv: ICS_WEBHOOK_URL }',
        '  - { name: admin, type: webhook, webhookUrlEnv: ADMIN_WEBHOOK_URL }',
        '',
      ].join('\n'),
    );
    const onlyIntel = {
      ATTRIBOT_DB: database,
      DISCORD_API_BASE: discord.apiBase,
      INTEL_WEBHOOK_URL: intel.url,
    };
    const result = await runCli(['destinations', 'test', 'intel', '--config', config], onlyIntel);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^intel: Discord accepted the test message \(message \d+\)/);
    expect(discord.messages(intel.id).at(-1)?.embeds[0]?.title).toBe('attribot test message');

    const unset = await runCli(['destinations', 'test', 'ics', '--config', config], onlyIntel);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/destination "ics" needs ICS_WEBHOOK_URL to be set/);
    expect(unset.stderr).not.toMatch(/ADMIN_WEBHOOK_URL/);
  });

  it('destinations test: an unknown name (with a "did you mean", as for a mistyped command), and the console, say so', async () => {
    const unknown = await cli(['destinations', 'test', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no destination is named "nope" \(configured: intel, soc, log\)/);
    const misspelt = await cli(['destinations', 'test', 'intl']);
    expect(misspelt.code).toBe(1);
    expect(misspelt.stderr).toMatch(
      /no destination is named "intl" \(did you mean "intel"\?\) \(configured: intel, soc, log\)/,
    );
    const command = await cli(['destination', 'test', 'intel']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(
      /^attribot: unknown command "destination" \(did you mean "destinations"\?\)\n/,
    );
    const console = await cli(['destinations', 'test', 'log']);
    expect(console.code).toBe(0);
    expect(console.stdout).toMatch(/"log" is the console/);
    expect((await cli(['destinations', 'test'])).code).toBe(2);
  });

  it('recent: the stories of the period and what each destination got', async () => {
    const result = await cli(['recent']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const story = (title: string | null) => lines.find((line) => line.startsWith(`• ${title}`));
    expect(story(ivantiReport('x').title)).toMatch(/\(1 h ago\) → intel \(pending\), soc \(sent\)$/);
    expect(story(sandwormReport('x').title)).toMatch(/→ intel \(pending\), soc \(held for the digest\)$/);
    expect(story(lazarusReport('x').title)).toBeUndefined();
    expect(result.stdout).toMatch(/Volt Typhoon, China · 1 outlet/);
    expect(result.stdout).toMatch(/^2 stories in the last 24h$/m);

    const week = await cli(['recent', '--since', '7d', '--json']);
    const stories = JSON.parse(week.stdout) as Array<{
      title: string;
      destinations: Array<{ destination: string; status: string }>;
    }>;
    // Newest first (the two of the last hour were recorded together: the later one first).
    expect(stories.map((entry) => entry.title)).toEqual([
      sandwormReport('x').title,
      ivantiReport('x').title,
      lazarusReport('x').title,
    ]);
    expect(stories[2]?.destinations).toEqual([
      expect.objectContaining({ destination: 'intel', status: 'sent' }),
      expect.objectContaining({ destination: 'soc', status: 'sent' }),
    ]);
    const bad = await cli(['recent', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since needs a duration such as 24h/);
  });

  it('a missing database is reported, and not created, by every read-only command', async () => {
    const absent = join(temp.dir, 'nowhere', 'attribot.db');
    for (const args of [['feeds'], ['destinations'], ['recent'], ['feeds', 'retry', '--all']]) {
      const result = await cli(args, { ATTRIBOT_DB: absent });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /no attribot database at .*nowhere\/attribot\.db: the worker creates it on its first run/,
      );
    }
    expect(existsSync(absent)).toBe(false);
    expect(existsSync(join(temp.dir, 'nowhere'))).toBe(false);
    // A test still reaches Discord, with nothing to release.
    const tested = await cli(['destinations', 'test', 'soc'], { ATTRIBOT_DB: absent });
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/No database yet/);
    expect(existsSync(absent)).toBe(false);
  });

  it('listings need no secrets (an admin laptop); a test message does', async () => {
    const listed = await cli(['feeds'], { SOC_WEBHOOK_URL: '', INTEL_WEBHOOK_URL: '' });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('therecord.media');
    const tested = await cli(['destinations', 'test', 'soc'], { SOC_WEBHOOK_URL: '' });
    expect(tested.code).toBe(1);
    expect(tested.stderr).toMatch(/SOC_WEBHOOK_URL/);
  });

  it('an invalid config is an error with its reasons', async () => {
    writeFileSync(config, 'feeds:\n  - url: not a url\n');
    const result = await cli(['feeds']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/feeds\[0\]\.url/);
    expect(result.stderr).toMatch(/attribot feeds: the configuration .* is invalid/);
  });
});

describe.skipIf(!postgresUrl())(`admin listings on PostgreSQL (DATABASE_URL)${postgresSkipNote()}`, () => {
  let temp: ReturnType<typeof makeTempDir>;
  let config: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const cli = (args: string[]) =>
    runCli([...args, '--config', config], {
      DATABASE_URL: database.url,
      DISCORD_API_BASE: discord.apiBase,
      INTEL_WEBHOOK_URL: deletedIntel,
      SOC_WEBHOOK_URL: soc.url,
    });

  beforeAll(async () => {
    temp = makeTempDir();
    config = join(temp.dir, 'attribot.yaml');
    writeAdminConfig(config);
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    temp.cleanup();
  });

  it('says there is no attribot database before a worker created one, and creates none', async () => {
    const result = await cli(['feeds']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no attribot database in PostgreSQL at postgres(ql)?:\/\/.*: the worker creates it/,
    );
    expect(result.stderr).not.toMatch(/:[^@/]*@/);
    const { adminQuery } = await import('../helpers/pg-database.js');
    const tables = await adminQuery(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`,
      [],
      database.url,
    );
    expect(tables.rows[0]).toEqual({ n: 0 });
  });

  it('feeds and destinations read the shared ledger', async () => {
    await withStore(database.url, (store) => writeAdminLedger(store));
    const feeds = JSON.parse((await cli(['feeds', '--json'])).stdout) as Array<{
      url: string;
      health: string;
    }>;
    expect(feeds.map((feed) => feed.health)).toEqual(['ok', 'backing-off', 'disabled', 'never-polled']);
    const destinations = await cli(['destinations']);
    expect(destinations.code).toBe(0);
    expect(destinations.stdout).toMatch(/^intel \(webhook\)\n {2}queue {9}2 pending/);
    expect(destinations.stdout).toMatch(/suspended {5}until/);
    expect(destinations.stdout).toMatch(/soc \(webhook\)\n {2}queue {9}0 pending, 1 held/);
    const recent = await cli(['recent']);
    expect(recent.stdout).toMatch(/^2 stories in the last 24h$/m);
  });
});

describe('destinations test on a webhook thread', () => {
  it('posts into the thread, and says what to check when the thread is gone or the channel is a forum', async () => {
    const temp = makeTempDir();
    try {
      const channel = discord.createChannel();
      const thread = discord.createThread(channel);
      const hook = discord.createWebhook({ channelId: channel });
      const forumHook = discord.createWebhook({ channelId: discord.createForumChannel() });
      const config = join(temp.dir, 'threads.yaml');
      writeFileSync(
        config,
        [
          'destinations:',
          `  - { name: desk, type: webhook, webhookUrlEnv: DESK_URL, threadId: "${thread}", username: Desk }`,
          '  - { name: forum, type: webhook, webhookUrlEnv: FORUM_URL }',
          '',
        ].join('\n'),
      );
      const env = {
        DESK_URL: hook.url,
        FORUM_URL: forumHook.url,
        DISCORD_API_BASE: discord.apiBase,
        ATTRIBOT_DB: join(temp.dir, 'none.db'),
      };
      const posted = await runCli(['destinations', 'test', 'desk', '--config', config], env);
      expect(posted.code).toBe(0);
      expect(discord.messages(thread)).toMatchObject([{ author: { username: 'Desk' } }]);

      discord.deleteThread(thread);
      const gone = await runCli(['destinations', 'test', 'desk', '--config', config], env);
      expect(gone.code).toBe(1);
      expect(gone.stdout).toMatch(/failed with 404 \(code 10003\)/);
      expect(gone.stdout).toContain(
        "The thread does not exist or is not in the webhook's channel: check threadId (or the URL's ?thread_id=).",
      );

      const forum = await runCli(['destinations', 'test', 'forum', '--config', config], env);
      expect(forum.code).toBe(1);
      expect(forum.stdout).toContain(
        "The webhook belongs to a forum channel: set threadId to one of the forum's posts.",
      );
    } finally {
      temp.cleanup();
    }
  });
});
