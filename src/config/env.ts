import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseWebhookUrl } from '../shared/webhook-url.js';
import type { ConfigProblem } from './load.js';
import { ADMIN_DESTINATION, type Config, type DeliveryTarget, type Feed, Route } from './schema.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A destination with its secret resolved. Holds a token: never log it whole. */
export type ResolvedDestination =
  | { name: string; type: 'webhook'; webhookUrl: string }
  | { name: string; type: 'bot'; token: string; channelId: string; guildId?: string; adminRoleIds: string[] }
  | { name: string; type: 'console' };

/** The configuration the worker actually runs with: YAML plus environment overrides and secrets. */
export interface EffectiveConfig {
  /** `routes` is never empty here: with none configured it holds the default route. */
  config: Config;
  destinations: ResolvedDestination[];
  /**
   * Where the ledger lives: DATABASE_URL (a postgres:// URL: several workers may share it), else
   * the SQLite file of ATTRIBOT_DB (default data/attribot.db; one host).
   */
  database: string;
  discordApiBase: string;
  /** settings.allowPrivateNetwork or ATTRIBOT_ALLOW_PRIVATE_NETWORK=1. */
  allowPrivateNetwork: boolean;
  /** Where `run` serves /healthz and /metrics (ATTRIBOT_HTTP_PORT, ATTRIBOT_HTTP_HOST); null: off. */
  http: { host: string; port: number } | null;
}

/** How secret files are read; tests pass a fake. Returns the file's text or throws. */
export interface SecretReader {
  readFile(path: string): string;
}

const fileSecrets: SecretReader = { readFile: (path) => readFileSync(path, 'utf8') };

/** The route used when the config has none: every attribution to every destination except `admin`. */
export const DEFAULT_ROUTE_NAME = 'default';

/** Levels ATTRIBOT_LOG_LEVEL accepts (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A feed listed twice is polled once (the first entry wins; check-config warns about the YAML). */
function uniqueFeeds(feeds: readonly Feed[]): Feed[] {
  const seen = new Set<string>();
  return feeds.filter((feed) => {
    const key = URL.canParse(feed.url) ? new URL(feed.url).href : feed.url;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** "1/true/yes" → true, "0/false/no"/unset → false, anything else → null (an error). */
function booleanFlag(value: string | undefined): boolean | null {
  const text = value?.trim().toLowerCase();
  if (!text || ['0', 'false', 'no', 'off'].includes(text)) return false;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  return null;
}

export const DEFAULT_DISCORD_API = 'https://discord.com/api';

/** The bundled config, found relative to this module so it works from src/ (tsx) and dist/ (tsc). */
export const BUNDLED_CONFIG = fileURLToPath(new URL('../../config/attribot.yaml', import.meta.url));

export function configPath(flag: string | undefined, env: Environment): string {
  return flag ?? env.ATTRIBOT_CONFIG ?? BUNDLED_CONFIG;
}

function feedsFromEnv(value: string): Feed[] {
  return value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0)
    .map((url) => ({ url }));
}

/**
 * Applies ATTRIBOT_FEEDS, DISCORD_WEBHOOK_URL (or DISCORD_WEBHOOK_URL_FILE), DISCORD_API_BASE,
 * DATABASE_URL and ATTRIBOT_DB, reads each destination's secret from its variable or file, and fills in the default
 * route. Pure apart from reading secret files through `secrets`. Errors name variables and files,
 * never their contents.
 */
export function applyEnvironment(
  config: Config,
  env: Environment,
  secrets: SecretReader = fileSecrets,
): { effective: EffectiveConfig | null; errors: ConfigProblem[] } {
  const errors: ConfigProblem[] = [];
  const problem = (path: string, message: string): void => {
    errors.push({ file: 'environment', line: null, path, message });
  };

  let feeds = config.feeds;
  if (env.ATTRIBOT_FEEDS !== undefined && env.ATTRIBOT_FEEDS.trim() !== '') {
    feeds = feedsFromEnv(env.ATTRIBOT_FEEDS);
    for (const feed of feeds) {
      if (!/^https?:\/\//i.test(feed.url) || !URL.canParse(feed.url)) {
        problem('ATTRIBOT_FEEDS', `not an absolute http(s) URL: "${feed.url}"`);
      }
    }
  }
  feeds = uniqueFeeds(feeds);

  const discordApiBase = (env.DISCORD_API_BASE?.trim() || DEFAULT_DISCORD_API).replace(/\/+$/, '');
  if (!URL.canParse(discordApiBase)) problem('DISCORD_API_BASE', `not a URL: "${discordApiBase}"`);

  const allowPrivate = booleanFlag(env.ATTRIBOT_ALLOW_PRIVATE_NETWORK);
  if (allowPrivate === null) problem('ATTRIBOT_ALLOW_PRIVATE_NETWORK', 'must be 1 or 0 (true/false, yes/no)');
  const portText = env.ATTRIBOT_HTTP_PORT?.trim();
  const port = portText ? Number(portText) : null;
  if (portText && (!/^\d{1,5}$/.test(portText) || (port ?? 0) > 65535)) {
    problem('ATTRIBOT_HTTP_PORT', `not a port number: "${portText.slice(0, 20)}"`);
  }
  const level = env.ATTRIBOT_LOG_LEVEL?.trim();
  if (level && !LOG_LEVELS.includes(level))
    problem('ATTRIBOT_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  /** The secret behind a variable or a file, trimmed; null after reporting why there is none. */
  const secret = (
    what: string,
    source: { env?: string | undefined; file?: string | undefined },
  ): string | null => {
    if (source.env !== undefined) {
      const value = env[source.env]?.trim();
      if (!value) problem(source.env, `${what} needs ${source.env} to be set`);
      return value || null;
    }
    if (source.file !== undefined) {
      let value: string;
      try {
        value = secrets.readFile(source.file).trim();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        problem(source.file, `${what}: cannot read its secret file (${code})`);
        return null;
      }
      if (!value) problem(source.file, `${what}: its secret file is empty`);
      return value || null;
    }
    problem('', `${what} names no secret`);
    return null;
  };

  const webhook = (name: string, url: string, path: string): ResolvedDestination | null => {
    try {
      parseWebhookUrl(url, { apiBase: discordApiBase });
    } catch (error) {
      problem(
        path,
        `destination "${name}": ${error instanceof Error ? error.message : 'invalid webhook URL'}`,
      );
      return null;
    }
    return { name, type: 'webhook', webhookUrl: url };
  };

  const destinations: ResolvedDestination[] = [];
  for (const target of config.destinations) {
    const resolved = resolveTarget(target);
    if (resolved) destinations.push(resolved);
  }
  if (config.destinations.length === 0) {
    const fromFile = env.DISCORD_WEBHOOK_URL?.trim() ? undefined : env.DISCORD_WEBHOOK_URL_FILE?.trim();
    const url = fromFile
      ? secret('default destination', { file: fromFile })
      : env.DISCORD_WEBHOOK_URL?.trim();
    const resolved = url
      ? webhook('default', url, fromFile ? 'DISCORD_WEBHOOK_URL_FILE' : 'DISCORD_WEBHOOK_URL')
      : fromFile
        ? null
        : { name: 'default', type: 'console' as const };
    if (resolved) destinations.push(resolved);
  }

  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl && !/^postgres(?:ql)?:\/\/./i.test(databaseUrl))
    problem(
      'DATABASE_URL',
      'must be a postgres:// or postgresql:// URL (for SQLite, set ATTRIBOT_DB to a file path)',
    );

  if (errors.length > 0) return { effective: null, errors };
  return {
    effective: {
      config: { ...config, feeds, routes: effectiveRoutes(config, destinations) },
      destinations,
      database: databaseUrl || env.ATTRIBOT_DB?.trim() || 'data/attribot.db',
      allowPrivateNetwork: config.settings.allowPrivateNetwork || allowPrivate === true,
      http: port === null ? null : { host: env.ATTRIBOT_HTTP_HOST?.trim() || '127.0.0.1', port },
      discordApiBase,
    },
    errors,
  };

  function resolveTarget(target: DeliveryTarget): ResolvedDestination | null {
    const what = `destination "${target.name}"`;
    switch (target.type) {
      case 'console':
        return { name: target.name, type: 'console' };
      case 'webhook': {
        const url = secret(what, { env: target.webhookUrlEnv, file: target.webhookUrlFile });
        if (url === null) return null;
        return webhook(target.name, url, target.webhookUrlEnv ?? target.webhookUrlFile ?? target.name);
      }
      case 'bot': {
        const token = secret(what, { env: target.tokenEnv, file: target.tokenFile })?.replace(/^Bot\s+/i, '');
        if (token === undefined) return null;
        if (!/^[\x21-\x7e]+$/.test(token)) {
          problem(
            target.tokenEnv ?? target.tokenFile ?? target.name,
            `${what}: the bot token has spaces or unexpected characters`,
          );
          return null;
        }
        return {
          name: target.name,
          type: 'bot',
          token,
          channelId: target.channelId,
          ...(target.guildId === undefined ? {} : { guildId: target.guildId }),
          adminRoleIds: target.adminRoleIds,
        };
      }
    }
  }
}

/** The configured routes, or the default route to every destination except `admin`. */
export function effectiveRoutes(config: Config, destinations: readonly ResolvedDestination[]): Route[] {
  if (config.routes.length > 0) return config.routes;
  const names = destinations
    .filter((target) => target.name !== ADMIN_DESTINATION)
    .map((target) => target.name);
  if (names.length === 0) return [];
  return [Route.parse({ name: DEFAULT_ROUTE_NAME, destinations: names })];
}
