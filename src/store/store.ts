import type { OutgoingMessage } from '../deliver/message.js';

/** What the store remembers about one feed between polls. */
export interface FeedState {
  feedUrl: string;
  etag: string | null;
  lastModified: string | null;
  /** ISO time of the last poll attempt, successful or not. */
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** ISO time the feed's backlog was first recorded; null until the first successful poll. */
  initializedAt: string | null;
}

export type OutboxStatus = 'pending' | 'sent' | 'rejected';

export interface OutboxInsert {
  destination: string;
  message: OutgoingMessage;
}

export interface OutboxRow extends OutboxInsert {
  id: number;
  itemKey: string;
  status: OutboxStatus;
  attempts: number;
  /** ISO time before which the row is not retried. */
  nextAttemptAt: string;
  lastError: string | null;
  discordMessageId: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** One feed item that has been dealt with: marked seen together with the alerts it produced. */
export interface ItemRecord {
  key: string;
  feedUrl: string;
  title: string | null;
  link: string | null;
  published: string | null;
  /** 'processed' was analysed; 'seeded' was recorded without analysis (backlog on first sight). */
  disposition: 'processed' | 'seeded';
  alerts: OutboxInsert[];
}

/**
 * The ledger. `recordItems` is atomic: every item of the batch is marked seen and its outbox rows
 * are written in one transaction, or nothing is.
 */
export interface Store {
  getFeedState(feedUrl: string): Promise<FeedState | null>;
  putFeedState(state: FeedState): Promise<void>;
  /** The subset of `keys` never recorded. */
  unseenKeys(keys: readonly string[]): Promise<Set<string>>;
  recordItems(items: readonly ItemRecord[], at: string): Promise<void>;
  /** Pending rows, due or not, oldest first (order per destination is the delivery order). */
  pendingOutbox(limit: number): Promise<OutboxRow[]>;
  /** Earliest `nextAttemptAt` among pending rows, or null when none is pending. */
  nextOutboxAttempt(): Promise<string | null>;
  markSent(id: number, at: string, discordMessageId: string | null): Promise<void>;
  markRetry(id: number, error: string, nextAttemptAt: string): Promise<void>;
  markRejected(id: number, error: string): Promise<void>;
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
  };
}
