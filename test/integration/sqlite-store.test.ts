import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateSync } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { sqliteSyncMigrationTarget } from '../../src/store/sqlite/sqlite-migration-target.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { emptyFeedState, type ItemRecord } from '../../src/store/store.js';
import { plainMessage } from '../helpers/messages.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function item(key: string, alerts: string[] = []): ItemRecord {
  return {
    key,
    feedUrl: 'https://news.example/feed',
    title: key,
    link: `https://news.example/${key}`,
    published: '2026-11-28T10:00:00.000Z',
    disposition: 'processed',
    alerts: alerts.map((title) => ({ destination: 'default', message: plainMessage(title) })),
  };
}

describe('SqliteStore', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;
  let store: SqliteStore;

  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.dir, 'nested', 'attribot.db');
    store = new SqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    temp.cleanup();
  });

  it('round-trips feed state', async () => {
    expect(await store.getFeedState('https://a.example/')).toBeNull();
    const state = {
      ...emptyFeedState('https://a.example/'),
      etag: '"v1"',
      consecutiveFailures: 2,
      lastError: 'HTTP 503',
    };
    await store.putFeedState(state);
    await store.putFeedState({ ...state, etag: '"v2"' });
    expect(await store.getFeedState('https://a.example/')).toEqual({ ...state, etag: '"v2"' });
  });

  it('marks items seen together with their outbox rows, in order', async () => {
    await store.recordItems(
      [item('a', ['alert a']), item('b'), item('c', ['alert c'])],
      '2026-11-28T11:00:00.000Z',
    );
    expect(await store.unseenKeys(['a', 'b', 'c', 'd'])).toEqual(new Set(['d']));
    const pending = await store.pendingOutbox(10);
    expect(
      pending.map((row) => [row.itemKey, row.message.embeds[0]?.title, row.status, row.attempts]),
    ).toEqual([
      ['a', 'alert a', 'pending', 0],
      ['c', 'alert c', 'pending', 0],
    ]);
  });

  it('looks up many seen keys at once, across chunks', async () => {
    const keys = Array.from({ length: 450 }, (_, n) => `k${n}`);
    await store.recordItems(
      keys
        .filter((_, n) => n % 3 === 0)
        .map((key) => ({ ...item(key), contentHash: `h-${key}`, fingerprint: 'f' })),
      '2026-11-28T11:00:00.000Z',
    );
    const seen = await store.seenItems([...keys, 'k0']);
    expect(seen.size).toBe(150);
    expect(seen.get('k3')).toEqual({
      feedUrl: 'https://news.example/feed',
      title: 'k3',
      disposition: 'processed',
      contentHash: 'h-k3',
      fingerprint: 'f',
    });
    expect(seen.has('k1')).toBe(false);
  });

  it('does not queue alerts twice for an item recorded again (same link from another feed)', async () => {
    await store.recordItems([item('shared', ['first'])], '2026-11-28T11:00:00.000Z');
    await store.recordItems([item('shared', ['second'])], '2026-11-28T11:05:00.000Z');
    expect((await store.pendingOutbox(10)).map((row) => row.message.embeds[0]?.title)).toEqual(['first']);
  });

  it('writes nothing when the transaction fails part-way', async () => {
    const broken = item('broken', ['x']);
    // A destination the schema rejects makes the second insert fail inside the transaction.
    (broken.alerts[0] as { destination: unknown }).destination = null;
    await expect(
      store.recordItems([item('ok', ['fine']), broken], '2026-11-28T11:00:00.000Z'),
    ).rejects.toThrow();
    expect(await store.unseenKeys(['ok', 'broken'])).toEqual(new Set(['ok', 'broken']));
    expect(await store.pendingOutbox(10)).toEqual([]);
  });

  it('moves outbox rows through retry, sent and rejected', async () => {
    await store.recordItems([item('a', ['one', 'two', 'three'])], '2026-11-28T11:00:00.000Z');
    const lease = { worker: 'w1', now: '2026-11-28T11:00:00.000Z', until: '2026-11-28T11:02:00.000Z' };
    expect(await store.acquireLeases(['destination:default'], lease)).toEqual(['destination:default']);
    const [one, two, three] = await store.claimOutbox(10, ['default'], lease);
    expect(await store.markRetry(one!.id, 'w1', 'HTTP 503', '2026-11-28T11:10:00.000Z')).toBe(true);
    expect(await store.markSent(two!.id, 'w1', '2026-11-28T11:01:00.000Z', '9001')).toBe(true);
    expect(await store.markRejected(three!.id, 'w1', 'Invalid Form Body')).toBe(true);
    // A transition applies once, and only under the claim.
    expect(await store.markSent(two!.id, 'w1', '2026-11-28T11:01:00.000Z', '9001')).toBe(false);
    expect(await store.markRetry(one!.id, 'w1', 'again', '2026-11-28T11:20:00.000Z')).toBe(false);
    expect(await store.nextOutboxAttempt()).toBe('2026-11-28T11:10:00.000Z');
    const rows = await store.outbox();
    expect(rows.map((row) => [row.status, row.attempts, row.lastError, row.discordMessageId])).toEqual([
      ['pending', 1, 'HTTP 503', null],
      ['sent', 1, null, '9001'],
      ['rejected', 1, 'Invalid Form Body', null],
    ]);
  });

  it('keeps everything across a reopen (the ledger survives restarts)', async () => {
    await store.recordItems([item('kept', ['alert'])], '2026-11-28T11:00:00.000Z');
    await store.close();
    store = new SqliteStore(path);
    expect(await store.unseenKeys(['kept'])).toEqual(new Set());
    expect(await store.pendingOutbox(10)).toHaveLength(1);
  });

  it('refuses a database written by a newer attribot', async () => {
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(path)).toThrow(/newer than this attribot/);
    store = new SqliteStore(':memory:');
  });
});

describe('SqliteStore upgrade to summaries (the migration rebuilds the outbox)', () => {
  it('keeps every outbox row, claim and suspension, and never reuses an id', async () => {
    const temp = makeTempDir();
    try {
      const path = join(temp.dir, 'attribot.db');
      const old = new Database(path);
      const summaries = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE summaries'));
      migrateSync(sqliteSyncMigrationTarget(old), MIGRATIONS.slice(0, summaries));
      old.exec(`
        INSERT INTO seen_items (item_key, feed_url, disposition, seen_at, listed_at)
          VALUES ('k1', 'https://news.example/feed', 'processed', '2026-11-28T10:00:00.000Z', '2026-11-28T10:00:00.000Z');
        INSERT INTO outbox (id, kind, item_key, destination, message, status, next_attempt_at, created_at, claimed_by, claim_until, suspended, attempts, last_error)
          VALUES (7, 'alert', 'k1', 'soc', '{"embeds":[{"title":"waiting"}],"allowed_mentions":{"parse":[]}}', 'pending',
                  '2026-11-28T11:00:00.000Z', '2026-11-28T10:00:00.000Z', 'host:1:abc', '2026-11-28T10:05:00.000Z', 1, 3, 'HTTP 401');
        INSERT INTO outbox (id, kind, destination, message, status, next_attempt_at, created_at)
          VALUES (9, 'notice', 'admin', '{"embeds":[{"title":"pruned"}],"allowed_mentions":{"parse":[]}}', 'sent',
                  '2026-11-28T10:00:00.000Z', '2026-11-28T10:00:00.000Z');
        DELETE FROM outbox WHERE id = 9;
      `);
      old.close();

      const upgraded = new SqliteStore(path);
      const [row] = await upgraded.pendingOutbox(10);
      expect(row).toMatchObject({ id: 7, kind: 'alert', itemKey: 'k1', attempts: 3, lastError: 'HTTP 401' });
      expect((await upgraded.destinationStatus(['soc']))[0]?.head?.suspended).toBe(true);
      const key = { route: 'r', periodEnd: '2026-11-29T09:00:00.000Z' };
      expect(
        await upgraded.queueSummary(
          key,
          [{ destination: 'soc', message: plainMessage('summary') }],
          '2026-11-29T09:00:00.000Z',
        ),
      ).toBe(true);
      const rows = await upgraded.pendingOutbox(10);
      // Row 9 was deleted before the upgrade; its id is not handed out again.
      expect(rows.map((entry) => [entry.id, entry.kind])).toEqual([
        [7, 'alert'],
        [10, 'summary'],
      ]);
      await upgraded.close();
    } finally {
      temp.cleanup();
    }
  });
});
