/** The delivery side of the outbox on PostgreSQL: claiming rows fairly, folding held rows into a digest. */
import type pg from 'pg';
import { OUTBOX_COLUMNS, type OutboxDbRow, toOutboxRow } from '../rows.js';
import { destinationLease, type LeaseRequest, type OutboxInsert, type OutboxRow } from '../store.js';
import { inTransaction, type PgQueryable } from './pg-pool.js';

/** Store#claimOutbox. */
export async function claimRows(
  pool: pg.Pool,
  limit: number,
  destinations: readonly string[],
  request: LeaseRequest,
): Promise<OutboxRow[]> {
  const wanted = [...new Set(destinations)];
  if (limit <= 0 || wanted.length === 0) return [];
  // The held destination leases are locked for the statement, so a takeover waits for this claim
  // to commit and then meets its claims. Per destination, the first `limit` pending rows are
  // ranked; a row is claimable when no row at or before it is blocked (not due, or claimed by
  // another worker whose claim runs); the claimable rows are taken round by round (each
  // destination's first, then each one's second, ...), up to `limit`.
  const { rows } = await pool.query<OutboxDbRow & { pos: number }>(
    `WITH held AS (
       SELECT d.destination FROM unnest($1::text[], $2::text[]) AS d(destination, lease)
         JOIN leases l ON l.name = d.lease
       WHERE l.owner = $3 AND l.until > $4
       ORDER BY l.name
       FOR UPDATE OF l
     ), ranked AS (
       SELECT c.id, c.destination, c.pos,
              (c.next_attempt_at > $4
               OR (c.claimed_by IS NOT NULL AND c.claimed_by <> $3 AND c.claim_until > $4)) AS blocked
       FROM held h CROSS JOIN LATERAL (
         SELECT o.id, o.destination, o.next_attempt_at, o.claimed_by, o.claim_until,
                row_number() OVER (ORDER BY o.id) AS pos
         FROM outbox o WHERE o.destination = h.destination AND o.status = 'pending'
         ORDER BY o.id LIMIT $6
       ) c
     ), chosen AS (
       SELECT r.id, r.pos FROM ranked r
       WHERE NOT EXISTS (
         SELECT 1 FROM ranked b WHERE b.destination = r.destination AND b.pos <= r.pos AND b.blocked
       )
       ORDER BY r.pos, r.id
       LIMIT $6
     )
     UPDATE outbox o SET claimed_by = $3, claimed_at = $4, claim_until = $5
     FROM chosen c WHERE o.id = c.id AND o.status = 'pending'
       AND (o.claimed_by IS NULL OR o.claimed_by = $3 OR o.claim_until <= $4)
     RETURNING ${OUTBOX_COLUMNS.replace(/\w+/g, 'o.$&')}, c.pos`,
    [wanted, wanted.map(destinationLease), request.worker, request.now, request.until, limit],
  );
  return rows.sort((a, b) => a.pos - b.pos || a.id - b.id).map(toOutboxRow);
}

/** Store#foldIntoDigest. */
export async function foldHeld(
  pool: pg.Pool,
  heldIds: readonly number[],
  digest: OutboxInsert,
  at: string,
): Promise<boolean> {
  const ids = [...new Set(heldIds)];
  const folded = new Error('folded elsewhere');
  try {
    await inTransaction(
      pool,
      async (client) => {
        // A second worker folding the same rows waits on their row locks, then finds them digested.
        const result = await client.query(
          `UPDATE outbox SET status = 'digested', settled_at = $2 WHERE id = ANY($1::bigint[]) AND status = 'held'`,
          [ids, at],
        );
        if (result.rowCount !== ids.length) throw folded;
        await client.query(
          `INSERT INTO outbox (kind, destination, message, next_attempt_at, created_at)
           VALUES ('digest', $1, $2, $3, $3)`,
          [digest.destination, JSON.stringify(digest.message), at],
        );
      },
      1,
    );
    return true;
  } catch (error) {
    if (error === folded) return false;
    throw error;
  }
}

/** Queues messages with no feed item behind them (notices, summaries), in the order given. */
export async function queueMessages(
  db: PgQueryable,
  kind: 'notice' | 'summary',
  messages: readonly OutboxInsert[],
  at: string,
): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `INSERT INTO outbox (kind, destination, message, next_attempt_at, created_at)
       SELECT $4, d, m, $3, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS n(d, m, i)
       ORDER BY i`,
    [
      messages.map((message) => message.destination),
      messages.map((message) => JSON.stringify(message.message)),
      at,
      kind,
    ],
  );
}
