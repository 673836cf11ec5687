/**
 * The PostgreSQL connection pool the store and the override store share, its transactions, its
 * migration target, and the one place where pg's connection errors become messages for a person.
 */
import pg from 'pg';
import { AppError, errorMessage } from '../../shared/errors.js';
import { redactSecrets } from '../../shared/redact.js';
import type { MigrationTarget } from '../migrate.js';

export type PgQueryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Advisory lock keys (two-int form): the first says "attribot", the second which lock. */
const LOCK_CLASS = 0x61747462;
export const LOCKS = { migrate: 1, stories: 2 } as const;

export async function advisoryXactLock(client: PgQueryable, lock: number): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [LOCK_CLASS, lock]);
}

export interface PgPoolOptions {
  /** Connections in the pool (default 4: a worker runs one drain and a few feed commits at once). */
  poolSize?: number;
  /** How long a new connection may take before the attempt fails (default 10 s). */
  connectTimeoutMs?: number;
}

/** int8 (ids, counts) as numbers rather than strings; safe below 2^53, which ids never reach. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export function createPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'attribot',
    types,
  });
  // An idle connection the server closed (restart, failover) is dropped by the pool and the next
  // query opens another; without a listener the 'error' event would end the process.
  pool.on('error', () => {});
  return pool;
}

/** `postgres://user@host:port/db`: the URL without its password or secret query values (the user stays). */
export function describePgUrl(url: string): string {
  if (!URL.canParse(url)) return 'PostgreSQL (unparseable URL)';
  const { protocol, username, host, pathname, search } = new URL(url);
  return `${protocol}//${username ? `${username}@` : ''}${host}${pathname}${redactSecrets(search)}`;
}

/** SQLSTATEs that say who may connect rather than that the server is down. */
const AUTH_CODES: Record<string, string> = {
  '28P01': 'password authentication failed',
  '28000': 'the server refused this user (pg_hba.conf)',
  '3D000': 'the database does not exist',
  '42501': 'the user lacks a privilege the schema needs',
};

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running and listening there?)',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'the server closed the connection',
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node reports a refused dual-stack connect as an AggregateError of one error per address.
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) ? codeOf(inner[0]) : undefined;
}

/** A failure to connect or to migrate as an AppError naming the database (no password) and the reason. */
export function connectionError(error: unknown, url: string): AppError {
  if (error instanceof AppError) return error;
  const code = codeOf(error);
  const reason =
    (code && (AUTH_CODES[code] ?? NETWORK_CODES[code])) ??
    (/timeout/i.test(errorMessage(error)) ? 'the connection timed out' : undefined);
  const detail = redactSecrets(errorMessage(error));
  return new AppError(
    `cannot use PostgreSQL at ${describePgUrl(url)}: ${reason ? `${reason} (${detail})` : detail}`,
    { cause: error },
  );
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * Runs `work` in one transaction on one connection, retrying it (up to `attempts` times) when
 * PostgreSQL aborted it for a deadlock or a serialization failure. `work` must only run the
 * store's own statements: nothing else may hold a transaction open.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      if (attempt >= attempts || !RETRYABLE.has(codeOf(error) ?? '')) throw error;
    } finally {
      // A connection that cannot even roll back is discarded rather than handed to the next caller.
      client.release(broken);
    }
  }
}

/** The migration target: `attribot_schema` holds the version; an advisory lock serializes starters. */
export function pgMigrationTarget(pool: pg.Pool): MigrationTarget {
  return {
    exclusive: (step) =>
      inTransaction(
        pool,
        async (client) => {
          await advisoryXactLock(client, LOCKS.migrate);
          await client.query(
            `CREATE TABLE IF NOT EXISTS attribot_schema (
               version INTEGER PRIMARY KEY,
               applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )`,
          );
          return step({
            version: async () => {
              const { rows } = await client.query<{ version: number | null }>(
                'SELECT max(version) AS version FROM attribot_schema',
              );
              return rows[0]?.version ?? 0;
            },
            apply: async (sql, version) => {
              await client.query(sql);
              await client.query('INSERT INTO attribot_schema (version) VALUES ($1)', [version]);
            },
          });
        },
        1,
      ),
  };
}
