/**
 * One poll of one feed, from HTTP to the outbox: fetch → parse → new? → article → extract/attribute →
 * alert → (one transaction) seen + outbox; then the feed's health (next poll, backoff, notices).
 * The only module that imports every stage.
 */
import { fingerprintOf, type Story, type StoryReport } from './alerts/cluster.js';
import { formatNotice, NOTICE_LOG_LEVEL, type Notice } from './alerts/notice.js';
import { placeReport, worthRouting } from './alerts/placement.js';
import type { RouteDecision, RouteInput } from './alerts/route.js';
import type { Attribution } from './attribution/attribution.js';
import type { Feed, Settings } from './config/schema.js';
import type { Article } from './extract/article.js';
import type { PolledFeed } from './ingest/cycle-report.js';
import { type DocumentParser, InlineDocuments } from './ingest/documents.js';
import {
  type FailureInfo,
  looksLikeChallengePage,
  pollPolicy,
  successInterval,
  withJitter,
} from './ingest/feed-health.js';
import type { FeedFetcher, FeedItem, FetchResult } from './ingest/feed-item.js';
import type { PageFetcher } from './ingest/fetch-page.js';
import { hashContent } from './ingest/item-key.js';
import type { ParsedFeed } from './ingest/parse-feed.js';
import {
  answeredState,
  decideItems,
  documentState,
  type FeedEvent,
  failedState,
  feedName,
  type ItemBase,
  type ItemDecision,
  keyDocument,
  later,
  secondaryKeys,
  silenceEvent,
} from './ingest/poll-decisions.js';
import type { Clock } from './shared/clock.js';
import { AppError, errorMessage } from './shared/errors.js';
import { hostKey, runPerKey } from './shared/host-limits.js';
import type { Logger } from './shared/logger.js';
import { type Metrics, secondsSince } from './shared/metrics.js';
import {
  type AnalysedArticle,
  emptyFeedState,
  type FeedState,
  feedLease,
  type ItemRecord,
  type OutboxInsert,
  type Store,
  type StoryPlan,
} from './store/store.js';

export { worthRouting } from './alerts/placement.js';
export { feedName, later } from './ingest/poll-decisions.js';

export interface PipelineDeps {
  store: Store;
  fetcher: FeedFetcher;
  clock: Clock;
  log: Logger;
  analyze: (article: Article) => Attribution | Promise<Attribution>;
  /** Which destinations a story goes to, and how (the routes of the running config). */
  route: (input: RouteInput) => RouteDecision[];
  /** Reads the article page when a feed item carries only a summary. */
  pageFetcher?: PageFetcher;
  /** Parses feed documents (in worker threads under a time budget, in the app); inline by default. */
  documents?: Pick<DocumentParser, 'parseFeed'>;
  /** Aborted at shutdown: no new feed starts, and a document in progress stops between batches. */
  signal?: AbortSignal;
  /** Destinations admin notices go to (the one named `admin`, when configured). */
  noticeDestinations: readonly string[];
  random?: () => number;
  /**
   * This worker's name: with it, a feed is polled only under its lease (`feed:<url>`), so workers
   * sharing a database do not poll one feed twice; without it (one process), no lease is taken.
   */
  worker?: string;
  /** How long a feed lease lasts; renewed at every commit of the poll. Default 5 min. */
  leaseMs?: number;
  /** Each feed's outcome and poll time (/metrics). */
  metrics?: Pick<Metrics, 'feedPolled'>;
  /**
   * Rewrites the rows of machine destinations (TAXII, MISP) as export documents of the story as it
   * stands after the report; other rows pass unchanged. Without it every row is a Discord message.
   */
  exportRows?: (rows: OutboxInsert[], story: Story) => OutboxInsert[];
}

export interface FeedOutcome extends PolledFeed {
  notices: Notice[];
}

/** The document was fetched but is a challenge/block page rather than a feed. */
class ChallengePageError extends AppError {
  readonly kind = 'challenge';
}

export function toArticle(key: string, item: FeedItem): Article {
  const text = item.text.length > MAX_ANALYZED_CHARS ? item.text.slice(0, MAX_ANALYZED_CHARS) : item.text;
  const article: Article = { id: key, title: item.title, text };
  if (item.link) article.url = item.link;
  if (item.published) article.published = item.published;
  return article;
}

function failureInfo(error: unknown): FailureInfo {
  if (typeof error !== 'object' || error === null) return { kind: 'unknown' };
  const { kind, status, retryAfterMs } = error as {
    kind?: unknown;
    status?: unknown;
    retryAfterMs?: unknown;
  };
  return {
    kind: typeof kind === 'string' ? kind : 'unknown',
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
  };
}

/** Items recorded per transaction: progress survives a kill, and each commit stays short. */
export const COMMIT_BATCH = 25;
/** Article text analysed at most; past it the rest is dropped (a page of megabytes is not an article). */
export const MAX_ANALYZED_CHARS = 100_000;

/** The worker is stopping: the document in progress is left for the next poll. */
class PollAborted extends AppError {}

/**
 * One poll of one feed: fetch, decide (poll-decisions), then do what the decisions call for.
 * `cycleStart`: when the caller decided to poll this feed; a poll another worker finished since
 * then makes this one redundant ('elsewhere').
 */
export async function pollFeed(
  feed: Feed,
  deps: PipelineDeps,
  settings: Settings,
  cycleStart?: string,
): Promise<FeedOutcome> {
  const { store, fetcher, clock } = deps;
  const stored = await store.getFeedState(feed.url);
  if (cycleStart !== undefined && stored?.lastPolledAt && stored.lastPolledAt >= cycleStart)
    return emptyOutcome(feed.url, 'elsewhere');
  const previous = stored ?? emptyFeedState(feed.url);
  const policy = pollPolicy(feed, settings);
  const startedAt = clock.now();
  const outcome = emptyOutcome(feed.url, 'ok');
  const report = (events: readonly FeedEvent[]): void => {
    for (const event of events)
      outcome.notices.push({ ...event, feedUrl: feed.url, feedName: feedName(feed) });
  };
  const items = new ItemWork(feed, deps, settings, outcome);

  let next: FeedState;
  try {
    const fetched = await fetcher.fetchFeed(previous.movedTo ?? feed.url, {
      ...(previous.etag ? { etag: previous.etag } : {}),
      ...(previous.lastModified ? { lastModified: previous.lastModified } : {}),
    });
    const answered = answeredState(previous, startedAt, fetched);
    report(answered.events);
    next = { ...answered.state, ...validatorsOf(fetched, previous) };
    if (fetched.status === 'not-modified') outcome.status = 'not-modified';
    else next = { ...next, ...(await ingestDocument(fetched.body, fetched.url)) };
    // Only now: a disabled feed that answers with a challenge page or broken XML has not recovered.
    if (previous.disabledAt)
      report([
        {
          kind: 'recovered',
          text: `answers again after being disabled (${previous.disabledReason ?? 'failures'}).`,
        },
      ]);
    const silence = silenceEvent(previous, next, outcome.newItems, startedAt, settings.silenceFactor);
    if (silence) {
      report([silence]);
      next.silenceReportedAt = startedAt.toISOString();
    }
    const interval = successInterval(policy, next.publishTimes, fetched.cacheFreshMs);
    next.nextPollAt = later(startedAt, withJitter(interval, policy.jitter, deps.random ?? Math.random));
  } catch (error) {
    // Stopping mid-document: what was committed stays, and the feed state is left as it was so
    // the next poll fetches the document again (like a restart after a kill).
    if (error instanceof PollAborted) return { ...outcome, status: 'skipped' };
    const message = errorMessage(error);
    const info = failureInfo(error);
    const failed = failedState(previous, policy, { ...info, message }, startedAt);
    outcome.status = 'failed';
    outcome.error = message;
    outcome.errorKind = info.kind;
    if (info.status !== undefined) outcome.errorStatus = info.status;
    deps.log.warn(
      {
        feedUrl: feed.url,
        err: message,
        kind: info.kind,
        status: info.status,
        failures: failed.state.consecutiveFailures,
      },
      'Feed poll failed',
    );
    report(failed.events);
    next = failed.state;
  }

  await store.putFeedState(next);
  await publishNotices(outcome, deps, startedAt);
  return outcome;

  async function ingestDocument(body: string, url: string): Promise<Partial<FeedState>> {
    let parsed: ParsedFeed;
    try {
      parsed = await (deps.documents ?? INLINE_DOCUMENTS).parseFeed(body, url);
    } catch (error) {
      if (looksLikeChallengePage(body)) {
        throw new ChallengePageError('the feed URL serves a challenge/block page instead of a feed', {
          cause: error,
        });
      }
      throw error;
    }
    const keyed = keyDocument(feed.url, parsed.items);
    // Primary keys first; the other keys only where they can matter.
    const seen = await store.seenItems(keyed.map((entry) => entry.key));
    const secondary = secondaryKeys(feed.url, keyed, seen);
    if (secondary.length > 0) for (const [key, item] of await store.seenItems(secondary)) seen.set(key, item);
    const now = clock.now();
    const decided = decideItems(feed.url, keyed, seen, { previous, now, settings });
    if (decided.listed.length > 0) await store.markListed(decided.listed, now.toISOString());
    await items.run(decided.items, now);

    outcome.items = parsed.items.length;
    if (decided.firstSight && outcome.seeded > 0) {
      report([
        {
          kind: 'seeded',
          text: `first poll: ${plural(outcome.seeded, 'older item')} recorded as seen without alerts; ${plural(outcome.newItems, 'recent item')} processed.`,
        },
      ]);
    }
    if (decided.churn) {
      report([
        {
          kind: 'churn',
          text: `${outcome.quarantined} of ${keyed.length} items suddenly look new (changed ids or links?); quarantined without alerts.`,
        },
      ]);
    }
    return documentState(previous, parsed.items, startedAt, now, outcome.newItems);
  }
}

/**
 * Carries out a document's item decisions: reads article pages, analyses, and commits the records
 * in batches (each batch clustered into stories by the store, under its lock).
 */
class ItemWork {
  readonly #feed: Feed;
  readonly #deps: PipelineDeps;
  readonly #settings: Settings;
  readonly #outcome: FeedOutcome;
  #pagesLeft: number;

  constructor(feed: Feed, deps: PipelineDeps, settings: Settings, outcome: FeedOutcome) {
    this.#feed = feed;
    this.#deps = deps;
    this.#settings = settings;
    this.#outcome = outcome;
    this.#pagesLeft = settings.maxPagesPerPoll;
  }

  async run(decisions: readonly ItemDecision[], now: Date): Promise<void> {
    const batch: PendingBatch = { records: [], reports: new Map(), texts: new Map() };
    for (const decision of decisions) {
      if (this.#deps.signal?.aborted) {
        await this.#commit(batch, now);
        throw new PollAborted('stopping');
      }
      try {
        await this.#carryOut(decision, batch);
      } catch (error) {
        // One item's failure (a hostile body, an analysis bug) is that item's alone; it is left
        // unrecorded, so the next poll tries it again.
        this.#deps.log.error(
          { feedUrl: this.#feed.url, itemKey: decision.base.key, err: errorMessage(error) },
          'Feed item failed',
        );
      }
      if (batch.records.length >= COMMIT_BATCH) await this.#commit(batch, now);
    }
    await this.#commit(batch, now);
  }

  async #carryOut(decision: ItemDecision, batch: PendingBatch): Promise<void> {
    const { item, base } = decision;
    const outcome = this.#outcome;
    switch (decision.kind) {
      case 'seeded':
      case 'quarantined':
        batch.records.push({ ...base, disposition: decision.kind, alerts: [] });
        outcome[decision.kind]++;
        return;
      case 'new':
        await this.#processNew(item, base, batch);
        return;
      case 'revised': {
        // An edited item is analysed again; it alerts only when what it attributes changed.
        const full = await this.#withArticleText(item);
        const { attribution, article } = await this.#analyze(full, base.key);
        const fingerprint = fingerprintOf(attribution);
        const record: ItemRecord = {
          ...base,
          contentHash: decision.contentHash,
          disposition: 'processed',
          alerts: [],
          fingerprint,
          revision: true,
          article,
        };
        batch.records.push(record);
        outcome.revised++;
        if (fingerprint !== decision.previousFingerprint && worthRouting(attribution, this.#settings)) {
          batch.reports.set(record, reportFor(this.#feed, full, attribution));
          batch.texts.set(record, full.text);
        }
        return;
      }
      case 'disputed': {
        // When this feed's copy, read from the page, says what the other feed's did, it is that
        // article again (recorded, no alert); otherwise it is this feed's own item.
        const full = await this.#withArticleText(item, true);
        const analysed = await this.#analyze(full, base.key);
        const fingerprint = fingerprintOf(analysed.attribution);
        if (decision.other.disposition === 'processed' && decision.other.fingerprint === fingerprint) {
          batch.records.push({
            ...base,
            contentHash: hashContent(item),
            disposition: 'processed',
            alerts: [],
            fingerprint,
          });
          return;
        }
        await this.#processNew(item, base, batch, { full, ...analysed });
        return;
      }
    }
  }

  async #processNew(
    item: FeedItem,
    base: ItemBase,
    batch: PendingBatch,
    analysed?: { full: FeedItem } & Analysed,
  ): Promise<void> {
    const full = analysed?.full ?? (await this.#withArticleText(item));
    const { attribution, article } = analysed ?? (await this.#analyze(full, base.key));
    const record: ItemRecord = {
      ...base,
      contentHash: hashContent(item),
      disposition: 'processed',
      alerts: [],
      fingerprint: fingerprintOf(attribution),
      article,
    };
    batch.records.push(record);
    this.#outcome.newItems++;
    if (worthRouting(attribution, this.#settings)) {
      batch.reports.set(record, reportFor(this.#feed, full, attribution));
      batch.texts.set(record, full.text);
    }
  }

  /** Clusters, routes and records a batch in one transaction, under the store's story lock. */
  async #commit(batch: PendingBatch, now: Date): Promise<void> {
    if (batch.records.length === 0) return;
    const records = batch.records.splice(0);
    const reports = new Map(batch.reports);
    const texts = new Map(batch.texts);
    batch.reports.clear();
    batch.texts.clear();
    await renewLease(this.#feed, this.#deps);
    const plan = reports.size > 0 ? storyPlan(reports, texts, this.#deps, this.#settings, now) : undefined;
    await this.#deps.store.recordItems(records, now.toISOString(), plan);
    this.#outcome.alerts += records.filter((record) =>
      record.alerts.some((row) => row.kind !== 'edit'),
    ).length;
  }

  /**
   * A summary-only item gets the main text of its article page (at most maxPagesPerPoll pages per
   * poll); any failure keeps the feed's text (the item is still analysed, from what the feed gave).
   * `always` reads the page whatever the feed text's length (a disputed link).
   */
  async #withArticleText(item: FeedItem, always = false): Promise<FeedItem> {
    const { pageFetcher } = this.#deps;
    const settings = this.#settings;
    if (!pageFetcher || !settings.fetchArticlePages || !item.link) return item;
    if (!always && item.text.length >= settings.summaryChars) return item;
    if (this.#pagesLeft <= 0) {
      this.#outcome.pagesSkipped++;
      return item;
    }
    this.#pagesLeft--;
    try {
      const page = await pageFetcher.fetchPage(item.link);
      if (page.text.length <= item.text.length) return item;
      this.#outcome.pagesFetched++;
      return { ...item, title: item.title ?? page.title, text: page.text };
    } catch (error) {
      this.#deps.log.info(
        { feedUrl: this.#feed.url, link: item.link, err: errorMessage(error) },
        'Article page not read; using the feed text',
      );
      return item;
    }
  }

  /**
   * The item's attribution, and what it was read from (kept for replay); a failure propagates to the
   * item's handler (the item stays unrecorded, retried next poll).
   */
  async #analyze(item: FeedItem, key: string): Promise<Analysed> {
    const article = toArticle(key, item);
    try {
      const attribution = await this.#deps.analyze(article);
      return { attribution, article: { title: article.title, text: article.text } };
    } catch (error) {
      throw new AppError(`Article analysis failed: ${errorMessage(error)}`, { cause: error });
    }
  }
}

interface Analysed {
  attribution: Attribution;
  article: AnalysedArticle;
}

interface PendingBatch {
  records: ItemRecord[];
  reports: Map<ItemRecord, StoryReport>;
  texts: Map<ItemRecord, string>;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function validatorsOf(fetched: FetchResult, previous: FeedState): Pick<FeedState, 'etag' | 'lastModified'> {
  const validators = 'validators' in fetched ? fetched.validators : undefined;
  if (!validators) return { etag: previous.etag, lastModified: previous.lastModified };
  return { etag: validators.etag ?? null, lastModified: validators.lastModified ?? null };
}

async function publishNotices(outcome: FeedOutcome, deps: PipelineDeps, at: Date): Promise<void> {
  for (const notice of outcome.notices) {
    deps.log[NOTICE_LOG_LEVEL[notice.kind]](
      { feedUrl: notice.feedUrl, notice: notice.kind, text: notice.text },
      'Admin notice',
    );
  }
  if (outcome.notices.length === 0 || deps.noticeDestinations.length === 0) return;
  await deps.store.enqueueNotices(
    outcome.notices.flatMap((notice) =>
      deps.noticeDestinations.map((destination) => ({ destination, message: formatNotice(notice) })),
    ),
    at.toISOString(),
  );
}

const INLINE_DOCUMENTS = new InlineDocuments();

function reportFor(feed: Feed, item: FeedItem, attribution: Attribution): StoryReport {
  return {
    attribution,
    title: item.title,
    sourceName: feedName(feed),
    feedUrl: feed.url,
    ...(item.link ? { url: item.link } : {}),
    ...(item.published ? { published: item.published } : {}),
  };
}

/**
 * Joins each report to a recent story or opens one, routes the story, and fills the records' outbox
 * rows. Run by the store inside its transaction, with the stories as they stand under its lock.
 */
function storyPlan(
  reports: ReadonlyMap<ItemRecord, StoryReport>,
  texts: ReadonlyMap<ItemRecord, string>,
  deps: PipelineDeps,
  settings: Settings,
  now: Date,
): StoryPlan {
  return {
    since: new Date(now.getTime() - settings.storyWindow).toISOString(),
    assign(stories, records) {
      const entries = stories.map((story) => ({ key: `id:${story.id}`, story }));
      const rules = {
        cluster: { windowMs: settings.storyWindow, threshold: settings.storyThreshold },
        route: deps.route,
      };
      for (const record of records) {
        const report = reports.get(record);
        if (!report) continue;
        const placed = placeReport(entries, report, texts.get(record), now, `new:${record.key}`, rules);
        if (!placed) continue;
        record.alerts = deps.exportRows ? deps.exportRows(placed.alerts, placed.entry.story) : placed.alerts;
        record.story = { key: placed.entry.key, data: placed.entry.story };
      }
    },
  };
}

/** Default life of a feed lease; renewed at every commit, so only a stuck or dead poll outlives it. */
export const FEED_LEASE_MS = 5 * 60_000;

function leaseRequest(deps: PipelineDeps & { worker: string }) {
  const now = deps.clock.now();
  return {
    worker: deps.worker,
    now: now.toISOString(),
    until: new Date(now.getTime() + (deps.leaseMs ?? FEED_LEASE_MS)).toISOString(),
  };
}

async function renewLease(feed: Feed, deps: PipelineDeps): Promise<void> {
  const { worker } = deps;
  if (worker === undefined) return;
  // Lost (expired and taken): the other worker's poll and this one record each item once anyway.
  await deps.store.acquireLeases([feedLease(feed.url)], leaseRequest({ ...deps, worker }));
}

/**
 * Polls feeds with at most `concurrency` in flight and at most `perHostConcurrency` per host:port;
 * one feed's failure never stops the others (anything a poll throws is that feed's failed outcome),
 * and once `deps.signal` aborts no further feed starts.
 */
export async function pollFeeds(
  feeds: readonly Feed[],
  deps: PipelineDeps,
  settings: Settings,
): Promise<FeedOutcome[]> {
  const cycleStart = deps.clock.now().toISOString();
  const { worker } = deps;
  const leases = worker === undefined ? null : new FeedLeases(feeds, deps, worker);
  const pollOne = async (feed: Feed): Promise<FeedOutcome> => {
    if (deps.signal?.aborted) return emptyOutcome(feed.url, 'skipped');
    try {
      if (leases && !(await leases.held(feed))) return emptyOutcome(feed.url, 'elsewhere');
      return await pollFeed(feed, deps, settings, leases ? cycleStart : undefined);
    } catch (error) {
      // The store failed under this feed (or a bug): its state could not be saved, so it is retried next tick.
      deps.log.error({ feedUrl: feed.url, err: errorMessage(error) }, 'Feed poll crashed');
      return { ...emptyOutcome(feed.url, 'failed'), error: errorMessage(error), errorKind: 'store' };
    }
  };
  try {
    return await runPerKey(
      feeds,
      (feed) => hostKey(feed.url),
      { concurrency: settings.concurrency, perKey: settings.perHostConcurrency },
      async (feed) => {
        const started = performance.now();
        const outcome = await pollOne(feed);
        deps.metrics?.feedPolled(feedName(feed), outcome.status, secondsSince(started));
        return outcome;
      },
    );
  } finally {
    await leases?.releaseAll().catch((error: unknown) => {
      deps.log.warn({ err: errorMessage(error) }, 'Feed leases not released; they expire by themselves');
    });
  }
}

/** Feed leases taken this many feeds ahead in one transaction: a write per feed would cost more than a 304 poll. */
const LEASE_BATCH = 32;

/**
 * The feed leases of one cycle: taken in batches a little ahead of the polls (in the order the
 * feeds are listed), given back together at the end of the cycle.
 */
class FeedLeases {
  readonly #feeds: readonly Feed[];
  readonly #deps: PipelineDeps & { worker: string };
  readonly #requested = new Map<string, Promise<boolean>>();
  #next = 0;

  constructor(feeds: readonly Feed[], deps: PipelineDeps, worker: string) {
    this.#feeds = feeds;
    this.#deps = { ...deps, worker };
  }

  held(feed: Feed): Promise<boolean> {
    const known = this.#requested.get(feed.url);
    if (known) return known;
    const batch = [feed.url];
    while (batch.length < LEASE_BATCH && this.#next < this.#feeds.length) {
      const url = (this.#feeds[this.#next++] as Feed).url;
      if (!this.#requested.has(url) && url !== feed.url) batch.push(url);
    }
    const taken = this.#deps.store
      .acquireLeases(batch.map(feedLease), leaseRequest(this.#deps))
      .then((names) => new Set(names));
    for (const url of batch)
      this.#requested.set(
        url,
        taken.then((names) => names.has(feedLease(url))),
      );
    return this.#requested.get(feed.url) as Promise<boolean>;
  }

  async releaseAll(): Promise<void> {
    if (this.#requested.size === 0) return;
    await Promise.allSettled(this.#requested.values());
    await this.#deps.store.releaseLeases(this.#deps.worker, [...this.#requested.keys()].map(feedLease));
  }
}

/** A feed's outcome before (or without) its poll. */
export function emptyOutcome(feedUrl: string, status: FeedOutcome['status']): FeedOutcome {
  return {
    feedUrl,
    status,
    items: 0,
    newItems: 0,
    seeded: 0,
    quarantined: 0,
    revised: 0,
    pagesFetched: 0,
    pagesSkipped: 0,
    alerts: 0,
    notices: [],
  };
}
