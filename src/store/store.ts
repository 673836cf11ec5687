import type { Story } from '../alerts/cluster.js';
import type { FeedState, ItemDisposition, SeenItem } from '../ingest/feed-state.js';
import type { OutboxInsert, OutboxKind } from '../shared/message.js';

export type { FeedState, ItemDisposition, SeenItem } from '../ingest/feed-state.js';

/** held: over a destination's flood cap or routed to the digest; digested: folded into a digest message. */
export type OutboxStatus = 'pending' | 'sent' | 'rejected' | 'held' | 'digested';
export type { OutboxInsert, OutboxKind } from '../shared/message.js';

export interface OutboxRow extends OutboxInsert {
  id: number;
  kind: OutboxKind;
  /** The feed item behind an alert; null for admin notices. */
  itemKey: string | null;
  storyId: number | null;
  status: OutboxStatus;
  attempts: number;
  /** ISO time before which the row is not retried. */
  nextAttemptAt: string;
  lastError: string | null;
  discordMessageId: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxFilter {
  now?: string;
  destinations?: readonly string[];
}

/** One feed item that has been dealt with: marked seen together with the alerts it produced. */
export interface ItemRecord {
  key: string;
  feedUrl: string;
  title: string | null;
  link: string | null;
  published: string | null;
  /**
   * 'processed' was analysed; 'seeded' was recorded without analysis (backlog on first sight);
   * 'quarantined' was recorded without analysis because the feed's ids churned.
   */
  disposition: ItemDisposition;
  alerts: OutboxInsert[];
  /** Hash of the item's title and text, to notice an edited item. */
  contentHash?: string;
  /** What the analysis concluded (attribution, actors, countries), to notice an edit that changes it. */
  fingerprint?: string;
  /** An already recorded item whose content changed: update it and queue its alerts. */
  revision?: boolean;
  /**
   * The article as it was analysed (its title, and its text as capped for analysis), kept beside
   * the item in the same transaction for `attribot replay` until `retention.articles`. Only items
   * that were analysed carry one; a revision's replaces the stored one (its first analysis time stays).
   */
  article?: AnalysedArticle;
  /**
   * The story this item created or joined, as it stands after this item. `key` identifies it within
   * one batch (`id:<n>` for stored stories, anything unique for new ones).
   */
  story?: { key: string; data: Story };
}

/** What was analysed of an item: the title the analysis saw and the text, at most the pipeline's cap. */
export interface AnalysedArticle {
  title: string | null;
  text: string;
}

/** An analysed article as the store keeps it (see `ItemRecord.article`). */
export interface StoredArticle extends AnalysedArticle {
  /** The item's key. */
  key: string;
  feedUrl: string;
  link: string | null;
  published: string | null;
  /** When the item was first analysed (the batch's time). */
  analysedAt: string;
}

/**
 * Clusters a batch into stories inside `recordItems`'s transaction, under the store's story lock,
 * so that workers sharing a database never open two stories for one incident or lose a report
 * (last writer wins). Pure and synchronous: it reads the stories and fills each record's `alerts`
 * and `story`.
 */
export interface StoryPlan {
  /** Stories created at or after this time are candidates. */
  since: string;
  /** `records` are the batch's items that will be recorded (those no other worker recorded first). */
  assign(stories: Story[], records: ItemRecord[]): void;
}

/**
 * A worker's hold on a shared resource (a feed, a destination), until `until` unless renewed.
 * Taken when free, expired, or already the worker's own.
 */
export interface LeaseRequest {
  worker: string;
  now: string;
  until: string;
}

/**
 * The ledger, shared by every worker that points at the same database. `recordItems` is atomic:
 * every item of the batch is marked seen and its outbox rows are written in one transaction, or
 * nothing is; an item another worker recorded first is skipped (its alerts were queued by that
 * worker). An edit of a story replaces that story's edit still waiting for the same destination
 * (edits are coalesced: each carries the whole story).
 *
 * Delivery is claimed, not read: a worker leases a destination (one sender per destination at a
 * time, so order per destination holds across workers), claims that destination's due rows, and
 * each row's transition (sent, retry, rejected, held) applies only while the row's claim is still
 * that worker's; a transition that returns false was taken over by another worker.
 */
export interface Store {
  getFeedState(feedUrl: string): Promise<FeedState | null>;
  putFeedState(state: FeedState): Promise<void>;
  /** The subset of `keys` never recorded. */
  unseenKeys(keys: readonly string[]): Promise<Set<string>>;
  /** What was recorded for those of `keys` that were seen. */
  seenItems(keys: readonly string[]): Promise<Map<string, SeenItem>>;
  recordItems(items: readonly ItemRecord[], at: string, plan?: StoryPlan): Promise<void>;
  /**
   * Notes that a feed document still lists these (recorded) items, so retention forgets only items
   * that no feed has listed for a while: a feed that keeps old items forever never makes them new.
   */
  markListed(keys: readonly string[], at: string): Promise<void>;
  /** Stories created at or after `since`, oldest first. */
  recentStories(since: string): Promise<Story[]>;
  /**
   * The articles analysed at or after `since`, in the order they were recorded (oldest first), read
   * a page at a time: one page of text is in memory, not the period's.
   */
  articlesSince(since: string): AsyncIterable<StoredArticle>;
  /** The `limit` most recently updated stories, newest first. */
  latestStories(limit: number): Promise<Story[]>;
  /** Discord's id of the message a story's alert became on a destination, once sent. */
  storyMessageId(storyId: number, destination: string): Promise<string | null>;
  /** Outbox rows per status (for /metrics). */
  outboxCounts(): Promise<Record<OutboxStatus, number>>;
  /** Queues admin notices (no feed item behind them). */
  enqueueNotices(notices: readonly OutboxInsert[], at: string): Promise<void>;
  /**
   * Takes or renews the leases named (`feed:<url>`, `destination:<name>`) for `request.worker`;
   * returns the names it now holds. Atomic per name: two workers never both get one.
   */
  acquireLeases(names: readonly string[], request: LeaseRequest): Promise<string[]>;
  /** Gives up the worker's leases among `names` (all of them when omitted). */
  releaseLeases(worker: string, names?: readonly string[]): Promise<void>;
  /** Every lease held, expired or not (to free the leases of a worker known to be dead). */
  listLeases(): Promise<Array<{ name: string; owner: string; until: string }>>;
  /**
   * Claims due pending rows of the destinations whose lease `request.worker` holds: oldest first
   * per destination, stopping at a destination's first row not yet due, at most `limit` rows
   * shared fairly across the destinations (interleaved round-robin), each marked claimed by the
   * worker until `request.until`.
   */
  claimOutbox(limit: number, destinations: readonly string[], request: LeaseRequest): Promise<OutboxRow[]>;
  /** Pending rows oldest first, claimed or not (inspection and tests; delivery claims). */
  pendingOutbox(limit: number, options?: OutboxFilter): Promise<OutboxRow[]>;
  /** Earliest `nextAttemptAt` among the first pending row of each destination, or null when none is pending. */
  nextOutboxAttempt(options?: Pick<OutboxFilter, 'destinations'>): Promise<string | null>;
  /** The row went out: true unless another worker's claim replaced this one's. */
  markSent(id: number, worker: string, at: string, discordMessageId: string | null): Promise<boolean>;
  markRetry(id: number, worker: string, error: string, nextAttemptAt: string): Promise<boolean>;
  markRejected(id: number, worker: string, error: string): Promise<boolean>;
  markHeld(id: number, worker: string): Promise<boolean>;
  /** Alerts and updates a destination was sent since `since` (the flood cap's count). */
  countSent(destination: string, since: string): Promise<number>;
  /** Held rows, oldest first; only those of `destinations` when given. */
  heldOutbox(destinations?: readonly string[]): Promise<OutboxRow[]>;
  /** Held rows back to pending, due at `at` (held edits, once the digest goes out). */
  releaseHeld(ids: readonly number[], at: string): Promise<void>;
  /**
   * Atomically marks `heldIds` digested and queues the digest message that lists them; queues
   * nothing (and returns false) when another worker folded any of them first.
   */
  foldIntoDigest(heldIds: readonly number[], digest: OutboxInsert, at: string): Promise<boolean>;
  /** Whether a story's alert on a destination went to a digest rather than a message of its own. */
  storyAlertHeld(storyId: number, destination: string): Promise<boolean>;
  /** Deletes what is older than the limits; returns how many rows of each kind went. */
  prune(before: PruneBefore): Promise<PruneCounts>;
  /**
   * The row waited on was refused by its destination (bad credentials, a deleted webhook): like
   * `markRetry`, and the row is marked suspended until `until` (what `destinationStatus` reports).
   */
  markSuspended(id: number, worker: string, error: string, until: string): Promise<boolean>;
  /**
   * The destination works again: its pending rows not yet due become due at `at` and are no longer
   * suspended. Returns how many rows changed.
   */
  liftSuspension(destination: string, at: string): Promise<number>;
  /**
   * Remembers each destination's credential fingerprint (a hash, never the credential). A
   * destination whose remembered fingerprint differs (its webhook URL or token was changed) gets its
   * suspension lifted (`liftSuspension`); returns those destinations. A first fingerprint lifts nothing.
   */
  noteCredentials(credentials: readonly DestinationCredential[], at: string): Promise<string[]>;
  /** Queue and health of each of `destinations`, in that order (a destination without rows has zeros). */
  destinationStatus(destinations: readonly string[]): Promise<DestinationStatus[]>;
  /** Items recorded and alerts sent per feed URL (within retention), for the feeds that have any. */
  feedTotals(): Promise<Map<string, FeedTotals>>;
  /**
   * Makes each of `feedUrls` due at `at` and forgets its backoff: failures back to 0, no longer
   * disabled (the last error stays for the record). Feeds never polled have nothing to clear;
   * returns the URLs changed.
   */
  retryFeeds(feedUrls: readonly string[], at: string): Promise<string[]>;
  /**
   * Stories updated at or after `since`, newest first, at most `limit`, each with what its outbox
   * rows (alerts, updates, edits) became per destination, oldest row first.
   */
  storyDeliveries(since: string, limit: number): Promise<StoryDeliveries[]>;
  /** Stories created at or after `from` and before `to`, oldest first: what a summary period covers. */
  storiesCreatedBetween(from: string, to: string): Promise<Story[]>;
  /** Whether the summary of `key` was queued (by any worker, at any time). */
  summaryQueued(key: SummaryKey): Promise<boolean>;
  /**
   * Records `key` and queues `messages` as 'summary' rows in one transaction; queues nothing and
   * returns false when `key` was recorded before (another worker, or this one before a restart).
   */
  queueSummary(key: SummaryKey, messages: readonly OutboxInsert[], at: string): Promise<boolean>;
  /** Throws unless the store can be read and written (a read-only or corrupt database), changing nothing. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

/** One period of one route's scheduled summary: sent once, whichever worker gets there first. */
export interface SummaryKey {
  route: string;
  /** ISO instant the period ends. */
  periodEnd: string;
}

export interface DestinationCredential {
  destination: string;
  /** A one-way hash of the destination's webhook URL or token and channel. */
  fingerprint: string;
}

export interface DestinationStatus {
  destination: string;
  pending: number;
  held: number;
  rejected: number;
  /** When the destination last acknowledged a message (rows are kept for the outbox retention). */
  lastSentAt: string | null;
  /** The oldest pending row, which the destination's delivery waits on. */
  head: {
    nextAttemptAt: string;
    attempts: number;
    lastError: string | null;
    /** It waits because the destination refused delivery (401, 403, 404...), not for a retry. */
    suspended: boolean;
  } | null;
  /** The head's error, else the newest rejected row's. */
  lastError: string | null;
}

export interface FeedTotals {
  processed: number;
  seeded: number;
  quarantined: number;
  /** Alerts (not updates or edits) of the feed's items that the destinations acknowledged. */
  alertsSent: number;
}

export interface StoryDelivery {
  destination: string;
  kind: OutboxKind;
  status: OutboxStatus;
  createdAt: string;
  sentAt: string | null;
}

export interface StoryDeliveries {
  story: Story;
  deliveries: StoryDelivery[];
}

/**
 * Retention cut-offs (ISO times). Items go once no feed has listed them since `items` and no
 * outbox row refers to them; stories once not updated since `stories` and no outbox row refers to
 * them; outbox rows once sent, rejected or digested before `outbox`. Pending and held rows stay.
 * Articles go once analysed before `articles`; the record that a route's summary period was queued,
 * once the period ended before `outbox` (only a route's latest period is ever caught up).
 */
export interface PruneBefore {
  items: string;
  stories: string;
  outbox: string;
  articles: string;
}

export interface PruneCounts {
  items: number;
  stories: number;
  outbox: number;
  articles: number;
  summaries: number;
}

export const feedLease = (feedUrl: string): string => `feed:${feedUrl}`;
export const destinationLease = (destination: string): string => `destination:${destination}`;

export function emptyFeedState(feedUrl: string): FeedState {
  return {
    feedUrl,
    etag: null,
    lastModified: null,
    lastPolledAt: null,
    lastSuccessAt: null,
    lastError: null,
    consecutiveFailures: 0,
    initializedAt: null,
    nextPollAt: null,
    disabledAt: null,
    disabledReason: null,
    publishTimes: [],
    lastNewItemAt: null,
    silenceReportedAt: null,
    movedTo: null,
  };
}
