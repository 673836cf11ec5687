/**
 * `npm run test:crash`: proves the delivery guarantees under SIGKILL. Real `attribot run` workers
 * (the compiled CLI) poll a local feed server whose feeds keep receiving attribution news and post
 * to a local fake Discord (real routes, rate-limit headers, 429s); they are killed at random
 * moments and restarted; then the run drains, and what Discord received is compared with what the
 * run's own routes should have delivered, one alert per item and destination:
 *
 *   expected N, delivered N, lost 0, duplicated K (kill inside send window)
 *
 * It fails on any loss, on any duplicate outside the send window, and on any duplicate at all on
 * the bot destination (bot messages carry a nonce with enforce_nonce).
 *
 * The send window: a worker sends an outbox row, Discord accepts it, and only then can the worker
 * record it; a worker killed in between leaves a row that its successor sends again. A repeat is
 * counted as inside that window when (1) the copy before it was the last request its process made
 * to that destination (the outbox worker records each send before it sends that destination's
 * next row, so a later request proves the record), (2) the process was SIGKILLed no later than
 * --grace ms after the fake Discord answered that copy (recording takes milliseconds: a kill long
 * after the answer came after the record), and (3) the repeat came from another process after the
 * kill. The fake Discord records arrival and answer times and which process sent each request
 * (each process gets its own API base path); the harness records kill times.
 *
 * Modes:
 *   --store sqlite     (a) one worker on a SQLite file, killed --kills times (default 20)
 *   --store postgres   (b) three workers on one PostgreSQL, one of them killed at random each time;
 *                      --database-url postgres://... or ATTRIBOT_TEST_DATABASE_URL names a server
 *                      the run may create (and then drops) a database on (needs psql); without
 *                      either, it starts a throwaway cluster of its own (PostgreSQL's binaries
 *                      installed). The workers get DATABASE_URL.
 *
 * Options: --feeds 200 --items 320 --publish 60 (seconds) --kills 20 --workers N --seed N
 *          --uptime 500-4500 (ms a worker lives before a kill) --drain 120 (seconds) --grace 2000
 *          --answer-delay 60 (ms) --no-bot --src (run src/ through tsx instead of dist/) --keep
 *
 *   npm run build && npx tsx scripts/crash-test.ts --store sqlite
 */
import { parseArgs } from 'node:util';
import { runCrashHarness } from '../test/helpers/crash-harness.js';
import { describeVerdict } from '../test/helpers/crash-verdict.js';
import { type Cluster, postgresBinDir, startCluster } from '../test/helpers/postgres-cluster.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string' },
    feeds: { type: 'string', default: '200' },
    items: { type: 'string', default: '320' },
    publish: { type: 'string', default: '60' },
    kills: { type: 'string', default: '20' },
    workers: { type: 'string' },
    seed: { type: 'string' },
    uptime: { type: 'string', default: '500-4500' },
    drain: { type: 'string', default: '120' },
    grace: { type: 'string', default: '2000' },
    'answer-delay': { type: 'string', default: '60' },
    'no-bot': { type: 'boolean', default: false },
    src: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function number(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value < 0) {
    console.error(`crash-test: --${name} must be a non-negative number`);
    process.exit(2);
  }
  return value;
}

const store = values.store;
if (store !== 'sqlite' && store !== 'postgres') {
  console.error('crash-test: --store must be sqlite or postgres');
  process.exit(2);
}
const [minUp, maxUp] = (values.uptime ?? '').split('-').map((part) => number('uptime', part));
let databaseUrl = values['database-url'] ?? process.env.ATTRIBOT_TEST_DATABASE_URL;
// Mode (b) without a server: a throwaway cluster of its own (PostgreSQL's binaries installed).
let cluster: Cluster | null = null;
if (store === 'postgres' && !databaseUrl) {
  const bin = postgresBinDir();
  if (!bin) {
    console.error(
      'crash-test: --store postgres needs --database-url, or PostgreSQL installed for a throwaway cluster',
    );
    process.exit(2);
  }
  cluster = await startCluster(bin);
  databaseUrl = cluster.url;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => cluster?.stop());
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : number('seed', values.seed);

const report = await runCrashHarness({
  store,
  ...(databaseUrl ? { databaseUrl } : {}),
  feeds: number('feeds', values.feeds),
  items: number('items', values.items),
  publishMs: number('publish', values.publish) * 1000,
  kills: number('kills', values.kills),
  workers: values.workers === undefined ? (store === 'sqlite' ? 1 : 3) : number('workers', values.workers),
  uptimeMs: [minUp ?? 500, maxUp ?? minUp ?? 4500],
  drainTimeoutMs: number('drain', values.drain) * 1000,
  seed,
  flavour: values.src ? 'src' : 'dist',
  graceMs: number('grace', values.grace),
  answerDelayMs: number('answer-delay', values['answer-delay']),
  bot: !values['no-bot'],
  keep: values.keep ?? false,
  log: (line) => console.log(line),
}).finally(() => cluster?.stop());

for (const line of report.details) console.log(line);
if (report.aborted) {
  console.log(`crash-test (seed ${seed}) could not run: ${report.aborted}`);
  process.exit(1);
}
if (report.nonceAbsorbed > 0)
  console.log(
    `bot destination: ${report.nonceAbsorbed} resend(s) absorbed by the message nonce (Discord answered with the first copy)`,
  );
console.log(
  `${store}: ${report.kills} kills, seed ${seed}, ${(report.durationMs / 1000).toFixed(0)} s` +
    (report.verdict.ok ? '' : ' — FAILED (rerun with --seed to reproduce the same plan)'),
);
for (const line of describeVerdict(report.verdict)) console.log(line);
process.exit(report.verdict.ok ? 0 : 1);
