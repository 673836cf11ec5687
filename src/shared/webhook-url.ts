import { SNOWFLAKE } from './discord-ids.js';
import { ConfigError } from './errors.js';

export interface WebhookRef {
  id: string;
  token: string;
  /** The thread (or forum post) the URL's `?thread_id=` names, as Discord's UI and bots copy it. */
  threadId?: string;
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
  const threadId = threadOf(url);
  if (url.hash) throw new ConfigError(`Discord webhook URL must not carry a fragment; ${EXPECTED}`);
  const rest = restOfPath(url, options.apiBase);
  const match = /^\/(?:v\d+\/)?webhooks\/([^/]+)\/([^/]+)\/?$/.exec(rest);
  if (!match)
    throw new ConfigError(`Discord webhook URL path is not /api/webhooks/<id>/<token>; ${EXPECTED}`);
  const [, id = '', token = ''] = match;
  if (!SNOWFLAKE.test(id))
    throw new ConfigError(`Discord webhook id must be a numeric snowflake; ${EXPECTED}`);
  if (!TOKEN.test(token))
    throw new ConfigError(`Discord webhook token has unexpected characters; ${EXPECTED}`);
  return threadId === undefined ? { id, token } : { id, token, threadId };
}

/**
 * The URL's `?thread_id=`, the one query a webhook URL may carry (Discord's execute takes it for a
 * thread or forum post). Other parameters (`wait`, say) are attribot's to set, so they are refused.
 */
function threadOf(url: URL): string | undefined {
  const names = [...url.searchParams.keys()];
  const other = names.find((name) => name !== 'thread_id');
  if (other !== undefined || names.length > 1) {
    throw new ConfigError(
      `Discord webhook URL may carry only ?thread_id=<thread id> as its query (found ${other === undefined ? 'thread_id twice' : `"${other}"`}); ${EXPECTED}`,
    );
  }
  const threadId = url.searchParams.get('thread_id');
  if (threadId === null) return undefined;
  if (!SNOWFLAKE.test(threadId))
    throw new ConfigError(`Discord webhook URL's thread_id must be a numeric snowflake; ${EXPECTED}`);
  return threadId;
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
