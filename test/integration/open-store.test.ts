import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
import { runCli } from '../helpers/run-cli.js';
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

  it('creates missing directory levels, and says which level of the path is a file', async () => {
    const temp = makeTempDir();
    try {
      const nested = join(temp.dir, 'a', 'b', 'c', 'attribot.db');
      const opened = await openStore(nested);
      await opened.store.close();
      expect(existsSync(nested)).toBe(true);

      const file = join(temp.dir, 'hostname');
      writeFileSync(file, 'not a directory\n');
      for (const path of [join(file, 'x.db'), join(file, 'deeper', 'x.db')]) {
        const error = await openStore(path).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(AppError);
        expect((error as Error).message).toBe(
          `cannot create the database ${path}: ${file} is not a directory; set ATTRIBOT_DB to a file in a directory`,
        );
      }
    } finally {
      temp.cleanup();
    }
  });

  it('names a file that is not a SQLite database and says what to do, opening it or reading it', async () => {
    const temp = makeTempDir();
    try {
      const path = join(temp.dir, 'notes.txt');
      writeFileSync(path, 'These are notes, not a database.\n'.repeat(200));
      const expected = `${path} is not a SQLite database (file is not a database): set ATTRIBOT_DB to attribot's database file, or to a new path where attribot creates one`;
      for (const spec of [path, { location: path, mustExist: true }]) {
        const error = await openStore(spec).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(AppError);
        expect((error as Error).message).toBe(expected);
      }
      expect(readFileSync(path, 'utf8')).toMatch(/^These are notes/);
    } finally {
      temp.cleanup();
    }
  });

  it.skipIf(process.platform !== 'linux')(
    'refuses a directory the kernel will not create (/proc) at once, where a recursive mkdir spun forever',
    async () => {
      // In a child process with a timeout: a regression hangs that process, never this one.
      const result = await runCli(['once'], { ATTRIBOT_DB: '/proc/attribot-nope/x.db' }, 20_000);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'cannot create the database /proc/attribot-nope/x.db: cannot make the directory /proc/attribot-nope (ENOENT)',
      );
    },
    30_000,
  );

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
