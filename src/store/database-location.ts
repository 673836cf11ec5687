/**
 * What a database location names, without opening it (and without loading an adapter): a
 * `postgres://` or `postgresql://` URL is PostgreSQL, anything else a SQLite file path.
 */
import { redactUrl } from '../shared/redact.js';

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location.trim());
}

/** The location for logs and `check-config`: a URL without its password or secret parameters. */
export function describeDatabase(location: string): string {
  return isPostgresUrl(location) ? `${redactUrl(location.trim())} (PostgreSQL)` : `${location} (SQLite)`;
}
