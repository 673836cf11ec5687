/**
 * What the admin commands read and change in a PostgreSQL ledger (feeds, destinations, recent
 * stories), and the suspension bookkeeping the credential check needs, as SqliteStore does it in
 * sqlite-admin.ts.
 */
import type pg from 'pg';
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
import { inTransaction, type PgQueryable } from './pg-pool.js';

/** Store#liftSuspension, inside the caller's transaction when given a client. */
export async function liftSuspension(db: PgQueryable, destination: string, at: string): Promise<number> {
  const result = await db.query(
    `UPDATE outbox SET next_attempt_at = LEAST(next_attempt_at, $2::iso_time), suspended = false
       WHERE destination = $1 AND status = 'pending' AND (next_attempt_at > $2 OR suspended)`,
    [destination, at],
  );
  return result.rowCount ?? 0;
}

export function noteCredentials(
  pool: pg.Pool,
  credentials: readonly DestinationCredential[],
  at: string,
): Promise<string[]> {
  if (credentials.length === 0) return Promise.resolve([]);
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ destination: string; fingerprint: string }>(
      `SELECT destination, fingerprint FROM destination_credentials
         WHERE destination = ANY($1::text[]) ORDER BY destination FOR UPDATE`,
      [credentials.map((credential) => credential.destination)],
    );
    const known = new Map(rows.map((row) => [row.destination, row.fingerprint]));
    const changed: string[] = [];
    for (const { destination, fingerprint } of credentials) {
      const before = known.get(destination);
      if (before === fingerprint) continue;
      await client.query(
        `INSERT INTO destination_credentials (destination, fingerprint, noted_at) VALUES ($1, $2, $3)
         ON CONFLICT (destination) DO UPDATE SET fingerprint = excluded.fingerprint, noted_at = excluded.noted_at`,
        [destination, fingerprint, at],
      );
      known.set(destination, fingerprint);
      if (before === undefined) continue;
      await liftSuspension(client, destination, at);
      changed.push(destination);
    }
    return changed;
  });
}

export async function destinationStatus(
  pool: pg.Pool,
  destinations: readonly string[],
): Promise<DestinationStatus[]> {
  const wanted = [...destinations];
  const [counts, heads, rejected] = await Promise.all([
    pool.query<DestinationCountsRow>(
      `SELECT destination, count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'held') AS held, count(*) FILTER (WHERE status = 'rejected') AS rejected,
           max(sent_at) FILTER (WHERE status = 'sent') AS last_sent_at
         FROM outbox WHERE destination = ANY($1::text[]) GROUP BY destination`,
      [wanted],
    ),
    pool.query<DestinationHeadRow & { destination: string }>(
      `SELECT DISTINCT ON (destination) destination, next_attempt_at, attempts, last_error, suspended
         FROM outbox WHERE destination = ANY($1::text[]) AND status = 'pending' ORDER BY destination, id`,
      [wanted],
    ),
    pool.query<{ destination: string; last_error: string | null }>(
      `SELECT DISTINCT ON (destination) destination, last_error
         FROM outbox WHERE destination = ANY($1::text[]) AND status = 'rejected' ORDER BY destination, id DESC`,
      [wanted],
    ),
  ]);
  return wanted.map((destination) =>
    toDestinationStatus(
      destination,
      counts.rows.find((row) => row.destination === destination),
      heads.rows.find((row) => row.destination === destination),
      rejected.rows.find((row) => row.destination === destination)?.last_error ?? null,
    ),
  );
}

export async function feedTotals(pool: pg.Pool): Promise<Map<string, FeedTotals>> {
  const [items, alerts] = await Promise.all([
    pool.query<FeedTotalsRow>(
      `SELECT feed_url, count(*) FILTER (WHERE disposition = 'processed') AS processed,
           count(*) FILTER (WHERE disposition = 'seeded') AS seeded,
           count(*) FILTER (WHERE disposition = 'quarantined') AS quarantined
         FROM seen_items GROUP BY feed_url`,
    ),
    pool.query<{ feed_url: string; sent: number }>(
      `SELECT s.feed_url, count(*) AS sent FROM outbox o JOIN seen_items s ON s.item_key = o.item_key
         WHERE o.kind = 'alert' AND o.status = 'sent' GROUP BY s.feed_url`,
    ),
  ]);
  return toFeedTotals(items.rows, alerts.rows);
}

export async function retryFeeds(pool: pg.Pool, feedUrls: readonly string[], at: string): Promise<string[]> {
  const wanted = [...new Set(feedUrls)];
  if (wanted.length === 0) return [];
  const { rows } = await pool.query<{ feed_url: string }>(
    `UPDATE feed_state SET next_poll_at = $2, consecutive_failures = 0, disabled_at = NULL, disabled_reason = NULL
       WHERE feed_url = ANY($1::text[]) RETURNING feed_url`,
    [wanted, at],
  );
  const changed = new Set(rows.map((row) => row.feed_url));
  return wanted.filter((url) => changed.has(url));
}

export async function storyDeliveries(
  pool: pg.Pool,
  since: string,
  limit: number,
): Promise<StoryDeliveries[]> {
  const stories = await pool.query<{ id: number; data: string }>(
    'SELECT id, data FROM stories WHERE updated_at >= $1 ORDER BY updated_at DESC, id DESC LIMIT $2',
    [since, limit],
  );
  if (stories.rows.length === 0) return [];
  const { rows } = await pool.query<StoryDeliveryRow>(
    `SELECT story_id, destination, kind, status, created_at, sent_at FROM outbox
       WHERE story_id = ANY($1::bigint[]) AND kind IN ('alert', 'update', 'edit') ORDER BY id`,
    [stories.rows.map((story) => story.id)],
  );
  return toStoryDeliveries(stories.rows, rows);
}
