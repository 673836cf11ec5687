import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MigrationTarget, migrate, SchemaTooNewError } from '../../src/store/migrate.js';
import { createPool, pgMigrationTarget } from '../../src/store/postgres/pg-pool.js';
import { sqliteMigrationTarget } from '../../src/store/sqlite/sqlite-migration-target.js';
import { createTestDatabase, postgresSkipNote, postgresUrl } from '../helpers/pg-database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Three steps in SQL both dialects speak; the log table says how often each step ran. */
const STEPS = [
  'CREATE TABLE migration_log (step INTEGER NOT NULL); INSERT INTO migration_log VALUES (1);',
  'CREATE TABLE feeds (url TEXT PRIMARY KEY); INSERT INTO migration_log VALUES (2);',
  'ALTER TABLE feeds ADD COLUMN title TEXT; INSERT INTO migration_log VALUES (3);',
];
const BROKEN = 'INSERT INTO migration_log VALUES (4); ALTER TABLE no_such_table ADD COLUMN x TEXT;';

interface Harness {
  target(): MigrationTarget;
  /** Steps run, in order, read from the log table. */
  log(): Promise<number[]>;
  close(): Promise<void>;
}

/**
 * `starters` processes migrate one database. On PostgreSQL they run concurrently; better-sqlite3
 * blocks its thread while it waits for SQLite's lock, so there they take turns, each on its own
 * connection (separate processes wait in BEGIN IMMEDIATE instead).
 */
function runnerCases(open: () => Promise<Harness>, starters: { count: number; concurrent: boolean }): void {
  let harness: Harness;
  beforeEach(async () => {
    harness = await open();
  });
  afterEach(() => harness.close());

  it('applies the migrations in order once, and finds nothing to do the next time', async () => {
    expect(await migrate(harness.target(), STEPS.slice(0, 2))).toEqual({ from: 0, to: 2 });
    expect(await migrate(harness.target(), STEPS)).toEqual({ from: 2, to: 3 });
    expect(await migrate(harness.target(), STEPS)).toEqual({ from: 3, to: 3 });
    expect(await harness.log()).toEqual([1, 2, 3]);
  });

  it('rolls a failing migration back alone: the ones before it stay applied', async () => {
    await expect(migrate(harness.target(), [...STEPS, BROKEN])).rejects.toThrow(/no_such_table/);
    expect(await harness.log()).toEqual([1, 2, 3]);
    expect(await migrate(harness.target(), STEPS)).toEqual({ from: 3, to: 3 });
  });

  it('refuses a database whose schema is newer than the code', async () => {
    await migrate(harness.target(), STEPS);
    const refusal = migrate(harness.target(), STEPS.slice(0, 2));
    await expect(refusal).rejects.toThrow(SchemaTooNewError);
    await expect(refusal).rejects.toThrow(
      'database schema version 3 is newer than this attribot (2); upgrade attribot',
    );
    expect(await harness.log()).toEqual([1, 2, 3]);
  });

  it('applies each migration once when several processes start together', async () => {
    const start = () => migrate(harness.target(), STEPS);
    const outcomes = [];
    if (starters.concurrent)
      outcomes.push(...(await Promise.all(Array.from({ length: starters.count }, start))));
    else for (let n = 0; n < starters.count; n++) outcomes.push(await start());
    expect(outcomes.every((outcome) => outcome.to === 3)).toBe(true);
    expect(await harness.log()).toEqual([1, 2, 3]);
  });
}

describe('migrate on SQLite (better-sqlite3, user_version)', () => {
  runnerCases(
    async () => {
      const temp = makeTempDir();
      const path = join(temp.dir, 'attribot.db');
      // One connection per starter: separate handles on one file, as separate processes have.
      const handles: Database.Database[] = [];
      const connect = (): Database.Database => {
        const db = new Database(path);
        db.pragma('busy_timeout = 5000');
        handles.push(db);
        return db;
      };
      return {
        target: () => sqliteMigrationTarget(connect()),
        log: async () =>
          connect().prepare('SELECT step FROM migration_log ORDER BY rowid').pluck().all() as number[],
        close: async () => {
          for (const db of handles) db.close();
          temp.cleanup();
        },
      };
    },
    { count: 3, concurrent: false },
  );
});

describe.skipIf(!postgresUrl())(`migrate on PostgreSQL (advisory lock)${postgresSkipNote()}`, () => {
  runnerCases(
    async () => {
      const database = await createTestDatabase();
      const pools: pg.Pool[] = [];
      const connect = (): pg.Pool => {
        const pool = createPool(database.url, { poolSize: 1 });
        pools.push(pool);
        return pool;
      };
      return {
        target: () => pgMigrationTarget(connect()),
        log: async () => {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          try {
            return (
              await client.query<{ step: number }>('SELECT step FROM migration_log ORDER BY ctid')
            ).rows.map((row) => row.step);
          } finally {
            await client.end();
          }
        },
        close: async () => {
          for (const pool of pools) await pool.end();
          await database.drop();
        },
      };
    },
    { count: 8, concurrent: true },
  );
});
