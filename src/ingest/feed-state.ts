/** What the store keeps about each feed between polls; the poll policy reads and updates it. */
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
  /** When the feed is due again (interval, backoff or Retry-After); null means now. */
  nextPollAt: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  /** Newest publication times seen, oldest first: the feed's rhythm. */
  publishTimes: string[];
  lastNewItemAt: string | null;
  /** Set while a silence notice stands, so admins hear it once. */
  silenceReportedAt: string | null;
  /** The URL the feed moved to permanently (301/308); polled instead of the configured one. */
  movedTo: string | null;
}

/**
 * 'processed' was analysed; 'seeded' was recorded without analysis (backlog on first sight);
 * 'quarantined' was recorded without analysis because the feed's ids churned.
 */
export type ItemDisposition = 'processed' | 'seeded' | 'quarantined';

/** What the store recorded of an item, as a poll needs it to judge the item again. */
export interface SeenItem {
  /** The feed that recorded it first (the same link in another feed is the same item). */
  feedUrl: string;
  title: string | null;
  disposition: ItemDisposition;
  contentHash: string | null;
  fingerprint: string | null;
}
