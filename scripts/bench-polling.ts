/**
 * Polling benchmark: 2,000 feeds served on loopback from the real fixtures in test/fixtures/feeds,
 * measured in one run against a naive peer.
 *
 *   (a) peer:   fetch every feed, 32 at a time, then rss-parser parseString; nothing else
 *   (b) first:  `attribot once` (the compiled CLI, a process of its own) on a fresh SQLite store
 *   (c) second: `attribot once` again, where every feed answers 304 to its stored validators
 *
 * attribot's runs are timed as whole processes, start-up included, and their peak RSS is the
 * kernel's high-water mark of the process (every thread, worker threads included), run without
 * any heap flag. The peer's time is its fetch-and-parse loop alone. A single long measurement,
 * which is why this is a script rather than a vitest bench (vitest repeats short functions).
 *
 *   npm run build && npx tsx scripts/bench-polling.ts [--feeds 2000] [--hosts 50] [--window 24h] [--json]
 *
 * Feeds are spread over --hosts loopback addresses (127.0.0.1, 127.0.0.2, ...) because attribot,
 * like any polite poller, limits requests per host:port; real feed lists span many hosts.
 * --window is settings.firstSightWindow: the default 24h seeds the (years-old) fixture items as a
 * fresh install seeds real backlogs; 0 analyses every item of every feed on the first cycle.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FEED_DIR = fileURLToPath(new URL('../test/fixtures/feeds/', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);
/** "Typical 15–300 kB documents": the fixtures in that band (the huge and the tiny ones are edge cases). */
const MIN_BYTES = 14_000;
const MAX_BYTES = 320_000;
const PEER_CONCURRENCY = 32;
/** The CLI measured; BENCH_CLI=<path to bin/attribot.js> measures another checkout. */
const CLI = fileURLToPath(new URL('../bin/attribot.js', import.meta.url));
const TARGETS = { firstRatio: 2, secondRatio: 0.3, peakRssMb: 300 } as const;

interface PhaseResult {
  wallMs: number;
  requests: number;
  ok: number;
  failed: number;
  notModified: number;
  peakRssMb: number;
  /** Peak V8 heap in use, for telling live data from heap the collector has not returned yet. */
  peakHeapMb: number;
}

interface ChildReport {
  phases: Record<string, PhaseResult>;
  maxRssMb: number;
}

interface Options {
  feeds: number;
  hosts: number;
  window: string;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  return {
    feeds: Number(value('feeds') ?? 2000),
    hosts: Math.min(250, Number(value('hosts') ?? 50)),
    window: value('window') ?? '24h',
    json: argv.includes('--json'),
  };
}

// ---------------------------------------------------------------------------------------------
// Parent: the feed server and the report.

interface Fixture {
  file: string;
  body: Buffer;
  contentType: string;
}

function loadFixtures(): Fixture[] {
  return readdirSync(FEED_DIR)
    .filter((file) => !file.endsWith('.gz') && !file.endsWith('.md'))
    .filter((file) => {
      const size = statSync(join(FEED_DIR, file)).size;
      return size >= MIN_BYTES && size <= MAX_BYTES;
    })
    .sort()
    .map((file) => ({ file, body: readFileSync(join(FEED_DIR, file)), contentType: contentTypeOf(file) }));
}

function contentTypeOf(file: string): string {
  if (file.endsWith('.atom')) return 'application/atom+xml';
  if (file.endsWith('.rdf')) return 'application/rdf+xml';
  if (file.endsWith('.rss')) return 'application/rss+xml';
  return 'application/xml';
}

interface ServerStats {
  requests: number;
  notModified: number;
  bytes: number;
}

/** /feed/N.xml serves fixture N mod k, with a per-feed ETag; a matching If-None-Match gets 304. */
function feedHandler(fixtures: Fixture[], stats: ServerStats) {
  const etags = fixtures.map((fixture) => createHash('sha1').update(fixture.body).digest('hex').slice(0, 12));
  return (req: IncomingMessage, res: ServerResponse): void => {
    stats.requests++;
    const match = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const index = Number(match[1]) % fixtures.length;
    const fixture = fixtures[index] as Fixture;
    const etag = `"${match[1]}-${etags[index]}"`;
    if (req.headers['if-none-match'] === etag) {
      stats.notModified++;
      res.writeHead(304, { etag }).end();
      return;
    }
    stats.bytes += fixture.body.length;
    res
      .writeHead(200, { 'content-type': fixture.contentType, 'content-length': fixture.body.length, etag })
      .end(fixture.body);
  };
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}

function runChild(phase: 'peer', urlsFile: string, window: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each side there; BENCH_NODE_FLAGS adds flags (--trace-gc).
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    profile.push(...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== ''));
    const args = [...profile, '--import', 'tsx', THIS_FILE, '--child', phase, urlsFile, window];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TZ: 'UTC' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (process.env.BENCH_CHILD_LOG) writeFileSync(join(process.env.BENCH_CHILD_LOG, `${phase}.log`), out);
      // The report is the child's one JSON line; V8 tracing flags may print around it.
      const line = out.split('\n').findLast((entry) => entry.startsWith('{"phases"')) ?? '';
      if (code !== 0 || line === '') {
        reject(new Error(`${phase} child exited with ${code}: ${out.slice(-500)}`));
        return;
      }
      resolve(JSON.parse(line) as ChildReport);
    });
  });
}

async function parent(options: Options): Promise<void> {
  const fixtures = loadFixtures();
  const stats: ServerStats = { requests: 0, notModified: 0, bytes: 0 };
  const handler = feedHandler(fixtures, stats);
  const servers: Server[] = [];
  const origins: string[] = [];
  for (let host = 1; host <= options.hosts; host++) {
    const server = createServer({ keepAliveTimeout: 30_000 }, handler);
    const address = `127.0.0.${host}`;
    servers.push(server);
    origins.push(`http://${address}:${await listen(server, address)}`);
  }
  const urls = Array.from(
    { length: options.feeds },
    (_, i) => `${origins[i % origins.length]}/feed/${i}.xml`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'attribot-bench-'));
  const urlsFile = join(dir, 'urls.json');
  writeFileSync(urlsFile, JSON.stringify(urls));
  try {
    // The peer runs before and after attribot, and the ratios use the mean of the two, so load
    // from other work on the machine weighs on both sides alike.
    const peerBefore = await runChild('peer', urlsFile, options.window);
    const bytesPerPass = stats.bytes;
    const configFile = join(dir, 'bench.yaml');
    writeFileSync(
      configFile,
      [
        'settings:',
        `  concurrency: ${PEER_CONCURRENCY}`,
        `  firstSightWindow: ${options.window}`,
        'feeds:',
        ...urls.map((url) => `  - url: ${url}`),
      ].join('\n'),
    );
    const env = {
      ATTRIBOT_CONFIG: configFile,
      ATTRIBOT_DB: join(dir, 'bench.db'),
      ATTRIBOT_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    };
    const before = { requests: stats.requests, notModified: stats.notModified };
    const first = await runOnce(env);
    const second = await runOnce(env);
    const attribot: ChildReport = {
      phases: {
        first: { ...first, requests: options.feeds, ok: options.feeds, failed: 0, notModified: 0 },
        second: {
          ...second,
          requests: options.feeds,
          ok: 0,
          failed: 0,
          notModified: stats.notModified - before.notModified,
        },
      },
      maxRssMb: Math.max(first.peakRssMb, second.peakRssMb),
    };
    const peerAfter = await runChild('peer', urlsFile, options.window);
    const report = summarize([peerBefore, peerAfter], attribot, options, fixtures, bytesPerPass);
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report);
  } finally {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `attribot once` as a process of its own: wall time from spawn to exit, and the kernel's
 * high-water mark of its resident memory (VmHWM, all threads), sampled until it exits.
 */
function runOnce(
  env: Record<string, string>,
): Promise<Pick<PhaseResult, 'wallMs' | 'peakRssMb' | 'peakHeapMb'>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    const child = spawn(process.execPath, [...profile, process.env.BENCH_CLI ?? CLI, 'once'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TZ: 'UTC', ...env },
    });
    let peakKb = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const sample = (): void => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakKb = Math.max(peakKb, hwm);
      } catch {
        // Gone already: the last sample stands.
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`attribot once exited with ${code}: ${stderr}`));
        return;
      }
      resolve({ wallMs, peakRssMb: round(peakKb / 1024, 1), peakHeapMb: Number.NaN });
    });
  });
}

interface Report {
  setup: { feeds: number; hosts: number; fixtures: number; firstSightWindow: string; peerMegabytes: number };
  /** Ratios are to the mean of the two peer runs. */
  phases: Array<PhaseResult & { name: string; ratioToPeer: number; requestsPerSecond: number }>;
  targets: { firstWithin2x: boolean; secondWithin03x: boolean; peakRssUnder300Mb: boolean };
}

function summarize(
  peers: ChildReport[],
  attribot: ChildReport,
  options: Options,
  fixtures: Fixture[],
  peerBytes: number,
): Report {
  const peerPhases = peers.map((peer) => peer.phases.peer as PhaseResult);
  const peerMs = peerPhases.reduce((sum, phase) => sum + phase.wallMs, 0) / peerPhases.length;
  const first = { name: 'attribot once, first (process)', ...(attribot.phases.first as PhaseResult) };
  const second = { name: 'attribot once, all 304 (process)', ...(attribot.phases.second as PhaseResult) };
  const rows = [
    ...peerPhases.map((phase, index) => ({
      name: `peer ${index === 0 ? 'before' : 'after'} (fetch+parse)`,
      ...phase,
    })),
    first,
    second,
  ].map((row) => ({
    ...row,
    ratioToPeer: round(row.wallMs / peerMs, 3),
    requestsPerSecond: Math.round((row.requests / row.wallMs) * 1000),
  }));
  const ratio = (name: string): number =>
    rows.find((row) => row.name === name)?.ratioToPeer ?? Number.POSITIVE_INFINITY;
  return {
    setup: {
      feeds: options.feeds,
      hosts: options.hosts,
      fixtures: fixtures.length,
      firstSightWindow: options.window,
      peerMegabytes: round(peerBytes / 1e6, 1),
    },
    phases: rows,
    targets: {
      firstWithin2x: ratio(first.name) <= TARGETS.firstRatio,
      secondWithin03x: ratio(second.name) <= TARGETS.secondRatio,
      peakRssUnder300Mb: Math.max(attribot.maxRssMb, first.peakRssMb, second.peakRssMb) < TARGETS.peakRssMb,
    },
  };
}

function printReport(report: Report): void {
  const { setup } = report;
  console.log(
    `polling benchmark: ${setup.feeds} feeds on ${setup.hosts} loopback hosts, ${setup.fixtures} fixtures in rotation ` +
      `(${setup.peerMegabytes} MB per full pass), firstSightWindow=${setup.firstSightWindow}`,
  );
  console.log('phase (×peer: to the mean of both peer runs)');
  console.log(
    'phase                              wall ms   ×peer   req/s   ok  failed  304  peak RSS MB  peak heap MB',
  );
  // attribot's processes are measured from outside (the kernel's RSS): no heap figure, not a NaN.
  const heap = (mb: number): string => (Number.isNaN(mb) ? '-' : mb.toFixed(0));
  for (const row of report.phases) {
    console.log(
      `${row.name.padEnd(34)} ${String(Math.round(row.wallMs)).padStart(7)} ${row.ratioToPeer.toFixed(2).padStart(7)} ` +
        `${String(row.requestsPerSecond).padStart(7)} ${String(row.ok).padStart(5)} ${String(row.failed).padStart(7)} ` +
        `${String(row.notModified).padStart(4)} ${row.peakRssMb.toFixed(0).padStart(12)} ${heap(row.peakHeapMb).padStart(13)}`,
    );
  }
  const mark = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  console.log(
    `targets: first ≤ ${TARGETS.firstRatio}× peer ${mark(report.targets.firstWithin2x)}, ` +
      `second ≤ ${TARGETS.secondRatio}× peer ${mark(report.targets.secondWithin03x)}, ` +
      `peak RSS < ${TARGETS.peakRssMb} MB ${mark(report.targets.peakRssUnder300Mb)}`,
  );
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// ---------------------------------------------------------------------------------------------
// Children: one side each, reporting one JSON line on stdout.

function rssSampler(): {
  reset: () => void;
  peakMb: () => number;
  peakHeapMb: () => number;
  stop: () => void;
} {
  let peak = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const timer = setInterval(sample, 50);
  timer.unref();
  return {
    reset: () => {
      peak = 0;
      peakHeap = 0;
      sample();
    },
    peakHeapMb: () => round(peakHeap / 1048576, 1),
    peakMb: () => {
      sample();
      return round(peak / 1048576, 1);
    },
    stop: () => clearInterval(timer),
  };
}

async function peerChild(urls: string[]): Promise<ChildReport> {
  const { default: Parser } = await import('rss-parser');
  const parser = new Parser();
  const rss = rssSampler();
  let next = 0;
  let ok = 0;
  let failed = 0;
  rss.reset();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PEER_CONCURRENCY }, async () => {
      while (next < urls.length) {
        const url = urls[next++] as string;
        try {
          const response = await fetch(url);
          await parser.parseString(await response.text());
          ok++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  const phase: PhaseResult = {
    wallMs,
    requests: urls.length,
    ok,
    failed,
    notModified: 0,
    peakRssMb: rss.peakMb(),
    peakHeapMb: rss.peakHeapMb(),
  };
  rss.stop();
  return { phases: { peer: phase }, maxRssMb: round(process.resourceUsage().maxRSS / 1024, 1) };
}

async function child(_phase: string, urlsFile: string, _window: string): Promise<void> {
  const urls = JSON.parse(readFileSync(urlsFile, 'utf8')) as string[];
  const report = await peerChild(urls);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1] ?? '', argv[2] ?? '', argv[3] ?? '24h');
} else {
  await parent(parseArgs(argv));
}
