/** Composition root: config → Store, FeedFetcher, Senders, Clock, logger. The only place adapters are built. */
import type { Writable } from 'node:stream';
import { destinationReports, feedReports, recentStories } from './admin/reports.js';
import { type LastCycle, renderStatusPage } from './admin/status-page.js';
import { routeAlert } from './alerts/route.js';
import type { Attribution } from './attribution/attribution.js';
import type { SlashCommands } from './commands/gateway.js';
import type { RecentAlert } from './commands/handle.js';
import { ExplainLimiter } from './commands/limits.js';
import { loadEffectiveConfig } from './config/effective.js';
import type { EffectiveConfig, Environment, ResolvedDestination } from './config/env.js';
import { applyOverrides, describeOverrides, NO_OVERRIDES, type Overrides } from './config/overrides.js';
import { ADMIN_DESTINATION, type Config, type Feed } from './config/schema.js';
import { describeChanges, watchConfigFile } from './config/watch.js';
import { ConsoleSender } from './deliver/console-sender.js';
import { destinationCredentials } from './deliver/credentials.js';
import { MispSender } from './deliver/misp-sender.js';
import { type DrainSummary, drainOutbox, UnrecordedSends } from './deliver/outbox-worker.js';
import type { Sender, SendResult } from './deliver/sender.js';
import { TaxiiSender } from './deliver/taxii-sender.js';
import { MISP_DISTRIBUTIONS } from './export/misp.js';
import { type ExportTarget, exportRows } from './export/outbox.js';
import { type ExportReference, exportReference } from './export/reference.js';
import type { Article } from './extract/article.js';
import { cycleCounts, cycleHint } from './ingest/cycle-report.js';
import { type DocumentParser, DocumentWorkers } from './ingest/documents.js';
import { HttpFeedFetcher } from './ingest/fetch-feed.js';
import { HttpPageFetcher, type PageFetcher } from './ingest/fetch-page.js';
import { feedName } from './ingest/poll-decisions.js';
import { dueFeeds, Scheduler } from './ingest/scheduler.js';
import { type FeedOutcome, type PipelineDeps, pollFeeds } from './pipeline.js';
import { assessReadiness, type Readiness } from './server/readiness.js';
import type { Health } from './server/server.js';
import { type Clock, systemClock } from './shared/clock.js';
import { errorMessage } from './shared/errors.js';
import type { Logger } from './shared/logger.js';
import type { OutgoingMessage } from './shared/message.js';
import { type Metrics, NO_METRICS, secondsSince } from './shared/metrics.js';
import { type OpenedStore, openStore } from './store/open-store.js';
import type { OverrideStore } from './store/overrides.js';
import { destinationLease, type FeedState, type Store } from './store/store.js';
import { freeDeadLocalLeases, workerId } from './store/worker-leases.js';
import { queueDueSummaries, type SummaryDeps } from './summaries.js';

// In config/ so that `check-config` and `explain` can use it without loading the worker's adapters.
export { type LoadResult, loadEffectiveConfig } from './config/effective.js';

/**
 * The article-page fetcher of a config: SSRF-guarded unless the admin allowed private networks;
 * with `documents`, main-text extraction runs there (worker threads under the document budget).
 */
export function pageFetcherFor(effective: EffectiveConfig, documents?: DocumentParser): HttpPageFetcher {
  const { settings } = effective.config;
  return new HttpPageFetcher({
    userAgent: settings.userAgent,
    allowPrivateNetwork: effective.allowPrivateNetwork,
    timeoutMs: settings.requestTimeout,
    perHostConcurrency: settings.perHostConcurrency,
    proxy: effective.proxy,
    ...(documents ? { extract: (html: string, url: string) => documents.mainText(html, url) } : {}),
  });
}

/** The analysis engine (compromise, the dictionaries), loaded on the first article rather than at start-up. */
type Analysis = {
  analyze(article: Article): Attribution;
  explain(article: Article): string;
  /** What the STIX and MISP export looks up in the same dictionaries. */
  reference: ExportReference;
};

async function loadAnalysis(): Promise<Analysis> {
  const [{ analyzeArticle }, { loadKnowledge }, { renderExplanation }] = await Promise.all([
    import('./attribution/analyze.js'),
    import('./extract/knowledge.js'),
    import('./attribution/explain.js'),
  ]);
  const knowledge = loadKnowledge();
  return {
    analyze: (article) => analyzeArticle(article, knowledge).attribution,
    explain: (article) => renderExplanation(analyzeArticle(article, knowledge)),
    reference: exportReference(knowledge),
  };
}

/**
 * A Discord destination whose discord.js client is built on its first message: a run with nothing
 * to deliver (an all-304 `once`) never loads discord.js.
 */
function lazyDiscordSender(
  name: string,
  create: () => Promise<Sender & Required<Pick<Sender, 'edit'>>>,
): Sender & Required<Pick<Sender, 'edit'>> {
  let sender: Promise<Sender & Required<Pick<Sender, 'edit'>>> | null = null;
  let closed = false;
  const get = (): Promise<Sender & Required<Pick<Sender, 'edit'>>> => {
    sender ??= create();
    return sender;
  };
  return {
    name,
    send: async (message: OutgoingMessage): Promise<SendResult> => (await get()).send(message),
    edit: async (messageId: string, message: OutgoingMessage): Promise<SendResult> =>
      (await get()).edit(messageId, message),
    close: () => {
      if (closed) return;
      closed = true;
      void sender?.then((built) => built.close?.());
    },
  };
}

/**
 * The sender of one destination, as the worker delivers through it (`attribot destinations test`
 * posts through the same one).
 */
export function senderFor(
  target: ResolvedDestination,
  effective: EffectiveConfig,
  options: Pick<AppOptions, 'log' | 'stdout'>,
): Sender {
  const common = {
    name: target.name,
    apiBase: effective.discordApiBase,
    timeoutMs: effective.config.settings.requestTimeout,
    logger: options.log,
  };
  if (target.type === 'webhook') {
    const { webhookUrl, threadId, username, avatarUrl } = target;
    return lazyDiscordSender(target.name, async () => {
      const { DiscordWebhookSender } = await import('./deliver/discord-sender.js');
      return new DiscordWebhookSender({
        ...common,
        webhookUrl,
        ...(threadId === undefined ? {} : { threadId }),
        ...(username === undefined ? {} : { username }),
        ...(avatarUrl === undefined ? {} : { avatarUrl }),
      });
    });
  }
  if (target.type === 'bot') {
    const { token, channelId } = target;
    return lazyDiscordSender(target.name, async () => {
      const { DiscordBotSender } = await import('./deliver/discord-sender.js');
      return new DiscordBotSender({ ...common, token, channelId });
    });
  }
  if (target.type === 'taxii') {
    const { url, collection, auth, secret } = target;
    return new TaxiiSender({ name: target.name, url, collection, auth, secret, timeoutMs: common.timeoutMs });
  }
  if (target.type === 'misp') {
    return new MispSender({
      name: target.name,
      url: target.url,
      key: target.key,
      timeoutMs: common.timeoutMs,
    });
  }
  return new ConsoleSender({ name: target.name, out: options.stdout });
}

/** One article page as an Article for the extractor. */
export async function readArticleFromUrl(url: string, fetcher: PageFetcher): Promise<Article> {
  const page = await fetcher.fetchPage(url);
  const article: Article = { id: url, title: page.title, text: page.text, url: page.url };
  if (page.published) article.published = page.published;
  return article;
}

export interface AppOptions {
  log: Logger;
  /** Where the console destination writes. */
  stdout: Writable;
  clock?: Clock;
  /** Where polls, analyses, deliveries and cycles are counted (the /metrics registry); none by default. */
  metrics?: Metrics;
  /** SVG → PNG for summary charts (resvg when omitted). */
  renderPng?: SummaryDeps['renderPng'];
}

export interface CycleSummary {
  feeds: FeedOutcome[];
  delivery: DrainSummary;
}

/** How long `once` waits for retries that are due soon (429 retry_after, short backoff). */
const ONCE_RETRY_BUDGET_MS = 30_000;

/** How long one tick's delivery keeps draining a backlog before the tick moves on. */
const DELIVERY_BUDGET_MS = 30_000;
/** Failing feeds named in the start's log line; the rest are counted (`attribot feeds` lists them all). */
const KEPT_BACKOFF_LISTED = 10;
const PRUNE_TASK = 'task:prune';
const PRUNE_EVERY_MS = 60 * 60_000;
/** /readyz's database probe gives up after this long (a PostgreSQL that does not answer). */
const PROBE_TIMEOUT_MS = 5_000;
/** The status page lists the stories of the last day, at most this many. */
const STATUS_STORY_PERIOD_MS = 24 * 60 * 60_000;
const STATUS_STORY_LIMIT = 50;

/** `promise`, or an error with `message` once `ms` have passed. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class App {
  #effective: EffectiveConfig;
  readonly #store: Store;
  readonly #overrides: OverrideStore;
  /** The running config with the slash-command layer (watches, mutes) applied: what routing uses. */
  #routing: Config;
  #slashCommands: SlashCommands[] = [];
  #senders = new Map<string, Sender>();
  #analysis: Promise<Analysis> | null = null;
  /** Set once the analysis is loaded, which every report needs before it can reach a story. */
  #reference: ExportReference | null = null;
  /** The machine destinations (TAXII, MISP) and the format each takes. */
  #exportTargets = new Map<string, ExportTarget>();
  readonly #documents: DocumentWorkers;
  /** Aborted by stop(): no feed starts after it, and a document in progress stops between batches. */
  readonly #stopping = new AbortController();
  readonly #explainLimiter = new ExplainLimiter();
  readonly #deps: PipelineDeps;
  /** This process's name in the leases and claims it shares with other workers on the database. */
  readonly #worker = workerId();
  /** Sends Discord took that the store could not record yet (see UnrecordedSends). */
  readonly #unrecorded = new UnrecordedSends();
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #stdout: Writable;
  #scheduler: Scheduler | null = null;
  /** A schedule change restarts the scheduler; restarts and stop() queue on this. */
  #restarting: Promise<void> = Promise.resolve();
  #slashStarting: Promise<void> = Promise.resolve();
  #stopped = false;
  /** The slash-command layer as last read, re-applied at once when the YAML reloads. */
  #lastOverrides: Overrides = NO_OVERRIDES;
  #stopWatching: (() => void) | null = null;
  /** Whether the store has the running destinations' credential fingerprints (see deliver/credentials.ts). */
  #credentialsNoted = false;
  readonly #metrics: Metrics;
  /** Summary periods this process has settled (see summaries.ts). */
  readonly #settledSummaries = new Set<string>();
  /** How PNG charts are rendered; tests may replace it. */
  readonly #renderPng: SummaryDeps['renderPng'];
  readonly #startedAt: Date;
  #lastCycleAt: Date | null = null;
  #lastCycle: LastCycle | null = null;
  /** Whether each feed (by URL) answered its last poll, as far as this worker knows (for /readyz). */
  readonly #feedAnswered = new Map<string, boolean>();

  /** Opens the database (DATABASE_URL's PostgreSQL, else the SQLite file), migrated, and builds the worker on it. */
  static async create(effective: EffectiveConfig, options: AppOptions): Promise<App> {
    return new App(effective, options, await openStore(effective.database));
  }

  constructor(
    effective: EffectiveConfig,
    options: AppOptions,
    opened: Pick<OpenedStore, 'store' | 'overrides'>,
  ) {
    this.#effective = effective;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#stdout = options.stdout;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#metrics.useFeeds(effective.config.feeds.map(feedName));
    this.#renderPng = options.renderPng;
    this.#startedAt = this.#clock.now();
    this.#store = opened.store;
    this.#overrides = opened.overrides;
    this.#routing = effective.config;
    this.#documents = new DocumentWorkers({ budgetMs: effective.config.settings.documentBudget });
    this.#deps = {
      store: this.#store,
      fetcher: this.#fetcher(effective),
      pageFetcher: pageFetcherFor(effective, this.#documents),
      documents: this.#documents,
      signal: this.#stopping.signal,
      clock: this.#clock,
      log: this.#log,
      analyze: async (article) => {
        const analysis = await this.#loadAnalysis();
        const started = performance.now();
        const attribution = analysis.analyze(article);
        this.#metrics.articleAnalysed(secondsSince(started));
        return attribution;
      },
      route: (input) => routeAlert(input, this.#routing.routes, this.#routing.watchlists),
      noticeDestinations: [],
      worker: this.#worker,
      metrics: this.#metrics,
      exportRows: (rows, story) => {
        if (this.#exportTargets.size === 0 || !rows.some((row) => this.#exportTargets.has(row.destination)))
          return rows;
        if (!this.#reference)
          throw new Error('The dictionaries are not loaded: no story can be exported yet');
        return exportRows(rows, story, this.#exportTargets, this.#reference);
      },
    };
    this.#useDestinations(effective);
  }

  get effective(): EffectiveConfig {
    return this.#effective;
  }

  #loadAnalysis(): Promise<Analysis> {
    this.#analysis ??= loadAnalysis().then((analysis) => {
      this.#reference = analysis.reference;
      return analysis;
    });
    return this.#analysis;
  }

  /** The running config with the slash-command layer applied: what routing uses. */
  get routing(): Config {
    return this.#routing;
  }

  #fetcher(effective: EffectiveConfig): HttpFeedFetcher {
    const { settings } = effective.config;
    return new HttpFeedFetcher({
      userAgent: settings.userAgent,
      timeoutMs: settings.requestTimeout,
      maxBytes: settings.maxFeedBytes,
      redirectGuard: { allowPrivateNetwork: effective.allowPrivateNetwork },
      proxy: effective.proxy,
    });
  }

  #useDestinations(effective: EffectiveConfig): void {
    this.#credentialsNoted = false;
    for (const sender of this.#senders.values()) sender.close?.();
    this.#senders = new Map(
      effective.destinations.map((target) => [target.name, this.#senderFor(target, effective)]),
    );
    this.#exportTargets = new Map(
      effective.destinations.flatMap(
        (target): Array<[string, ExportTarget]> =>
          target.type === 'taxii'
            ? [[target.name, { format: 'stix' }]]
            : target.type === 'misp'
              ? [[target.name, { format: 'misp', distribution: MISP_DISTRIBUTIONS[target.distribution] }]]
              : [],
      ),
    );
    this.#deps.noticeDestinations = effective.destinations
      .filter((target) => target.name === ADMIN_DESTINATION)
      .map((target) => target.name);
  }

  #senderFor(target: ResolvedDestination, effective: EffectiveConfig): Sender {
    return senderFor(target, effective, { log: this.#log, stdout: this.#stdout });
  }

  /** Re-applies the slash-command layer (watches, mutes) to the running config; mutes expire here. */
  async refreshRouting(): Promise<Config> {
    const now = this.#clock.now();
    await this.#overrides.pruneMutes(now.toISOString());
    this.#lastOverrides = await this.#overrides.loadOverrides();
    this.#routing = applyOverrides(this.#effective.config, this.#lastOverrides, now);
    return this.#routing;
  }

  /** The override layer in words, for check-config and /attribot watch list. */
  async describeOverrides(): Promise<string> {
    return describeOverrides(
      this.#effective.config,
      await this.#overrides.loadOverrides(),
      this.#clock.now(),
    );
  }

  async recentAlerts(limit: number): Promise<RecentAlert[]> {
    return (await this.#store.latestStories(limit)).map((story) => ({
      title: story.first.title,
      url: story.first.url ?? null,
      at: story.updatedAt,
      destinations: story.destinations,
    }));
  }

  /**
   * `/attribot explain <url>`: anyone in the server may ask, so the page is always fetched with the
   * SSRF guard on (whatever the admin allowed for feeds), and a failure is answered without details.
   */
  async explainUrl(url: string): Promise<string> {
    const fetcher = pageFetcherFor({ ...this.#effective, allowPrivateNetwork: false }, this.#documents);
    let article: Article;
    try {
      article = await readArticleFromUrl(url, fetcher);
    } catch (error) {
      this.#log.info({ url, err: errorMessage(error) }, 'Slash explain could not read the page');
      return 'That page could not be read (it must be a public http(s) article page).';
    }
    return (await this.#loadAnalysis()).explain(article);
  }

  async #startSlashCommands(): Promise<void> {
    if (!this.#effective.destinations.some((target) => target.type === 'bot' && target.guildId !== undefined))
      return;
    const { slashCommandBots, startSlashCommands } = await import('./commands/gateway.js');
    for (const bot of slashCommandBots(this.#effective.destinations)) {
      if (this.#stopped) return;
      try {
        const commands = await startSlashCommands({
          token: bot.token,
          apiBase: this.#effective.discordApiBase,
          guilds: bot.guilds,
          log: this.#log,
          context: {
            overrides: this.#overrides,
            clock: this.#clock,
            recentAlerts: (limit) => this.recentAlerts(limit),
            explainUrl: (url) => this.explainUrl(url),
            explainLimiter: this.#explainLimiter,
            describeOverrides: (overrides) =>
              describeOverrides(this.#effective.config, overrides, this.#clock.now()),
            onOverridesChanged: () => {
              this.refreshRouting().catch((error: unknown) =>
                this.#log.error(
                  { err: errorMessage(error) },
                  'Overrides could not be re-read; applied next cycle',
                ),
              );
            },
          },
        });
        // stop() ran while this bot was logging in: it must not outlive the worker.
        if (this.#stopped) await commands.stop();
        else this.#slashCommands.push(commands);
      } catch (error) {
        this.#log.error(
          { err: errorMessage(error), guilds: bot.guilds.length },
          'Slash commands unavailable',
        );
      }
    }
  }

  /**
   * Swaps in a new configuration: feeds, settings, routes and destinations, at once (a tick in
   * flight finishes its feeds with the new routes and senders). The database path is fixed for the
   * life of the process. Returns what changed, for the log.
   */
  reconfigure(next: EffectiveConfig): string[] {
    const changes = describeChanges(this.#effective, next);
    if (next.database !== this.#effective.database) {
      this.#log.warn(
        { from: this.#effective.database, to: next.database },
        'Database path changes need a restart; kept',
      );
      next = { ...next, database: this.#effective.database };
    }
    const scheduleChanged = next.config.settings.schedule !== this.#effective.config.settings.schedule;
    this.#effective = next;
    this.#metrics.useFeeds(next.config.feeds.map(feedName));
    this.#routing = applyOverrides(next.config, this.#lastOverrides, this.#clock.now());
    this.#deps.fetcher = this.#fetcher(next);
    this.#documents.budgetMs = next.config.settings.documentBudget;
    this.#deps.pageFetcher = pageFetcherFor(next, this.#documents);
    this.#useDestinations(next);
    if (scheduleChanged && this.#scheduler) {
      this.#restarting = this.#restarting.then(async () => {
        await this.#scheduler?.stop();
        this.#scheduler = null;
        if (!this.#stopped) this.#startScheduler(false);
      });
    }
    return changes;
  }

  /** Reloads the config file when it changes; an invalid edit is reported and the running config kept. */
  watchConfig(file: string, env: Environment): void {
    this.#stopWatching = watchConfigFile(file, {
      load: () => loadEffectiveConfig(file, env),
      log: this.#log,
      apply: (effective) => {
        const changes = this.reconfigure(effective);
        this.#log.info(
          { file, changes },
          changes.length > 0 ? 'Config reloaded' : 'Config reloaded, nothing changed',
        );
      },
    });
  }

  /** Polls the given feeds (all by default), then delivers what is due. */
  async cycle(feeds = this.effective.config.feeds): Promise<CycleSummary> {
    const started = performance.now();
    let outcomes: FeedOutcome[] = [];
    let delivery: DrainSummary;
    try {
      await this.refreshRouting();
      await this.#noteCredentials();
      await this.#freeDeadLeases();
      outcomes = await pollFeeds(feeds, this.#deps, this.effective.config.settings);
      await this.queueSummaries();
    } finally {
      // Whatever the polls did, what is already in the outbox goes out.
      delivery = this.#stopped ? { sent: 0, retried: 0, rejected: 0, held: 0 } : await this.deliver();
    }
    await this.#pruneIfDue();
    const counts = cycleCounts(outcomes);
    const hint = cycleHint(outcomes);
    const durationMs = Math.round(performance.now() - started);
    // Recorded before it is logged: whoever reads the line finds /readyz and /metrics up to date.
    await this.#record(outcomes, delivery, { counts, durationMs, hint: hint?.hint ?? null });
    // Most feeds failing at once is a problem of this host more often than of the publishers: say what to check.
    this.#log[hint ? 'warn' : 'info'](
      { ...counts, ...delivery, durationMs, ...(hint ?? {}) },
      'Cycle finished',
    );
    return { feeds: outcomes, delivery };
  }

  /** Queues the route summaries whose period has ended (once per route and period across workers). */
  queueSummaries(): ReturnType<typeof queueDueSummaries> {
    return queueDueSummaries(this.#routing, {
      store: this.#store,
      clock: this.#clock,
      log: this.#log,
      // A summary is a Discord message: TAXII and MISP take stories as documents, not summaries.
      destinations: new Set([...this.#senders.keys()].filter((name) => !this.#exportTargets.has(name))),
      settled: this.#settledSummaries,
      ...(this.#renderPng ? { renderPng: this.#renderPng } : {}),
    });
  }

  /**
   * Retention, at most hourly across every worker on the database: the `task:prune` lease is taken
   * under a name used once, so it frees only by expiring an hour later, whoever took it.
   */
  async #pruneIfDue(): Promise<void> {
    const now = this.#clock.now();
    try {
      const taken = await this.#store.acquireLeases([PRUNE_TASK], {
        worker: `${this.#worker}:${now.getTime()}`,
        now: now.toISOString(),
        until: new Date(now.getTime() + PRUNE_EVERY_MS).toISOString(),
      });
      if (taken.length === 0) return;
      const { retention } = this.effective.config.settings;
      const before = (ms: number): string => new Date(now.getTime() - ms).toISOString();
      const pruned = await this.#store.prune({
        items: before(retention.items),
        stories: before(retention.stories),
        outbox: before(retention.outbox),
        articles: before(retention.articles),
      });
      this.#log.info({ pruned }, 'Retention applied');
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'Retention failed; tried again next hour');
    }
  }

  /**
   * Once after start and after each reload: a destination whose webhook URL or token changed since
   * the store last saw it is no longer suspended (its waiting alerts are due now).
   */
  async #noteCredentials(): Promise<void> {
    if (this.#credentialsNoted) return;
    try {
      const changed = await this.#store.noteCredentials(
        destinationCredentials(this.#effective.destinations),
        this.#clock.now().toISOString(),
      );
      for (const destination of changed)
        this.#log.info({ destination }, 'Destination credential changed; its waiting alerts are due now');
      this.#credentialsNoted = true;
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'Destination credentials not checked; tried next cycle');
    }
  }

  /** A crashed worker of this host (a restart, `once` after a kill) leaves leases that need not expire. */
  async #freeDeadLeases(): Promise<void> {
    const freed = await freeDeadLocalLeases(this.#store, this.#worker);
    if (freed.length > 0)
      this.#log.info({ workers: freed }, 'Freed the leases of stopped workers on this host');
  }

  async #record(
    outcomes: readonly FeedOutcome[],
    delivery: DrainSummary,
    cycle: Pick<LastCycle, 'counts' | 'durationMs' | 'hint'>,
  ): Promise<void> {
    for (const outcome of outcomes) {
      if (outcome.status === 'ok' || outcome.status === 'not-modified')
        this.#feedAnswered.set(outcome.feedUrl, true);
      else if (outcome.status === 'failed') this.#feedAnswered.set(outcome.feedUrl, false);
    }
    this.#lastCycleAt = this.#clock.now();
    this.#lastCycle = { ...cycle, finishedAt: this.#lastCycleAt.toISOString(), delivery: { ...delivery } };
    const { counts } = cycle;
    let outbox: Record<string, number> = {};
    try {
      outbox = await this.#store.outboxCounts();
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'Outbox not counted for /metrics');
    }
    this.#metrics.cycleFinished({
      seconds: cycle.durationMs / 1000,
      finishedAt: this.#lastCycleAt,
      items: {
        newItems: counts.newItems,
        seeded: counts.seeded,
        quarantined: counts.quarantined,
        revised: counts.revised,
      },
      alerts: counts.alerts,
      notices: outcomes.flatMap((outcome) => outcome.notices.map((notice) => notice.kind)),
      delivery: { ...delivery },
      outbox,
    });
  }

  /**
   * Ready when the config is loaded, the database answers, a cycle finished within
   * `readiness.staleFactor` poll intervals (at least three ticks), and at least
   * `readiness.minFeedSuccessRatio` of the feeds whose last poll is known answered it.
   */
  async readiness(): Promise<Readiness> {
    const { settings, feeds } = this.#effective.config;
    let store: { ok: true } | { ok: false; error: string } = { ok: true };
    try {
      await withTimeout(this.#store.probe(), PROBE_TIMEOUT_MS, 'the database did not answer within 5 s');
    } catch (error) {
      store = { ok: false, error: errorMessage(error) };
    }
    const known = feeds.flatMap((feed) => {
      const answered = this.#feedAnswered.get(feed.url);
      return answered === undefined ? [] : [answered];
    });
    return assessReadiness({
      now: this.#clock.now(),
      config: { feeds: feeds.length },
      store,
      startedAt: this.#startedAt,
      lastCycleAt: this.#lastCycleAt,
      maxCycleAgeMs: Math.max(
        settings.readiness.staleFactor * settings.interval,
        3 * (this.#scheduler?.periodMs() ?? 60_000),
      ),
      feeds: { known: known.length, succeeding: known.filter(Boolean).length },
      minFeedSuccessRatio: settings.readiness.minFeedSuccessRatio,
    });
  }

  /** GET /: feeds, destinations, the stories of the last day and the last cycle, from the same reports as the admin commands. */
  async statusPage(version: string): Promise<string> {
    const now = this.#clock.now();
    const readiness = await this.readiness();
    return renderStatusPage({
      now,
      version,
      readiness,
      lastCycle: this.#lastCycle,
      feeds: await feedReports(this.#store, this.#effective.config.feeds, now),
      destinations: await destinationReports(this.#store, this.#effective.destinations, now),
      stories: await recentStories(
        this.#store,
        new Date(now.getTime() - STATUS_STORY_PERIOD_MS),
        STATUS_STORY_LIMIT,
      ),
      storyPeriod: '24 h',
    });
  }

  /**
   * Healthy while cycles keep finishing (the last one, or the start, is within three ticks, at
   * least 15 minutes) and the database can be written (a read-only or cut-short file is not healthy).
   */
  async health(): Promise<Health> {
    const staleAfterMs = Math.max(15 * 60_000, 3 * (this.#scheduler?.periodMs() ?? 60_000));
    const reference = this.#lastCycleAt ?? this.#startedAt;
    const age = this.#clock.now().getTime() - reference.getTime();
    let outbox: Awaited<ReturnType<Store['outboxCounts']>>;
    try {
      await this.#store.probe();
      outbox = await this.#store.outboxCounts();
    } catch (error) {
      return {
        healthy: false,
        detail: { database: errorMessage(error), lastCycleAt: this.#lastCycleAt?.toISOString() ?? null },
      };
    }
    return {
      healthy: age <= staleAfterMs,
      detail: {
        lastCycleAt: this.#lastCycleAt?.toISOString() ?? null,
        feeds: this.effective.config.feeds.length,
        outboxPending: outbox.pending,
        outboxHeld: outbox.held,
      },
    };
  }

  async deliver(): Promise<DrainSummary> {
    const { settings } = this.#effective.config;
    return drainOutbox({
      store: this.#store,
      senders: this.#senders,
      clock: this.#clock,
      log: this.#log,
      flood: {
        cap: settings.floodCap,
        windowMs: settings.floodWindow,
        digestIntervalMs: settings.digestInterval,
      },
      maxDelayMs: settings.maxBackoff,
      worker: this.#worker,
      unrecorded: this.#unrecorded,
      budgetMs: DELIVERY_BUDGET_MS,
      metrics: this.#metrics,
      ...(this.#senders.has(ADMIN_DESTINATION) ? { adminDestination: ADMIN_DESTINATION } : {}),
    });
  }

  /** `attribot once`: one poll of every feed, then delivery, waiting briefly for retries that are due soon. */
  async once(): Promise<CycleSummary> {
    const summary = await this.cycle();
    const deadline = this.#clock.now().getTime() + ONCE_RETRY_BUDGET_MS;
    for (;;) {
      const next = await this.#store.nextOutboxAttempt({ destinations: [...this.#senders.keys()] });
      if (next === null) break;
      const waitMs = Date.parse(next) - this.#clock.now().getTime();
      if (this.#clock.now().getTime() + Math.max(0, waitMs) > deadline) {
        await this.#noteUndelivered(next);
        break;
      }
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const more = await this.deliver();
      summary.delivery.sent += more.sent;
      summary.delivery.retried += more.retried;
      summary.delivery.rejected += more.rejected;
      summary.delivery.held += more.held;
      if (more.sent + more.retried + more.rejected + more.held === 0 && waitMs <= 0) break;
    }
    return summary;
  }

  /** `once` leaves alerts in the outbox: how many, for which destinations, and which of those are suspended. */
  async #noteUndelivered(nextAttemptAt: string): Promise<void> {
    let counts: Record<string, unknown>;
    try {
      const statuses = await this.#store.destinationStatus([...this.#senders.keys()]);
      const waiting = statuses.filter((status) => status.pending > 0);
      counts = {
        pending: waiting.reduce((sum, status) => sum + status.pending, 0),
        destinations: Object.fromEntries(waiting.map((status) => [status.destination, status.pending])),
        suspended: waiting.filter((status) => status.head?.suspended).map((status) => status.destination),
      };
    } catch (error) {
      // The alerts are safe in the outbox either way: a count that cannot be read does not fail the run.
      counts = { countError: errorMessage(error) };
    }
    this.#log.warn(
      { ...counts, nextAttemptAt },
      'Undelivered alerts stay in the outbox for the next run (attribot destinations says why)',
    );
  }

  /** `attribot run`: every feed at once, then on schedule until stop(). */
  start(): void {
    this.#startScheduler(true);
    this.#slashStarting = this.#startSlashCommands();
  }

  #startScheduler(pollAllFirst: boolean): void {
    let first = pollAllFirst;
    this.#scheduler = new Scheduler(
      this.effective.config.settings.schedule,
      async () => {
        const feeds = await this.#dueFeeds(first);
        first = false;
        await this.cycle(feeds);
      },
      this.#log,
    );
    this.#scheduler.start();
  }

  /**
   * Feeds due now. At start every healthy feed is polled at once; a failing or disabled one keeps
   * its backoff and Retry-After, so a restarting container does not hammer it.
   */
  async #dueFeeds(atStart: boolean): Promise<EffectiveConfig['config']['feeds']> {
    const { feeds, settings } = this.effective.config;
    const states = new Map<string, FeedState | null>();
    for (const feed of feeds) {
      const state = await this.#store.getFeedState(feed.url);
      states.set(feed.url, state);
      // What the database knows of each feed (another worker's polls, a restart's backoff) counts for /readyz.
      if (state?.lastPolledAt) this.#feedAnswered.set(feed.url, state.consecutiveFailures === 0);
    }
    const due = new Set(dueFeeds(feeds, states, this.#clock.now(), settings.interval));
    const polled = feeds.filter(
      (feed) => due.has(feed) || (atStart && (states.get(feed.url)?.consecutiveFailures ?? 0) === 0),
    );
    if (atStart)
      this.#noteKeptBackoff(
        feeds.filter((feed) => !polled.includes(feed)),
        states,
      );
    return polled;
  }

  /** Says at start which failing feeds wait out the backoff of earlier runs, so a quiet first cycle is explained. */
  #noteKeptBackoff(kept: readonly Feed[], states: ReadonlyMap<string, FeedState | null>): void {
    if (kept.length === 0) return;
    const shown = kept.slice(0, KEPT_BACKOFF_LISTED).map((feed) => {
      const state = states.get(feed.url);
      return {
        url: feed.url,
        failures: state?.consecutiveFailures ?? 0,
        until: state?.nextPollAt ?? null,
        ...(state?.disabledAt ? { disabledAt: state.disabledAt } : {}),
      };
    });
    this.#log.info(
      { kept: kept.length, feeds: shown },
      'Failing feeds keep their backoff from before the start (attribot feeds shows them; attribot feeds retry URL polls one at the next tick)',
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    this.#stopWatching?.();
    await this.#restarting;
    await this.#slashStarting;
    for (const commands of this.#slashCommands) await commands.stop();
    this.#slashCommands = [];
    await this.#scheduler?.stop();
    this.#scheduler = null;
    for (const sender of this.#senders.values()) sender.close?.();
    await this.#documents.close();
    await this.#unrecorded
      .settleBeforeExit(this.#store, this.#worker, this.#log)
      .catch((error: unknown) =>
        this.#log.warn({ err: errorMessage(error) }, 'Unrecorded sends not settled'),
      );
    // Other workers take over this one's feeds and destinations at once, not when the leases expire
    // (a destination still owing a record keeps its lease: its message may not be sent again).
    const owing = this.#unrecorded.destinations();
    try {
      const held = (await this.#store.listLeases()).filter(
        (lease) =>
          lease.owner === this.#worker && ![...owing].some((d) => lease.name === destinationLease(d)),
      );
      await this.#store.releaseLeases(
        this.#worker,
        held.map((lease) => lease.name),
      );
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'Leases not released; they expire by themselves');
    }
    await this.#store.close();
  }
}
