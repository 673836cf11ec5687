import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.js';
import { type OpenedStore, openStore } from '../../src/store/open-store.js';
import {
  adminQuery,
  createTestDatabase,
  postgresSkipNote,
  postgresUrl,
  withDatabase,
} from '../helpers/pg-database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** A loopback port nothing listens on (the discard port is never served here). */
const CLOSED = 'postgres://attribot:s3cret-pw@127.0.0.1:9/attribot';

describe('openStore', () => {
  it('opens SQLite for a path and says where', async () => {
    const temp = makeTempDir();
    const path = join(temp.dir, 'data', 'attribot.db');
    const opened = await openStore(path);
    try {
      expect([opened.kind, opened.describe]).toEqual(['sqlite', path]);
      await opened.store.probe();
    } finally {
      await opened.store.close();
      temp.cleanup();
    }
  });

  it('fails with a message for a person, without the password, when PostgreSQL is unreachable', async () => {
    const failure = await openStore({ location: CLOSED, connectTimeoutMs: 2_000 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AppError);
    const { message } = failure as AppError;
    expect(message).toMatch(
      /^cannot use PostgreSQL at postgres:\/\/attribot@127\.0\.0\.1:9\/attribot: connection refused/,
    );
    expect(message).not.toContain('s3cret-pw');
  });

  it('refuses a pool size that is not a whole number of at least 1', async () => {
    await expect(openStore({ location: CLOSED, poolSize: 0 })).rejects.toThrow(
      /pool size must be a whole number/,
    );
  });
});

describe.skipIf(!postgresUrl())(`openStore on PostgreSQL${postgresSkipNote()}`, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    // The test cluster asks this role (only) for its password on loopback.
    await adminQuery(`DROP ROLE IF EXISTS attribot_pw`).catch(() => {});
    await adminQuery(`CREATE ROLE attribot_pw LOGIN PASSWORD 'right-password'`).catch(() => {});
    await adminQuery(`GRANT ALL ON DATABASE ${database.name} TO attribot_pw`);
    await adminQuery('GRANT ALL ON SCHEMA public TO attribot_pw', [], database.url);
  });
  afterAll(() => database.drop());

  it('opens PostgreSQL for a postgres:// or postgresql:// URL, migrated, named attribot, password redacted', async () => {
    const url = withDatabase(database.url, database.name, 'attribot_pw', 'right-password');
    const stores: OpenedStore[] = [];
    try {
      stores.push(await openStore(url));
      stores.push(await openStore({ location: url.replace(/^postgres:/, 'postgresql:'), poolSize: 2 }));
      expect(stores.map((each) => each.kind)).toEqual(['postgres', 'postgres']);
      expect(stores[0]!.describe).toBe(`postgres://attribot_pw@${new URL(url).host}/${database.name}`);
      await stores[0]!.store.probe();
      await stores[0]!.overrides.addWatch({
        kind: 'actors',
        value: 'APT29',
        addedBy: null,
        addedAt: '2026-11-28T12:00:00.000Z',
      });
      expect((await stores[1]!.overrides.loadOverrides()).watches).toHaveLength(1);
      const sessions = await adminQuery(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'attribot'`,
        [database.name],
      );
      expect(sessions.rows[0].n).toBeGreaterThanOrEqual(1);
    } finally {
      for (const each of stores) await each.store.close();
    }
  });

  it('says when the password is wrong, without repeating it', async () => {
    const url = withDatabase(database.url, database.name, 'attribot_pw', 'wrong-password');
    const failure = await openStore(url).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).message).toMatch(/password authentication failed/);
    expect((failure as AppError).message).not.toContain('wrong-password');
  });

  it('says when the database does not exist', async () => {
    await expect(openStore(withDatabase(postgresUrl()!, 'attribot_missing_db'))).rejects.toThrow(
      /cannot use PostgreSQL at .*attribot_missing_db: the database does not exist/,
    );
  });
});
