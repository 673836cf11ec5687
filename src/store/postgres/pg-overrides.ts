import type pg from 'pg';
import { entryKey, type MuteEntry, type Overrides, type WatchEntry } from '../../config/overrides.js';
import type { MatchKind } from '../../config/schema.js';
import type { OverrideStore } from '../overrides.js';
import { type MuteRow, toMuteEntry, toWatchEntry, type WatchRow } from '../rows.js';
import { pgText } from './pg-text.js';

/**
 * The override layer in PgStore's database (tables from the second migration), on the store's pool
 * (`PgStore#pool`), so it opens and closes with the store. Every worker reads the same entries.
 */
export class PgOverrideStore implements OverrideStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async loadOverrides(): Promise<Overrides> {
    const watches = await this.#pool.query<WatchRow>(
      'SELECT kind, value, added_by, added_at FROM override_watches ORDER BY added_at, seq',
    );
    const mutes = await this.#pool.query<MuteRow>(
      'SELECT kind, value, until, added_by, added_at FROM override_mutes ORDER BY until, seq',
    );
    return { watches: watches.rows.map(toWatchEntry), mutes: mutes.rows.map(toMuteEntry) };
  }

  async addWatch(entry: WatchEntry): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO override_watches (kind, value_key, value, added_by, added_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, value_key) DO NOTHING`,
      [
        entry.kind,
        pgText(entryKey(entry.kind, entry.value)),
        pgText(entry.value),
        entry.addedBy,
        entry.addedAt,
      ],
    );
    return result.rowCount === 1;
  }

  async removeWatch(kind: MatchKind, value: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM override_watches WHERE kind = $1 AND value_key = $2', [
      kind,
      pgText(entryKey(kind, value)),
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async putMute(entry: MuteEntry): Promise<void> {
    await this.#pool.query(
      `INSERT INTO override_mutes (kind, value_key, value, until, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (kind, value_key) DO UPDATE SET value = excluded.value, until = excluded.until,
         added_by = excluded.added_by, added_at = excluded.added_at`,
      [
        entry.kind,
        pgText(entryKey(entry.kind, entry.value)),
        pgText(entry.value),
        entry.until,
        entry.addedBy,
        entry.addedAt,
      ],
    );
  }

  async removeMute(kind: MatchKind, value: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM override_mutes WHERE kind = $1 AND value_key = $2', [
      kind,
      pgText(entryKey(kind, value)),
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async pruneMutes(at: string): Promise<number> {
    const result = await this.#pool.query('DELETE FROM override_mutes WHERE until <= $1', [at]);
    return result.rowCount ?? 0;
  }
}
