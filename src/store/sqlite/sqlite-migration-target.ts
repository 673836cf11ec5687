import type Database from 'better-sqlite3';
import type { MigrationTarget, SyncMigrationTarget } from '../migrate.js';

/**
 * better-sqlite3 as a migration target: PRAGMA user_version is the version record (what SqliteStore
 * has always used, so existing files keep their version), and each step runs in `BEGIN IMMEDIATE`,
 * which takes SQLite's write lock up front: a second process starting beside this one waits (its
 * busy_timeout) and then sees the version this one reached. SqliteStore's constructor runs
 * `migrateSync(sqliteSyncMigrationTarget(db), MIGRATIONS)`.
 */
export function sqliteSyncMigrationTarget(db: Database.Database): SyncMigrationTarget {
  return {
    exclusive: (step) => immediate(db, () => step(sessionOf(db))),
  };
}

/** The same target for the asynchronous runner (`migrate`). */
export function sqliteMigrationTarget(db: Database.Database): MigrationTarget {
  const session = sessionOf(db);
  return {
    exclusive: (step) =>
      immediate(db, () =>
        step({
          version: async () => session.version(),
          apply: async (sql, version) => session.apply(sql, version),
        }),
      ),
  };
}

function sessionOf(db: Database.Database) {
  return {
    version: () => db.pragma('user_version', { simple: true }) as number,
    apply: (sql: string, version: number) => {
      db.exec(sql);
      db.pragma(`user_version = ${Math.trunc(version)}`);
    },
  };
}

/** Runs `work` (sync, or async with only this connection's statements) in BEGIN IMMEDIATE … COMMIT. */
function immediate<T>(db: Database.Database, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  const rollback = (error: unknown): never => {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  };
  let result: T;
  try {
    result = work();
  } catch (error) {
    return rollback(error);
  }
  if (result instanceof Promise) {
    return result.then((value) => {
      db.exec('COMMIT');
      return value;
    }, rollback) as T;
  }
  db.exec('COMMIT');
  return result;
}
