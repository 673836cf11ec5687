import { createHash } from 'node:crypto';
import type { FeedItem } from './feed-item.js';

/** Query parameters that only track the click, never select the article. */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  'mkt_tok',
  'wt_mc',
  'wt.mc_id',
  '_hsenc',
  '_hsmi',
  'hsctatracking',
  'oly_enc_id',
  'oly_anon_id',
  'rb_clickid',
  's_cid',
  'ncid',
  'cmpid',
  'ref_src',
  '__twitter_impression',
]);

const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_'];

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * Canonical form of an article URL, so the same article linked from two feeds (or with a
 * different campaign tag) is one item. Returns the input trimmed when it is not a URL.
 */
export function canonicalLink(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return url.trim();
  }
  // URL already lower-cases scheme and host and drops the default port for special schemes.
  if (DEFAULT_PORTS[parsed.protocol] === parsed.port) parsed.port = '';
  parsed.hash = '';
  const kept = [...parsed.searchParams].filter(([name]) => !isTrackingParam(name));
  kept.sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)));
  parsed.search = new URLSearchParams(kept).toString();
  if (parsed.pathname.length > 1 && parsed.pathname.endsWith('/')) {
    parsed.pathname = parsed.pathname.replace(/\/+$/, '') || '/';
  }
  return parsed.href;
}

function compare(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Stable dedupe key of an item: its canonical link when it has one (so one article reached
 * through two feeds is one item), else its guid scoped to the feed, else a hash of what is left.
 */
export function itemKey(
  feedUrl: string,
  item: Pick<FeedItem, 'link' | 'guid' | 'title' | 'published'>,
): string {
  if (item.link) return `link:${canonicalLink(item.link)}`;
  if (item.guid) return `guid:${feedUrl}#${item.guid}`;
  const digest = createHash('sha256')
    .update(JSON.stringify([feedUrl, item.title ?? '', item.published ?? '']))
    .digest('hex');
  return `hash:${digest}`;
}

/** Hash of what an item says (title and text), to notice an edit. */
export function hashContent(item: FeedItem): string {
  return createHash('sha256')
    .update(`${item.title ?? ''}\n${item.text}`)
    .digest('base64url')
    .slice(0, 22);
}
