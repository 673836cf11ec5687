import { SNOWFLAKE } from './discord-ids.js';
import { ConfigError } from './errors.js';

export interface WebhookRef {
  id: string;
  token: string;
}

const DISCORD_HOSTS = new Set([
  'discord.com',
  'ptb.discord.com',
  'canary.discord.com',
  'discordapp.com',
  'ptb.discordapp.com',
  'canary.discordapp.com',
]);
const TOKEN = /^[\w-]{1,200}$/;
const EXPECTED = 'expected https://discord.com/api/webhooks/<id>/<token>';

/**
 * Parses a Discord webhook URL into its id and token. With `apiBase` (tests, proxies), URLs under
 * that base are accepted as well. Errors never quote the URL: it carries the token.
 */
export function parseWebhookUrl(value: string, options: { apiBase?: string } = {}): WebhookRef {
  const text = value.trim();
  if (!URL.canParse(text)) throw new ConfigError(`Discord webhook URL is not a URL; ${EXPECTED}`);
  const url = new URL(text);
  if (url.search || url.hash) {
    throw new ConfigError(
      `Discord webhook URL must not carry a query or fragment (such as ?thread_id=); ${EXPECTED}`,
    );
  }
  const rest = restOfPath(url, options.apiBase);
  const match = /^\/(?:v\d+\/)?webhooks\/([^/]+)\/([^/]+)\/?$/.exec(rest);
  if (!match)
    throw new ConfigError(`Discord webhook URL path is not /api/webhooks/<id>/<token>; ${EXPECTED}`);
  const [, id = '', token = ''] = match;
  if (!SNOWFLAKE.test(id))
    throw new ConfigError(`Discord webhook id must be a numeric snowflake; ${EXPECTED}`);
  if (!TOKEN.test(token))
    throw new ConfigError(`Discord webhook token has unexpected characters; ${EXPECTED}`);
  return { id, token };
}

/** The path after `/api` (or after `apiBase`), or a ConfigError naming the host. */
function restOfPath(url: URL, apiBase: string | undefined): string {
  if (apiBase && URL.canParse(apiBase)) {
    const base = new URL(apiBase);
    const basePath = base.pathname.replace(/\/+$/, '');
    if (url.origin === base.origin && url.pathname.startsWith(`${basePath}/`)) {
      return url.pathname.slice(basePath.length);
    }
  }
  if (url.protocol !== 'https:') throw new ConfigError(`Discord webhook URL must use https; ${EXPECTED}`);
  if (!DISCORD_HOSTS.has(url.hostname) || url.port) {
    throw new ConfigError(`Discord webhook URL host "${url.host}" is not discord.com; ${EXPECTED}`);
  }
  if (!url.pathname.startsWith('/api/')) {
    throw new ConfigError(`Discord webhook URL path is not /api/webhooks/<id>/<token>; ${EXPECTED}`);
  }
  return url.pathname.slice('/api'.length);
}
