/**
 * The admin commands (`feeds`, `destinations`, `recent`): the effective config and the ledger in,
 * a report out (src/admin/ renders it). They read what a running worker wrote and change only
 * stored state (`feeds retry`, a successful `destinations test`), so they work beside a worker.
 * Read-only commands never create a database: a missing one is reported as such.
 */
import type { Writable } from 'node:stream';
import { formatDestinationReports, testMessage } from './admin/destination-report.js';
import { describeHealth, type FeedReport, formatFeedReports } from './admin/feed-report.js';
import { formatRecentStories } from './admin/recent-report.js';
import { destinationReports, feedReports, recentStories } from './admin/reports.js';
import type { EffectiveConfig, Environment, ResolvedDestination } from './config/env.js';
import { didYouMean } from './config/suggest.js';
import { errorMessage } from './shared/errors.js';
import type { OpenedStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export type Outcome = 'ok' | 'failure' | 'usage';

export interface AdminIo {
  stdout: Writable;
  stderr: Writable;
  env: Environment;
}

export interface AdminOptions {
  config: string | undefined;
  json: boolean;
  all: boolean;
  since: string | undefined;
  /** export: stix (default) or misp. */
  format?: string | undefined;
  /** export: a folder for one file per story instead of one document on stdout. */
  out?: string | undefined;
}

export type AdminCommand = 'feeds' | 'destinations' | 'recent' | 'export' | 'summary';

/** Stories `recent` lists at most. */
const RECENT_LIMIT = 200;
/** Stories `export` writes at most (the newest); a longer period is exported in parts with --since. */
const EXPORT_LIMIT = 10_000;

export async function runAdminCommand(
  command: AdminCommand,
  args: readonly string[],
  options: AdminOptions,
  io: AdminIo,
): Promise<Outcome> {
  const [sub, ...rest] = args;
  const usage = (text: string): Outcome => {
    io.stderr.write(`attribot ${command}: ${text}\n`);
    return 'usage';
  };
  if (command === 'feeds') {
    if (sub === undefined) return feeds(options, io);
    if (sub !== 'retry') return usage(`unknown subcommand "${sub}" (feeds, feeds retry URL|--all)`);
    if (options.all === rest.length > 0 || rest.length > 1) return usage('give one feed URL, or --all');
    return retryFeeds(rest[0], options, io);
  }
  if (command === 'destinations') {
    if (sub === undefined) return destinations(options, io);
    if (sub !== 'test') return usage(`unknown subcommand "${sub}" (destinations, destinations test NAME)`);
    if (rest.length !== 1) return usage('give the name of one destination to test');
    return testDestination(rest[0] as string, options, io);
  }
  if (command === 'export') {
    if (sub !== undefined)
      return usage(
        `unexpected argument "${sub}" (export [--since 24h] [--format stix|misp] [--out DIR] [--json])`,
      );
    return exportStories(options, io);
  }
  if (command === 'summary') {
    if (sub === undefined || rest.length > 0)
      return usage('give the name of one route (summary ROUTE [--out FILE.png])');
    return previewSummary(sub, options, io);
  }
  if (sub !== undefined) return usage(`unexpected argument "${sub}" (recent [--since 24h] [--json])`);
  return recent(options, io);
}

/**
 * The running config (or, for `replay`, the candidate: `role` names it in the message), or the
 * reasons it cannot be used (on stderr). `offline`: destination secrets need not be set (listings
 * and replay read only the database), except those of the destinations in `secretsNeededBy` (a test
 * message needs the real secret of the one it posts to).
 */
export async function effectiveConfig(
  command: string,
  options: Pick<AdminOptions, 'config'>,
  io: AdminIo,
  offline: boolean | { secretsNeededBy: readonly string[] } = false,
  role = 'configuration',
): Promise<EffectiveConfig | null> {
  const [{ loadEffectiveConfig }, { configPath }, { formatProblem }] = await Promise.all([
    import('./config/effective.js'),
    import('./config/env.js'),
    import('./config/load.js'),
  ]);
  const file = configPath(options.config, io.env);
  const loaded = await loadEffectiveConfig(
    file,
    io.env,
    typeof offline === 'boolean' ? { offline } : { offline: true, ...offline },
  );
  if (loaded.effective) return loaded.effective;
  for (const error of loaded.errors) io.stderr.write(`error: ${formatProblem(error)}\n`);
  io.stderr.write(`attribot ${command}: the ${role} ${file} is invalid (attribot check-config says more)\n`);
  return null;
}

/** The ledger the worker writes, or null after saying why there is none (never an empty new one). */
export async function openLedger(
  command: string,
  effective: EffectiveConfig,
  io: AdminIo,
): Promise<OpenedStore | null> {
  const { openStore } = await import('./store/open-store.js');
  try {
    return await openStore({ location: effective.database, mustExist: true, poolSize: 2 });
  } catch (error) {
    io.stderr.write(`attribot ${command}: ${errorMessage(error)}\n`);
    return null;
  }
}

/** Runs `work` on the config and the ledger; 'failure' when either is unusable. */
async function withLedger(
  command: string,
  options: AdminOptions,
  io: AdminIo,
  work: (store: Store, effective: EffectiveConfig) => Promise<Outcome>,
): Promise<Outcome> {
  // Listings read the database only: they work on an admin's laptop without the secrets.
  const effective = await effectiveConfig(command, options, io, true);
  if (!effective) return 'failure';
  const opened = await openLedger(command, effective, io);
  if (!opened) return 'failure';
  try {
    return await work(opened.store, effective);
  } finally {
    await opened.store.close();
  }
}

function json(io: AdminIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function feeds(options: AdminOptions, io: AdminIo): Promise<Outcome> {
  return withLedger('feeds', options, io, async (store, effective) => {
    const now = new Date();
    const reports = await feedReports(store, effective.config.feeds, now);
    if (options.json) json(io, reports);
    else io.stdout.write(formatFeedReports(reports, now));
    return 'ok';
  });
}

/** A configured feed by URL (as configured, or where it moved), or by name. */
function findFeed(wanted: string, reports: readonly FeedReport[]): FeedReport | undefined {
  const normal = (url: string): string => (URL.canParse(url) ? new URL(url).href : url);
  return (
    reports.find((report) => normal(report.url) === normal(wanted)) ??
    reports.find((report) => report.movedTo !== null && normal(report.movedTo) === normal(wanted)) ??
    reports.find((report) => report.name === wanted)
  );
}

function retryFeeds(wanted: string | undefined, options: AdminOptions, io: AdminIo): Promise<Outcome> {
  return withLedger('feeds retry', options, io, async (store, effective) => {
    const now = new Date();
    const reports = await feedReports(store, effective.config.feeds, now);
    let chosen: FeedReport[];
    if (wanted === undefined) {
      chosen = reports.filter((report) => report.health !== 'ok' && report.health !== 'never-polled');
    } else {
      const found = findFeed(wanted, reports);
      if (!found) {
        io.stderr.write(
          `attribot feeds retry: no configured feed has the URL "${wanted}"; attribot feeds lists them\n`,
        );
        return 'failure';
      }
      chosen = [found];
    }
    const retried = new Set(
      await store.retryFeeds(
        chosen.map((report) => report.url),
        now.toISOString(),
      ),
    );
    for (const report of chosen) {
      const was = describeHealth(report, now);
      io.stdout.write(
        retried.has(report.url)
          ? `${report.url}: polled at the next tick of a running worker (was: ${was})\n`
          : `${report.url}: never polled yet; it is polled at the next tick anyway\n`,
      );
    }
    if (wanted === undefined)
      io.stdout.write(
        `${retried.size} of ${reports.length} feed(s) retried; the others were ok or never polled and were left alone\n`,
      );
    return 'ok';
  });
}

function destinations(options: AdminOptions, io: AdminIo): Promise<Outcome> {
  return withLedger('destinations', options, io, async (store, effective) => {
    const now = new Date();
    const reports = await destinationReports(store, effective.destinations, now);
    if (options.json) json(io, reports);
    else io.stdout.write(formatDestinationReports(reports, now));
    return 'ok';
  });
}

/** Why a TAXII server or MISP refused, and what the admin can do about it. */
function machineRefusalHint(status: number | undefined, target: ResolvedDestination): string {
  const peer = target.type === 'taxii' ? 'The TAXII server' : 'MISP';
  const secret = target.type === 'taxii' ? `the ${target.auth} credential` : 'the key';
  if (status === 401 || status === 403)
    return `${peer} does not accept ${secret} (or it may not write there): check it and its permissions.`;
  if (status === 404)
    return target.type === 'taxii'
      ? 'No such API root or collection: check url and collection.'
      : 'Nothing answers there as MISP: check url.';
  return status !== undefined && status >= 500
    ? `${peer} failed; try again later.`
    : 'Check the network and url.';
}

/** Why Discord refused, and what the admin can do about it. */
export function refusalHint(
  status: number | undefined,
  target: ResolvedDestination,
  code?: number | undefined,
): string {
  if (target.type === 'taxii' || target.type === 'misp') return machineRefusalHint(status, target);
  const secret = target.type === 'bot' ? 'bot token' : 'webhook URL';
  // Discord's codes for a webhook's thread: 10003 Unknown Channel, 220001 a forum needs a post.
  if (target.type === 'webhook' && code === 10003)
    return "The thread does not exist or is not in the webhook's channel: check threadId (or the URL's ?thread_id=).";
  if (target.type === 'webhook' && code === 220001)
    return "The webhook belongs to a forum channel: set threadId to one of the forum's posts.";
  switch (status) {
    case 401:
      return `Discord does not accept the ${secret}: replace it with a valid one.`;
    case 403:
      return 'The bot may not post there: give it View Channel, Send Messages and Embed Links in that channel.';
    case 404:
      return target.type === 'bot'
        ? 'The channel does not exist or the bot cannot see it: check channelId.'
        : 'The webhook was deleted or its URL is wrong: create a new webhook and set its URL.';
    case 429:
      return 'Discord is rate limiting; try again in a minute.';
    default:
      return status !== undefined && status >= 500
        ? 'Discord failed; try again later.'
        : 'Check the network and DISCORD_API_BASE.';
  }
}

async function testDestination(name: string, options: AdminOptions, io: AdminIo): Promise<Outcome> {
  // Only the tested destination's secret is needed: the others may be set on the worker's host only.
  const effective = await effectiveConfig('destinations test', options, io, { secretsNeededBy: [name] });
  if (!effective) return 'failure';
  const target = effective.destinations.find((candidate) => candidate.name === name);
  if (!target) {
    const names = effective.destinations.map((candidate) => candidate.name);
    io.stderr.write(
      `attribot destinations test: no destination is named "${name}"${didYouMean(name, names)} (configured: ${names.join(', ') || 'none'})\n`,
    );
    return 'failure';
  }
  if (target.type === 'console') {
    io.stdout.write(`"${name}" is the console: alerts are printed by the worker, there is nothing to test\n`);
    return 'ok';
  }
  const [{ senderFor }, { createLogger }, { DeliveryError }] = await Promise.all([
    import('./app.js'),
    import('./shared/logger.js'),
    import('./deliver/sender.js'),
  ]);
  const sender = senderFor(target, effective, { log: createLogger(), stdout: io.stdout });
  const now = new Date();
  const started = performance.now();
  try {
    if (sender.check) {
      // A TAXII collection or MISP keeps what it is sent: it is asked, not posted to.
      const answer = await sender.check();
      io.stdout.write(`${name}: ${answer} (${Math.round(performance.now() - started)} ms)\n`);
    } else {
      const result = await sender.send(testMessage(name, now));
      const ms = Math.round(performance.now() - started);
      io.stdout.write(
        `${name}: Discord accepted the test message${result.messageId ? ` (message ${result.messageId})` : ''} in ${ms} ms\n`,
      );
    }
  } catch (error) {
    const status = error instanceof DeliveryError ? error.status : undefined;
    const code = error instanceof DeliveryError ? error.code : undefined;
    io.stdout.write(`${name}: the test message was not delivered: ${errorMessage(error)}\n`);
    io.stdout.write(`${refusalHint(status, target, code)} Alerts waiting for it stay suspended.\n`);
    return 'failure';
  } finally {
    sender.close?.();
  }
  const { openStore, DatabaseMissingError } = await import('./store/open-store.js');
  let opened: OpenedStore;
  try {
    opened = await openStore({ location: effective.database, mustExist: true, poolSize: 1 });
  } catch (error) {
    if (!(error instanceof DatabaseMissingError)) throw error;
    io.stdout.write('No database yet, so no alerts are waiting for it.\n');
    return 'ok';
  }
  try {
    const lifted = await opened.store.liftSuspension(name, new Date().toISOString());
    const [status] = await opened.store.destinationStatus([name]);
    const pending = status?.pending ?? 0;
    io.stdout.write(
      lifted > 0
        ? `Suspension lifted: ${pending} pending alert(s) go out at the next tick of a running worker.\n`
        : pending > 0
          ? `It was not suspended; its ${pending} pending alert(s) go out as usual.\n`
          : 'No alerts were waiting for it.\n',
    );
  } finally {
    await opened.store.close();
  }
  return 'ok';
}

/** --since as milliseconds, or null after saying why it is not a duration. */
async function sincePeriod(command: string, options: AdminOptions, io: AdminIo): Promise<number | null> {
  const { parseDuration } = await import('./config/schema.js');
  const period = options.since ?? '24h';
  const ms = parseDuration(period);
  if (ms === null || ms <= 0) {
    io.stderr.write(
      `attribot ${command}: --since needs a duration such as 24h, 7d or 90m, not "${period}"\n`,
    );
    return null;
  }
  return ms;
}

async function recent(options: AdminOptions, io: AdminIo): Promise<Outcome> {
  const period = options.since ?? '24h';
  const ms = await sincePeriod('recent', options, io);
  if (ms === null) return 'usage';
  return withLedger('recent', options, io, async (store) => {
    const now = new Date();
    const stories = await recentStories(store, new Date(now.getTime() - ms), RECENT_LIMIT);
    if (options.json) json(io, stories);
    else io.stdout.write(formatRecentStories(stories, period, now));
    return 'ok';
  });
}

/**
 * The stories of the period as STIX 2.1 or MISP: one document on stdout (a bundle of every story's
 * objects; MISP's `{"response": [events]}`), or with --out one file per story named by its id.
 */
async function exportStories(options: AdminOptions, io: AdminIo): Promise<Outcome> {
  const format = options.format ?? 'stix';
  if (format !== 'stix' && format !== 'misp') {
    io.stderr.write(`attribot export: --format is stix or misp, not "${format}"\n`);
    return 'usage';
  }
  const ms = await sincePeriod('export', options, io);
  if (ms === null) return 'usage';
  return withLedger('export', options, io, async (store) => {
    const [{ loadKnowledge }, { exportReference }, { storyToStix, mergeBundles, reportOf }, { storyToMisp }] =
      await Promise.all([
        import('./extract/knowledge.js'),
        import('./export/reference.js'),
        import('./export/stix.js'),
        import('./export/misp.js'),
      ]);
    const reference = exportReference(loadKnowledge());
    const since = new Date(Date.now() - ms).toISOString();
    // Oldest first, so a consumer that keeps the last version it reads keeps the newest.
    const stories = (await store.storyDeliveries(since, EXPORT_LIMIT)).map((entry) => entry.story).reverse();
    const bundles = format === 'stix' ? stories.map((story) => storyToStix(story, reference)) : [];
    const events = format === 'misp' ? stories.map((story) => storyToMisp(story, reference)) : [];
    const documents = [
      ...bundles.map((bundle, index) => ({ story: stories[index], id: reportOf(bundle).id, body: bundle })),
      ...events.map((event, index) => ({ story: stories[index], id: event.Event.uuid, body: event })),
    ];
    if (options.out === undefined) {
      const body = format === 'stix' ? mergeBundles(bundles) : { response: events };
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      io.stderr.write(`attribot export: ${stories.length} stor${stories.length === 1 ? 'y' : 'ies'}\n`);
      return 'ok';
    }
    const { mkdir, writeFile, rename } = await import('node:fs/promises');
    const { join } = await import('node:path');
    try {
      await mkdir(options.out, { recursive: true });
      const written: Array<{ file: string; id: string; title: string | null }> = [];
      for (const document of documents) {
        const file = join(options.out, `${document.id}.json`);
        // Written aside and renamed: an importer watching the folder never reads half a file.
        await writeFile(`${file}.tmp`, `${JSON.stringify(document.body, null, 2)}\n`);
        await rename(`${file}.tmp`, file);
        written.push({ file, id: document.id, title: document.story?.first.title ?? null });
      }
      if (options.json) json(io, written);
      else
        io.stdout.write(
          `${written.length} ${format === 'stix' ? 'STIX bundle' : 'MISP event'}(s) written to ${options.out}\n`,
        );
    } catch (error) {
      io.stderr.write(`attribot export: cannot write to ${options.out}: ${errorMessage(error)}\n`);
      return 'failure';
    }
    return 'ok';
  });
}

/**
 * A route's summary of its latest ended period, built as the worker builds it (the ledger as it is
 * now), printed as text; `--out FILE` writes its PNG chart. Sends and records nothing.
 */
function previewSummary(name: string, options: AdminOptions, io: AdminIo): Promise<Outcome> {
  return withLedger('summary', options, io, async (store, effective) => {
    const route = effective.config.routes.find((candidate) => candidate.name === name);
    const withSummary = effective.config.routes.filter((candidate) => candidate.summary);
    if (!route?.summary) {
      const known = withSummary.map((candidate) => candidate.name).join(', ') || 'none';
      io.stderr.write(
        `attribot summary: ${route ? `route "${name}" has no summary` : `no route "${name}"`} (routes with a summary: ${known})\n`,
      );
      return 'usage';
    }
    const [{ buildSummary }, { latestPeriod }, { renderMessageText, describeFile }, { silentLogger }] =
      await Promise.all([
        import('./summaries.js'),
        import('./alerts/summary-period.js'),
        import('./deliver/console-sender.js'),
        import('./shared/logger.js'),
      ]);
    const period = latestPeriod(route.summary, new Date());
    const { message, stories } = await buildSummary(route, route.summary, period, effective.config, {
      store,
      log: silentLogger(),
    });
    io.stdout.write(`${renderMessageText(message)}\n`);
    const [chart] = message.files ?? [];
    if (chart) io.stdout.write(`${describeFile(chart)}\n`);
    else if (stories > 0)
      io.stderr.write('attribot summary: the chart could not be rendered (fonts? see the README)\n');
    if (options.out !== undefined) {
      if (!chart) {
        io.stderr.write(`attribot summary: no chart to write to ${options.out}\n`);
        return 'failure';
      }
      const { writeFile } = await import('node:fs/promises');
      await writeFile(options.out, Buffer.from(chart.data, 'base64'));
      io.stdout.write(`chart written to ${options.out}\n`);
    }
    return 'ok';
  });
}
