import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The test cluster's admin URL (see postgres-cluster.ts), or null when PostgreSQL suites skip. */
export function postgresUrl(): string | null {
  return inject('postgresUrl');
}

/** Why PostgreSQL suites skip, for the suite's name: a skipped suite says so in the report. */
export function postgresSkipNote(): string {
  return postgresUrl() ? '' : ` (skipped: ${inject('postgresSkipReason') ?? 'no PostgreSQL'})`;
}

/** The same server, another database or user. */
export function withDatabase(url: string, database: string, user?: string, password?: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user !== undefined) parsed.username = user;
  if (password !== undefined) parsed.password = password;
  return parsed.href;
}

/** Runs one statement on its own connection: on `url`, or as the cluster's superuser on `postgres`. */
export async function adminQuery(
  sql: string,
  params: unknown[] = [],
  url = postgresUrl(),
): Promise<pg.QueryResult> {
  if (!url) throw new Error('no PostgreSQL test cluster');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database of its own (each test file, or each test, gets one, so files run in
 * parallel safely); `drop` removes it once its connections are closed.
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const url = postgresUrl();
  if (!url) throw new Error('no PostgreSQL test cluster');
  const name = `attribot_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    url: withDatabase(url, name),
    name,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
