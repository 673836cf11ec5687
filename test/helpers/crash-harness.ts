/**
 * The crash harness behind `npm run test:crash`: real `attribot run` workers, SIGKILLed at random
 * moments and restarted, between a local feed server whose feeds keep receiving attribution news
 * and a local fake Discord; at the end, what Discord received is compared with what the run's own
 * routes should have delivered (crash-verdict.ts says what counts as a loss or a duplicate).
 *
 * One run: (1) generate the items (seeded), check with `attribot extract` that each is an
 * attribution of the state its template names, (2) start the peers and the workers, (3) publish the
 * items over `publishMs` while killing one worker at a time `kills` times (each after a random
 * uptime) and restarting it, (4) let the workers drain until every expected alert is on Discord
 * and the outbox holds nothing undelivered (or `drainTimeoutMs` passes), (5) stop them cleanly and
 * judge. Every process and the temporary directory are removed whatever happens (unless `keep`).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateItems, type NewsItem, rssDocument, seededRandom } from './crash-items.js';
import {
  findPsql,
  type Ledger,
  postgresLedger,
  psql,
  reachable,
  sqliteLedger,
  withDatabase,
} from './crash-ledger.js';
import {
  BOT_DESTINATION,
  checkItems,
  deskRoutes,
  destinationsEnv,
  expectedCount,
  expectedDeliveries,
  workerConfig,
} from './crash-plan.js';
import { type Delivery, type DestinationRequest, judgeDeliveries, type Verdict } from './crash-verdict.js';
import { type CliFlavour, type WorkerEvent, WorkerSlot } from './crash-workers.js';
import { type FakeDiscord, type RecordedRequest, startFakeDiscord } from './fake-discord.js';
import { etagOf, type FeedServer, startFeedServer } from './feed-server.js';

export interface CrashOptions {
  store: 'sqlite' | 'postgres';
  /** PostgreSQL server (mode b): the run creates its own database there and drops it after. */
  databaseUrl?: string;
  feeds: number;
  items: number;
  /** Items are published evenly over this long. */
  publishMs: number;
  kills: number;
  workers: number;
  /** A killed worker's successor lives a random time in this range before the next kill. */
  uptimeMs: readonly [number, number];
  drainTimeoutMs: number;
  seed: number;
  flavour: CliFlavour;
  /** See crash-verdict.ts. */
  graceMs: number;
  /** Fake Discord's delay between acting on a message and answering (widens the send window). */
  answerDelayMs: number;
  /** Send one country desk to a bot destination as well. */
  bot: boolean;
  keep: boolean;
  log: (line: string) => void;
}

export interface CrashReport {
  verdict: Verdict;
  kills: number;
  durationMs: number;
  /** Bot sends that Discord answered with the message an earlier send with the same nonce created. */
  nonceAbsorbed: number;
  /** Lines explaining each failure (losses with what the ledger says, duplicates outside the window). */
  details: string[];
  /** Set when the run could not be carried out at all. */
  aborted?: string;
}

class Abort extends Error {}

export async function runCrashHarness(options: CrashOptions): Promise<CrashReport> {
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'attribot-crash-'));
  const cleanups: Array<() => Promise<void> | void> = [
    () => (options.keep ? undefined : rmSync(dir, { recursive: true, force: true })),
  ];
  const slots: WorkerSlot[] = [];
  const events: WorkerEvent[] = [];
  let unexpectedExit: string | null = null;
  // Ctrl-C: the loops notice within 100 ms and the cleanup below runs as after any failure.
  const onSignal = (): void => {
    unexpectedExit = 'interrupted';
  };
  // A harness that exits before its cleanup (a test runner tearing down) leaves no worker behind.
  const onExit = (): void => {
    for (const slot of slots) slot.killNow();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('exit', onExit);
  try {
    const random = seededRandom(options.seed);
    const items = generateItems(options.items, options.feeds, random, `s${options.seed}`);
    const routes = deskRoutes(options.bot);
    await checkItems(items, routes, dir, options.flavour);
    const expected = expectedDeliveries(items, routes);
    options.log(
      `seed ${options.seed}: ${options.feeds} feeds, ${items.length} items over ${options.publishMs / 1000} s, ` +
        `${options.workers} worker(s) on ${options.store}, ${options.kills} kills`,
    );

    const feeds = await startFeedServer();
    cleanups.push(() => feeds.close());
    const discord = await startFakeDiscord({ answerDelayMs: options.answerDelayMs });
    cleanups.push(() => discord.close());
    const published = new Map<number, Array<{ item: NewsItem; publishedAt: number }>>();
    for (let feed = 0; feed < options.feeds; feed++) serveFeed(feeds, feed, []);

    const { env, destinationOf, botChannel } = destinationsEnv(discord, options.bot);
    const store = await prepareStore(options, dir, cleanups);
    const configPath = join(dir, 'attribot.yaml');
    const feedList = Array.from({ length: options.feeds }, (_, n) => ({
      url: feeds.url(`/feeds/${n}.xml`),
      name: `Security Desk ${n}`,
    }));
    // JSON is YAML: the worker reads it as any admin's file.
    writeFileSync(configPath, JSON.stringify(workerConfig(routes, feedList, botChannel), null, 2));
    for (let slot = 0; slot < options.workers; slot++) {
      slots.push(
        new WorkerSlot({
          slot,
          flavour: options.flavour,
          configPath,
          cwd: dir,
          logDir: dir,
          env: { ...env, ...store.env },
          apiBaseFor: (client) => discord.apiBaseFor(client),
          events,
          onUnexpectedExit: (client, detail) => {
            unexpectedExit ??= `worker ${client} exited by itself (${detail})`;
          },
        }),
      );
    }
    cleanups.push(async () => {
      await Promise.all(slots.map((slot) => slot.kill()));
    });
    for (const slot of slots) slot.start();
    await store.check();

    const checkAlive = (): void => {
      if (unexpectedExit) throw new Abort(unexpectedExit);
    };
    const publishing = publish(items, options.publishMs, checkAlive, (item) => {
      const list = published.get(item.feed) ?? [];
      list.push({ item, publishedAt: Date.now() });
      published.set(item.feed, list);
      serveFeed(feeds, item.feed, list);
    });
    // Awaited below; a failure while the kill loop runs is handled there.
    publishing.catch(() => undefined);
    let kills = 0;
    while (kills < options.kills) {
      const [min, max] = options.uptimeMs;
      await sleepChecked(min + random() * (max - min), checkAlive);
      const slot = slots[Math.floor(random() * slots.length)] as WorkerSlot;
      await slot.kill();
      kills++;
      slot.start();
    }
    await publishing;
    checkAlive();
    options.log(`${kills} kills done at +${seconds(Date.now() - startedAt)}; draining`);

    const drainDeadline = Date.now() + options.drainTimeoutMs;
    for (;;) {
      checkAlive();
      const deliveredAll = countDelivered(discord, expected, destinationOf) === expectedCount(expected);
      if (deliveredAll && (await store.ledger.undelivered()) === 0) break;
      if (Date.now() > drainDeadline) {
        options.log(`drain deadline passed (${options.drainTimeoutMs / 1000} s)`);
        break;
      }
      await sleep(250);
    }
    await Promise.all(slots.map((slot) => slot.stop()));

    const verdict = judgeDeliveries({
      expected,
      deliveries: deliveriesOf(discord.requests, destinationOf),
      requests: requestsOf(discord.requests, destinationOf),
      kills: events
        .filter((event) => event.kind === 'kill')
        .map((event) => ({ client: event.client, at: event.at })),
      nonceDestinations: new Set(options.bot ? [BOT_DESTINATION] : []),
      graceMs: options.graceMs,
    });
    const details = await explainFailures(verdict, items, store.ledger, startedAt);
    if (!verdict.ok)
      for (const slot of slots) details.push(`--- worker ${slot.slot} log, last lines`, slot.logTail(15));
    const nonceAbsorbed = discord.requests.filter(
      (request) =>
        destinationOf(request.path) === BOT_DESTINATION &&
        request.status === 200 &&
        !request.createdMessageId,
    ).length;
    return { verdict, kills, durationMs: Date.now() - startedAt, details, nonceAbsorbed };
  } catch (error) {
    if (!(error instanceof Abort)) throw error;
    const details = slots.flatMap((slot) => [`--- worker ${slot.slot} log, last lines`, slot.logTail(30)]);
    return {
      verdict: emptyVerdict(),
      kills: 0,
      durationMs: Date.now() - startedAt,
      details,
      nonceAbsorbed: 0,
      aborted: error.message,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        options.log(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

interface PreparedStore {
  env: Record<string, string>;
  ledger: Ledger;
  /** Throws an Abort when the workers do not use the store the mode is about. */
  check(): Promise<void>;
}

async function prepareStore(
  options: CrashOptions,
  dir: string,
  cleanups: Array<() => Promise<void> | void>,
): Promise<PreparedStore> {
  if (options.store === 'sqlite') {
    const path = join(dir, 'attribot.db');
    const ledger = sqliteLedger(path);
    cleanups.push(() => ledger.close());
    return { env: { ATTRIBOT_DB: path }, ledger, check: async () => {} };
  }
  const server = options.databaseUrl;
  if (!server)
    throw new Abort('mode (b) needs --database-url postgres://... (or ATTRIBOT_TEST_DATABASE_URL)');
  if (!(await reachable(server))) throw new Abort(`PostgreSQL is not reachable at ${new URL(server).host}`);
  const binary = findPsql();
  if (!binary)
    throw new Abort(
      'mode (b) needs psql (Debian package postgresql-client) to create and inspect its database',
    );
  const database = `attribot_crash_${options.seed}_${process.pid}`;
  await psql(binary, server, `CREATE DATABASE ${database}`);
  cleanups.push(() =>
    psql(binary, server, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).then(() => undefined),
  );
  const url = withDatabase(server, database);
  const ledger = postgresLedger(binary, url);
  // No ATTRIBOT_DB: a build that ignores DATABASE_URL opens data/attribot.db under the run's folder.
  const fallback = join(dir, 'data', 'attribot.db');
  return {
    env: { DATABASE_URL: url },
    ledger,
    async check() {
      const deadline = Date.now() + 20_000;
      let sqliteSince: number | null = null;
      while (Date.now() < deadline) {
        if ((await ledger.undelivered()) !== null) return;
        sqliteSince ??= existsSync(fallback) ? Date.now() : null;
        if (sqliteSince !== null && Date.now() - sqliteSince > 2_000)
          throw new Abort(
            'the workers ignored DATABASE_URL and opened a SQLite file instead: this build has no PostgreSQL adapter yet, so mode (b) cannot run',
          );
        await sleep(200);
      }
      throw new Abort('the workers did not create their schema in PostgreSQL within 20 s');
    },
  };
}

function serveFeed(
  feeds: FeedServer,
  feed: number,
  items: ReadonlyArray<{ item: NewsItem; publishedAt: number }>,
): void {
  const body = rssDocument(feed, items);
  feeds.serve(`/feeds/${feed}.xml`, {
    body,
    contentType: 'application/rss+xml; charset=utf-8',
    etag: etagOf(body),
  });
}

async function publish(
  items: readonly NewsItem[],
  overMs: number,
  check: () => void,
  put: (item: NewsItem) => void,
): Promise<void> {
  const start = Date.now();
  for (const [index, item] of items.entries()) {
    await sleepChecked(start + (index * overMs) / items.length - Date.now(), check);
    put(item);
  }
}

/** Every request to a destination, by the process that made it. */
function requestsOf(
  requests: readonly RecordedRequest[],
  destinationOf: (path: string) => string | null,
): Array<DestinationRequest & { request: RecordedRequest }> {
  return requests.flatMap((request) => {
    const destination = destinationOf(request.path);
    return destination ? [{ destination, client: request.client ?? '?', at: request.at, request }] : [];
  });
}

/** Messages created on a destination, with the item marker their embed links to. */
function deliveriesOf(
  requests: readonly RecordedRequest[],
  destinationOf: (path: string) => string | null,
): Delivery[] {
  return requestsOf(requests, destinationOf).flatMap(({ request, ...sent }) =>
    request.createdMessageId
      ? [{ ...sent, marker: markerOf(request.body), answeredAt: request.answeredAt }]
      : [],
  );
}

function markerOf(body: unknown): string | null {
  const embeds = (body as { embeds?: Array<{ url?: unknown }> } | undefined)?.embeds;
  const url = embeds?.[0]?.url;
  if (typeof url !== 'string') return null;
  return /-(s\d+-\d{5})$/.exec(url)?.[1] ?? null;
}

function countDelivered(
  discord: FakeDiscord,
  expected: ReadonlyMap<string, ReadonlySet<string>>,
  destinationOf: (path: string) => string | null,
): number {
  const got = new Set(
    deliveriesOf(discord.requests, destinationOf).map(
      (delivery) => `${delivery.marker}\u0000${delivery.destination}`,
    ),
  );
  let count = 0;
  for (const [marker, destinations] of expected)
    for (const destination of destinations) if (got.has(`${marker}\u0000${destination}`)) count++;
  return count;
}

async function explainFailures(
  verdict: Verdict,
  items: readonly NewsItem[],
  ledger: Ledger,
  start: number,
): Promise<string[]> {
  const byMarker = new Map(items.map((item) => [item.marker, item]));
  const lines: string[] = [];
  for (const { marker, destination } of verdict.lost.slice(0, 20)) {
    const item = byMarker.get(marker);
    const ledgerSays = item ? await ledger.explain(item.link, destination) : '';
    lines.push(`LOST ${marker} → ${destination} (feed ${item?.feed}): ${ledgerSays}`);
  }
  for (const duplicate of verdict.duplicates.filter((candidate) => !candidate.inWindow)) {
    const { first, repeat } = duplicate;
    lines.push(
      `DUPLICATE ${duplicate.marker} → ${duplicate.destination}: first by ${first.client} at +${seconds(first.at - start)} ` +
        `(answered ${first.answeredAt ? `+${seconds(first.answeredAt - start)}` : 'never'}), again by ${repeat.client} at +${seconds(repeat.at - start)}`,
    );
  }
  for (const delivery of verdict.unexpected.slice(0, 10))
    lines.push(
      `UNEXPECTED ${delivery.marker ?? '(no marker)'} → ${delivery.destination} by ${delivery.client}`,
    );
  return lines;
}

function emptyVerdict(): Verdict {
  return { expected: 0, delivered: 0, lost: [], duplicates: [], unexpected: [], ok: false };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps in short steps, checking that no worker died by itself meanwhile. */
async function sleepChecked(ms: number, check: () => void): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    check();
    await sleep(Math.min(100, end - Date.now()));
  }
}
