/** Composition root: config → Store, FeedFetcher, Senders, Clock, logger. The only place adapters are built. */
import type { Writable } from 'node:stream';
import { analyzeArticle } from './attribution/analyze.js';
import { applyEnvironment, type EffectiveConfig, type Environment } from './config/env.js';
import { loadConfigFile, type ConfigProblem } from './config/load.js';
import { ConsoleSender } from './deliver/console-sender.js';
import { DiscordWebhookSender } from './deliver/discord-sender.js';
import { drainOutbox, type DrainSummary } from './deliver/outbox-worker.js';
import type { Sender } from './deliver/sender.js';
import { loadKnowledge } from './extract/knowledge.js';
import { HttpFeedFetcher } from './ingest/fetch-feed.js';
import { dueFeeds, Scheduler } from './ingest/scheduler.js';
import { pollFeeds, type FeedOutcome, type PipelineDeps } from './pipeline.js';
import { systemClock, type Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { FeedState, Store } from './store/store.js';

export interface LoadResult {
  effective: EffectiveConfig | null;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** Reads the YAML file and applies the environment: what `check-config` reports and the worker runs with. */
export async function loadEffectiveConfig(file: string, env: Environment): Promise<LoadResult> {
  const loaded = await loadConfigFile(file);
  if (!loaded.config) return { effective: null, errors: loaded.errors, warnings: loaded.warnings };
  const applied = applyEnvironment(loaded.config, env);
  return { effective: applied.effective, errors: applied.errors, warnings: loaded.warnings };
}

export interface AppOptions {
  log: Logger;
  /** Where the console destination writes. */
  stdout: Writable;
  clock?: Clock;
}

export interface CycleSummary {
  feeds: FeedOutcome[];
  delivery: DrainSummary;
}

/** The destination that receives admin notices instead of alerts. */
export const ADMIN = 'admin';

/** How long `once` waits for retries that are due soon (429 retry_after, short backoff). */
const ONCE_RETRY_BUDGET_MS = 30_000;

export class App {
  readonly effective: EffectiveConfig;
  readonly #store: Store;
  readonly #senders: Map<string, Sender>;
  readonly #deps: PipelineDeps;
  readonly #log: Logger;
  readonly #clock: Clock;
  #scheduler: Scheduler | null = null;

  constructor(effective: EffectiveConfig, options: AppOptions) {
    const { settings } = effective.config;
    this.effective = effective;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#store = new SqliteStore(effective.dbPath);
    this.#senders = new Map<string, Sender>(
      effective.destinations.map((target): [string, Sender] => [
        target.name,
        target.type === 'webhook'
          ? new DiscordWebhookSender({
              name: target.name,
              webhookUrl: target.webhookUrl,
              apiBase: effective.discordApiBase,
              timeoutMs: settings.requestTimeout,
            })
          : new ConsoleSender({ name: target.name, out: options.stdout }),
      ]),
    );
    const knowledge = loadKnowledge();
    this.#deps = {
      store: this.#store,
      fetcher: new HttpFeedFetcher({
        userAgent: settings.userAgent,
        timeoutMs: settings.requestTimeout,
        maxBytes: settings.maxFeedBytes,
      }),
      clock: this.#clock,
      log: this.#log,
      analyze: (article) => analyzeArticle(article, knowledge).attribution,
      destinations: effective.destinations.filter((target) => target.name !== ADMIN).map((target) => target.name),
      noticeDestinations: effective.destinations.filter((target) => target.name === ADMIN).map((target) => target.name),
    };
  }

  /** Polls the given feeds (all by default), then delivers what is due. */
  async cycle(feeds = this.effective.config.feeds): Promise<CycleSummary> {
    const outcomes = await pollFeeds(feeds, this.#deps, this.effective.config.settings);
    const delivery = await this.deliver();
    const total = (key: 'items' | 'newItems' | 'seeded' | 'quarantined' | 'alerts'): number =>
      outcomes.reduce((sum, outcome) => sum + outcome[key], 0);
    this.#log.info(
      {
        feeds: outcomes.length,
        failed: outcomes.filter((outcome) => outcome.status === 'failed').length,
        notModified: outcomes.filter((outcome) => outcome.status === 'not-modified').length,
        items: total('items'),
        newItems: total('newItems'),
        seeded: total('seeded'),
        quarantined: total('quarantined'),
        notices: outcomes.reduce((sum, outcome) => sum + outcome.notices.length, 0),
        alerts: total('alerts'),
        ...delivery,
      },
      'Cycle finished',
    );
    return { feeds: outcomes, delivery };
  }

  async deliver(): Promise<DrainSummary> {
    return drainOutbox({ store: this.#store, senders: this.#senders, clock: this.#clock, log: this.#log });
  }

  /** `attribot once`: one poll of every feed, then delivery, waiting briefly for retries that are due soon. */
  async once(): Promise<CycleSummary> {
    const summary = await this.cycle();
    const deadline = this.#clock.now().getTime() + ONCE_RETRY_BUDGET_MS;
    for (;;) {
      const next = await this.#store.nextOutboxAttempt();
      if (next === null) break;
      const waitMs = Date.parse(next) - this.#clock.now().getTime();
      if (this.#clock.now().getTime() + Math.max(0, waitMs) > deadline) {
        this.#log.warn({ nextAttemptAt: next }, 'Undelivered alerts stay in the outbox for the next run');
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

  /** `attribot run`: every feed at once, then on schedule until stop(). */
  start(): void {
    let first = true;
    this.#scheduler = new Scheduler(
      this.effective.config.settings.schedule,
      async () => {
        const feeds = first ? this.effective.config.feeds : await this.#dueFeeds();
        first = false;
        await this.cycle(feeds);
      },
      this.#log,
    );
    this.#scheduler.start();
  }

  async #dueFeeds(): Promise<EffectiveConfig['config']['feeds']> {
    const { feeds, settings } = this.effective.config;
    const states = new Map<string, FeedState | null>();
    for (const feed of feeds) states.set(feed.url, await this.#store.getFeedState(feed.url));
    return dueFeeds(feeds, states, this.#clock.now(), settings.interval);
  }

  async stop(): Promise<void> {
    await this.#scheduler?.stop();
    this.#scheduler = null;
    await this.#store.close();
  }
}
