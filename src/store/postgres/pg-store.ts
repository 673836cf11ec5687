/**
 * The Store on PostgreSQL, for several workers sharing one database. Each contract call is one
 * statement or one short transaction of the store's own statements; exclusivity comes from
 * PostgreSQL itself: `INSERT ... ON CONFLICT ... DO UPDATE ... WHERE` for leases, row locks on the
 * lease rows while claiming, a transaction-scoped advisory lock around a batch's story clustering,
 * and conditional updates (`WHERE claimed_by = worker`) for outbox transitions.
 */
import type pg from 'pg';
import type { Story } from '../../alerts/cluster.js';
import { migrate } from '../migrate.js';
import {
  ARTICLE_COLUMNS,
  type ArticleRow,
  type FeedStateRow,
  OUTBOX_COLUMNS,
  type OutboxDbRow,
  packText,
  pagedArticles,
  type SeenItemRow,
  toFeedState,
  toOutboxRow,
  toSeenItem,
} from '../rows.js';
import type {
  DestinationCredential,
  DestinationStatus,
  FeedState,
  FeedTotals,
  ItemRecord,
  LeaseRequest,
  OutboxFilter,
  OutboxInsert,
  OutboxRow,
  OutboxStatus,
  PruneBefore,
  PruneCounts,
  SeenItem,
  Store,
  StoredArticle,
  StoryDeliveries,
  StoryPlan,
  SummaryKey,
} from '../store.js';
import { destinationLease } from '../store.js';
import { PG_MIGRATIONS } from './migrations.js';
import * as admin from './pg-admin.js';
import { insertItems, pruneLedger, putArticles, storiesSince, writeStoriesAndAlerts } from './pg-ledger.js';
import { claimRows, foldHeld, queueMessages } from './pg-outbox.js';
import {
  advisoryXactLock,
  connectionError,
  createPool,
  inTransaction,
  LOCKS,
  type PgPoolOptions,
  pgMigrationTarget,
} from './pg-pool.js';
import * as summaries from './pg-summaries.js';
import { pgText } from './pg-text.js';

const DESTINATION_PREFIX = destinationLease('');

async function hasSchema(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ present: boolean }>(
    `SELECT to_regclass('attribot_schema') IS NOT NULL AS present`,
  );
  return rows[0]?.present === true;
}

export class PgStore implements Store {
  readonly #pool: pg.Pool;
  #closed = false;

  /** Takes a pool whose database is already migrated; `PgStore.open` does both. */
  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Connects, migrates (serialized with other starting workers) and returns the store. With
   * `missing`, a database without attribot's schema is refused with its error instead of created.
   */
  static async open(url: string, options: PgPoolOptions = {}, missing?: () => Error): Promise<PgStore> {
    const pool = createPool(url, options);
    try {
      if (missing && !(await hasSchema(pool))) throw missing();
      await migrate(pgMigrationTarget(pool), PG_MIGRATIONS);
    } catch (error) {
      await pool.end().catch(() => {});
      throw connectionError(error, url);
    }
    return new PgStore(pool);
  }

  /** The pool, for adapters that keep their own tables in the same database (PgOverrideStore). */
  get pool(): pg.Pool {
    return this.#pool;
  }

  async getFeedState(feedUrl: string): Promise<FeedState | null> {
    const { rows } = await this.#pool.query<FeedStateRow>('SELECT * FROM feed_state WHERE feed_url = $1', [
      feedUrl,
    ]);
    return rows[0] ? toFeedState(rows[0]) : null;
  }

  async putFeedState(state: FeedState): Promise<void> {
    await this.#pool.query(
      `INSERT INTO feed_state (feed_url, etag, last_modified, last_polled_at, last_success_at, last_error,
           consecutive_failures, initialized_at, next_poll_at, disabled_at, disabled_reason, publish_times,
           last_new_item_at, silence_reported_at, moved_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (feed_url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
           last_polled_at = excluded.last_polled_at, last_success_at = excluded.last_success_at,
           last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
           initialized_at = excluded.initialized_at, next_poll_at = excluded.next_poll_at,
           disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason,
           publish_times = excluded.publish_times, last_new_item_at = excluded.last_new_item_at,
           silence_reported_at = excluded.silence_reported_at, moved_to = excluded.moved_to`,
      [
        state.feedUrl,
        pgText(state.etag),
        pgText(state.lastModified),
        state.lastPolledAt,
        state.lastSuccessAt,
        pgText(state.lastError),
        state.consecutiveFailures,
        state.initializedAt,
        state.nextPollAt,
        state.disabledAt,
        pgText(state.disabledReason),
        JSON.stringify(state.publishTimes),
        state.lastNewItemAt,
        state.silenceReportedAt,
        pgText(state.movedTo),
      ],
    );
  }

  async unseenKeys(keys: readonly string[]): Promise<Set<string>> {
    const unseen = new Set(keys);
    if (unseen.size === 0) return unseen;
    const { rows } = await this.#pool.query<{ item_key: string }>(
      'SELECT item_key FROM seen_items WHERE item_key = ANY($1::text[])',
      [[...unseen]],
    );
    for (const row of rows) unseen.delete(row.item_key);
    return unseen;
  }

  async seenItems(keys: readonly string[]): Promise<Map<string, SeenItem>> {
    const seen = new Map<string, SeenItem>();
    if (keys.length === 0) return seen;
    const { rows } = await this.#pool.query<SeenItemRow>(
      `SELECT item_key, feed_url, title, disposition, content_hash, fingerprint FROM seen_items
       WHERE item_key = ANY($1::text[])`,
      [[...new Set(keys)]],
    );
    for (const row of rows) seen.set(row.item_key, toSeenItem(row));
    return seen;
  }

  async recordItems(items: readonly ItemRecord[], at: string, plan?: StoryPlan): Promise<void> {
    if (items.length === 0) return;
    // What the plan fills in, as the caller gave it: a transaction run again starts from it.
    const given = items.map((item) => ({ alerts: item.alerts, story: item.story }));
    const packed = new Map(
      items.flatMap((item) => (item.article ? [[item, packText(item.article.text)]] : [])),
    );
    await inTransaction(this.#pool, async (client) => {
      items.forEach((item, index) => {
        const original = given[index]!;
        item.alerts = original.alerts;
        if (original.story) item.story = original.story;
        else delete item.story;
      });
      // Stories are read, clustered and written under one lock: no two workers open a story for
      // one incident or overwrite each other's report. Taken before the items are inserted, so an
      // item a worker waiting here also holds is seen as recorded once it gets the lock.
      if (plan || items.some((item) => item.story)) await advisoryXactLock(client, LOCKS.stories);
      const records = await insertItems(client, items, at);
      await putArticles(client, records, packed, at);
      if (plan) plan.assign(await storiesSince(client, plan.since), records);
      await writeStoriesAndAlerts(client, records, at);
    });
  }

  async markListed(keys: readonly string[], at: string): Promise<void> {
    if (keys.length === 0) return;
    await this.#pool.query(
      'UPDATE seen_items SET listed_at = $2 WHERE item_key = ANY($1::text[]) AND listed_at < $2',
      [[...new Set(keys)], at],
    );
  }

  recentStories(since: string): Promise<Story[]> {
    return storiesSince(this.#pool, since);
  }

  articlesSince(since: string): AsyncIterable<StoredArticle> {
    return pagedArticles(since, async (after, limit) => {
      const { rows } = await this.#pool.query<ArticleRow>(
        `SELECT ${ARTICLE_COLUMNS} FROM articles WHERE (analysed_at, id) > ($1, $2)
         ORDER BY analysed_at, id LIMIT $3`,
        [after.at, after.id, limit],
      );
      return rows;
    });
  }

  storiesCreatedBetween(from: string, to: string): Promise<Story[]> {
    return summaries.storiesCreatedBetween(this.#pool, from, to);
  }

  summaryQueued(key: SummaryKey): Promise<boolean> {
    return summaries.summaryQueued(this.#pool, key);
  }

  queueSummary(key: SummaryKey, messages: readonly OutboxInsert[], at: string): Promise<boolean> {
    return summaries.queueSummary(this.#pool, key, messages, at);
  }

  async latestStories(limit: number): Promise<Story[]> {
    const { rows } = await this.#pool.query<{ data: string }>(
      'SELECT data FROM stories ORDER BY updated_at DESC, id DESC LIMIT $1',
      [limit],
    );
    return rows.map((row) => JSON.parse(row.data) as Story);
  }

  async storyMessageId(storyId: number, destination: string): Promise<string | null> {
    const { rows } = await this.#pool.query<{ discord_message_id: string | null }>(
      `SELECT discord_message_id FROM outbox WHERE story_id = $1 AND destination = $2 AND kind = 'alert'
         AND status = 'sent' ORDER BY id LIMIT 1`,
      [storyId, destination],
    );
    return rows[0]?.discord_message_id ?? null;
  }

  async outboxCounts(): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, rejected: 0, held: 0, digested: 0 };
    const { rows } = await this.#pool.query<{ status: OutboxStatus; n: number }>(
      'SELECT status, count(*) AS n FROM outbox GROUP BY status',
    );
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  enqueueNotices(notices: readonly OutboxInsert[], at: string): Promise<void> {
    return queueMessages(this.#pool, 'notice', notices, at);
  }

  async acquireLeases(names: readonly string[], request: LeaseRequest): Promise<string[]> {
    const wanted = [...new Set(names)];
    if (wanted.length === 0) return [];
    // One statement, atomic per name: a row another worker inserts or renews meanwhile is waited
    // for and then judged by the WHERE as it stands. Sorted, so two workers lock names in one order.
    const { rows } = await this.#pool.query<{ name: string }>(
      `INSERT INTO leases (name, owner, until)
         SELECT name, $2, $3 FROM unnest($1::text[]) AS name ORDER BY name
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
         WHERE leases.owner = excluded.owner OR leases.until <= $4
       RETURNING name`,
      [wanted, request.worker, request.until, request.now],
    );
    const held = new Set(rows.map((row) => row.name));
    return [...new Set(names)].filter((name) => held.has(name));
  }

  async releaseLeases(worker: string, names?: readonly string[]): Promise<void> {
    if (names !== undefined && names.length === 0) return;
    // A released destination's rows this worker claimed and did not send are free again at once.
    await this.#pool.query(
      `WITH released AS (
         DELETE FROM leases WHERE owner = $1 AND ($2::text[] IS NULL OR name = ANY($2::text[]))
         RETURNING name
       )
       UPDATE outbox SET claimed_by = NULL, claim_until = NULL
       WHERE status = 'pending' AND claimed_by = $1
         AND destination IN (SELECT substr(name, $3::int) FROM released WHERE name LIKE 'destination:%')`,
      [worker, names === undefined ? null : [...names], DESTINATION_PREFIX.length + 1],
    );
  }

  /** Every outbox row in id order (inspection and tests, as SqliteStore#outbox). */
  async outbox(): Promise<OutboxRow[]> {
    const { rows } = await this.#pool.query<OutboxDbRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox ORDER BY id`);
    return rows.map(toOutboxRow);
  }

  async listLeases(): Promise<Array<{ name: string; owner: string; until: string }>> {
    const result = await this.#pool.query<{ name: string; owner: string; until: string }>(
      'SELECT name, owner, until FROM leases ORDER BY name',
    );
    return result.rows;
  }

  claimOutbox(limit: number, destinations: readonly string[], request: LeaseRequest): Promise<OutboxRow[]> {
    return claimRows(this.#pool, limit, destinations, request);
  }

  async pendingOutbox(limit: number, options: OutboxFilter = {}): Promise<OutboxRow[]> {
    const { now, destinations } = options;
    const params: unknown[] = [limit];
    let where = `o.status = 'pending'`;
    if (destinations) {
      params.push([...destinations]);
      where += ` AND o.destination = ANY($${params.length}::text[])`;
    }
    if (now !== undefined) {
      params.push(now);
      where += ` AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.destination = o.destination AND p.status = 'pending'
        AND p.id < o.id AND p.next_attempt_at > $${params.length})`;
    }
    const { rows } = await this.#pool.query<OutboxDbRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox o WHERE ${where} ORDER BY o.id LIMIT $1`,
      params,
    );
    return rows.map(toOutboxRow);
  }

  async nextOutboxAttempt(options: Pick<OutboxFilter, 'destinations'> = {}): Promise<string | null> {
    const { destinations } = options;
    const { rows } = await this.#pool.query<{ next: string | null }>(
      `SELECT min(next_attempt_at) AS next FROM (
         SELECT DISTINCT ON (destination) next_attempt_at FROM outbox
         WHERE status = 'pending' ${destinations ? 'AND destination = ANY($1::text[])' : ''}
         ORDER BY destination, id
       ) firsts`,
      destinations ? [[...destinations]] : [],
    );
    return rows[0]?.next ?? null;
  }

  async markSent(id: number, worker: string, at: string, discordMessageId: string | null): Promise<boolean> {
    return this.#transition(
      `status = 'sent', sent_at = $3, settled_at = $3, discord_message_id = $4, attempts = attempts + 1,
       last_error = NULL, claim_until = NULL`,
      [id, worker, at, discordMessageId],
    );
  }

  async markRetry(id: number, worker: string, error: string, nextAttemptAt: string): Promise<boolean> {
    return this.#wait(id, worker, error, nextAttemptAt, false);
  }

  async markSuspended(id: number, worker: string, error: string, until: string): Promise<boolean> {
    return this.#wait(id, worker, error, until, true);
  }

  /** Back in the queue, unclaimed: whoever holds the destination when it is due sends it. */
  #wait(id: number, worker: string, error: string, until: string, suspended: boolean): Promise<boolean> {
    return this.#transition(
      `attempts = attempts + 1, last_error = $3, next_attempt_at = $4, suspended = $5,
       claimed_by = NULL, claimed_at = NULL, claim_until = NULL`,
      [id, worker, pgText(error), until, suspended],
    );
  }

  liftSuspension(destination: string, at: string): Promise<number> {
    return admin.liftSuspension(this.#pool, destination, at);
  }

  noteCredentials(credentials: readonly DestinationCredential[], at: string): Promise<string[]> {
    return admin.noteCredentials(this.#pool, credentials, at);
  }

  destinationStatus(destinations: readonly string[]): Promise<DestinationStatus[]> {
    return admin.destinationStatus(this.#pool, destinations);
  }

  feedTotals(): Promise<Map<string, FeedTotals>> {
    return admin.feedTotals(this.#pool);
  }

  retryFeeds(feedUrls: readonly string[], at: string): Promise<string[]> {
    return admin.retryFeeds(this.#pool, feedUrls, at);
  }

  storyDeliveries(since: string, limit: number): Promise<StoryDeliveries[]> {
    return admin.storyDeliveries(this.#pool, since, limit);
  }

  async markRejected(id: number, worker: string, error: string): Promise<boolean> {
    // The contract gives no time: the claim's start (moments before the send) stands for it.
    return this.#transition(
      `status = 'rejected', attempts = attempts + 1, last_error = $3,
       settled_at = COALESCE(claimed_at, next_attempt_at), claim_until = NULL`,
      [id, worker, pgText(error)],
    );
  }

  async markHeld(id: number, worker: string): Promise<boolean> {
    return this.#transition(`status = 'held', claimed_by = NULL, claimed_at = NULL, claim_until = NULL`, [
      id,
      worker,
    ]);
  }

  /** Applies `set` to a pending row only while `worker`'s claim on it stands. */
  async #transition(set: string, params: unknown[]): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE outbox SET ${set} WHERE id = $1 AND status = 'pending' AND claimed_by = $2`,
      params,
    );
    return result.rowCount === 1;
  }

  async countSent(destination: string, since: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM outbox WHERE destination = $1 AND status = 'sent'
         AND kind IN ('alert', 'update', 'edit') AND sent_at >= $2`,
      [destination, since],
    );
    return rows[0]?.n ?? 0;
  }

  async heldOutbox(destinations?: readonly string[]): Promise<OutboxRow[]> {
    const { rows } = await this.#pool.query<OutboxDbRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE status = 'held'
         ${destinations ? 'AND destination = ANY($1::text[])' : ''} ORDER BY id`,
      destinations ? [[...destinations]] : [],
    );
    return rows.map(toOutboxRow);
  }

  async releaseHeld(ids: readonly number[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#pool.query(
      `UPDATE outbox SET status = 'pending', next_attempt_at = $2 WHERE id = ANY($1::bigint[]) AND status = 'held'`,
      [[...ids], at],
    );
  }

  foldIntoDigest(heldIds: readonly number[], digest: OutboxInsert, at: string): Promise<boolean> {
    return foldHeld(this.#pool, heldIds, digest, at);
  }

  async storyAlertHeld(storyId: number, destination: string): Promise<boolean> {
    const { rows } = await this.#pool.query(
      `SELECT 1 FROM outbox WHERE story_id = $1 AND destination = $2 AND kind = 'alert'
         AND status IN ('held', 'digested') LIMIT 1`,
      [storyId, destination],
    );
    return rows.length > 0;
  }

  prune(before: PruneBefore): Promise<PruneCounts> {
    return pruneLedger(this.#pool, before);
  }

  async probe(): Promise<void> {
    const rollback = new Error('probe rolled back');
    try {
      // A real write, rolled back: a read-only database or a standby fails here.
      await inTransaction(
        this.#pool,
        async (client) => {
          await client.query(
            `INSERT INTO feed_state (feed_url) VALUES ('attribot:health-probe') ON CONFLICT (feed_url) DO NOTHING`,
          );
          throw rollback;
        },
        1,
      );
    } catch (error) {
      if (error !== rollback) throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
