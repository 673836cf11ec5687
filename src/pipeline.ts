/**
 * One poll of one feed, from HTTP to the outbox: fetch → parse → new? → article → extract/attribute →
 * alert → (one transaction) seen + outbox. The only module that imports every stage.
 */
import type { Alert } from './alerts/alert.js';
import { formatAlert } from './alerts/format.js';
import type { Attribution } from './attribution/attribution.js';
import type { Feed } from './config/schema.js';
import type { Article } from './extract/article.js';
import type { FeedFetcher, FeedItem } from './ingest/feed-item.js';
import { itemKey } from './ingest/item-key.js';
import { parseFeed } from './ingest/parse-feed.js';
import type { Clock } from './shared/clock.js';
import { errorMessage } from './shared/errors.js';
import type { Logger } from './shared/logger.js';
import { emptyFeedState, type FeedState, type ItemRecord, type Store } from './store/store.js';

export interface PipelineDeps {
  store: Store;
  fetcher: FeedFetcher;
  clock: Clock;
  log: Logger;
  analyze: (article: Article) => Attribution;
  /** Names of the destinations every alert goes to. */
  destinations: readonly string[];
}

export interface PipelineSettings {
  firstSightWindowMs: number;
  minConfidence: number;
}

export interface FeedOutcome {
  feedUrl: string;
  status: 'ok' | 'not-modified' | 'failed';
  items: number;
  newItems: number;
  seeded: number;
  alerts: number;
  error?: string;
}

export function feedName(feed: Feed): string {
  return feed.name ?? new URL(feed.url).host;
}

/** Oldest first, so alerts are queued (and delivered) in publication order; undated items keep feed order reversed. */
export function oldestFirst(items: readonly FeedItem[]): FeedItem[] {
  const reversed = [...items].reverse();
  return reversed
    .map((item, index) => ({ item, index, time: item.published ? Date.parse(item.published) : Number.NaN }))
    .sort((a, b) => {
      if (Number.isNaN(a.time) || Number.isNaN(b.time)) return a.index - b.index;
      return a.time - b.time || a.index - b.index;
    })
    .map((entry) => entry.item);
}

/** On a feed's first sight only recent items alert; undated ones count as old. */
export function isBacklog(item: FeedItem, now: Date, windowMs: number): boolean {
  if (windowMs <= 0) return false;
  if (!item.published) return true;
  const published = Date.parse(item.published);
  return Number.isNaN(published) || now.getTime() - published > windowMs;
}

export function toArticle(key: string, item: FeedItem): Article {
  const article: Article = { id: key, title: item.title, text: item.text };
  if (item.link) article.url = item.link;
  if (item.published) article.published = item.published;
  return article;
}

export function shouldAlert(attribution: Attribution, settings: PipelineSettings): boolean {
  return attribution.is_attribution && attribution.confidence >= settings.minConfidence;
}

export async function pollFeed(feed: Feed, deps: PipelineDeps, settings: PipelineSettings): Promise<FeedOutcome> {
  const { store, fetcher, clock, log } = deps;
  const previous = (await store.getFeedState(feed.url)) ?? emptyFeedState(feed.url);
  const startedAt = clock.now().toISOString();
  const outcome: FeedOutcome = { feedUrl: feed.url, status: 'ok', items: 0, newItems: 0, seeded: 0, alerts: 0 };

  try {
    const validators = {
      ...(previous.etag ? { etag: previous.etag } : {}),
      ...(previous.lastModified ? { lastModified: previous.lastModified } : {}),
    };
    const fetched = await fetcher.fetchFeed(feed.url, validators);
    if (fetched.status === 'not-modified') {
      await store.putFeedState({
        ...previous,
        lastPolledAt: startedAt,
        lastSuccessAt: startedAt,
        lastError: null,
        consecutiveFailures: 0,
      });
      return { ...outcome, status: 'not-modified' };
    }

    const parsed = await parseFeed(fetched.body, fetched.url);
    const keyed = oldestFirst(parsed.items).map((item) => ({ item, key: itemKey(feed.url, item) }));
    const unseen = await store.unseenKeys(keyed.map((entry) => entry.key));
    const firstSight = previous.initializedAt === null;
    const now = clock.now();
    const records: ItemRecord[] = [];
    const queued = new Set<string>();

    for (const { item, key } of keyed) {
      if (!unseen.has(key) || queued.has(key)) continue;
      queued.add(key);
      const base = {
        key,
        feedUrl: feed.url,
        title: item.title,
        link: item.link ?? null,
        published: item.published ?? null,
      };
      if (firstSight && isBacklog(item, now, settings.firstSightWindowMs)) {
        records.push({ ...base, disposition: 'seeded', alerts: [] });
        continue;
      }
      let attribution: Attribution;
      try {
        attribution = deps.analyze(toArticle(key, item));
      } catch (error) {
        // Left unrecorded so the next poll retries it; the rest of the feed goes on.
        log.error({ feedUrl: feed.url, itemKey: key, err: errorMessage(error) }, 'Article analysis failed');
        continue;
      }
      const alerts = shouldAlert(attribution, settings)
        ? deps.destinations.map((destination) => ({ destination, message: formatAlert(alertFor(feed, item, attribution)) }))
        : [];
      records.push({ ...base, disposition: 'processed', alerts });
    }

    await store.recordItems(records, now.toISOString());
    await store.putFeedState({
      ...previous,
      etag: fetched.validators.etag ?? null,
      lastModified: fetched.validators.lastModified ?? null,
      lastPolledAt: startedAt,
      lastSuccessAt: startedAt,
      lastError: null,
      consecutiveFailures: 0,
      initializedAt: previous.initializedAt ?? startedAt,
    });

    outcome.items = parsed.items.length;
    outcome.seeded = records.filter((record) => record.disposition === 'seeded').length;
    outcome.newItems = records.length - outcome.seeded;
    outcome.alerts = records.reduce((sum, record) => sum + (record.alerts.length > 0 ? 1 : 0), 0);
    if (firstSight && outcome.seeded > 0) {
      log.info({ feedUrl: feed.url, seeded: outcome.seeded }, 'First sight of feed: backlog recorded without alerts');
    }
    return outcome;
  } catch (error) {
    const message = errorMessage(error);
    const failed: FeedState = {
      ...previous,
      lastPolledAt: startedAt,
      lastError: message,
      consecutiveFailures: previous.consecutiveFailures + 1,
    };
    await store.putFeedState(failed);
    log.warn({ feedUrl: feed.url, err: message, failures: failed.consecutiveFailures }, 'Feed poll failed');
    return { ...outcome, status: 'failed', error: message };
  }
}

function alertFor(feed: Feed, item: FeedItem, attribution: Attribution): Alert {
  const alert: Alert = { attribution, articleTitle: item.title, sourceName: feedName(feed) };
  if (item.link) alert.articleUrl = item.link;
  if (item.published) alert.published = item.published;
  return alert;
}

/** Polls feeds with at most `concurrency` in flight; one feed's failure never stops the others. */
export async function pollFeeds(
  feeds: readonly Feed[],
  deps: PipelineDeps,
  settings: PipelineSettings,
  concurrency: number,
): Promise<FeedOutcome[]> {
  const outcomes: FeedOutcome[] = new Array(feeds.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < feeds.length) {
      const index = next++;
      outcomes[index] = await pollFeed(feeds[index] as Feed, deps, settings);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, feeds.length) }, () => worker()));
  return outcomes;
}
