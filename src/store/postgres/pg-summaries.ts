/** Store#storiesCreatedBetween, #summaryQueued and #queueSummary on PostgreSQL. */
import type pg from 'pg';
import type { Story } from '../../alerts/cluster.js';
import type { OutboxInsert, SummaryKey } from '../store.js';
import { queueMessages } from './pg-outbox.js';
import { inTransaction } from './pg-pool.js';

export async function storiesCreatedBetween(pool: pg.Pool, from: string, to: string): Promise<Story[]> {
  const { rows } = await pool.query<{ data: string }>(
    'SELECT data FROM stories WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id',
    [from, to],
  );
  return rows.map((row) => JSON.parse(row.data) as Story);
}

export async function summaryQueued(pool: pg.Pool, key: SummaryKey): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM summaries WHERE route = $1 AND period_end = $2', [
    key.route,
    key.periodEnd,
  ]);
  return rows.length > 0;
}

/**
 * The period's row is the key: a second worker's INSERT waits on the first one's uncommitted row,
 * then conflicts and queues nothing.
 */
export function queueSummary(
  pool: pg.Pool,
  key: SummaryKey,
  messages: readonly OutboxInsert[],
  at: string,
): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const recorded = await client.query(
      'INSERT INTO summaries (route, period_end, queued_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [key.route, key.periodEnd, at],
    );
    if (recorded.rowCount !== 1) return false;
    await queueMessages(client, 'summary', messages, at);
    return true;
  });
}
