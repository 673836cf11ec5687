import type { Story } from '../alerts/cluster.js';
import type { FeedState } from '../ingest/feed-state.js';
import type { OutboxInsert, OutboxKind } from '../shared/message.js';

export type { FeedState } from '../ingest/feed-state.js';

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

export interface SeenItem {
  /** The feed that recorded it first (the same link in another feed is the same item). */
  feedUrl: string;
  title: string | null;
  disposition: ItemRecord['disposition'];
  contentHash: string | null;
  fingerprint: string | null;
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
  disposition: 'processed' | 'seeded' | 'quarantined';
  alerts: OutboxInsert[];
  /** Hash of the item's title and text, to notice an edited item. */
  contentHash?: string;
  /** What the analysis concluded (attribution, actors, countries), to notice an edit that changes it. */
  fingerprint?: string;
  /** An already recorded item whose content changed: update it and queue its alerts. */
  revision?: boolean;
  /**
   * The story this item created or joined, as it stands after this item. `key` identifies it within
   * one batch (`id:<n>` for stored stories, anything unique for new ones).
   */
  story?: { key: string; data: Story };
}

/**
 * The ledger. `recordItems` is atomic: every item of the batch is marked seen and its outbox rows
 * are written in one transaction, or nothing is. An edit of a story replaces that story's edit
 * still waiting for the same destination (edits are coalesced: each carries the whole story).
 */
export interface Store {
  getFeedState(feedUrl: string): Promise<FeedState | null>;
  putFeedState(state: FeedState): Promise<void>;
  /** The subset of `keys` never recorded. */
  unseenKeys(keys: readonly string[]): Promise<Set<string>>;
  /** What was recorded for those of `keys` that were seen. */
  seenItems(keys: readonly string[]): Promise<Map<string, SeenItem>>;
  recordItems(items: readonly ItemRecord[], at: string): Promise<void>;
  /** Stories created at or after `since`, oldest first. */
  recentStories(since: string): Promise<Story[]>;
  /** The `limit` most recently updated stories, newest first. */
  latestStories(limit: number): Promise<Story[]>;
  /** Discord's id of the message a story's alert became on a destination, once sent. */
  storyMessageId(storyId: number, destination: string): Promise<string | null>;
  /** Outbox rows per status (for /metrics). */
  outboxCounts(): Promise<Record<OutboxStatus, number>>;
  /** Queues admin notices (no feed item behind them). */
  enqueueNotices(notices: readonly OutboxInsert[], at: string): Promise<void>;
  /**
   * Pending rows oldest first (order per destination is the delivery order). With `now`, a
   * destination's rows stop at its first row not yet due; with `destinations`, only theirs — so a
   * waiting or removed destination never fills the batch and starves the others.
   */
  pendingOutbox(limit: number, options?: OutboxFilter): Promise<OutboxRow[]>;
  /** Earliest `nextAttemptAt` among the first pending row of each destination, or null when none is pending. */
  nextOutboxAttempt(options?: Pick<OutboxFilter, 'destinations'>): Promise<string | null>;
  markSent(id: number, at: string, discordMessageId: string | null): Promise<void>;
  markRetry(id: number, error: string, nextAttemptAt: string): Promise<void>;
  markRejected(id: number, error: string): Promise<void>;
  markHeld(id: number): Promise<void>;
  /** Alerts and updates a destination was sent since `since` (the flood cap's count). */
  countSent(destination: string, since: string): Promise<number>;
  /** Held rows, oldest first. */
  heldOutbox(): Promise<OutboxRow[]>;
  /** Held rows back to pending, due at `at` (held edits, once the digest goes out). */
  releaseHeld(ids: readonly number[], at: string): Promise<void>;
  /** Atomically marks `heldIds` digested and queues the digest message that lists them. */
  foldIntoDigest(heldIds: readonly number[], digest: OutboxInsert, at: string): Promise<void>;
  /** Whether a story's alert on a destination went to a digest rather than a message of its own. */
  storyAlertHeld(storyId: number, destination: string): Promise<boolean>;
  /** Throws unless the store can be read and written (a read-only or corrupt database), changing nothing. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

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
