/**
 * The one migration runner, for every adapter: ordered migrations, a version record, one
 * transaction per migration, and a refusal to touch a database whose schema is newer than the code.
 * Adapters plug in through `MigrationTarget`; the runner knows nothing of SQL dialects.
 *
 * A target runs each step in one transaction that excludes every other process migrating the same
 * database, and re-reads the version inside it, so N workers starting together apply each migration
 * once: PostgreSQL takes an advisory transaction lock (store/postgres/pg-pool.ts); SQLite begins
 * with `BEGIN IMMEDIATE`, which takes the write lock up front (store/sqlite/sqlite-migration-target.ts
 * plugs better-sqlite3 in, with PRAGMA user_version as the version record).
 */
import { AppError } from '../shared/errors.js';

/** One step of one transaction, as a target offers it. */
export interface MigrationSession {
  /** How many migrations the database has had (0 for an empty one). */
  version(): Promise<number>;
  /** Runs one migration's SQL and records `version` as reached, in the session's transaction. */
  apply(sql: string, version: number): Promise<void>;
}

export interface MigrationTarget {
  /**
   * Runs `step` in one transaction that no other migrating process runs beside: committed when
   * `step` resolves, rolled back when it throws.
   */
  exclusive<T>(step: (session: MigrationSession) => Promise<T>): Promise<T>;
}

/** The database was written by a newer attribot: refusing it keeps an older binary from corrupting it. */
export class SchemaTooNewError extends AppError {
  readonly found: number;
  readonly known: number;

  constructor(found: number, known: number) {
    super(`database schema version ${found} is newer than this attribot (${known}); upgrade attribot`);
    this.found = found;
    this.known = known;
  }
}

export interface MigrationOutcome {
  /** The version found before this run. */
  from: number;
  to: number;
}

/** The SQL that takes a database at `version` one step further, or null when it is current. */
function nextStep(version: number, migrations: readonly string[]): string | null {
  if (version > migrations.length) throw new SchemaTooNewError(version, migrations.length);
  return migrations[version] ?? null;
}

/**
 * Brings the database up to `migrations.length`, one migration per transaction (a failing one
 * leaves the database at the version before it). `migrations[n]` takes the schema from version n to
 * n + 1; shipped migrations are never edited, only appended to.
 */
export async function migrate(
  target: MigrationTarget,
  migrations: readonly string[],
): Promise<MigrationOutcome> {
  let from: number | null = null;
  for (;;) {
    const reached = await target.exclusive(async (session) => {
      const version = await session.version();
      from ??= version;
      const sql = nextStep(version, migrations);
      if (sql === null) return version;
      await session.apply(sql, version + 1);
      return null;
    });
    if (reached !== null) return { from: from ?? reached, to: reached };
  }
}

/** A target whose steps run synchronously (better-sqlite3), for adapters opened in a constructor. */
export interface SyncMigrationTarget {
  exclusive<T>(step: (session: { version(): number; apply(sql: string, version: number): void }) => T): T;
}

/** `migrate` for a synchronous target: the same steps, the same refusal. */
export function migrateSync(target: SyncMigrationTarget, migrations: readonly string[]): MigrationOutcome {
  let from: number | null = null;
  for (;;) {
    const reached = target.exclusive((session) => {
      const version = session.version();
      from ??= version;
      const sql = nextStep(version, migrations);
      if (sql === null) return version;
      session.apply(sql, version + 1);
      return null;
    });
    if (reached !== null) return { from: from ?? reached, to: reached };
  }
}
