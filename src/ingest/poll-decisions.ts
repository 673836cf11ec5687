/**
 * What one poll of a feed decides, without doing any of it: which of a document's items are new,
 * seeded, quarantined, revised or disputed, and the feed's next state after a success or a failure.
 * Pure: the store's answers, the clock and the error come in as arguments; the pipeline does the
 * I/O (article pages, analysis, the store) that the decisions call for.
 */
import type { Settings } from '../config/schema.js';
import {
  type FailureInfo,
  failureVerdict,
  isGuidChurn,
  isSilent,
  type PollPolicy,
  rememberPublishTimes,
} from './feed-health.js';
import type { FeedItem } from './feed-item.js';
import type { FeedState, SeenItem } from './feed-state.js';
import { documentItemKeys, feedLinkKey, hashContent, type ItemKeys } from './item-key.js';
import { isBacklog, oldestFirst } from './item-order.js';

/** Something the admins should hear about a feed. */
export interface FeedEvent {
  kind: 'seeded' | 'disabled' | 'recovered' | 'churn' | 'silence' | 'challenge' | 'moved' | 'throttled';
  text: string;
}

export interface KeyedItem {
  item: FeedItem;
  key: string;
  alternates: string[];
  /** This feed's own key for the item's link (see feedLinkKey). */
  scoped: string | null;
}

/** What an item is recorded with, whatever became of it. */
export interface ItemBase {
  key: string;
  feedUrl: string;
  title: string | null;
  link: string | null;
  published: string | null;
}

export type ItemDecision =
  /** Backlog on first sight, or ids that churned: recorded as seen, never analysed. */
  | { kind: 'seeded' | 'quarantined'; item: FeedItem; base: ItemBase }
  /** Never seen: analysed, and alerted when worth it. */
  | { kind: 'new'; item: FeedItem; base: ItemBase }
  /** This feed's own analysed item whose content changed: analysed again; alerts only if what it attributes changed. */
  | {
      kind: 'revised';
      item: FeedItem;
      base: ItemBase;
      contentHash: string;
      previousFingerprint: string | null;
    }
  /** A link another feed recorded with other content: the article page decides whether it is that article. */
  | { kind: 'disputed'; item: FeedItem; base: ItemBase; other: SeenItem };

export interface DocumentDecisions {
  /** In document order (oldest first); items that need nothing are left out. */
  items: ItemDecision[];
  /** Keys of already recorded items the document still lists (for retention). */
  listed: string[];
  churn: boolean;
  firstSight: boolean;
}

/** The document's items, oldest first, with every key each may be recorded under. */
export function keyDocument(feedUrl: string, items: readonly FeedItem[]): KeyedItem[] {
  const ordered = oldestFirst(items);
  const keys = documentItemKeys(feedUrl, ordered);
  return ordered.map((item, index) => {
    const { key, alternates } = keys[index] as ItemKeys;
    return { item, key, alternates, scoped: item.link ? feedLinkKey(feedUrl, item.link) : null };
  });
}

/**
 * The keys worth a second lookup once the primary keys are known: an unseen primary key may be an
 * item recorded under an alternate; a link another feed recorded may have this feed's own key.
 */
export function secondaryKeys(
  feedUrl: string,
  keyed: readonly KeyedItem[],
  seen: ReadonlyMap<string, SeenItem>,
): string[] {
  return keyed.flatMap((entry) => {
    const known = seen.get(entry.key);
    if (!known) return entry.alternates;
    return known.feedUrl !== feedUrl && entry.scoped ? [entry.scoped] : [];
  });
}

/**
 * What the store knows of an entry: under its key, under an alternate key with the same title
 * (an item re-keyed since), or under this feed's own key for a link another feed recorded.
 */
export function resolveKnown(
  feedUrl: string,
  entry: KeyedItem,
  seen: ReadonlyMap<string, SeenItem>,
): { key: string; seen: SeenItem } | null {
  const direct = seen.get(entry.key);
  if (direct) return { key: entry.key, seen: direct };
  for (const key of entry.alternates) {
    const other = seen.get(key);
    if (other && other.feedUrl === feedUrl && other.title === entry.item.title) return { key, seen: other };
  }
  const scoped = entry.scoped ? seen.get(entry.scoped) : undefined;
  return scoped && entry.scoped ? { key: entry.scoped, seen: scoped } : null;
}

/** Decides every item of a document from what the store knew of it when the poll began. */
export function decideItems(
  feedUrl: string,
  keyed: readonly KeyedItem[],
  seen: ReadonlyMap<string, SeenItem>,
  context: {
    previous: Pick<FeedState, 'initializedAt'>;
    now: Date;
    settings: Pick<Settings, 'firstSightWindow' | 'churnRatio'>;
  },
): DocumentDecisions {
  const { now, settings } = context;
  const firstSight = context.previous.initializedAt === null;
  const known = keyed.map((entry) => resolveKnown(feedUrl, entry, seen));
  const unseenCount = new Set(keyed.filter((_, index) => known[index] === null).map((entry) => entry.key))
    .size;
  const churn = !firstSight && isGuidChurn(keyed.length, unseenCount, settings.churnRatio);
  const backlog = (item: FeedItem): boolean => firstSight && isBacklog(item, now, settings.firstSightWindow);
  const items: ItemDecision[] = [];
  const queued = new Set<string>();

  keyed.forEach((entry, index) => {
    const { item } = entry;
    let found = known[index] ?? null;
    let key = found?.key ?? entry.key;
    let disputed: SeenItem | null = null;
    if (found && entry.scoped && found.key === entry.key && found.seen.feedUrl !== feedUrl) {
      // Another feed recorded this link first.
      const own = seen.get(entry.scoped);
      if (own) {
        found = { key: entry.scoped, seen: own };
      } else {
        // Its old articles, or the same content, are that feed's item; other content is judged by
        // the page itself (a feed cannot silence an outlet by publishing its link first).
        if (churn || backlog(item)) return;
        if (found.seen.contentHash !== null && found.seen.contentHash === hashContent(item)) return;
        disputed = found.seen;
        found = null;
      }
      key = entry.scoped;
    }
    if (queued.has(key)) return;
    queued.add(key);
    const base: ItemBase = {
      key,
      feedUrl,
      title: item.title,
      link: item.link ?? null,
      published: item.published ?? null,
    };
    if (disputed) {
      items.push({ kind: 'disputed', item, base, other: disputed });
    } else if (found) {
      // Only analysed items of this feed are compared (hashing reads the item's text, which costs).
      if (
        found.seen.disposition !== 'processed' ||
        found.seen.contentHash === null ||
        found.seen.feedUrl !== feedUrl
      )
        return;
      const contentHash = hashContent(item);
      if (found.seen.contentHash === contentHash) return;
      items.push({ kind: 'revised', item, base, contentHash, previousFingerprint: found.seen.fingerprint });
    } else if (churn) {
      items.push({ kind: 'quarantined', item, base });
    } else if (backlog(item)) {
      items.push({ kind: 'seeded', item, base });
    } else {
      items.push({ kind: 'new', item, base });
    }
  });
  const listed = [...new Set(known.flatMap((entry) => (entry ? [entry.key] : [])))];
  return { items, listed, churn, firstSight };
}

/** The state after a fetch that answered (200 or 304), before the document is read. */
export function answeredState(
  previous: FeedState,
  startedAt: Date,
  fetched: { movedTo?: string },
): { state: FeedState; events: FeedEvent[] } {
  const state: FeedState = {
    ...previous,
    lastPolledAt: startedAt.toISOString(),
    lastSuccessAt: startedAt.toISOString(),
    lastError: null,
    consecutiveFailures: 0,
    disabledAt: null,
    disabledReason: null,
  };
  const events: FeedEvent[] = [];
  if (fetched.movedTo && fetched.movedTo !== previous.movedTo) {
    state.movedTo = fetched.movedTo;
    events.push({
      kind: 'moved',
      text: `moved permanently to ${fetched.movedTo}; attribot polls the new address now. Update the config to match.`,
    });
  }
  return { state, events };
}

/** What reading a document changes in the feed's state: its rhythm, first sight, and freshness. */
export function documentState(
  previous: FeedState,
  items: readonly FeedItem[],
  startedAt: Date,
  now: Date,
  newItems: number,
): Pick<FeedState, 'publishTimes' | 'initializedAt'> & Partial<FeedState> {
  const publishTimes = rememberPublishTimes(
    previous.publishTimes,
    items.flatMap((item) => (item.published ? [item.published] : [])),
    now,
  );
  return {
    publishTimes,
    initializedAt: previous.initializedAt ?? startedAt.toISOString(),
    ...(newItems > 0 ? { lastNewItemAt: now.toISOString(), silenceReportedAt: null } : {}),
  };
}

/** A feed quiet for several times its usual gap is reported once (not on first sight, not while items arrive). */
export function silenceEvent(
  previous: FeedState,
  next: FeedState,
  newItems: number,
  startedAt: Date,
  silenceFactor: number,
): FeedEvent | null {
  if (newItems > 0 || next.silenceReportedAt || previous.initializedAt === null) return null;
  if (!isSilent(next.publishTimes, next.lastNewItemAt, startedAt, silenceFactor)) return null;
  return {
    kind: 'silence',
    text: 'has published nothing new for several times its usual gap between items.',
  };
}

/** The state after a failed poll: backoff (or disabling), and what the admins hear of it. */
export function failedState(
  previous: FeedState,
  policy: PollPolicy,
  failure: FailureInfo & { message: string },
  startedAt: Date,
): { state: FeedState; events: FeedEvent[] } {
  const failures = previous.consecutiveFailures + 1;
  const verdict = failureVerdict(policy, failures, failure);
  const events: FeedEvent[] = [];
  if (failure.kind === 'challenge' && previous.consecutiveFailures === 0)
    events.push({ kind: 'challenge', text: failure.message });
  if (verdict.cappedRetryAfterMs !== undefined && previous.consecutiveFailures === 0) {
    events.push({
      kind: 'throttled',
      text: `asked attribot to wait ${formatDelay(verdict.cappedRetryAfterMs)} (Retry-After); it waits at most maxBackoff (${formatDelay(policy.maxBackoffMs)}) between polls.`,
    });
  }
  const state: FeedState = {
    ...previous,
    lastPolledAt: startedAt.toISOString(),
    lastError: failure.message,
    consecutiveFailures: failures,
    nextPollAt: later(startedAt, verdict.retryInMs),
  };
  if (verdict.disable && !previous.disabledAt) {
    const reason = verdict.reason ?? 'failures';
    events.push({
      kind: 'disabled',
      text: `disabled: ${reason} (last error: ${failure.message}). It is probed once a day.`,
    });
    return { state: { ...state, disabledAt: startedAt.toISOString(), disabledReason: reason }, events };
  }
  return { state, events };
}

/** Latest instant a Date can hold, minus a margin: nothing we schedule may overflow it. */
const LATEST_MS = 8.64e15 - 86_400_000;

/** `now + ms` as ISO; an absurd or non-finite delay never throws (RangeError: Invalid time value). */
export function later(now: Date, ms: number): string {
  const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  return new Date(Math.min(now.getTime() + delay, LATEST_MS)).toISOString();
}

/** "11.6 d", "6 h", "90 s". */
export function formatDelay(ms: number): string {
  if (ms >= 86_400_000) return `${Math.round((ms / 86_400_000) * 10) / 10} d`;
  if (ms >= 3_600_000) return `${Math.round((ms / 3_600_000) * 10) / 10} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

export { feedName } from '../config/schema.js';
