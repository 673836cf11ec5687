import type Database from 'better-sqlite3';
import { entryKey, type MuteEntry, type Overrides, type WatchEntry } from '../../config/overrides.js';
import type { MatchKind } from '../../config/schema.js';
import type { OverrideStore } from '../overrides.js';
import { type MuteRow, toMuteEntry, toWatchEntry, type WatchRow } from '../rows.js';

/**
 * The override layer in the SQLite file of SqliteStore (tables from the second migration). Takes
 * the store's open handle (`SqliteStore#database`), so it opens and closes with the store.
 */
export class SqliteOverrideStore implements OverrideStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async loadOverrides(): Promise<Overrides> {
    const watches = this.#db
      .prepare('SELECT kind, value, added_by, added_at FROM override_watches ORDER BY added_at, rowid')
      .all() as WatchRow[];
    const mutes = this.#db
      .prepare('SELECT kind, value, until, added_by, added_at FROM override_mutes ORDER BY until, rowid')
      .all() as MuteRow[];
    return { watches: watches.map(toWatchEntry), mutes: mutes.map(toMuteEntry) };
  }

  async addWatch(entry: WatchEntry): Promise<boolean> {
    const result = this.#db
      .prepare(
        `INSERT INTO override_watches (kind, value_key, value, added_by, added_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, value_key) DO NOTHING`,
      )
      .run(entry.kind, entryKey(entry.kind, entry.value), entry.value, entry.addedBy, entry.addedAt);
    return result.changes > 0;
  }

  async removeWatch(kind: MatchKind, value: string): Promise<boolean> {
    const result = this.#db
      .prepare('DELETE FROM override_watches WHERE kind = ? AND value_key = ?')
      .run(kind, entryKey(kind, value));
    return result.changes > 0;
  }

  async putMute(entry: MuteEntry): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO override_mutes (kind, value_key, value, until, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, value_key) DO UPDATE SET value = excluded.value, until = excluded.until,
           added_by = excluded.added_by, added_at = excluded.added_at`,
      )
      .run(
        entry.kind,
        entryKey(entry.kind, entry.value),
        entry.value,
        entry.until,
        entry.addedBy,
        entry.addedAt,
      );
  }

  async removeMute(kind: MatchKind, value: string): Promise<boolean> {
    const result = this.#db
      .prepare('DELETE FROM override_mutes WHERE kind = ? AND value_key = ?')
      .run(kind, entryKey(kind, value));
    return result.changes > 0;
  }

  async pruneMutes(at: string): Promise<number> {
    return this.#db.prepare('DELETE FROM override_mutes WHERE until <= ?').run(at).changes;
  }
}
