/** What only the PostgreSQL adapter does (the shared semantics are in the Store contract suite). */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describePgUrl } from '../../src/store/postgres/pg-pool.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { at, item } from '../contract/fixtures.js';
import { createTestDatabase, postgresSkipNote, postgresUrl } from '../helpers/pg-database.js';

it('describes a PostgreSQL URL without its password or secret query values', () => {
  expect(
    describePgUrl('postgresql://attribot:hunter2@db.internal:5432/attribot?sslmode=require&password=x'),
  ).toBe('postgresql://attribot@db.internal:5432/attribot?sslmode=require&password=redacted');
});

describe.skipIf(!postgresUrl())(`PgStore${postgresSkipNote()}`, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: PgStore;
  beforeEach(async () => {
    database = await createTestDatabase();
    store = await PgStore.open(database.url, { poolSize: 2 });
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('stores a NUL a hostile feed put in a title as U+FFFD instead of failing the batch', async () => {
    await store.recordItems(
      [item('nul', { title: 'APT28\u0000 hits NATO', link: 'https://x.example/\u0000' })],
      at(0),
    );
    expect((await store.seenItems(['nul'])).get('nul')?.title).toBe('APT28\uFFFD hits NATO');
  });

  it('refuses a time that is not toISOString() output rather than store one that sorts wrongly', async () => {
    await expect(store.recordItems([item('odd-time')], '2026-11-28T10:00:00+01:00')).rejects.toThrow(
      /iso_time_check|violates check constraint/,
    );
    expect(await store.unseenKeys(['odd-time'])).toEqual(new Set(['odd-time']));
  });

  it('prunes around an item another transaction holds, without waiting for it', async () => {
    await store.recordItems([item('busy'), item('idle')], at(0));
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM seen_items WHERE item_key = 'busy' FOR UPDATE`);
      const pruned = await store.prune({ items: at(60), stories: at(0), outbox: at(0), articles: at(0) });
      expect(pruned.items).toBe(1);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await store.unseenKeys(['busy', 'idle'])).toEqual(new Set(['idle']));
  });
});
