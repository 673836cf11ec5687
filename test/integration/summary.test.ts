/**
 * Route summaries end to end: stories seeded in a real SQLite ledger, the worker's cycle queues the
 * period's summary, discord.js posts it (multipart, with the PNG chart) to the fake Discord, and the
 * received PNG is decoded; a second worker, a restart and a late start never send it twice.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inflateSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoryReport } from '../../src/alerts/cluster.js';
import { latestPeriod } from '../../src/alerts/summary-period.js';
import { App, loadEffectiveConfig } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { clusterPlan, item, ivantiReport, lazarusReport, sandwormReport } from '../contract/fixtures.js';
import {
  type FakeDiscord,
  type FakeWebhook,
  type RecordedRequest,
  startFakeDiscord,
} from '../helpers/fake-discord.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { TestClock } from '../helpers/test-clock.js';

/** Width, height and the decompressed scanlines of a PNG: enough to know it is a whole image. */
function decodePng(data: Buffer): {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  pixels: Buffer;
} {
  expect(data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colourType: number } | null = null;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR')
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8]!,
        colourType: body[9]!,
      };
    if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  expect(header).not.toBeNull();
  return { ...header!, pixels: inflateSync(Buffer.concat(idat)) };
}

const DAY_MS = 24 * 3_600_000;
/** The period of a daily 09:00 UTC summary sent on 2026-12-07. */
const PERIOD = { start: '2026-12-06T09:00:00.000Z', end: '2026-12-07T09:00:00.000Z' };

describe('route summaries', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let discord: FakeDiscord;
  let peer: { hook: FakeWebhook; channel: string; token: string };
  const apps: App[] = [];

  beforeEach(async () => {
    temp = makeTempDir();
    discord = await startFakeDiscord();
    peer = { hook: discord.createWebhook(), channel: discord.createChannel(), token: discord.createBot() };
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await discord.close();
    temp.cleanup();
  });

  async function seed(database: string): Promise<void> {
    const store = new SqliteStore(database);
    const record = async (key: string, at: string, report: StoryReport) =>
      store.recordItems(
        [item(key)],
        at,
        clusterPlan(new Map([[key, report]]), {
          now: at,
          since: new Date(Date.parse(at) - DAY_MS).toISOString(),
        }),
      );
    // Before the period: not counted.
    await record('old', '2026-12-06T08:59:00.000Z', lazarusReport('The Record'));
    await record('ivanti-1', '2026-12-06T10:00:00.000Z', ivantiReport('BleepingComputer'));
    // The same incident from another outlet joins the story: still one story.
    await record('ivanti-2', '2026-12-06T11:00:00.000Z', ivantiReport('The Record'));
    await record('sandworm', '2026-12-06T15:00:00.000Z', sandwormReport('SecurityWeek'));
    // More than a day after 'old' (the plan's window): a story of its own, just inside the period.
    await record('lazarus', '2026-12-07T08:59:30.000Z', lazarusReport('Dark Reading'));
    // After the period: next time.
    await record('late', '2026-12-07T09:00:00.000Z', sandwormReport('Wired'));
    await store.close();
  }

  /** The config every test runs: one route with a daily summary, two Discord destinations and TAXII. */
  function writeConfig(database: string): { file: string; env: Record<string, string> } {
    const { hook, channel, token } = peer;
    const file = join(temp.dir, 'attribot.yaml');
    writeFileSync(
      file,
      [
        'destinations:',
        '  - { name: soc, type: webhook, webhookUrlEnv: SOC_HOOK }',
        `  - { name: intel, type: bot, tokenEnv: BOT_TOKEN, channelId: "${channel}" }`,
        // A TAXII server takes stories as STIX, not summaries: never queued for it.
        '  - { name: cti, type: taxii, url: "https://taxii.example.org/api1/", collection: c1, secretEnv: TAXII_SECRET }',
        'routes:',
        '  - name: state-actors',
        '    destinations: [soc, intel, cti]',
        '    summary: { every: daily, at: "09:00", timezone: UTC, grace: 6h }',
        '',
      ].join('\n'),
    );
    const env = {
      ATTRIBOT_DB: database,
      SOC_HOOK: hook.url,
      BOT_TOKEN: token,
      TAXII_SECRET: 'attribot:taxii-password',
      DISCORD_API_BASE: discord.apiBase,
    };
    return { file, env };
  }

  async function worker(
    database: string,
    clock: TestClock,
    extra: { renderPng?: () => Promise<Buffer> } = {},
  ) {
    const { hook, channel } = peer;
    const { file, env } = writeConfig(database);
    const loaded = await loadEffectiveConfig(file, env);
    expect(loaded.errors).toEqual([]);
    const app = await App.create(loaded.effective!, {
      log: silentLogger(),
      stdout: new PassThrough(),
      clock,
      ...extra,
    });
    apps.push(app);
    return { app, hook, channel };
  }

  const posts = (): RecordedRequest[] =>
    discord.requests.filter((request) => request.method === 'POST' && request.status === 200);

  it('posts the period summary with its chart to a webhook and a bot, with the counts the store holds', async () => {
    const database = join(temp.dir, 'attribot.db');
    await seed(database);
    const clock = new TestClock('2026-12-07T09:01:00.000Z');
    const { app, hook, channel } = await worker(database, clock);
    await app.cycle([]);

    const sent = posts();
    expect(sent.map((request) => request.path)).toEqual([
      expect.stringContaining(`/webhooks/${hook.id}/`),
      `/api/v10/channels/${channel}/messages`,
    ]);
    for (const request of sent) {
      // On the wire as Discord takes files: multipart, payload_json plus files[0].
      expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(request.files?.map((file) => [file.field, file.filename, file.contentType])).toEqual([
        ['files[0]', 'summary-state-actors-2026-12-07.png', 'image/png'],
      ]);
      const png = decodePng(request.files![0]!.data);
      expect(png.width).toBe(800);
      expect(png.height).toBeGreaterThan(200);
      expect(png.height).toBeLessThan(800);
      // RGBA 8-bit: each scanline is a filter byte and 4 bytes per pixel.
      expect([png.bitDepth, png.colourType]).toEqual([8, 6]);
      expect(png.pixels.length).toBe(png.height * (1 + png.width * 4));
    }
    const [message] = discord.messages(hook.id);
    expect(message?.attachments.map((attachment) => attachment.filename)).toEqual([
      'summary-state-actors-2026-12-07.png',
    ]);
    const embed = message!.embeds[0] as {
      title: string;
      description: string;
      fields: Array<{ name: string; value: string }>;
      image: { url: string };
    };
    expect(embed.title).toBe('Daily summary: state-actors');
    expect(embed.image).toEqual({ url: 'attachment://summary-state-actors-2026-12-07.png' });

    const ledger = new Database(database, { readonly: true });
    expect(
      ledger.prepare("SELECT destination FROM outbox WHERE kind = 'summary' ORDER BY id").pluck().all(),
    ).toEqual(['soc', 'intel']);
    ledger.close();

    // The counts in the text are the store's: one line per country, stories counted once.
    const store = new SqliteStore(database);
    const stories = await store.storiesCreatedBetween(PERIOD.start, PERIOD.end);
    await store.close();
    expect(stories).toHaveLength(3);
    expect(embed.description).toMatch(/^\*\*3 stories\*\* from /);
    const expected = new Map<string, number>();
    for (const story of stories)
      for (const country of story.attribution.attributed_countries)
        expected.set(country, (expected.get(country) ?? 0) + 1);
    const byCountry = embed.fields.find((field) => field.name === 'By country')!.value.split('\n');
    expect(new Map(byCountry.map((line) => [line.split(' — ')[0]!, Number(line.split(' — ')[1])]))).toEqual(
      expected,
    );
    const top = embed.fields.find((field) => field.name === 'Top stories')!.value.split('\n');
    expect(top[0]).toBe(
      '1\\. [Chinese state hackers exploit Ivanti Connect Secure zero-day \\(CVE-2026-21887\\)](<https://news.example/bleepingcomputer/CVE-2026-21887>) · 2 outlets',
    );
    expect(top).toHaveLength(3);
  });

  it('sends a period once across a second worker, a restart and later cycles', async () => {
    const database = join(temp.dir, 'attribot.db');
    await seed(database);
    const clock = new TestClock('2026-12-07T09:00:30.000Z');
    const first = await worker(database, clock);
    const second = await worker(database, clock);
    // Two workers reach the period at once (both Apps of this process share one worker id for
    // leases, so delivery itself is raced in postgres-workers.test.ts; here the queueing is).
    const raced = await Promise.all([first.app.queueSummaries(), second.app.queueSummaries()]);
    expect(
      raced
        .flat()
        .map((outcome) => outcome.status)
        .sort(),
    ).toEqual(['already-queued', 'queued']);
    await first.app.cycle([]);
    clock.advance(60_000);
    await first.app.cycle([]);
    await first.app.stop();
    apps.splice(apps.indexOf(first.app), 1);
    const restarted = await worker(database, clock);
    await restarted.app.cycle([]);
    await second.app.cycle([]);
    // One summary per destination, whichever worker queued it.
    expect(posts()).toHaveLength(2);
    // The next day's period is another summary.
    clock.advance(DAY_MS);
    await restarted.app.cycle([]);
    expect(posts()).toHaveLength(4);
  });

  it('sends a summary missed while down on start within the grace period, and skips an older one', async () => {
    const database = join(temp.dir, 'attribot.db');
    await seed(database);
    // 5 h 59 min late with a 6 h grace: sent.
    const lateClock = new TestClock('2026-12-07T14:59:00.000Z');
    const late = await worker(database, lateClock);
    expect((await late.app.queueSummaries()).map((outcome) => outcome.status)).toEqual(['queued']);
    await late.app.stop();
    apps.splice(0);
    // The next period, started 6 h 1 min after it ended: skipped, and never sent later.
    const tooLateClock = new TestClock('2026-12-08T15:01:00.000Z');
    const tooLate = await worker(database, tooLateClock);
    expect((await tooLate.app.queueSummaries()).map((outcome) => outcome.status)).toEqual(['too-late']);
    tooLateClock.advance(60_000);
    expect(await tooLate.app.queueSummaries()).toEqual([]);
    await tooLate.app.deliver();
    expect(posts()).toHaveLength(2);
  });

  it('sends the text alone when the chart cannot be rendered', async () => {
    const database = join(temp.dir, 'attribot.db');
    await seed(database);
    const clock = new TestClock('2026-12-07T09:01:00.000Z');
    const { app, hook } = await worker(database, clock, {
      renderPng: () => Promise.reject(new Error('no fonts')),
    });
    await app.cycle([]);
    const [message] = discord.messages(hook.id);
    expect(message?.attachments).toEqual([]);
    expect(message?.embeds[0]).not.toHaveProperty('image');
    expect(posts()[0]?.headers['content-type']).toMatch(/^application\/json/);
  });

  it('attribot summary ROUTE prints the latest period as the worker would send it and writes its chart', async () => {
    const database = join(temp.dir, 'attribot.db');
    // The CLI reads the real clock: stories go into the period that ended last.
    const period = latestPeriod({ every: 'daily', at: '09:00', day: 'monday', timezone: 'UTC' }, new Date());
    const hours = (n: number): string => new Date(Date.parse(period.start) + n * 3_600_000).toISOString();
    const store = new SqliteStore(database);
    for (const [key, at, report] of [
      ['ivanti', hours(1), ivantiReport('BleepingComputer')],
      ['sandworm', hours(2), sandwormReport('SecurityWeek')],
    ] as const)
      await store.recordItems(
        [item(key)],
        at,
        clusterPlan(new Map([[key, report]]), { now: at, since: hours(0) }),
      );
    await store.close();
    const { file, env } = writeConfig(database);
    const png = join(temp.dir, 'chart.png');

    const result = await runCli(['summary', 'state-actors', '--config', file, '--out', png], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const name = `summary-state-actors-${period.end.slice(0, 10)}.png`;
    expect(result.stdout).toContain('== Daily summary: state-actors ==\n2 stories from ');
    expect(result.stdout).toContain('By country:   China — 1\n              Russia — 1\n');
    expect(result.stdout).toMatch(new RegExp(`\\[attached: ${name} \\(image/png 800×\\d+, [\\d.]+ kB\\)`));
    expect(result.stdout).toContain(`chart written to ${png}`);
    expect(decodePng(readFileSync(png)).width).toBe(800);
    // A preview sends and records nothing.
    expect(discord.requests).toEqual([]);
    const again = new SqliteStore(database);
    expect(await again.summaryQueued({ route: 'state-actors', periodEnd: period.end })).toBe(false);
    await again.close();

    const unknown = await runCli(['summary', 'state-actor', '--config', file], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'attribot summary: no route "state-actor" (routes with a summary: state-actors)\n',
    );
  });
});
