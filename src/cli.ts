/**
 * Command line: argv → one command → exit code. Output for people or pipes goes to stdout, logs to stderr.
 * Each command imports what it needs when it runs: `extract` must start fast and has no use for
 * discord.js, cheerio, SQLite, pino or the YAML config.
 */
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { AdminCommand } from './admin-cli.js';
import type { ReportOrigin } from './alerts/alert.js';
import type { App } from './app.js';
import type { EffectiveConfig } from './config/env.js';
import type { Overrides } from './config/overrides.js';
import type { Article } from './extract/article.js';
import type { MetricsText, OpsServer } from './server/server.js';
import { AppError, errorMessage } from './shared/errors.js';
import type { Logger } from './shared/logger.js';

/** The commands `main` runs, for the "did you mean" of a mistyped one. */
const COMMANDS = [
  'run',
  'once',
  'check-config',
  'extract',
  'explain',
  'feeds',
  'destinations',
  'recent',
  'export',
  'summary',
  'replay',
];

const USAGE = `Usage: attribot <command> [options]

Commands:
  run                      poll every feed now, then on schedule, until SIGINT/SIGTERM
  once                     poll every feed once, deliver alerts, exit
  check-config             validate the configuration and print everything wrong at once (file:line key: message)
  extract --input FILE     read JSON lines ({"id","title","text",...}), write one extraction JSON line each
                           (standard input with --input - or when it is piped)
  explain FILE|URL [--feed NAME]  show entities, claims, evidence and confidence for one article, and its
                           routing (as a report of feed NAME, for routes that take only some feeds)
  feeds [--json]           every configured feed: state, last success, last error, items seen, alerts sent
  feeds retry URL|--all    poll a feed (--all: every failing or disabled one) at the next tick, backoff cleared
  destinations [--json]    every destination: queue (pending, held), last success, suspension, last error
  destinations test NAME   post a test message to it now (TAXII, MISP: ask without posting); on success its
                           waiting alerts are due at once
  recent [--since 24h] [--json]  the stories of the period and what each destination got
  export [--since 24h] [--format stix|misp] [--out DIR] [--json]
                           the stories of the period as one STIX 2.1 bundle (or MISP events) on stdout,
                           or one file per story in DIR
  summary ROUTE [--out FILE.png]  the route's summary of its latest period as the worker sends it;
                           --out writes its chart
  replay [--since 7d] [--config CANDIDATE] [--json]
                           the stored articles of the period analysed again: per destination the alerts
                           the running config (--running FILE) and the candidate would have sent, and
                           what the candidate adds, removes and changes; sends and writes nothing

Options:
  --config FILE            config file (default: $ATTRIBOT_CONFIG, else the bundled config/attribot.yaml)
  --offline                check-config, explain: destination secrets that are not set are warnings (placeholders)
  --input FILE             input of extract
  --feed NAME              explain: route the article as coming from this configured feed
  --json                   feeds, destinations, recent, replay: JSON instead of text; export --out: the files written
  --running FILE           replay: the running config (default: $ATTRIBOT_CONFIG, else the bundled one)
  --format stix|misp       export: STIX 2.1 (default) or MISP events
  --out DIR                export: one file per story in DIR; summary: the chart's PNG file
  -h, --help               this text
  -V, --version            the version
`;

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

interface Io {
  stdout: Writable;
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  /** What `extract` reads without a file; its `isTTY` says whether a person is typing into it. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(argv);
  } catch (error) {
    io.stderr.write(`attribot: ${errorMessage(error)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    io.stdout.write(`attribot ${await packageVersion()}\n`);
    return EXIT.ok;
  }
  if (values.help || !command) {
    (values.help ? io.stdout : io.stderr).write(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  switch (command) {
    case 'run':
    case 'once':
      return runWorker(command, values.config, io);
    case 'check-config':
      return checkConfig(values.config, values.offline === true, io);
    case 'extract':
      if (!values.input && (!io.stdin || io.stdin.isTTY)) {
        io.stderr.write('attribot extract: --input FILE is required (or pipe the JSON lines in)\n');
        return EXIT.usage;
      }
      return extract(values.input ?? '-', io);
    case 'explain':
      if (rest.length !== 1) {
        io.stderr.write('attribot explain: give one FILE or URL\n');
        return EXIT.usage;
      }
      return explain(rest[0] as string, { ...values, offline: values.offline === true }, io);
    case 'feeds':
    case 'destinations':
    case 'recent':
    case 'export':
    case 'summary':
      return adminCommand(command, rest, values, io);
    case 'replay':
      return replay(rest, values, io);
    default: {
      const { didYouMean } = await import('./config/suggest.js');
      io.stderr.write(`attribot: unknown command "${command}"${didYouMean(command, COMMANDS)}\n\n${USAGE}`);
      return EXIT.usage;
    }
  }
}

function parseCliArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      offline: { type: 'boolean' },
      input: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      since: { type: 'string' },
      feed: { type: 'string' },
      running: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    },
  });
}

async function checkConfig(flag: string | undefined, offline: boolean, io: Io): Promise<number> {
  const [{ loadEffectiveConfig }, { configPath }, { problemLines }, { describeOverrides }] =
    await Promise.all([
      import('./config/effective.js'),
      import('./config/env.js'),
      import('./config/load.js'),
      import('./config/overrides.js'),
    ]);
  const file = configPath(flag, io.env);
  const result = await loadEffectiveConfig(file, io.env, { offline });
  for (const line of problemLines(result.errors, result.warnings)) io.stdout.write(`${line}\n`);
  if (!result.effective) {
    const warnings = result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : '';
    io.stdout.write(`${file}: ${result.errors.length} error(s)${warnings}\n`);
    if (!offline && result.withoutSecret.length > 0)
      io.stdout.write(
        `${withoutSecretHint(result.withoutSecret)}; check-config --offline checks the file without them\n`,
      );
    return EXIT.failure;
  }
  const { config, destinations, database } = result.effective;
  const placeholder = new Set(result.withoutSecret);
  const { describeDatabase } = await import('./store/database-location.js');
  io.stdout.write(
    `${file}: OK${placeholder.size > 0 ? ' offline' : ''} — ${config.feeds.length} feed(s), destinations: ${destinations
      .map(
        (target) =>
          `${target.name} (${target.type}${placeholder.has(target.name) ? ', secret not checked' : ''})`,
      )
      .join(
        ', ',
      )}, routes: ${config.routes.map((route) => route.name).join(', ')}, database: ${describeDatabase(database)}\n`,
  );
  const { localLabel, nextPeriodEnd } = await import('./alerts/summary-period.js');
  for (const route of config.routes) {
    if (!route.summary) continue;
    const next = nextPeriodEnd(route.summary, new Date());
    io.stdout.write(
      `summary of ${route.name}: ${route.summary.every}, next ${localLabel(next, route.summary.timezone)} (${route.summary.timezone})\n`,
    );
  }
  const overrides = await storedOverrides(database);
  if (overrides) io.stdout.write(`${describeOverrides(config, overrides, new Date())}\n`);
  return EXIT.ok;
}

/** The destinations whose secrets are not set here, said once after their errors. */
function withoutSecretHint(names: readonly string[]): string {
  return `the secrets of ${names.map((name) => `"${name}"`).join(', ')} are not set here`;
}

/**
 * The slash-command layer stored in a SQLite database, when the file exists (never creates one).
 * PostgreSQL is not contacted: opening it migrates its schema, which a check must never do.
 */
async function storedOverrides(database: string): Promise<Overrides | null> {
  const { isPostgresUrl } = await import('./store/database-location.js');
  if (isPostgresUrl(database) || !existsSync(database)) return null;
  const [{ SqliteStore }, { SqliteOverrideStore }] = await Promise.all([
    import('./store/sqlite/sqlite-store.js'),
    import('./store/sqlite/sqlite-overrides.js'),
  ]);
  const store = new SqliteStore(database);
  try {
    return await new SqliteOverrideStore(store.database).loadOverrides();
  } finally {
    await store.close();
  }
}

async function runWorker(command: 'run' | 'once', flag: string | undefined, io: Io): Promise<number> {
  const [{ App }, { loadEffectiveConfig }, { configPath }, { formatProblem }, { createLogger }] =
    await Promise.all([
      import('./app.js'),
      import('./config/effective.js'),
      import('./config/env.js'),
      import('./config/load.js'),
      import('./shared/logger.js'),
    ]);
  const log = createLogger();
  const file = configPath(flag, io.env);
  const result = await loadEffectiveConfig(file, io.env);
  for (const warning of result.warnings) log.warn({ problem: formatProblem(warning) }, 'Config warning');
  if (!result.effective) {
    for (const error of result.errors) io.stderr.write(`error: ${formatProblem(error)}\n`);
    io.stderr.write(`attribot: refusing to start with an invalid configuration (${file})\n`);
    return EXIT.failure;
  }
  // The Prometheus registry only where /metrics is served: `once` and a worker without the port skip prom-client.
  const metrics =
    command === 'run' && result.effective.http
      ? new (await import('./server/metrics.js')).PrometheusMetrics()
      : undefined;
  let app: App;
  try {
    app = await App.create(result.effective, { log, stdout: io.stdout, ...(metrics ? { metrics } : {}) });
  } catch (error) {
    io.stderr.write(`attribot: cannot start: ${errorMessage(error)}\n`);
    return EXIT.failure;
  }
  log.info(
    {
      config: file,
      feeds: result.effective.config.feeds.length,
      destinations: result.effective.destinations.map((target) => `${target.name}:${target.type}`),
      db: (await import('./store/database-location.js')).describeDatabase(result.effective.database),
    },
    command === 'run' ? 'attribot starting' : 'attribot polling once',
  );
  if (command === 'once') {
    try {
      await app.once();
      return EXIT.ok;
    } finally {
      await app.stop();
    }
  }
  // The port was asked for explicitly: a worker without its /healthz would look dead to whatever probes it.
  let ops: OpsServer | null = null;
  if (metrics) {
    try {
      ops = await startOps(app, metrics, log);
    } catch (error) {
      io.stderr.write(`attribot: ${errorMessage(error)}\n`);
      await app.stop();
      return EXIT.failure;
    }
  }
  app.start();
  app.watchConfig(file, io.env);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'Shutting down after the current tick');
      resolve();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await ops?.close();
  await app.stop();
  log.info('attribot stopped');
  return EXIT.ok;
}

/**
 * The ops endpoints (/, /healthz, /readyz, /metrics) when ATTRIBOT_HTTP_PORT is set (the Docker
 * image sets it); an AppError naming HOST:PORT when they cannot be served.
 */
async function startOps(app: App, metrics: MetricsText, log: Logger): Promise<OpsServer | null> {
  const { http } = app.effective;
  if (!http) return null;
  const { host, port } = http;
  const [{ startOpsServer }, version] = await Promise.all([import('./server/server.js'), packageVersion()]);
  try {
    const server = await startOpsServer({
      host,
      port,
      metrics,
      health: () => app.health(),
      readiness: () => app.readiness(),
      statusPage: () => app.statusPage(version),
    });
    log.info({ host, port: server.port }, 'Serving the status page, /healthz, /readyz and /metrics');
    return server;
  } catch (error) {
    const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    throw new AppError(`cannot serve the ops endpoints on ${where}: ${listenFailure(error)}`, {
      cause: error,
    });
  }
}

/** Why a port could not be listened on, in words (ATTRIBOT_HTTP_PORT, ATTRIBOT_HTTP_HOST). */
function listenFailure(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return 'address in use (another process listens there: stop it or set another ATTRIBOT_HTTP_PORT)';
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges: set ATTRIBOT_HTTP_PORT above 1024)';
    case 'EADDRNOTAVAIL':
      return 'this host has no such address (check ATTRIBOT_HTTP_HOST)';
    default:
      return errorMessage(error);
  }
}

/** `version` of package.json, read as a file: nothing of the worker is loaded. */
async function packageVersion(): Promise<string> {
  // src/cli.ts and dist/cli.js both sit one level below package.json.
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** feeds, destinations, recent, export, summary (src/admin-cli.ts). */
async function adminCommand(
  command: AdminCommand,
  args: readonly string[],
  values: ReturnType<typeof parseCliArgs>['values'],
  io: Io,
): Promise<number> {
  const { runAdminCommand } = await import('./admin-cli.js');
  const options = {
    config: values.config,
    json: values.json ?? false,
    all: values.all ?? false,
    since: values.since,
    format: values.format,
    out: values.out,
  };
  return EXIT[await runAdminCommand(command, args, options, io)];
}

/** replay (src/replay-cli.ts): `--config` is the candidate there, `--running` the running config. */
async function replay(
  args: readonly string[],
  values: ReturnType<typeof parseCliArgs>['values'],
  io: Io,
): Promise<number> {
  if (args.length > 0) {
    io.stderr.write(
      `attribot replay: unexpected argument "${args[0]}" (replay [--since 7d] [--config CANDIDATE])\n`,
    );
    return EXIT.usage;
  }
  const { runReplay } = await import('./replay-cli.js');
  const options = {
    since: values.since,
    candidate: values.config,
    running: values.running,
    json: values.json ?? false,
  };
  return EXIT[await runReplay(options, io)];
}

/** The input of `extract`: standard input for `-`, else the file (null after saying why it cannot be read). */
async function extractInput(input: string, io: Io): Promise<NodeJS.ReadableStream | null> {
  if (input === '-') {
    if (!io.stdin) {
      io.stderr.write('attribot extract: there is no standard input to read\n');
      return null;
    }
    return io.stdin.setEncoding('utf8');
  }
  try {
    // Opened first so an unreadable file is reported before any output.
    const handle = await open(input, 'r');
    return handle.createReadStream({ encoding: 'utf8' });
  } catch (error) {
    io.stderr.write(`attribot extract: cannot read ${input}: ${errorMessage(error)}\n`);
    return null;
  }
}

async function extract(input: string, io: Io): Promise<number> {
  const stream = await extractInput(input, io);
  if (!stream) return EXIT.failure;
  const [{ extractLine }, { loadKnowledge }] = await Promise.all([
    import('./attribution/contract.js'),
    import('./extract/knowledge.js'),
  ]);
  const knowledge = loadKnowledge();
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    const result = extractLine(line, knowledge);
    io.stdout.write(`${result.output}\n`);
    if (result.error) io.stderr.write(`attribot extract: line ${lineNumber}: ${result.error}\n`);
  }
  return EXIT.ok;
}

/** `explain` was given what only `extract` takes: exit 2. */
class ExplainUsageError extends Error {}

/**
 * The one article of a JSON file as an `extract` line: a file of several JSON lines is refused
 * rather than explained by its first; one object spread over lines (pretty-printed) is one article.
 */
function oneArticleLine(source: string, json: string): string {
  const lines = json.split('\n').filter((line) => line.trim() !== '');
  if (lines.length <= 1) return lines[0] ?? '';
  try {
    return JSON.stringify(JSON.parse(json));
  } catch {
    throw new ExplainUsageError(
      `${source} has ${lines.length} lines; explain takes one article (attribot extract --input ${source} analyses one article a line)`,
    );
  }
}

async function readArticle(source: string, effective: EffectiveConfig): Promise<Article> {
  if (/^https?:\/\//i.test(source)) {
    const { pageFetcherFor, readArticleFromUrl } = await import('./app.js');
    return readArticleFromUrl(source, pageFetcherFor(effective));
  }
  const body = await readFile(source, 'utf8');
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) {
    // One line of `extract` input: the same parser, so the same fields and the same errors.
    const { parseArticleLine } = await import('./attribution/contract.js');
    const parsed = parseArticleLine(oneArticleLine(source, trimmed));
    if ('article' in parsed) return parsed.article;
    throw new Error(parsed.error);
  }
  if (trimmed.startsWith('<')) {
    const { extractMainText } = await import('./ingest/main-text.js');
    const page = extractMainText(body);
    return { id: source, title: page.title, text: page.text };
  }
  return { id: source, title: null, text: body };
}

async function explain(
  source: string,
  options: { config?: string | undefined; offline: boolean; feed?: string | undefined },
  io: Io,
): Promise<number> {
  const { config: flag, offline } = options;
  const [
    { loadEffectiveConfig },
    { configPath },
    { problemLines },
    { analyzeArticle },
    { renderExplanation },
    { loadKnowledge },
    { applyOverrides },
    { explainRouting, formatRouteVerdicts },
  ] = await Promise.all([
    import('./config/effective.js'),
    import('./config/env.js'),
    import('./config/load.js'),
    import('./attribution/analyze.js'),
    import('./attribution/explain.js'),
    import('./extract/knowledge.js'),
    import('./config/overrides.js'),
    import('./alerts/route.js'),
  ]);
  const file = configPath(flag, io.env);
  const loaded = await loadEffectiveConfig(file, io.env, { offline });
  for (const line of problemLines(loaded.errors, loaded.warnings)) io.stderr.write(`${line}\n`);
  const { effective } = loaded;
  if (!effective) {
    // Routing for a config other than the one asked for would answer a question nobody asked.
    io.stderr.write(
      `attribot explain: config ${file} has ${loaded.errors.length} error(s); no routing can be shown for it\n`,
    );
    if (!offline && loaded.withoutSecret.length > 0)
      io.stderr.write(
        `attribot explain: ${withoutSecretHint(loaded.withoutSecret)}; --offline shows routing with placeholders for them\n`,
      );
    return EXIT.failure;
  }
  let origin: ReportOrigin = { feed: '' };
  if (options.feed !== undefined) {
    const { findFeed } = await import('./config/rules.js');
    const found = findFeed(options.feed, effective.config.feeds);
    if ('error' in found) {
      io.stderr.write(`attribot explain: --feed: ${found.error}\n`);
      return EXIT.usage;
    }
    origin = { feed: found.name, feedUrl: found.feed.url };
  }
  let article: Article;
  try {
    article = await readArticle(source, effective);
  } catch (error) {
    if (error instanceof ExplainUsageError) {
      io.stderr.write(`attribot explain: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(
      `attribot explain: cannot read ${source}: ${errorMessage(error)}${privateNetworkHint(error)}\n`,
    );
    return EXIT.failure;
  }
  const analysis = analyzeArticle(article, loadKnowledge());
  const overrides = await storedOverrides(effective.database);
  const config = overrides ? applyOverrides(effective.config, overrides, new Date()) : effective.config;
  const articleUrl = article.url ?? (/^https?:\/\//i.test(source) ? source : undefined);
  const verdicts = explainRouting(
    {
      attribution: analysis.attribution,
      title: article.title,
      text: article.text,
      origins: [{ ...origin, ...(articleUrl ? { url: articleUrl } : {}) }],
    },
    config.routes,
    config.watchlists,
  );
  const placeholders = loaded.withoutSecret.map((name) => `"${name}"`).join(', ');
  const offlineNote = placeholders ? `; offline: placeholders for the secrets of ${placeholders}` : '';
  const asFeed = options.feed === undefined ? '' : `, as a report of feed "${origin.feed}"`;
  const feedHint =
    options.feed === undefined && config.routes.some((route) => route.feeds.length > 0)
      ? '\n(routes that take only some feeds: --feed NAME routes the article as a report of that feed)'
      : '';
  io.stdout.write(
    `${renderExplanation(analysis)}\n\nRouting (effective configuration ${file}${offlineNote}${asFeed}):\n${formatRouteVerdicts(verdicts)}${feedHint}\n`,
  );
  return EXIT.ok;
}

/** The settings that let page fetches reach a private address, when that is why one was refused. */
function privateNetworkHint(error: unknown): string {
  if (!(error instanceof Error)) return '';
  const cause = error.cause as { reason?: unknown } | undefined;
  if ((error as Error & { kind?: unknown }).kind !== 'blocked' || cause?.reason !== 'address') return '';
  return ' (article pages on private addresses are refused: settings.allowPrivateNetwork: true in the config, or ATTRIBOT_ALLOW_PRIVATE_NETWORK=1, allows them)';
}

// A closed pipe (`attribot check-config | head -1`) ends the output, not the process with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `attribot: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.failure;
  },
);
