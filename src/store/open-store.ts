/**
 * Picks the adapter for a database location: a `postgres://` or `postgresql://` URL opens
 * PostgreSQL (shared by several workers), anything else is a SQLite file path (one host). Each
 * adapter migrates its database before this returns, so the caller gets a ready store or an
 * AppError that says what to fix.
 */
import { existsSync } from 'node:fs';
import { AppError } from '../shared/errors.js';
import { isPostgresUrl } from './database-location.js';
import type { OverrideStore } from './overrides.js';
import type { Store } from './store.js';

export interface StoreSpec {
  /** A `postgres://user:password@host:5432/db` URL, or the path of a SQLite file (`:memory:` too). */
  location: string;
  /** PostgreSQL connections this worker keeps (default 4). */
  poolSize?: number;
  /** How long a PostgreSQL connection may take to open (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Open only a database attribot has already created (admin commands): a missing SQLite file, or a
   * database without attribot's schema, is a DatabaseMissingError rather than a new empty ledger.
   */
  mustExist?: boolean;
}

/** `StoreSpec.mustExist` and nothing there: the worker has not run against this database yet. */
export class DatabaseMissingError extends AppError {}

export interface OpenedStore {
  store: Store;
  overrides: OverrideStore;
  kind: 'sqlite' | 'postgres';
  /** Where the data lives, for logs: the URL without its password, or the file path. */
  describe: string;
}

export { isPostgresUrl } from './database-location.js';

export async function openStore(spec: string | StoreSpec): Promise<OpenedStore> {
  const { location, ...options } = typeof spec === 'string' ? { location: spec } : spec;
  if (location.trim() === '') throw new AppError('no database given: set DATABASE_URL or a SQLite path');
  if (isPostgresUrl(location)) {
    const url = location.trim();
    if (options.poolSize !== undefined && !(Number.isInteger(options.poolSize) && options.poolSize >= 1)) {
      throw new AppError(
        `PostgreSQL pool size must be a whole number of at least 1, not ${options.poolSize}`,
      );
    }
    // Loaded only when asked for: a SQLite worker never pays for pg at start-up.
    const [{ PgStore }, { PgOverrideStore }, { describePgUrl }] = await Promise.all([
      import('./postgres/pg-store.js'),
      import('./postgres/pg-overrides.js'),
      import('./postgres/pg-pool.js'),
    ]);
    const { mustExist, ...poolOptions } = options;
    const store = await PgStore.open(url, poolOptions, mustExist ? pgMissing(url, describePgUrl) : undefined);
    return {
      store,
      overrides: new PgOverrideStore(store.pool),
      kind: 'postgres',
      describe: describePgUrl(url),
    };
  }
  const [{ SqliteStore, sqliteOpenError }, { SqliteOverrideStore }] = await Promise.all([
    import('./sqlite/sqlite-store.js'),
    import('./sqlite/sqlite-overrides.js'),
  ]);
  if (options.mustExist) await assertSqliteLedger(location, sqliteOpenError);
  const store = new SqliteStore(location);
  return {
    store,
    overrides: new SqliteOverrideStore(store.database),
    kind: 'sqlite',
    describe: location,
  };
}

const NOT_YET = 'the worker creates it on its first run (attribot once or attribot run)';

function pgMissing(url: string, describe: (url: string) => string): () => AppError {
  return () =>
    new DatabaseMissingError(
      `no attribot database in PostgreSQL at ${describe(url)}: ${NOT_YET}; check DATABASE_URL`,
    );
}

/** A SQLite file that exists and holds attribot's schema, checked read-only (nothing is created). */
async function assertSqliteLedger(
  path: string,
  sqliteOpenError: (path: string, error: unknown) => AppError,
): Promise<void> {
  const missing = new DatabaseMissingError(
    `no attribot database at ${path}: ${NOT_YET}; set ATTRIBOT_DB (or DATABASE_URL) if it lives elsewhere`,
  );
  if (path === ':memory:' || !existsSync(path)) throw missing;
  const { default: Database } = await import('better-sqlite3');
  let version: number;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      version = db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  } catch (error) {
    throw sqliteOpenError(path, error);
  }
  if (version === 0) throw missing;
}
