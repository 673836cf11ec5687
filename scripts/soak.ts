/**
 * Soak run: hours of a busy install compressed into minutes, to see whether memory stays flat.
 *
 *   npm run soak -- [--minutes 10] [--feeds 500] [--items-per-minute 120] [--hosts 25]
 *
 * The real worker (`attribot run`, the compiled CLI, a process of its own) polls --feeds local feeds
 * every 20 s (a 5 s tick) and delivers to a local fake Discord (the test helper that speaks the real
 * webhook routes to discord.js). The feeds publish new articles continually, --items-per-minute in
 * all, written from templates over the bundled actor dictionary, so every stage runs: fetch,
 * parse, extraction, attribution, clustering (new stories and edits of earlier ones), the outbox
 * and delivery. The worker is started with a small preload (scripts/soak-probe.mjs) that reports
 * its heap and RSS over the IPC channel every 5 s; the feed server and the fake Discord live in
 * this process and are not measured.
 *
 * Every minute a line: heap used, RSS, items published, messages delivered. At the end the verdict:
 * the first third is warm-up, the middle third the plateau, and memory is flat when the median of
 * the last third is within 10% + 8 MB (heap) and 10% + 16 MB (RSS) of the plateau's median. The
 * slope over the last two thirds is printed too (MB per hour). Not part of the test suite or CI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeDiscord } from '../test/helpers/fake-discord.js';

const CLI = fileURLToPath(new URL('../bin/attribot.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./soak-probe.mjs', import.meta.url));
const ACTORS_FILE = fileURLToPath(new URL('../config/dictionaries/actors.json', import.meta.url));
const COUNTRIES_FILE = fileURLToPath(new URL('../config/dictionaries/countries.json', import.meta.url));
/** Items a feed document lists (older ones drop off, as real feeds do). */
const ITEMS_PER_DOCUMENT = 15;
const SAMPLE_EVERY_MS = 5_000;
const FLAT = { heapRatio: 1.1, heapSlackMb: 8, rssRatio: 1.1, rssSlackMb: 16 } as const;

interface Options {
  minutes: number;
  feeds: number;
  itemsPerMinute: number;
  hosts: number;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? undefined : argv[index + 1];
  };
  const options = {
    minutes: Number(value('minutes') ?? 10),
    feeds: Number(value('feeds') ?? 500),
    itemsPerMinute: Number(value('items-per-minute') ?? 120),
    hosts: Math.min(250, Number(value('hosts') ?? 25)),
  };
  for (const [name, number] of Object.entries(options))
    if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number`);
  return options;
}

// ---------------------------------------------------------------------------------------------
// Feeds that keep publishing.

interface ActorEntry {
  name: string;
  country: string;
  /** "Chinese", "Russian": how the articles name the state behind the actor. */
  demonym: string;
}

/** State actors of the bundled dictionary whose country the text can name. */
function loadActors(): ActorEntry[] {
  const actors = JSON.parse(readFileSync(ACTORS_FILE, 'utf8')) as {
    actors: Array<{ name: string; country?: string; kind?: string }>;
  };
  const countries = JSON.parse(readFileSync(COUNTRIES_FILE, 'utf8')) as {
    countries?: Array<{ iso2?: string; name: string; demonyms?: string[] }>;
  };
  const byCode = new Map<string, { name: string; demonym: string }>();
  for (const country of countries.countries ?? []) {
    const demonym = country.demonyms?.[0];
    if (country.iso2 && demonym) byCode.set(country.iso2, { name: country.name, demonym });
  }
  return actors.actors
    .filter((actor) => actor.kind === 'state' && /^[A-Za-z][\w .-]{2,30}$/.test(actor.name))
    .flatMap((actor) => {
      const country = byCode.get(actor.country ?? '');
      return country ? [{ name: actor.name, country: country.name, demonym: country.demonym }] : [];
    })
    .slice(0, 400);
}

const PRODUCTS_FILE = fileURLToPath(new URL('../config/dictionaries/products.json', import.meta.url));
const PARTIES = ['Microsoft', 'Mandiant', 'The FBI', 'CISA', 'The UK National Cyber Security Centre', 'ESET'];
const CITIES = [
  'Tallinn',
  'Lyon',
  'Osaka',
  'Denver',
  'Gdansk',
  'Porto',
  'Leeds',
  'Busan',
  'Perth',
  'Quito',
  'Riga',
];
const SECTORS = [
  'hospital',
  'water utility',
  'port authority',
  'university',
  'telecom operator',
  'city council',
];

/** Product names of the bundled KEV dictionary, so stories name varied products. */
function loadProducts(): string[] {
  const products = JSON.parse(readFileSync(PRODUCTS_FILE, 'utf8')) as { products: Array<{ name: string }> };
  return products.products.map((product) => product.name).filter((name) => /^[\w .-]{4,40}$/.test(name));
}

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

interface Article {
  guid: string;
  title: string;
  body: string;
  published: Date;
}

/**
 * The n-th article of the whole run; deterministic, so a feed serves the same document twice.
 * Actors come back every few hundred articles, so new stories and reports joining earlier ones
 * (edits and updates) both keep happening.
 */
function article(
  n: number,
  actors: readonly ActorEntry[],
  products: readonly string[],
  published: Date,
): Article {
  const actor = pick(actors, n * 7);
  const party = pick(PARTIES, n);
  const product = pick(products, n * 13);
  const victim = `the ${pick(CITIES, n * 3)} ${pick(SECTORS, n * 5)}`;
  const title = `${actor.name} behind ${product} breach at ${victim}, ${party} says`;
  // Two phrasings the extractor reads as attributions (checked with `attribot extract`).
  const claim =
    n % 2 === 0
      ? `${party} attributed the breach of ${product} systems at ${victim} to ${actor.name}, a hacking group backed by the ${actor.demonym} government.`
      : `${party} said on Tuesday that ${actor.name}, a hacking group working for ${actor.country}'s intelligence services, broke into ${product} systems at ${victim} last month.`;
  const body = [
    claim,
    `The intruders used stolen credentials and a flaw in ${product} to reach internal mail, according to the report.`,
    `Officials in ${actor.country} did not answer requests for comment. Case ${n} remains under investigation.`,
  ].join(' ');
  return { guid: `soak-${n}`, title, body, published };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

class Publisher {
  readonly #actors: ActorEntry[];
  readonly #products: string[];
  readonly #feeds: number;
  readonly #startedAt = Date.now();
  readonly #periodMs: number;

  constructor(feeds: number, itemsPerMinute: number, actors: ActorEntry[], products: string[]) {
    this.#feeds = feeds;
    this.#actors = actors;
    this.#products = products;
    this.#periodMs = 60_000 / itemsPerMinute;
  }

  /** Articles published so far in the whole run. */
  published(now = Date.now()): number {
    return Math.floor((now - this.#startedAt) / this.#periodMs);
  }

  /** Article n belongs to feed n mod feeds; a feed lists its latest ITEMS_PER_DOCUMENT. */
  document(feed: number, origin: string): { xml: string; etag: string } {
    const total = this.published();
    const latest = total - 1 - ((total - 1 - feed + this.#feeds * 1_000_000) % this.#feeds);
    const items: string[] = [];
    for (let n = latest, count = 0; n >= 0 && count < ITEMS_PER_DOCUMENT; n -= this.#feeds, count++) {
      const published = new Date(this.#startedAt + n * this.#periodMs);
      const entry = article(n, this.#actors, this.#products, published);
      items.push(
        `<item><title>${escapeXml(entry.title)}</title><link>${origin}/article/${n}</link>` +
          `<guid isPermaLink="false">${entry.guid}</guid><pubDate>${published.toUTCString()}</pubDate>` +
          `<description>${escapeXml(entry.body)}</description></item>`,
      );
    }
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Soak feed ${feed}</title>` +
      `<link>${origin}/</link><description>soak</description>${items.join('')}</channel></rss>`;
    return { xml, etag: `"${feed}-${latest}"` };
  }
}

function feedHandler(publisher: Publisher) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const match = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const { xml, etag } = publisher.document(Number(match[1]), origin);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(xml);
  };
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

// ---------------------------------------------------------------------------------------------
// Measurement and verdict.

interface Sample {
  atMs: number;
  heapMb: number;
  rssMb: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Least-squares slope of value over time, in MB per hour. */
function slopePerHour(samples: readonly Sample[], key: 'heapMb' | 'rssMb'): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((sample) => sample.atMs / 3_600_000);
  const ys = samples.map((sample) => sample[key]);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

interface Verdict {
  plateau: { heapMb: number; rssMb: number };
  last: { heapMb: number; rssMb: number };
  slope: { heapMbPerHour: number; rssMbPerHour: number };
  heapFlat: boolean;
  rssFlat: boolean;
}

export function verdict(samples: readonly Sample[], durationMs: number): Verdict {
  const third = durationMs / 3;
  const plateau = samples.filter((s) => s.atMs >= third && s.atMs < 2 * third);
  const last = samples.filter((s) => s.atMs >= 2 * third);
  const afterWarmUp = samples.filter((s) => s.atMs >= third);
  const p = { heapMb: median(plateau.map((s) => s.heapMb)), rssMb: median(plateau.map((s) => s.rssMb)) };
  const l = { heapMb: median(last.map((s) => s.heapMb)), rssMb: median(last.map((s) => s.rssMb)) };
  return {
    plateau: p,
    last: l,
    slope: {
      heapMbPerHour: slopePerHour(afterWarmUp, 'heapMb'),
      rssMbPerHour: slopePerHour(afterWarmUp, 'rssMb'),
    },
    heapFlat: l.heapMb <= p.heapMb * FLAT.heapRatio + FLAT.heapSlackMb,
    rssFlat: l.rssMb <= p.rssMb * FLAT.rssRatio + FLAT.rssSlackMb,
  };
}

// ---------------------------------------------------------------------------------------------

function configYaml(urls: readonly string[]): string {
  return [
    'settings:',
    "  schedule: '*/5 * * * * *'",
    '  interval: 20s',
    '  adaptive: false',
    '  jitter: 0',
    '  concurrency: 16',
    '  perHostConcurrency: 4',
    '  firstSightWindow: 1h',
    '  fetchArticlePages: false',
    '  floodCap: 1000000',
    'destinations:',
    '  - name: soak',
    '    type: webhook',
    '    webhookUrlEnv: SOAK_WEBHOOK_URL',
    'feeds:',
    ...urls.map((url) => `  - url: ${url}`),
  ].join('\n');
}

function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', PROBE, CLI, 'run'], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, TZ: 'UTC', ATTRIBOT_LOG_LEVEL: 'warn', ...env },
  });
}

const mb = (value: number): string => value.toFixed(1).padStart(7);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const actors = loadActors();
  if (actors.length < 20) throw new Error(`only ${actors.length} usable actors in ${ACTORS_FILE}`);
  const publisher = new Publisher(options.feeds, options.itemsPerMinute, actors, loadProducts());
  const servers: Server[] = [];
  const origins: string[] = [];
  for (let host = 1; host <= options.hosts; host++) {
    const server = createServer({ keepAliveTimeout: 30_000 }, feedHandler(publisher));
    servers.push(server);
    origins.push(await listen(server, `127.0.0.${host}`));
  }
  const urls = Array.from(
    { length: options.feeds },
    (_, i) => `${origins[i % origins.length]}/feed/${i}.xml`,
  );
  const discord = await startFakeDiscord({ rateLimit: { limit: 1000, windowMs: 1000 } });
  const hook = discord.createWebhook({ name: 'soak' });
  const dir = mkdtempSync(join(tmpdir(), 'attribot-soak-'));
  const configFile = join(dir, 'soak.yaml');
  writeFileSync(configFile, configYaml(urls));
  const durationMs = options.minutes * 60_000;
  console.log(
    `soak: ${options.feeds} feeds on ${options.hosts} loopback hosts, ${options.itemsPerMinute} new items/min, ` +
      `${options.minutes} min; polled every 20 s; samples every ${SAMPLE_EVERY_MS / 1000} s`,
  );
  console.log(' min  heap MB   RSS MB  published  delivered (messages posted + edited)');
  const samples: Sample[] = [];
  const worker = spawnWorker({
    ATTRIBOT_CONFIG: configFile,
    ATTRIBOT_DB: join(dir, 'soak.db'),
    DISCORD_API_BASE: discord.apiBase,
    SOAK_WEBHOOK_URL: hook.url,
    SOAK_PROBE_MS: String(SAMPLE_EVERY_MS),
  });
  let stderr = '';
  worker.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const started = Date.now();
  worker.on('message', (message: { heapUsed: number; rss: number }) => {
    samples.push({
      atMs: Date.now() - started,
      heapMb: message.heapUsed / 1048576,
      rssMb: message.rss / 1048576,
    });
  });
  const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
  const done2xx = (method: string): number =>
    discord.requests.filter(
      (request) => request.method === method && request.status >= 200 && request.status < 300,
    ).length;
  const delivered = (): string => `${done2xx('POST')} + ${done2xx('PATCH')}`;
  let minute = 0;
  let early: number | null | undefined;
  const done = Promise.race([
    new Promise<'time'>((resolve) => setTimeout(() => resolve('time'), durationMs)),
    exited.then((code) => {
      early = code;
      return 'exited' as const;
    }),
  ]);
  const ticker = setInterval(() => {
    minute++;
    const latest = samples.at(-1);
    console.log(
      `${String(minute).padStart(4)} ${mb(latest?.heapMb ?? Number.NaN)}  ${mb(latest?.rssMb ?? Number.NaN)} ` +
        `${String(publisher.published()).padStart(10)}  ${delivered()}`,
    );
  }, 60_000);
  const why = await done;
  clearInterval(ticker);
  try {
    if (why === 'exited') throw new Error(`attribot run exited early (${early}): ${stderr}`);
    worker.kill('SIGTERM');
    await exited;
    const result = verdict(samples, durationMs);
    const said = (flat: boolean): string => (flat ? 'flat' : 'GREW');
    console.log(
      `warm-up: first third; plateau (middle third) median heap ${result.plateau.heapMb.toFixed(1)} MB, RSS ${result.plateau.rssMb.toFixed(1)} MB; ` +
        `last third median heap ${result.last.heapMb.toFixed(1)} MB, RSS ${result.last.rssMb.toFixed(1)} MB`,
    );
    console.log(
      `slope after warm-up: heap ${result.slope.heapMbPerHour.toFixed(1)} MB/h, RSS ${result.slope.rssMbPerHour.toFixed(1)} MB/h`,
    );
    console.log(
      `verdict (last third ≤ plateau × ${FLAT.heapRatio} + ${FLAT.heapSlackMb} MB heap, × ${FLAT.rssRatio} + ${FLAT.rssSlackMb} MB RSS): ` +
        `heap ${said(result.heapFlat)}, RSS ${said(result.rssFlat)}; ${publisher.published()} items published, ${delivered()} messages posted + edited`,
    );
    if (!result.heapFlat || !result.rssFlat) process.exitCode = 1;
  } finally {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await discord.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  // The message alone: a stack through tsx's one-line output would print the whole script.
  console.error(`soak failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
