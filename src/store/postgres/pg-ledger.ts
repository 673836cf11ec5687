/**
 * The write side of `recordItems`, run inside its transaction: items marked seen (first writer wins),
 * stories created or updated, outbox rows queued with edits coalesced.
 */
import type pg from 'pg';
import type { Story } from '../../alerts/cluster.js';
import type { ItemRecord, PruneBefore, PruneCounts } from '../store.js';
import { advisoryXactLock, inTransaction, LOCKS } from './pg-pool.js';
import { pgText } from './pg-text.js';

/**
 * Marks the batch seen and returns the records to queue alerts for, in batch order: every revision,
 * and each new item this transaction inserted. An item another worker (or an earlier record of
 * this batch) recorded first is skipped: its alerts were queued then. Keys are written in sorted
 * order so two batches sharing keys lock them in the same order and cannot deadlock.
 */
export async function insertItems(
  client: pg.PoolClient,
  items: readonly ItemRecord[],
  at: string,
): Promise<ItemRecord[]> {
  const first = new Map<string, ItemRecord>();
  for (const item of items) if (!first.has(item.key)) first.set(item.key, item);
  const byKey = [...first.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const fresh = byKey.filter((item) => !item.revision);
  const revised = byKey.filter((item) => item.revision);
  const recorded = new Set<string>();
  if (fresh.length > 0) {
    const { rows } = await client.query<{ item_key: string }>(upsertItems('DO NOTHING RETURNING item_key'), [
      ...itemColumns(fresh),
      at,
    ]);
    for (const row of rows) recorded.add(row.item_key);
  }
  if (revised.length > 0) {
    // A revision of an item retention already forgot records it again rather than failing the batch.
    await client.query(
      upsertItems(`DO UPDATE SET title = excluded.title, content_hash = excluded.content_hash,
         fingerprint = COALESCE(excluded.fingerprint, seen_items.fingerprint),
         listed_at = GREATEST(seen_items.listed_at, excluded.listed_at)`),
      [...itemColumns(revised), at],
    );
    for (const item of revised) recorded.add(item.key);
  }
  return items.filter((item) => first.get(item.key) === item && recorded.has(item.key));
}

/** Inserts the items given as column arrays (`itemColumns`), in order; `onConflict` decides about seen ones. */
function upsertItems(onConflict: string): string {
  return `INSERT INTO seen_items (item_key, feed_url, title, link, published, disposition, content_hash, fingerprint,
        seen_at, listed_at)
      SELECT k, f, t, l, p, d, h, fp, $9, $9
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
        WITH ORDINALITY AS i(k, f, t, l, p, d, h, fp, n)
      ORDER BY n
    ON CONFLICT (item_key) ${onConflict}`;
}

function itemColumns(items: readonly ItemRecord[]): Array<Array<string | null>> {
  return [
    items.map((item) => item.key),
    items.map((item) => pgText(item.feedUrl)),
    items.map((item) => pgText(item.title)),
    items.map((item) => pgText(item.link)),
    items.map((item) => pgText(item.published)),
    items.map((item) => item.disposition),
    items.map((item) => item.contentHash ?? null),
    items.map((item) => item.fingerprint ?? null),
  ];
}

/**
 * Keeps the recorded items' articles (`packed`: each one's deflated text); a revision's replaces the
 * stored one, which keeps its first analysis time.
 */
export async function putArticles(
  client: pg.PoolClient,
  records: readonly ItemRecord[],
  packed: ReadonlyMap<ItemRecord, Buffer>,
  at: string,
): Promise<void> {
  const kept = records.filter((record) => record.article && packed.has(record));
  if (kept.length === 0) return;
  await client.query(
    `INSERT INTO articles (item_key, feed_url, title, link, published, text, analysed_at)
       SELECT k, f, t, l, p, x, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
         WITH ORDINALITY AS a(k, f, t, l, p, x, n)
       ORDER BY n
     ON CONFLICT (item_key) DO UPDATE SET title = excluded.title, link = excluded.link,
       published = excluded.published, text = excluded.text`,
    [
      kept.map((record) => record.key),
      kept.map((record) => pgText(record.feedUrl)),
      kept.map((record) => pgText(record.article?.title ?? null)),
      kept.map((record) => pgText(record.link)),
      kept.map((record) => pgText(record.published)),
      kept.map((record) => packed.get(record)),
      at,
    ],
  );
}

/** Stories created at or after `since`, oldest first. */
export async function storiesSince(client: pg.PoolClient | pg.Pool, since: string): Promise<Story[]> {
  const { rows } = await client.query<{ data: string }>(
    'SELECT data FROM stories WHERE created_at >= $1 ORDER BY id',
    [since],
  );
  return rows.map((row) => JSON.parse(row.data) as Story);
}

/** Writes the records' stories and queues their alerts, in batch order (the delivery order). */
export async function writeStoriesAndAlerts(
  client: pg.PoolClient,
  records: readonly ItemRecord[],
  at: string,
): Promise<void> {
  const storyIds = new Map<string, number>();
  for (const record of records) {
    let storyId: number | null = null;
    if (record.story) {
      const { key, data } = record.story;
      storyId = data.id ?? storyIds.get(key) ?? null;
      if (storyId === null) {
        const { rows } = await client.query<{ id: number }>(
          `INSERT INTO stories (created_at, updated_at, data) VALUES ($1, $2, '{}') RETURNING id`,
          [data.createdAt, data.updatedAt],
        );
        storyId = rows[0]!.id;
        storyIds.set(key, storyId);
      }
      await client.query('UPDATE stories SET updated_at = $1, data = $2 WHERE id = $3', [
        data.updatedAt,
        JSON.stringify({ ...data, id: storyId }),
        storyId,
      ]);
    }
    for (const alert of record.alerts) {
      if (alert.kind === 'edit' && storyId !== null) {
        // Each edit carries the whole story: a newer one replaces the one still waiting.
        await client.query(
          `DELETE FROM outbox WHERE story_id = $1 AND destination = $2 AND kind = 'edit'
             AND status IN ('pending', 'held')`,
          [storyId, alert.destination],
        );
      }
      await client.query(
        `INSERT INTO outbox (kind, status, item_key, story_id, destination, message, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [
          alert.kind ?? 'alert',
          alert.hold ? 'held' : 'pending',
          record.key,
          storyId,
          alert.destination,
          JSON.stringify(alert.message),
          at,
        ],
      );
    }
  }
}

/** Store#prune: settled outbox rows first, so stories and items only they referred to go in the same call. */
export function pruneLedger(pool: pg.Pool, before: PruneBefore): Promise<PruneCounts> {
  return inTransaction(pool, async (client) => {
    // Under the story lock: a batch clustering now never loses the story it joined.
    await advisoryXactLock(client, LOCKS.stories);
    const outbox = await client.query(
      `DELETE FROM outbox WHERE status IN ('sent', 'rejected', 'digested') AND settled_at < $1`,
      [before.outbox],
    );
    const stories = await client.query(
      `DELETE FROM stories s WHERE s.updated_at < $1
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.story_id = s.id)`,
      [before.stories],
    );
    // An item a worker is revising or listing right now is locked: skipped, not waited for.
    const items = await client.query(
      `DELETE FROM seen_items WHERE item_key IN (
         SELECT s.item_key FROM seen_items s
         WHERE s.listed_at < $1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_key = s.item_key)
         FOR UPDATE SKIP LOCKED
       )`,
      [before.items],
    );
    const articles = await client.query('DELETE FROM articles WHERE analysed_at < $1', [before.articles]);
    const summaries = await client.query('DELETE FROM summaries WHERE period_end < $1', [before.outbox]);
    return {
      summaries: summaries.rowCount ?? 0,
      items: items.rowCount ?? 0,
      stories: stories.rowCount ?? 0,
      outbox: outbox.rowCount ?? 0,
      articles: articles.rowCount ?? 0,
    };
  });
}
