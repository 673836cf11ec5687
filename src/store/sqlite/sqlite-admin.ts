/**
 * What the admin commands read and change in a SQLite ledger (feeds, destinations, recent stories),
 * and the suspension bookkeeping the outbox worker and the credential check share. SqliteStore
 * delegates here; the statements are rare, so they are prepared per call.
 */
import type Database from 'better-sqlite3';
import {
  type DestinationCountsRow,
  type DestinationHeadRow,
  type FeedTotalsRow,
  type StoryDeliveryRow,
  toDestinationStatus,
  toFeedTotals,
  toStoryDeliveries,
} from '../rows.js';
import type { DestinationCredential, DestinationStatus, FeedTotals, StoryDeliveries } from '../store.js';

const marks = (values: readonly unknown[]): string => values.map(() => '?').join(',') || 'NULL';

/** Store#liftSuspension, inside the caller's transaction when there is one. */
export function liftSuspension(db: Database.Database, destination: string, at: string): number {
  return db
    .prepare(
      `UPDATE outbox SET next_attempt_at = CASE WHEN next_attempt_at > ? THEN ? ELSE next_attempt_at END,
           suspended = 0
         WHERE destination = ? AND status = 'pending' AND (next_attempt_at > ? OR suspended = 1)`,
    )
    .run(at, at, destination, at).changes;
}

export function noteCredentials(
  db: Database.Database,
  credentials: readonly DestinationCredential[],
  at: string,
): string[] {
  const read = db.prepare('SELECT fingerprint FROM destination_credentials WHERE destination = ?').pluck();
  const write = db.prepare(
    `INSERT INTO destination_credentials (destination, fingerprint, noted_at) VALUES (?, ?, ?)
     ON CONFLICT (destination) DO UPDATE SET fingerprint = excluded.fingerprint, noted_at = excluded.noted_at`,
  );
  return db
    .transaction(() => {
      const changed: string[] = [];
      for (const { destination, fingerprint } of credentials) {
        const known = read.get(destination) as string | undefined;
        if (known === fingerprint) continue;
        write.run(destination, fingerprint, at);
        if (known === undefined) continue;
        liftSuspension(db, destination, at);
        changed.push(destination);
      }
      return changed;
    })
    .immediate();
}

export function destinationStatus(
  db: Database.Database,
  destinations: readonly string[],
): DestinationStatus[] {
  const counts = db
    .prepare(
      `SELECT destination, SUM(status = 'pending') AS pending, SUM(status = 'held') AS held,
           SUM(status = 'rejected') AS rejected, MAX(CASE WHEN status = 'sent' THEN sent_at END) AS last_sent_at
         FROM outbox WHERE destination IN (${marks(destinations)}) GROUP BY destination`,
    )
    .all(...destinations) as DestinationCountsRow[];
  const head = db.prepare(
    `SELECT next_attempt_at, attempts, last_error, suspended FROM outbox
       WHERE destination = ? AND status = 'pending' ORDER BY id LIMIT 1`,
  );
  const rejected = db
    .prepare(
      `SELECT last_error FROM outbox WHERE destination = ? AND status = 'rejected' ORDER BY id DESC LIMIT 1`,
    )
    .pluck();
  return destinations.map((destination) =>
    toDestinationStatus(
      destination,
      counts.find((row) => row.destination === destination),
      head.get(destination) as DestinationHeadRow | undefined,
      (rejected.get(destination) as string | null | undefined) ?? null,
    ),
  );
}

export function feedTotals(db: Database.Database): Map<string, FeedTotals> {
  const items = db
    .prepare(
      `SELECT feed_url, SUM(disposition = 'processed') AS processed, SUM(disposition = 'seeded') AS seeded,
           SUM(disposition = 'quarantined') AS quarantined
         FROM seen_items GROUP BY feed_url`,
    )
    .all() as FeedTotalsRow[];
  const alerts = db
    .prepare(
      `SELECT s.feed_url, COUNT(*) AS sent FROM outbox o JOIN seen_items s ON s.item_key = o.item_key
         WHERE o.kind = 'alert' AND o.status = 'sent' GROUP BY s.feed_url`,
    )
    .all() as Array<{ feed_url: string; sent: number }>;
  return toFeedTotals(items, alerts);
}

export function retryFeeds(db: Database.Database, feedUrls: readonly string[], at: string): string[] {
  const reset = db.prepare(
    `UPDATE feed_state SET next_poll_at = ?, consecutive_failures = 0, disabled_at = NULL, disabled_reason = NULL
       WHERE feed_url = ?`,
  );
  return db
    .transaction(() => [...new Set(feedUrls)].filter((url) => reset.run(at, url).changes === 1))
    .immediate();
}

export function storyDeliveries(db: Database.Database, since: string, limit: number): StoryDeliveries[] {
  const stories = db
    .prepare('SELECT id, data FROM stories WHERE updated_at >= ? ORDER BY updated_at DESC, id DESC LIMIT ?')
    .all(since, limit) as Array<{ id: number; data: string }>;
  const ids = stories.map((story) => story.id);
  const rows =
    ids.length === 0
      ? []
      : (db
          .prepare(
            `SELECT story_id, destination, kind, status, created_at, sent_at FROM outbox
               WHERE story_id IN (${marks(ids)}) AND kind IN ('alert', 'update', 'edit') ORDER BY id`,
          )
          .all(...ids) as StoryDeliveryRow[]);
  return toStoryDeliveries(stories, rows);
}
