/**
 * One poll of one feed, from HTTP to the outbox: fetch → parse → new? → article → extract/attribute →
 * alert → (one transaction) seen + outbox; then the feed's health (next poll, backoff, notices).
 * The only module that imports every stage.
 */
import {
  addReport,
  findStory,
  fingerprintOf,
  newStory,
  type Story,
  type StoryReport,
} from './alerts/cluster.js';
import { formatNotice, type Notice } from './alerts/notice.js';
import type { RouteDecision, RouteInput } from './alerts/route.js';
import { storyMessages } from './alerts/story-messages.js';
import type { Attribution } from './attribution/attribution.js';
import type { Feed, Settings } from './config/schema.js';
import type { Article } from './extract/article.js';
import {
  type FailureInfo,
  failureVerdict,
  isGuidChurn,
  isSilent,
  looksLikeChallengePage,
  pollPolicy,
  rememberPublishTimes,
  successInterval,
  withJitter,
} from './ingest/feed-health.js';
import type { FeedFetcher, FeedItem, FetchResult } from './ingest/feed-item.js';
import type { PageFetcher } from './ingest/fetch-page.js';
import { hashContent, itemKey } from './ingest/item-key.js';
import { isBacklog, oldestFirst } from './ingest/item-order.js';
import { parseFeed } from './ingest/parse-feed.js';
import type { Clock } from './shared/clock.js';
import { AppError, errorMessage } from './shared/errors.js';
import { hostKey, runPerKey } from './shared/host-limits.js';
import type { Logger } from './shared/logger.js';
import { Mutex } from './shared/mutex.js';
import { emptyFeedState, type FeedState, type ItemRecord, type Store } from './store/store.js';

export interface PipelineDeps {
  store: Store;
  fetcher: FeedFetcher;
  clock: Clock;
  log: Logger;
  analyze: (article: Article) => Attribution;
  /** Which destinations a story goes to, and how (the routes of the running config). */
  route: (input: RouteInput) => RouteDecision[];
  /** Reads the article page when a feed item carries only a summary. */
  pageFetcher?: PageFetcher;
  /** Destinations admin notices go to (the one named `admin`, when configured). */
  noticeDestinations: readonly string[];
  random?: () => number;
  /**
   * Serialises the cluster-and-record step of concurrent polls, so two outlets' reports of one
   * incident can never both open a story.
   */
  commitLock?: Mutex;
}

export interface FeedOutcome {
  feedUrl: string;
  status: 'ok' | 'not-modified' | 'failed';
  items: number;
  newItems: number;
  seeded: number;
  quarantined: number;
  /** Known items whose content changed and were analysed again. */
  revised: number;
  /** Summary-only items whose article page was read. */
  pagesFetched: number;
  alerts: number;
  notices: Notice[];
  error?: string;
}

/** The document was fetched but is a challenge/block page rather than a feed. */
class ChallengePageError extends AppError {
  readonly kind = 'challenge';
}

export function feedName(feed: Feed): string {
  return feed.name ?? new URL(feed.url).host;
}

export function toArticle(key: string, item: FeedItem): Article {
  const article: Article = { id: key, title: item.title, text: item.text };
  if (item.link) article.url = item.link;
  if (item.published) article.published = item.published;
  return article;
}

/**
 * Whether routing should see this analysis: an attribution at or above the global confidence floor,
 * or any story naming an entity (routes with `attributionOnly: false` may want those).
 */
export function worthRouting(attribution: Attribution, settings: Pick<Settings, 'minConfidence'>): boolean {
  if (attribution.is_attribution) return attribution.confidence >= settings.minConfidence;
  return (
    attribution.actors.length +
      attribution.attributed_countries.length +
      attribution.products.length +
      attribution.cves.length >
    0
  );
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

function later(now: Date, ms: number): string {
  return new Date(now.getTime() + ms).toISOString();
}

export async function pollFeed(feed: Feed, deps: PipelineDeps, settings: Settings): Promise<FeedOutcome> {
  const { store, fetcher, clock } = deps;
  const previous = (await store.getFeedState(feed.url)) ?? emptyFeedState(feed.url);
  const policy = pollPolicy(feed, settings);
  const random = deps.random ?? Math.random;
  const startedAt = clock.now();
  const outcome: FeedOutcome = {
    feedUrl: feed.url,
    status: 'ok',
    items: 0,
    newItems: 0,
    seeded: 0,
    quarantined: 0,
    revised: 0,
    pagesFetched: 0,
    alerts: 0,
    notices: [],
  };
  const notice = (kind: Notice['kind'], text: string): void => {
    outcome.notices.push({ kind, feedUrl: feed.url, feedName: feedName(feed), text });
  };

  let fetched: FetchResult;
  let next: FeedState;
  try {
    const validators = {
      ...(previous.etag ? { etag: previous.etag } : {}),
      ...(previous.lastModified ? { lastModified: previous.lastModified } : {}),
    };
    fetched = await fetcher.fetchFeed(previous.movedTo ?? feed.url, validators);
    const success: FeedState = {
      ...previous,
      lastPolledAt: startedAt.toISOString(),
      lastSuccessAt: startedAt.toISOString(),
      lastError: null,
      consecutiveFailures: 0,
      disabledAt: null,
      disabledReason: null,
    };
    if (fetched.movedTo && fetched.movedTo !== previous.movedTo) {
      success.movedTo = fetched.movedTo;
      notice(
        'moved',
        `moved permanently to ${fetched.movedTo}; attribot polls the new address now. Update the config to match.`,
      );
    }

    if (fetched.status === 'not-modified') {
      outcome.status = 'not-modified';
      next = { ...success, ...validatorsOf(fetched, previous) };
    } else {
      next = {
        ...success,
        ...validatorsOf(fetched, previous),
        ...(await ingestDocument(fetched.body, fetched.url)),
      };
    }
    // Only now: a disabled feed that answers with a challenge page or broken XML has not recovered.
    if (previous.disabledAt)
      notice('recovered', `answers again after being disabled (${previous.disabledReason ?? 'failures'}).`);
    checkSilence();
    next.nextPollAt = later(
      startedAt,
      withJitter(successInterval(policy, next.publishTimes, fetched.cacheFreshMs), policy.jitter, random),
    );
  } catch (error) {
    next = failedState(error);
  }

  await store.putFeedState(next);
  await publishNotices(outcome, deps, startedAt);
  return outcome;

  async function ingestDocument(body: string, url: string): Promise<Partial<FeedState>> {
    let parsed: Awaited<ReturnType<typeof parseFeed>>;
    try {
      parsed = await parseFeed(body, url);
    } catch (error) {
      if (looksLikeChallengePage(body)) {
        throw new ChallengePageError('the feed URL serves a challenge/block page instead of a feed', {
          cause: error,
        });
      }
      throw error;
    }
    const keyed = oldestFirst(parsed.items).map((item) => ({ item, key: itemKey(feed.url, item) }));
    const seen = await store.seenItems(keyed.map((entry) => entry.key));
    const unseenCount = new Set(keyed.filter((entry) => !seen.has(entry.key)).map((entry) => entry.key)).size;
    const firstSight = previous.initializedAt === null;
    const churn = !firstSight && isGuidChurn(keyed.length, unseenCount, settings.churnRatio);
    const now = clock.now();
    const records: ItemRecord[] = [];
    const reports = new Map<ItemRecord, StoryReport>();
    const texts = new Map<ItemRecord, string>();
    const queued = new Set<string>();

    for (const { item, key } of keyed) {
      if (queued.has(key)) continue;
      queued.add(key);
      const base = {
        key,
        feedUrl: feed.url,
        title: item.title,
        link: item.link ?? null,
        published: item.published ?? null,
      };
      const known = seen.get(key);
      if (known) {
        // An edited item is analysed again; it alerts only when what it attributes changed.
        // (Only analysed items are compared: hashing reads the item's text, which costs.)
        // Another feed's copy of the same article (same link, other text) is not an edit.
        if (known.disposition !== 'processed' || known.contentHash === null || known.feedUrl !== feed.url)
          continue;
        const contentHash = hashContent(item);
        if (known.contentHash === contentHash) continue;
        const full = await withArticleText(item);
        const attribution = analyzeItem(full, key);
        if (attribution === null) continue;
        const fingerprint = fingerprintOf(attribution);
        const record: ItemRecord = {
          ...base,
          contentHash,
          disposition: 'processed',
          alerts: [],
          fingerprint,
          revision: true,
        };
        records.push(record);
        outcome.revised++;
        if (fingerprint !== known.fingerprint && worthRouting(attribution, settings)) {
          reports.set(record, reportFor(feed, full, attribution));
          texts.set(record, full.text);
        }
      } else if (churn) {
        records.push({ ...base, disposition: 'quarantined', alerts: [] });
      } else if (firstSight && isBacklog(item, now, settings.firstSightWindow)) {
        records.push({ ...base, disposition: 'seeded', alerts: [] });
      } else {
        const full = await withArticleText(item);
        const attribution = analyzeItem(full, key);
        if (attribution === null) continue;
        const record: ItemRecord = {
          ...base,
          contentHash: hashContent(item),
          disposition: 'processed',
          alerts: [],
          fingerprint: fingerprintOf(attribution),
        };
        records.push(record);
        if (worthRouting(attribution, settings)) {
          reports.set(record, reportFor(feed, full, attribution));
          texts.set(record, full.text);
        }
      }
    }
    await (deps.commitLock ?? LOCAL_LOCK).run(async () => {
      await clusterReports(records, reports, texts, deps, settings, now);
      await store.recordItems(records, now.toISOString());
    });

    outcome.items = parsed.items.length;
    outcome.seeded = records.filter((record) => record.disposition === 'seeded').length;
    outcome.quarantined = records.filter((record) => record.disposition === 'quarantined').length;
    outcome.newItems = records.length - outcome.seeded - outcome.quarantined - outcome.revised;
    outcome.alerts = records.filter((record) => record.alerts.some((row) => row.kind !== 'edit')).length;
    if (firstSight && outcome.seeded > 0) {
      notice(
        'seeded',
        `first poll: ${plural(outcome.seeded, 'older item')} recorded as seen without alerts; ${plural(outcome.newItems, 'recent item')} processed.`,
      );
    }
    if (churn) {
      notice(
        'churn',
        `${outcome.quarantined} of ${keyed.length} items suddenly look new (changed ids or links?); quarantined without alerts.`,
      );
    }
    const publishTimes = rememberPublishTimes(
      previous.publishTimes,
      parsed.items.flatMap((item) => (item.published ? [item.published] : [])),
    );
    return {
      publishTimes,
      initializedAt: previous.initializedAt ?? startedAt.toISOString(),
      ...(outcome.newItems > 0 ? { lastNewItemAt: now.toISOString(), silenceReportedAt: null } : {}),
    };
  }

  /**
   * A summary-only item gets the main text of its article page; any failure keeps the feed's text
   * (the item is still analysed, from what the feed gave).
   */
  async function withArticleText(item: FeedItem): Promise<FeedItem> {
    const { pageFetcher } = deps;
    if (
      !pageFetcher ||
      !settings.fetchArticlePages ||
      !item.link ||
      item.text.length >= settings.summaryChars
    )
      return item;
    try {
      const page = await pageFetcher.fetchPage(item.link);
      if (page.text.length <= item.text.length) return item;
      outcome.pagesFetched++;
      return { ...item, title: item.title ?? page.title, text: page.text };
    } catch (error) {
      deps.log.info(
        { feedUrl: feed.url, link: item.link, err: errorMessage(error) },
        'Article page not read; using the feed text',
      );
      return item;
    }
  }

  /** The item's attribution, or null when its analysis failed (left unrecorded so the next poll retries it). */
  function analyzeItem(item: FeedItem, key: string): Attribution | null {
    try {
      return deps.analyze(toArticle(key, item));
    } catch (error) {
      deps.log.error(
        { feedUrl: feed.url, itemKey: key, err: errorMessage(error) },
        'Article analysis failed',
      );
      return null;
    }
  }

  function checkSilence(): void {
    // Not on first sight: a feed's own old items say nothing about a silence we have witnessed.
    if (outcome.newItems > 0 || next.silenceReportedAt || previous.initializedAt === null) return;
    if (isSilent(next.publishTimes, next.lastNewItemAt, startedAt, settings.silenceFactor)) {
      notice('silence', 'has published nothing new for several times its usual gap between items.');
      next.silenceReportedAt = startedAt.toISOString();
    }
  }

  function failedState(error: unknown): FeedState {
    const message = errorMessage(error);
    const info = failureInfo(error);
    const failures = previous.consecutiveFailures + 1;
    const verdict = failureVerdict(policy, failures, info);
    outcome.status = 'failed';
    outcome.error = message;
    deps.log.warn(
      { feedUrl: feed.url, err: message, kind: info.kind, status: info.status, failures },
      'Feed poll failed',
    );
    if (info.kind === 'challenge' && previous.consecutiveFailures === 0) notice('challenge', message);
    const state: FeedState = {
      ...previous,
      lastPolledAt: startedAt.toISOString(),
      lastError: message,
      consecutiveFailures: failures,
      nextPollAt: later(startedAt, verdict.retryInMs),
    };
    if (verdict.disable && !previous.disabledAt) {
      notice('disabled', `disabled: ${verdict.reason} (last error: ${message}). It is probed once a day.`);
      return { ...state, disabledAt: startedAt.toISOString(), disabledReason: verdict.reason };
    }
    return state;
  }
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
    deps.log.warn({ feedUrl: notice.feedUrl, notice: notice.kind, text: notice.text }, 'Admin notice');
  }
  if (outcome.notices.length === 0 || deps.noticeDestinations.length === 0) return;
  await deps.store.enqueueNotices(
    outcome.notices.flatMap((notice) =>
      deps.noticeDestinations.map((destination) => ({ destination, message: formatNotice(notice) })),
    ),
    at.toISOString(),
  );
}

const LOCAL_LOCK = new Mutex();

function reportFor(feed: Feed, item: FeedItem, attribution: Attribution): StoryReport {
  return {
    attribution,
    title: item.title,
    sourceName: feedName(feed),
    ...(item.link ? { url: item.link } : {}),
    ...(item.published ? { published: item.published } : {}),
  };
}

/** Joins each report to a recent story or opens one, routes the story, and fills the records' outbox rows. */
async function clusterReports(
  records: readonly ItemRecord[],
  reports: ReadonlyMap<ItemRecord, StoryReport>,
  texts: ReadonlyMap<ItemRecord, string>,
  deps: PipelineDeps,
  settings: Settings,
  now: Date,
): Promise<void> {
  if (reports.size === 0) return;
  const since = new Date(now.getTime() - settings.storyWindow).toISOString();
  const entries = (await deps.store.recentStories(since)).map((story) => ({ key: `id:${story.id}`, story }));
  const cluster = { windowMs: settings.storyWindow, threshold: settings.storyThreshold };
  for (const record of records) {
    const report = reports.get(record);
    if (!report) continue;
    const match = findStory(
      entries.map((entry) => entry.story),
      report,
      now,
      cluster,
    );
    const entry = match ? entries.find((candidate) => candidate.story === match) : undefined;
    const { story, change } = entry
      ? addReport(entry.story, report, now)
      : { story: newStory(report, now), change: 'new-story' as const };
    const text = texts.get(record);
    const decisions = deps.route({
      attribution: story.attribution,
      title: report.title,
      ...(text !== undefined ? { text } : {}),
    });
    // Nobody wants it: no story is opened (a known story still takes the report, silently).
    if (decisions.length === 0 && !entry) continue;
    record.alerts = storyMessages(story, change, report, decisions);
    const routed: Story = {
      ...story,
      destinations: [
        ...new Set([...story.destinations, ...decisions.map((decision) => decision.destination)]),
      ],
    };
    if (entry) {
      entry.story = routed;
    } else {
      entries.push({ key: `new:${record.key}`, story: routed });
    }
    record.story = { key: entry?.key ?? `new:${record.key}`, data: routed };
  }
}

/**
 * Polls feeds with at most `concurrency` in flight and at most `perHostConcurrency` per host:port;
 * one feed's failure never stops the others.
 */
export function pollFeeds(
  feeds: readonly Feed[],
  deps: PipelineDeps,
  settings: Settings,
): Promise<FeedOutcome[]> {
  return runPerKey(
    feeds,
    (feed) => hostKey(feed.url),
    { concurrency: settings.concurrency, perKey: settings.perHostConcurrency },
    (feed) => pollFeed(feed, deps, settings),
  );
}
