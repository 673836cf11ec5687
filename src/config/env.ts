import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ProxySettings, proxySettingsFromEnv } from '../shared/proxy.js';
import { parseWebhookUrl } from '../shared/webhook-url.js';
import type { ConfigProblem } from './load.js';
import {
  ADMIN_DESTINATION,
  type Config,
  type DeliveryTarget,
  type Feed,
  feedName,
  normalizeFeedName,
  Route,
} from './schema.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A destination with its secret resolved. Holds a token: never log it whole. */
export type ResolvedDestination =
  | {
      name: string;
      type: 'webhook';
      webhookUrl: string;
      /** threadId of the config, or the URL's ?thread_id= (they may not differ). */
      threadId?: string;
      username?: string;
      avatarUrl?: string;
    }
  | { name: string; type: 'bot'; token: string; channelId: string; guildId?: string; adminRoleIds: string[] }
  | { name: string; type: 'console' }
  | { name: string; type: 'taxii'; url: string; collection: string; auth: 'basic' | 'bearer'; secret: string }
  | { name: string; type: 'misp'; url: string; key: string; distribution: 0 | 1 | 2 | 3 };

type WebhookOptions = Pick<
  Extract<ResolvedDestination, { type: 'webhook' }>,
  'threadId' | 'username' | 'avatarUrl'
>;

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
  /** Proxies for feed and page fetches (http_proxy, https_proxy, all_proxy, no_proxy); null: direct. */
  proxy: ProxySettings | null;
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
/** Formats ATTRIBOT_LOG_FORMAT accepts, in any case (src/shared/logger.ts's LogFormat). */
export const LOG_FORMATS = ['pretty', 'json'];

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

/** A problem of the environment; `key` is the config key it belongs to, when it belongs to one. */
export interface EnvironmentProblem extends ConfigProblem {
  key?: Array<string | number>;
}

export interface EnvironmentOptions {
  /**
   * Check without the secrets: a destination whose variable is unset or whose secret file cannot be
   * read is a warning, and it is resolved with a placeholder (never to deliver with).
   */
  offline?: boolean;
  /**
   * Offline, the destinations whose secret must still be really set (`destinations test NAME`
   * posts with it): a missing one stays an error.
   */
  secretsNeededBy?: readonly string[];
}

export interface AppliedEnvironment {
  effective: EffectiveConfig | null;
  errors: EnvironmentProblem[];
  warnings: EnvironmentProblem[];
  /**
   * Destinations whose secret is not available here: errors, or offline resolved with a
   * placeholder for the secret they need at run time.
   */
  withoutSecret: string[];
}

/** The secret of an offline destination: `.invalid` never resolves, so it cannot reach anyone. */
export const OFFLINE_WEBHOOK_URL = 'https://discord.invalid/api/webhooks/0/offline-placeholder';
const OFFLINE_TOKEN = 'offline-placeholder';
const OFFLINE_CREDENTIAL = 'offline:placeholder';
const OFFLINE = Symbol('offline');

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
  options: EnvironmentOptions = {},
): AppliedEnvironment {
  const errors: EnvironmentProblem[] = [];
  const warnings: EnvironmentProblem[] = [];
  const withoutSecret = new Set<string>();
  const note = (list: EnvironmentProblem[], path: string, message: string, key?: Array<string | number>) => {
    list.push({ file: 'environment', line: null, path, message, ...(key ? { key } : {}) });
  };
  const problem = (path: string, message: string, key?: Array<string | number>): void =>
    note(errors, path, message, key);

  let feeds = config.feeds;
  const feedsFromEnvironment = env.ATTRIBOT_FEEDS !== undefined && env.ATTRIBOT_FEEDS.trim() !== '';
  if (feedsFromEnvironment) {
    feeds = feedsFromEnv(env.ATTRIBOT_FEEDS ?? '');
    for (const feed of feeds) {
      if (!/^https?:\/\//i.test(feed.url) || !URL.canParse(feed.url)) {
        problem('ATTRIBOT_FEEDS', `not an absolute http(s) URL: "${feed.url}"`);
      }
    }
  }
  feeds = uniqueFeeds(feeds);
  if (feeds.length === 0)
    note(
      warnings,
      'feeds',
      'no feeds: nothing will be polled (list some under feeds:, or set ATTRIBOT_FEEDS)',
      ['feeds'],
    );
  if (feedsFromEnvironment) {
    const names = new Set(
      feeds.filter((feed) => URL.canParse(feed.url)).map((feed) => normalizeFeedName(feedName(feed))),
    );
    for (const route of config.routes) {
      for (const name of route.feeds.filter((listed) => !names.has(normalizeFeedName(listed))))
        note(
          warnings,
          'ATTRIBOT_FEEDS',
          `route "${route.name}" names feed "${name}", which ATTRIBOT_FEEDS does not list (feeds from it are named by host)`,
        );
    }
  }

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
  const format = env.ATTRIBOT_LOG_FORMAT?.trim().toLowerCase();
  if (format && !LOG_FORMATS.includes(format))
    problem(
      'ATTRIBOT_LOG_FORMAT',
      `must be one of ${LOG_FORMATS.join(', ')} (unset: pretty at a terminal, json otherwise)`,
    );

  /** A secret that is not there: an error, or offline a warning and a placeholder. */
  const absent = (
    destination: string,
    path: string,
    message: string,
    atRunTime: string,
    key: Array<string | number> | undefined,
  ): null | typeof OFFLINE => {
    withoutSecret.add(destination);
    if (!options.offline || options.secretsNeededBy?.includes(destination)) {
      problem(path, message, key);
      return null;
    }
    note(warnings, path, atRunTime, key);
    return OFFLINE;
  };

  /**
   * The secret behind a variable or a file, trimmed; null after reporting why there is none.
   * `keys` are the config keys naming the variable and the file, which problems are filed under.
   */
  const secret = (
    what: string,
    source: { destination: string; env?: string | undefined; file?: string | undefined },
    keys?: { env: Array<string | number>; file: Array<string | number> },
  ): string | null | typeof OFFLINE => {
    if (source.env !== undefined) {
      const value = env[source.env]?.trim();
      if (value) return value;
      const runtime = `${what} needs ${source.env} at run time`;
      const key = keys?.env;
      return absent(source.destination, source.env, `${what} needs ${source.env} to be set`, runtime, key);
    }
    if (source.file !== undefined) {
      const key = keys?.file;
      const runtime = `${what} needs its secret file ${source.file} at run time`;
      let value: string;
      try {
        value = secrets.readFile(source.file).trim();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        return absent(
          source.destination,
          source.file,
          `${what}: cannot read its secret file ${source.file} (${code})`,
          runtime,
          key,
        );
      }
      if (value) return value;
      return absent(
        source.destination,
        source.file,
        `${what}: its secret file ${source.file} is empty`,
        runtime,
        key,
      );
    }
    problem('', `${what} names no secret`, keys?.env.slice(0, -1));
    return null;
  };

  const webhook = (
    name: string,
    url: string | typeof OFFLINE,
    path: string,
    key?: Array<string | number>,
    options: WebhookOptions = {},
  ): ResolvedDestination | null => {
    if (url === OFFLINE) {
      return { name, type: 'webhook', webhookUrl: OFFLINE_WEBHOOK_URL, ...options };
    }
    let urlThread: string | undefined;
    try {
      urlThread = parseWebhookUrl(url, { apiBase: discordApiBase }).threadId;
    } catch (error) {
      problem(
        path,
        `destination "${name}": ${error instanceof Error ? error.message : 'invalid webhook URL'}`,
        key,
      );
      return null;
    }
    if (urlThread !== undefined && options.threadId !== undefined && urlThread !== options.threadId) {
      // Thread ids are not secret; the URL still is, so only its thread is quoted.
      problem(
        path,
        `destination "${name}": threadId ${options.threadId} differs from the webhook URL's ?thread_id=${urlThread}; give one of them`,
        key,
      );
      return null;
    }
    const threadId = options.threadId ?? urlThread;
    return {
      name,
      type: 'webhook',
      webhookUrl: url,
      ...options,
      ...(threadId === undefined ? {} : { threadId }),
    };
  };

  const destinations: ResolvedDestination[] = [];
  config.destinations.forEach((target, index) => {
    const resolved = resolveTarget(target, ['destinations', index]);
    if (resolved) destinations.push(resolved);
  });
  if (config.destinations.length === 0) {
    const fromFile = env.DISCORD_WEBHOOK_URL?.trim() ? undefined : env.DISCORD_WEBHOOK_URL_FILE?.trim();
    const url = fromFile
      ? secret('default destination', { destination: 'default', file: fromFile })
      : env.DISCORD_WEBHOOK_URL?.trim();
    const resolved = url
      ? webhook('default', url, fromFile ? 'DISCORD_WEBHOOK_URL_FILE' : 'DISCORD_WEBHOOK_URL')
      : fromFile
        ? null
        : { name: 'default', type: 'console' as const };
    if (resolved) destinations.push(resolved);
  } else {
    for (const variable of ['DISCORD_WEBHOOK_URL', 'DISCORD_WEBHOOK_URL_FILE']) {
      const named = config.destinations.some(
        (target) =>
          (target.type === 'webhook' && target.webhookUrlEnv === variable) ||
          (target.type === 'bot' && target.tokenEnv === variable),
      );
      if (env[variable]?.trim() && !named)
        note(
          warnings,
          variable,
          'ignored: the config has its own destinations (it only applies to a config without any)',
        );
    }
  }

  const proxies = proxySettingsFromEnv(env);
  // The message never quotes the variable: a proxy URL may carry a password.
  for (const { variable, message, severity } of proxies.problems) {
    if (severity === 'error') problem(variable, message);
    else note(warnings, variable, message);
  }

  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl && !/^postgres(?:ql)?:\/\/./i.test(databaseUrl))
    problem(
      'DATABASE_URL',
      'must be a postgres:// or postgresql:// URL (for SQLite, set ATTRIBOT_DB to a file path)',
    );

  if (errors.length > 0) return { effective: null, errors, warnings, withoutSecret: [...withoutSecret] };
  return {
    effective: {
      config: { ...config, feeds, routes: effectiveRoutes(config, destinations) },
      destinations,
      database: databaseUrl || env.ATTRIBOT_DB?.trim() || 'data/attribot.db',
      allowPrivateNetwork: config.settings.allowPrivateNetwork || allowPrivate === true,
      http: port === null ? null : { host: env.ATTRIBOT_HTTP_HOST?.trim() || '127.0.0.1', port },
      proxy: proxies.settings,
      discordApiBase,
    },
    errors,
    warnings,
    withoutSecret: [...withoutSecret],
  };

  function resolveTarget(target: DeliveryTarget, at: Array<string | number>): ResolvedDestination | null {
    const what = `destination "${target.name}"`;
    switch (target.type) {
      case 'console':
        return { name: target.name, type: 'console' };
      case 'webhook': {
        const source = { destination: target.name, env: target.webhookUrlEnv, file: target.webhookUrlFile };
        const url = secret(what, source, { env: [...at, 'webhookUrlEnv'], file: [...at, 'webhookUrlFile'] });
        if (url === null) return null;
        const key = [...at, target.webhookUrlEnv === undefined ? 'webhookUrlFile' : 'webhookUrlEnv'];
        const options: WebhookOptions = {
          ...(target.threadId === undefined ? {} : { threadId: target.threadId }),
          ...(target.username === undefined ? {} : { username: target.username }),
          ...(target.avatarUrl === undefined ? {} : { avatarUrl: target.avatarUrl }),
        };
        return webhook(
          target.name,
          url,
          target.webhookUrlEnv ?? target.webhookUrlFile ?? target.name,
          key,
          options,
        );
      }
      case 'bot': {
        const source = { destination: target.name, env: target.tokenEnv, file: target.tokenFile };
        const found = secret(what, source, { env: [...at, 'tokenEnv'], file: [...at, 'tokenFile'] });
        if (found === null) return null;
        const token = found === OFFLINE ? OFFLINE_TOKEN : found.replace(/^Bot\s+/i, '');
        if (!/^[\x21-\x7e]+$/.test(token)) {
          problem(
            target.tokenEnv ?? target.tokenFile ?? target.name,
            `${what}: the bot token has spaces or unexpected characters`,
            [...at, target.tokenEnv === undefined ? 'tokenFile' : 'tokenEnv'],
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
      case 'taxii': {
        const source = { destination: target.name, env: target.secretEnv, file: target.secretFile };
        const found = secret(what, source, { env: [...at, 'secretEnv'], file: [...at, 'secretFile'] });
        if (found === null) return null;
        const credential = found === OFFLINE ? OFFLINE_CREDENTIAL : found;
        if (target.auth === 'basic' && !credential.includes(':')) {
          problem(
            target.secretEnv ?? target.secretFile ?? target.name,
            `${what}: basic auth needs the secret as "user:password"`,
            [...at, target.secretEnv === undefined ? 'secretFile' : 'secretEnv'],
          );
          return null;
        }
        return {
          name: target.name,
          type: 'taxii',
          url: target.url,
          collection: target.collection,
          auth: target.auth,
          secret: credential,
        };
      }
      case 'misp': {
        const source = { destination: target.name, env: target.keyEnv, file: target.keyFile };
        const found = secret(what, source, { env: [...at, 'keyEnv'], file: [...at, 'keyFile'] });
        if (found === null) return null;
        return {
          name: target.name,
          type: 'misp',
          url: target.url,
          key: found === OFFLINE ? OFFLINE_TOKEN : found,
          distribution: target.distribution,
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
