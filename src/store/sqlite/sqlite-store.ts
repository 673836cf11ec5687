import Database from 'better-sqlite3';
import type { Story } from '../../alerts/cluster.js';
import { AppError, errorMessage } from '../../shared/errors.js';
import { migrateSync } from '../migrate.js';
import {
  ARTICLE_COLUMNS,
  type ArticleRow,
  type FeedStateRow,
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
import { ensureDatabaseDirectory } from './database-directory.js';
import { MIGRATIONS } from './migrations.js';
import * as admin from './sqlite-admin.js';
import { sqliteSyncMigrationTarget } from './sqlite-migration-target.js';

const DESTINATION_PREFIX = destinationLease('');

/** Keys per `IN (...)` lookup (SQLite allows 32766 parameters; statements are cached per size). */
const SEEN_CHUNK = 200;

/** Why a SQLite file cannot be used, naming it; a file that is not SQLite says what to do. */
export function sqliteOpenError(path: string, error: unknown): AppError {
  if ((error as { code?: unknown }).code === 'SQLITE_NOTADB')
    return new AppError(
      `${path} is not a SQLite database (file is not a database): set ATTRIBOT_DB to attribot's database file, or to a new path where attribot creates one`,
      { cause: error },
    );
  return new AppError(`cannot open SQLite database at ${path}: ${errorMessage(error)}`, { cause: error });
}

/** The embedded default store. better-sqlite3 is synchronous; the async signatures serve the Store contract. */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  /** Prepared once: preparing is a measurable share of a poll of thousands of feeds. */
  readonly #statements = new Map<string, Database.Statement>();

  constructor(path: string) {
    if (path !== ':memory:') ensureDatabaseDirectory(path);
    try {
      this.#db = new Database(path);
    } catch (error) {
      throw sqliteOpenError(path, error);
    }
    try {
      // SQLite reads the file only now: a file that is not a database fails here.
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma('busy_timeout = 5000');
    } catch (error) {
      this.#db.close();
      throw sqliteOpenError(path, error);
    }
    migrateSync(sqliteSyncMigrationTarget(this.#db), MIGRATIONS);
  }

  /** The open database, for adapters that keep their own tables in the same file (SqliteOverrideStore). */
  get database(): Database.Database {
    return this.#db;
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async getFeedState(feedUrl: string): Promise<FeedState | null> {
    const row = this.#prepare('SELECT * FROM feed_state WHERE feed_url = ?').get(feedUrl) as
      | FeedStateRow
      | undefined;
    return row ? toFeedState(row) : null;
  }

  async putFeedState(state: FeedState): Promise<void> {
    this.#prepare(
      `INSERT INTO feed_state (feed_url, etag, last_modified, last_polled_at, last_success_at, last_error,
           consecutive_failures, initialized_at, next_poll_at, disabled_at, disabled_reason, publish_times,
           last_new_item_at, silence_reported_at, moved_to)
         VALUES (@feedUrl, @etag, @lastModified, @lastPolledAt, @lastSuccessAt, @lastError, @consecutiveFailures,
           @initializedAt, @nextPollAt, @disabledAt, @disabledReason, @publishTimes, @lastNewItemAt, @silenceReportedAt, @movedTo)
         ON CONFLICT (feed_url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
           last_polled_at = excluded.last_polled_at, last_success_at = excluded.last_success_at,
           last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
           initialized_at = excluded.initialized_at, next_poll_at = excluded.next_poll_at,
           disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason,
           publish_times = excluded.publish_times, last_new_item_at = excluded.last_new_item_at,
           silence_reported_at = excluded.silence_reported_at, moved_to = excluded.moved_to`,
    ).run({ ...state, publishTimes: JSON.stringify(state.publishTimes) });
  }

  async unseenKeys(keys: readonly string[]): Promise<Set<string>> {
    const unseen = new Set(keys);
    const lookup = this.#prepare('SELECT 1 FROM seen_items WHERE item_key = ?').pluck();
    for (const key of keys) if (lookup.get(key) !== undefined) unseen.delete(key);
    return unseen;
  }

  async seenItems(keys: readonly string[]): Promise<Map<string, SeenItem>> {
    const seen = new Map<string, SeenItem>();
    const unique = [...new Set(keys)];
    // One query per chunk rather than per key: a feed of 100 items is one round trip, not 100.
    for (let start = 0; start < unique.length; start += SEEN_CHUNK) {
      const chunk = unique.slice(start, start + SEEN_CHUNK);
      const rows = this.#prepare(
        `SELECT item_key, feed_url, title, disposition, content_hash, fingerprint FROM seen_items
         WHERE item_key IN (${chunk.map(() => '?').join(',')})`,
      ).all(...chunk) as SeenItemRow[];
      for (const row of rows) seen.set(row.item_key, toSeenItem(row));
    }
    return seen;
  }

  async recordItems(items: readonly ItemRecord[], at: string, plan?: StoryPlan): Promise<void> {
    const insertItem = this.#prepare(
      `INSERT INTO seen_items (item_key, feed_url, title, link, published, disposition, content_hash, fingerprint, seen_at, listed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_key) DO NOTHING`,
    );
    const isSeen = this.#prepare('SELECT 1 FROM seen_items WHERE item_key = ?').pluck();
    const reviseItem = this.#prepare(
      'UPDATE seen_items SET title = ?, content_hash = ?, fingerprint = COALESCE(?, fingerprint), listed_at = ? WHERE item_key = ?',
    );
    const insertAlert = this.#prepare(
      `INSERT INTO outbox (kind, status, item_key, story_id, destination, message, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const supersedeEdit = this.#prepare(
      `DELETE FROM outbox WHERE story_id = ? AND destination = ? AND kind = 'edit' AND status IN ('pending', 'held')`,
    );
    const insertStory = this.#prepare('INSERT INTO stories (created_at, updated_at, data) VALUES (?, ?, ?)');
    const updateStory = this.#prepare('UPDATE stories SET updated_at = ?, data = ? WHERE id = ?');
    // A revision's article replaces the stored one, which keeps its first analysis time.
    const putArticle = this.#prepare(
      `INSERT INTO articles (item_key, feed_url, title, link, published, text, analysed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (item_key) DO UPDATE SET title = excluded.title, link = excluded.link,
         published = excluded.published, text = excluded.text`,
    );
    // Deflated before the write lock is taken.
    const packed = new Map(
      items.flatMap((item) => (item.article ? [[item, packText(item.article.text)]] : [])),
    );
    // IMMEDIATE takes the database's write lock before the first read: the story lock across
    // processes, so reading the recent stories, clustering and writing are one step.
    this.#db
      .transaction(() => {
        // An item another worker (or another feed) recorded first already produced its alerts.
        const fresh = items.filter((item) => item.revision || isSeen.get(item.key) === undefined);
        if (plan) plan.assign(this.#recentStories(plan.since), fresh);
        const storyIds = new Map<string, number>();
        for (const item of fresh) {
          if (item.revision) {
            reviseItem.run(item.title, item.contentHash ?? null, item.fingerprint ?? null, at, item.key);
          } else {
            const inserted = insertItem.run(
              item.key,
              item.feedUrl,
              item.title,
              item.link,
              item.published,
              item.disposition,
              item.contentHash ?? null,
              item.fingerprint ?? null,
              at,
              at,
            );
            // The same key twice in one batch: the first one stands.
            if (inserted.changes === 0) continue;
          }
          const text = packed.get(item);
          if (item.article && text)
            putArticle.run(item.key, item.feedUrl, item.article.title, item.link, item.published, text, at);
          let storyId: number | null = null;
          if (item.story) {
            const { key, data } = item.story;
            storyId = data.id ?? storyIds.get(key) ?? null;
            if (storyId === null) {
              storyId = Number(insertStory.run(data.createdAt, data.updatedAt, '{}').lastInsertRowid);
              storyIds.set(key, storyId);
            }
            updateStory.run(data.updatedAt, JSON.stringify({ ...data, id: storyId }), storyId);
          }
          for (const alert of item.alerts) {
            if (alert.kind === 'edit' && storyId !== null) supersedeEdit.run(storyId, alert.destination);
            insertAlert.run(
              alert.kind ?? 'alert',
              alert.hold ? 'held' : 'pending',
              item.key,
              storyId,
              alert.destination,
              JSON.stringify(alert.message),
              at,
              at,
            );
          }
        }
      })
      .immediate();
  }

  async markListed(keys: readonly string[], at: string): Promise<void> {
    const unique = [...new Set(keys)];
    this.#db.transaction(() => {
      for (let start = 0; start < unique.length; start += SEEN_CHUNK) {
        const chunk = unique.slice(start, start + SEEN_CHUNK);
        this.#prepare(
          `UPDATE seen_items SET listed_at = ? WHERE item_key IN (${chunk.map(() => '?').join(',')})
             AND (listed_at IS NULL OR listed_at < ?)`,
        ).run(at, ...chunk, at);
      }
    })();
  }

  #recentStories(since: string): Story[] {
    const rows = this.#prepare('SELECT data FROM stories WHERE created_at >= ? ORDER BY id')
      .pluck()
      .all(since) as string[];
    return rows.map((data) => JSON.parse(data) as Story);
  }

  async recentStories(since: string): Promise<Story[]> {
    return this.#recentStories(since);
  }

  articlesSince(since: string): AsyncIterable<StoredArticle> {
    const page = this.#prepare(
      `SELECT ${ARTICLE_COLUMNS} FROM articles WHERE (analysed_at, id) > (?, ?) ORDER BY analysed_at, id LIMIT ?`,
    );
    return pagedArticles(since, (after, limit) => page.all(after.at, after.id, limit) as ArticleRow[]);
  }

  async storiesCreatedBetween(from: string, to: string): Promise<Story[]> {
    const rows = this.#prepare(
      'SELECT data FROM stories WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id',
    )
      .pluck()
      .all(from, to) as string[];
    return rows.map((data) => JSON.parse(data) as Story);
  }

  async summaryQueued(key: SummaryKey): Promise<boolean> {
    return (
      this.#prepare('SELECT 1 FROM summaries WHERE route = ? AND period_end = ?').get(
        key.route,
        key.periodEnd,
      ) !== undefined
    );
  }

  async queueSummary(key: SummaryKey, messages: readonly OutboxInsert[], at: string): Promise<boolean> {
    const record = this.#prepare(
      'INSERT INTO summaries (route, period_end, queued_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const insert = this.#prepare(
      `INSERT INTO outbox (kind, destination, message, next_attempt_at, created_at) VALUES ('summary', ?, ?, ?, ?)`,
    );
    return this.#db.transaction(() => {
      if (record.run(key.route, key.periodEnd, at).changes === 0) return false;
      for (const message of messages)
        insert.run(message.destination, JSON.stringify(message.message), at, at);
      return true;
    })();
  }

  async latestStories(limit: number): Promise<Story[]> {
    const rows = this.#prepare('SELECT data FROM stories ORDER BY updated_at DESC, id DESC LIMIT ?')
      .pluck()
      .all(limit) as string[];
    return rows.map((data) => JSON.parse(data) as Story);
  }

  async storyMessageId(storyId: number, destination: string): Promise<string | null> {
    const id = this.#prepare(
      `SELECT discord_message_id FROM outbox WHERE story_id = ? AND destination = ? AND kind = 'alert'
           AND status = 'sent' ORDER BY id LIMIT 1`,
    )
      .pluck()
      .get(storyId, destination) as string | null | undefined;
    return id ?? null;
  }

  async enqueueNotices(notices: readonly OutboxInsert[], at: string): Promise<void> {
    const insert = this.#prepare(
      `INSERT INTO outbox (kind, destination, message, next_attempt_at, created_at) VALUES ('notice', ?, ?, ?, ?)`,
    );
    this.#db.transaction(() => {
      for (const notice of notices) insert.run(notice.destination, JSON.stringify(notice.message), at, at);
    })();
  }

  async pendingOutbox(limit: number, options: OutboxFilter = {}): Promise<OutboxRow[]> {
    const { now, destinations } = options;
    const params: unknown[] = [];
    let where = `o.status = 'pending'`;
    if (destinations) {
      where += ` AND o.destination IN (${destinations.map(() => '?').join(',') || 'NULL'})`;
      params.push(...destinations);
    }
    if (now !== undefined) {
      where += ` AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.destination = o.destination AND p.status = 'pending'
        AND p.id < o.id AND p.next_attempt_at > ?)`;
      params.push(now);
    }
    const rows = this.#prepare(`SELECT o.* FROM outbox o WHERE ${where} ORDER BY o.id LIMIT ?`).all(
      ...params,
      limit,
    ) as OutboxDbRow[];
    return rows.map(toOutboxRow);
  }

  async nextOutboxAttempt(options: Pick<OutboxFilter, 'destinations'> = {}): Promise<string | null> {
    const { destinations } = options;
    const filter = destinations
      ? ` AND o.destination IN (${destinations.map(() => '?').join(',') || 'NULL'})`
      : '';
    const value = this.#prepare(
      `SELECT MIN(o.next_attempt_at) FROM outbox o WHERE o.status = 'pending'${filter}
         AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.destination = o.destination AND p.status = 'pending' AND p.id < o.id)`,
    )
      .pluck()
      .get(...(destinations ?? [])) as string | null;
    return value ?? null;
  }

  async outbox(): Promise<OutboxRow[]> {
    return (this.#prepare('SELECT * FROM outbox ORDER BY id').all() as OutboxDbRow[]).map(toOutboxRow);
  }

  async markSent(id: number, worker: string, at: string, discordMessageId: string | null): Promise<boolean> {
    return (
      this.#prepare(
        `UPDATE outbox SET status = 'sent', sent_at = ?, discord_message_id = ?, attempts = attempts + 1,
             last_error = NULL, claimed_by = NULL, claim_until = NULL
           WHERE id = ? AND status = 'pending' AND claimed_by = ?`,
      ).run(at, discordMessageId, id, worker).changes === 1
    );
  }

  async markRetry(id: number, worker: string, error: string, nextAttemptAt: string): Promise<boolean> {
    return this.#wait(id, worker, error, nextAttemptAt, false);
  }

  async markSuspended(id: number, worker: string, error: string, until: string): Promise<boolean> {
    return this.#wait(id, worker, error, until, true);
  }

  /** Back in the queue, unclaimed, until `until`: for a retry, or suspended (the destination refused). */
  #wait(id: number, worker: string, error: string, until: string, suspended: boolean): boolean {
    return (
      this.#prepare(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, suspended = ?,
             claimed_by = NULL, claim_until = NULL
           WHERE id = ? AND status = 'pending' AND claimed_by = ?`,
      ).run(error, until, suspended ? 1 : 0, id, worker).changes === 1
    );
  }

  async liftSuspension(destination: string, at: string): Promise<number> {
    return this.#db.transaction(() => admin.liftSuspension(this.#db, destination, at)).immediate();
  }

  async noteCredentials(credentials: readonly DestinationCredential[], at: string): Promise<string[]> {
    return admin.noteCredentials(this.#db, credentials, at);
  }

  async destinationStatus(destinations: readonly string[]): Promise<DestinationStatus[]> {
    return admin.destinationStatus(this.#db, destinations);
  }

  async feedTotals(): Promise<Map<string, FeedTotals>> {
    return admin.feedTotals(this.#db);
  }

  async retryFeeds(feedUrls: readonly string[], at: string): Promise<string[]> {
    return admin.retryFeeds(this.#db, feedUrls, at);
  }

  async storyDeliveries(since: string, limit: number): Promise<StoryDeliveries[]> {
    return admin.storyDeliveries(this.#db, since, limit);
  }

  async markRejected(id: number, worker: string, error: string): Promise<boolean> {
    return (
      this.#prepare(
        `UPDATE outbox SET status = 'rejected', attempts = attempts + 1, last_error = ?, claimed_by = NULL,
             claim_until = NULL
           WHERE id = ? AND status = 'pending' AND claimed_by = ?`,
      ).run(error, id, worker).changes === 1
    );
  }

  async acquireLeases(names: readonly string[], request: LeaseRequest): Promise<string[]> {
    const take = this.#prepare(
      `INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
         WHERE leases.owner = excluded.owner OR leases.until <= ?`,
    );
    return this.#db
      .transaction(() =>
        [...new Set(names)].filter(
          (name) => take.run(name, request.worker, request.until, request.now).changes === 1,
        ),
      )
      .immediate();
  }

  async releaseLeases(worker: string, names?: readonly string[]): Promise<void> {
    // A released destination's rows this worker claimed and did not send are free again at once.
    const unclaim = this.#prepare(
      `UPDATE outbox SET claimed_by = NULL, claim_until = NULL
         WHERE status = 'pending' AND claimed_by = ? AND destination = ?`,
    );
    const release = this.#prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
    this.#db
      .transaction(() => {
        const released =
          names ?? (this.#prepare('SELECT name FROM leases WHERE owner = ?').pluck().all(worker) as string[]);
        for (const name of released) {
          if (release.run(name, worker).changes === 0) continue;
          if (name.startsWith(DESTINATION_PREFIX)) unclaim.run(worker, name.slice(DESTINATION_PREFIX.length));
        }
      })
      .immediate();
  }

  async listLeases(): Promise<Array<{ name: string; owner: string; until: string }>> {
    return this.#prepare('SELECT name, owner, until FROM leases ORDER BY name').all() as Array<{
      name: string;
      owner: string;
      until: string;
    }>;
  }

  async claimOutbox(
    limit: number,
    destinations: readonly string[],
    request: LeaseRequest,
  ): Promise<OutboxRow[]> {
    if (destinations.length === 0 || limit <= 0) return [];
    const names = destinations.map((destination) => `destination:${destination}`);
    const marks = destinations.map(() => '?').join(',');
    // Due rows of the destinations this worker leases, numbered per destination; a destination's
    // rows stop at its first row not yet due or still claimed by another worker (in flight there).
    // Ordered by that number first: round-robin.
    const select = this.#prepare(
      `WITH held AS (
         SELECT substr(name, 13) AS destination FROM leases
         WHERE name IN (${marks}) AND owner = ? AND until > ?
       ), due AS (
         SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.destination ORDER BY o.id) AS turn
         FROM outbox o JOIN held h ON h.destination = o.destination
         WHERE o.status = 'pending'
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.destination = o.destination AND p.status = 'pending'
             AND p.id <= o.id
             AND (p.next_attempt_at > ? OR (p.claimed_by <> ? AND p.claim_until > ?)))
       )
       SELECT * FROM due ORDER BY turn, id LIMIT ?`,
    );
    const claim = this.#prepare(`UPDATE outbox SET claimed_by = ?, claim_until = ? WHERE id = ?`);
    return this.#db
      .transaction(() => {
        const rows = select.all(
          ...names,
          request.worker,
          request.now,
          request.now,
          request.worker,
          request.now,
          limit,
        ) as OutboxDbRow[];
        for (const row of rows) claim.run(request.worker, request.until, row.id);
        return rows.map(toOutboxRow);
      })
      .immediate();
  }

  async outboxCounts(): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, rejected: 0, held: 0, digested: 0 };
    const rows = this.#prepare('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as Array<{
      status: OutboxStatus;
      n: number;
    }>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async markHeld(id: number, worker: string): Promise<boolean> {
    return (
      this.#prepare(
        `UPDATE outbox SET status = 'held', claimed_by = NULL, claim_until = NULL
           WHERE id = ? AND status = 'pending' AND claimed_by = ?`,
      ).run(id, worker).changes === 1
    );
  }

  async countSent(destination: string, since: string): Promise<number> {
    return this.#prepare(
      `SELECT COUNT(*) FROM outbox WHERE destination = ? AND status = 'sent' AND kind IN ('alert', 'update', 'edit')
           AND sent_at >= ?`,
    )
      .pluck()
      .get(destination, since) as number;
  }

  async heldOutbox(destinations?: readonly string[]): Promise<OutboxRow[]> {
    const filter = destinations
      ? ` AND destination IN (${destinations.map(() => '?').join(',') || 'NULL'})`
      : '';
    return (
      this.#prepare(`SELECT * FROM outbox WHERE status = 'held'${filter} ORDER BY id`).all(
        ...(destinations ?? []),
      ) as OutboxDbRow[]
    ).map(toOutboxRow);
  }

  async releaseHeld(ids: readonly number[], at: string): Promise<void> {
    const release = this.#prepare(
      `UPDATE outbox SET status = 'pending', next_attempt_at = ? WHERE id = ? AND status = 'held'`,
    );
    this.#db.transaction(() => {
      for (const id of ids) release.run(at, id);
    })();
  }

  async foldIntoDigest(heldIds: readonly number[], digest: OutboxInsert, at: string): Promise<boolean> {
    const fold = this.#prepare(
      `UPDATE outbox SET status = 'digested', sent_at = ? WHERE id = ? AND status = 'held'`,
    );
    const insert = this.#prepare(
      `INSERT INTO outbox (kind, destination, message, next_attempt_at, created_at) VALUES ('digest', ?, ?, ?, ?)`,
    );
    const folded = new Error('folded by another worker');
    try {
      this.#db
        .transaction(() => {
          for (const id of heldIds) if (fold.run(at, id).changes !== 1) throw folded;
          insert.run(digest.destination, JSON.stringify(digest.message), at, at);
        })
        .immediate();
      return true;
    } catch (error) {
      if (error === folded) return false;
      throw error;
    }
  }

  async prune(before: PruneBefore): Promise<PruneCounts> {
    return this.#db
      .transaction(() => {
        // Rows that are done (sent, rejected, digested) and old; sent_at is when they became done.
        const outbox = this.#prepare(
          `DELETE FROM outbox WHERE status IN ('sent', 'rejected', 'digested') AND COALESCE(sent_at, created_at) < ?`,
        ).run(before.outbox).changes;
        const items = this.#prepare(
          `DELETE FROM seen_items WHERE COALESCE(listed_at, seen_at) < ?
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_key = seen_items.item_key)`,
        ).run(before.items).changes;
        const stories = this.#prepare(
          `DELETE FROM stories WHERE updated_at < ?
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.story_id = stories.id)`,
        ).run(before.stories).changes;
        const articles = this.#prepare('DELETE FROM articles WHERE analysed_at < ?').run(
          before.articles,
        ).changes;
        const summaries = this.#prepare('DELETE FROM summaries WHERE period_end < ?').run(
          before.outbox,
        ).changes;
        return { items, stories, outbox, articles, summaries };
      })
      .immediate();
  }

  async storyAlertHeld(storyId: number, destination: string): Promise<boolean> {
    const row = this.#prepare(
      `SELECT 1 FROM outbox WHERE story_id = ? AND destination = ? AND kind = 'alert'
           AND status IN ('held', 'digested') LIMIT 1`,
    ).get(storyId, destination);
    return row !== undefined;
  }

  async probe(): Promise<void> {
    const write = this.#prepare(
      'INSERT INTO feed_state (feed_url) VALUES (?) ON CONFLICT (feed_url) DO NOTHING',
    );
    const rollback = new Error('probe rolled back');
    try {
      // A real write, rolled back: a database opened read-only, remounted read-only or cut short fails here.
      this.#db.transaction(() => {
        write.run('attribot:health-probe');
        throw rollback;
      })();
    } catch (error) {
      if (error !== rollback) throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
