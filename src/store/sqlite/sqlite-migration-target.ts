import type Database from 'better-sqlite3';
import type { MigrationTarget } from '../migrate.js';

/**
 * better-sqlite3 as a MigrationTarget: PRAGMA user_version is the version record (what SqliteStore
 * has always used, so existing files keep their version), and each step runs in `BEGIN IMMEDIATE`,
 * which takes SQLite's write lock up front: a second process starting beside this one waits (its
 * busy_timeout) and then sees the version this one reached. Usage in SqliteStore's constructor is
 * `await migrate(sqliteMigrationTarget(db), MIGRATIONS)`, or, kept synchronous, the same steps.
 */
export function sqliteMigrationTarget(db: Database.Database): MigrationTarget {
  return {
    async exclusive(step) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await step({
          version: async () => db.pragma('user_version', { simple: true }) as number,
          apply: async (sql, version) => {
            db.exec(sql);
            db.pragma(`user_version = ${Math.trunc(version)}`);
          },
        });
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
