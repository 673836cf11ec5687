import { fileURLToPath } from 'node:url';
import type { Config, Feed } from './schema.js';
import type { ConfigProblem } from './load.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export type ResolvedDestination =
  | { name: string; type: 'webhook'; webhookUrl: string }
  | { name: string; type: 'console' };

/** The configuration the worker actually runs with: YAML plus environment overrides and secrets. */
export interface EffectiveConfig {
  config: Config;
  destinations: ResolvedDestination[];
  dbPath: string;
  discordApiBase: string;
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

/** Applies ATTRIBOT_FEEDS, DISCORD_WEBHOOK_URL, DISCORD_API_BASE and ATTRIBOT_DB. Pure. */
export function applyEnvironment(
  config: Config,
  env: Environment,
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

  const destinations: ResolvedDestination[] = [];
  for (const target of config.destinations) {
    if (target.type === 'console') {
      destinations.push(target);
      continue;
    }
    const url = env[target.webhookUrlEnv];
    if (!url) {
      problem(target.webhookUrlEnv, `destination "${target.name}" needs ${target.webhookUrlEnv} to hold its webhook URL`);
      continue;
    }
    destinations.push({ name: target.name, type: 'webhook', webhookUrl: url.trim() });
  }
  if (config.destinations.length === 0) {
    const url = env.DISCORD_WEBHOOK_URL?.trim();
    destinations.push(url ? { name: 'default', type: 'webhook', webhookUrl: url } : { name: 'default', type: 'console' });
  }
  for (const target of destinations) {
    if (target.type === 'webhook' && !isWebhookUrl(target.webhookUrl)) {
      problem(
        target.name === 'default' && config.destinations.length === 0 ? 'DISCORD_WEBHOOK_URL' : target.name,
        'not a Discord webhook URL (expected https://discord.com/api/webhooks/<id>/<token>)',
      );
    }
  }

  const discordApiBase = (env.DISCORD_API_BASE?.trim() || DEFAULT_DISCORD_API).replace(/\/+$/, '');
  if (!URL.canParse(discordApiBase)) problem('DISCORD_API_BASE', `not a URL: "${discordApiBase}"`);

  if (errors.length > 0) return { effective: null, errors };
  return {
    effective: {
      config: { ...config, feeds },
      destinations,
      dbPath: env.ATTRIBOT_DB?.trim() || 'data/attribot.db',
      discordApiBase,
    },
    errors,
  };
}

const WEBHOOK_PATH = /\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([\w-]+)\/?$/;

function isWebhookUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  return WEBHOOK_PATH.test(new URL(value).pathname);
}
