/**
 * The crash harness's read-only look at the workers' database: whether the outbox still holds
 * undelivered rows (the drain is over when it holds none), and what the ledger says about an alert
 * that never reached Discord. SQLite through better-sqlite3 (read-only, beside the WAL writer);
 * PostgreSQL through `psql`, so the harness needs no driver of its own.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const run = promisify(execFile);

export interface Ledger {
  /** Outbox rows not yet delivered (pending or held); null before the schema exists. */
  undelivered(): Promise<number | null>;
  /** What the database knows about the item behind `link` and its outbox row for `destination`. */
  explain(link: string, destination: string): Promise<string>;
  close(): Promise<void>;
}

const UNDELIVERED = "SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'held')";
const ITEM = 'SELECT item_key, disposition, seen_at FROM seen_items WHERE link = ?';
const ROWS =
  'SELECT id, kind, status, attempts, last_error, claimed_by, created_at, sent_at FROM outbox WHERE item_key = ? AND destination = ?';

export function sqliteLedger(path: string): Ledger {
  let db: Database.Database | null = null;
  const open = (): Database.Database | null => {
    if (!db && existsSync(path)) db = new Database(path, { readonly: true, fileMustExist: true });
    return db;
  };
  const hasOutbox = (handle: Database.Database): boolean =>
    handle.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get() !==
    undefined;
  return {
    async undelivered() {
      const handle = open();
      if (!handle || !hasOutbox(handle)) return null;
      return (handle.prepare(UNDELIVERED).get() as { n: number }).n;
    },
    async explain(link, destination) {
      const handle = open();
      if (!handle) return 'no database file';
      const item = handle.prepare(ITEM).get(link) as { item_key: string } | undefined;
      if (!item) return 'item never recorded (seen_items has no row for its link)';
      const rows = handle.prepare(ROWS).all(item.item_key, destination);
      return `item ${JSON.stringify(item)}; outbox ${rows.length === 0 ? 'none' : JSON.stringify(rows)}`;
    },
    async close() {
      db?.close();
      db = null;
    },
  };
}

/** psql on PATH or in Debian's server directories, or null. */
export function findPsql(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'psql'))) return join(dir, 'psql');
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const major of majors)
    if (existsSync(join(root, major, 'bin', 'psql'))) return join(root, major, 'bin', 'psql');
  return null;
}

export async function psql(binary: string, url: string, sql: string): Promise<string> {
  const { stdout } = await run(binary, [url, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    timeout: 15_000,
  });
  return stdout.trim();
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function postgresLedger(binary: string, url: string): Ledger {
  return {
    async undelivered() {
      const exists = await psql(binary, url, "SELECT to_regclass('outbox') IS NOT NULL");
      if (exists !== 't') return null;
      return Number(await psql(binary, url, UNDELIVERED));
    },
    async explain(link, destination) {
      const item = await psql(
        binary,
        url,
        `SELECT row_to_json(i) FROM (${ITEM.replace('?', literal(link))}) i`,
      );
      if (!item) return 'item never recorded (seen_items has no row for its link)';
      const key = (JSON.parse(item) as { item_key: string }).item_key;
      const rows = await psql(
        binary,
        url,
        `SELECT coalesce(json_agg(r), '[]') FROM (${ROWS.replace('?', literal(key)).replace('?', literal(destination))}) r`,
      );
      return `item ${item}; outbox ${rows}`;
    },
    async close() {},
  };
}

/** Whether something accepts TCP connections at the URL's host and port. */
export function reachable(url: string, timeoutMs = 3_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 5432) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.href;
}
