/**
 * Delivery benchmark: alerts delivered per second from a backlog of outbox rows spread over many
 * destinations, by 1 and by 3 `attribot run` workers sharing one database, measured in one run.
 *
 *   npm run build && npx tsx scripts/bench-delivery.ts [--rows 10000] [--destinations 20]
 *     [--workers 1,3] [--limit 50/2s] [--database-url postgres://...] [--json]
 *
 * Each configuration starts from the same backlog in a fresh database (SQLite in a temp dir by
 * default; with --database-url, a fresh database on that PostgreSQL server per configuration) and
 * a fresh local fake Discord that speaks the real webhook routes with per-webhook rate-limit
 * buckets and their X-RateLimit-* headers (429 with retry_after past them). Discord's real webhook
 * limit is 5 per 2 s; the default here is 50 per 2 s so a run takes about a minute: what is
 * compared is the ratio between worker counts under the same limits. The clock starts when the
 * workers are spawned (start-up included) and stops when the fake Discord holds every alert; any
 * alert posted twice or missing fails the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/open-store.js';
import type { ItemRecord } from '../src/store/store.js';
import { type FakeDiscord, startFakeDiscord } from '../test/helpers/fake-discord.js';

const CLI = fileURLToPath(new URL('../bin/attribot.js', import.meta.url));
const DEADLINE_MS = 15 * 60_000;

interface Options {
  rows: number;
  destinations: number;
  workers: number[];
  limit: { limit: number; windowMs: number };
  databaseUrl: string | undefined;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  const limit = /^(\d+)\/(\d+)s$/.exec(value('limit') ?? '50/2s');
  if (!limit) throw new Error('--limit is N/Ms, e.g. 50/2s');
  return {
    rows: Number(value('rows') ?? 10_000),
    destinations: Number(value('destinations') ?? 20),
    workers: (value('workers') ?? '1,3').split(',').map(Number),
    limit: { limit: Number(limit[1]), windowMs: Number(limit[2]) * 1000 },
    databaseUrl: value('database-url') ?? process.env.ATTRIBOT_BENCH_DATABASE_URL,
    json: argv.includes('--json'),
  };
}

interface Result {
  workers: number;
  wallMs: number;
  alertsPerSecond: number;
  delivered: number;
  duplicates: number;
  rateLimitViolations: number;
}

/** A fresh database for one configuration: a SQLite file, or a new database on the server given. */
async function freshDatabase(options: Options, dir: string, label: string): Promise<string> {
  if (!options.databaseUrl) return join(dir, `${label}.db`);
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  const name = `attribot_bench_${label}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(options.databaseUrl);
  url.pathname = `/${name}`;
  return url.href;
}

async function fillBacklog(database: string, options: Options): Promise<void> {
  const { store } = await openStore(database);
  const at = new Date().toISOString();
  const batch: ItemRecord[] = [];
  for (let n = 0; n < options.rows; n++) {
    const title = `Alert ${n}`;
    batch.push({
      key: `bench:${n}`,
      feedUrl: 'https://bench.example/feed.xml',
      title,
      link: null,
      published: null,
      disposition: 'processed',
      alerts: [
        {
          destination: `d${n % options.destinations}`,
          message: { embeds: [{ title }], allowed_mentions: { parse: [] } },
        },
      ],
    });
    if (batch.length === 500 || n === options.rows - 1) await store.recordItems(batch.splice(0), at);
  }
  await store.close();
}

function configYaml(options: Options): string {
  const destinations = Array.from(
    { length: options.destinations },
    (_, n) => `  - { name: d${n}, type: webhook, webhookUrlEnv: BENCH_HOOK_${n} }`,
  );
  // Every second, no feeds, no flood cap in the way: the run is delivery alone.
  return [
    'settings:',
    '  schedule: "* * * * * *"',
    `  floodCap: ${options.rows}`,
    'feeds: []',
    'destinations:',
    ...destinations,
    '',
  ].join('\n');
}

function spawnWorker(env: Record<string, string>, port: number): ChildProcess {
  return spawn(process.execPath, [CLI, 'run'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      TZ: 'UTC',
      ATTRIBOT_LOG_LEVEL: 'error',
      ATTRIBOT_HTTP_HOST: '127.0.0.1',
      ATTRIBOT_HTTP_PORT: String(port),
      ...env,
    },
  });
}

function deliveredCount(discord: FakeDiscord, hooks: string[]): { total: number; unique: number } {
  const titles = hooks.flatMap((id) => discord.messages(id).map((message) => JSON.stringify(message.embeds)));
  return { total: titles.length, unique: new Set(titles).size };
}

async function measure(workers: number, options: Options, dir: string): Promise<Result> {
  const database = await freshDatabase(options, dir, `w${workers}`);
  await fillBacklog(database, options);
  const discord = await startFakeDiscord({ rateLimit: options.limit });
  const hooks = Array.from({ length: options.destinations }, () => discord.createWebhook());
  const configFile = join(dir, `w${workers}.yaml`);
  writeFileSync(configFile, configYaml(options));
  const env: Record<string, string> = {
    ATTRIBOT_CONFIG: configFile,
    DISCORD_API_BASE: discord.apiBase,
    ...(options.databaseUrl ? { DATABASE_URL: database } : { ATTRIBOT_DB: database }),
    ...Object.fromEntries(hooks.map((hook, n) => [`BENCH_HOOK_${n}`, hook.url])),
  };
  const started = performance.now();
  const children = Array.from({ length: workers }, (_, n) => spawnWorker(env, 18_300 + workers * 10 + n));
  try {
    const ids = hooks.map((hook) => hook.id);
    for (;;) {
      const { total } = deliveredCount(discord, ids);
      if (total >= options.rows) break;
      if (performance.now() - started > DEADLINE_MS)
        throw new Error(`${workers} worker(s): only ${total} of ${options.rows} alerts after the deadline`);
      if (children.some((child) => child.exitCode !== null))
        throw new Error(`${workers} worker(s): a worker exited early`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wallMs = performance.now() - started;
    // Anything still in flight lands now, or shows up as a duplicate.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { total, unique } = deliveredCount(discord, ids);
    return {
      workers,
      wallMs: Math.round(wallMs),
      alertsPerSecond: Math.round((options.rows / wallMs) * 1000),
      delivered: unique,
      duplicates: total - unique,
      rateLimitViolations: discord.violations.length,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)),
      ),
    );
    await discord.close();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'attribot-bench-delivery-'));
  const results: Result[] = [];
  try {
    for (const workers of options.workers) results.push(await measure(workers, options, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const baseline = results[0] as Result;
  if (options.json) {
    console.log(JSON.stringify({ options, results }, null, 2));
  } else {
    const store = options.databaseUrl ? 'PostgreSQL' : 'SQLite';
    console.log(
      `delivery benchmark: ${options.rows} outbox rows over ${options.destinations} webhook destinations, ${store}, fake Discord limit ${options.limit.limit} per ${options.limit.windowMs / 1000} s per webhook`,
    );
    console.log('workers   wall ms   alerts/s   ×1 worker   delivered   duplicates   rate-limit violations');
    for (const result of results) {
      console.log(
        `${String(result.workers).padStart(7)} ${String(result.wallMs).padStart(9)} ${String(result.alertsPerSecond).padStart(10)} ${(baseline.wallMs / result.wallMs).toFixed(2).padStart(11)} ${String(result.delivered).padStart(11)} ${String(result.duplicates).padStart(12)} ${String(result.rateLimitViolations).padStart(23)}`,
      );
    }
  }
  const bad = results.filter((result) => result.duplicates > 0 || result.delivered !== options.rows);
  if (bad.length > 0) {
    console.error('FAILED: an alert was lost or posted twice');
    process.exitCode = 1;
  }
}

await main();
