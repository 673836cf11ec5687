/**
 * What the worker reports for /metrics, as the stages see it. The Prometheus registry behind it
 * (src/server/metrics.ts, prom-client) is built only where /metrics is served; everything else
 * gets NO_METRICS, so nothing below the server imports prom-client.
 */

/** A feed's outcome in a cycle; skipped (stopping) and elsewhere (another worker polled it) did not fetch. */
export type PollStatus = 'ok' | 'not-modified' | 'failed' | 'skipped' | 'elsewhere';

export interface CycleMetrics {
  seconds: number;
  finishedAt: Date;
  /** Feed items recorded by disposition (newItems, seeded, quarantined, revised). */
  items: Readonly<Record<string, number>>;
  /** Attribution reports that produced alerts. */
  alerts: number;
  /** One entry per admin notice, its kind. */
  notices: readonly string[];
  /** Outbox deliveries by result (sent, retried, rejected, held). */
  delivery: Readonly<Record<string, number>>;
  /** Outbox rows by status after the cycle. */
  outbox: Readonly<Record<string, number>>;
}

export interface Metrics {
  /** The feeds of the running config: the only values the per-feed label takes. */
  useFeeds(names: readonly string[]): void;
  /** One feed's turn in a cycle: its outcome and how long its poll took (fetch, parse, items, commit). */
  feedPolled(feed: string, status: PollStatus, seconds: number): void;
  /** Extraction and attribution of one article. */
  articleAnalysed(seconds: number): void;
  /** A feed item's alert or update acknowledged by its destination, `seconds` after the item was first seen. */
  itemDelivered(seconds: number): void;
  cycleFinished(cycle: CycleMetrics): void;
}

export const NO_METRICS: Metrics = {
  useFeeds: () => {},
  feedPolled: () => {},
  articleAnalysed: () => {},
  itemDelivered: () => {},
  cycleFinished: () => {},
};

/** Seconds since `started` (a performance.now() reading). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
