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
 * through two feeds is one item), else its guid scoped to the feed, else a hash of what is left
 * (an undated item's text included, so two undated items that share a title stay two).
 */
export function itemKey(
  feedUrl: string,
  item: Pick<FeedItem, 'link' | 'guid' | 'title' | 'published'> & { text?: string },
): string {
  if (item.link) return linkKey(item.link);
  if (item.guid) return guidKey(feedUrl, item.guid);
  const parts = [feedUrl, item.title ?? '', item.published ?? ''];
  if (!item.published && item.text) parts.push(item.text);
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `hash:${digest}`;
}

export function linkKey(link: string): string {
  return `link:${canonicalLink(link)}`;
}

export function guidKey(feedUrl: string, guid: string): string {
  return `guid:${feedUrl}#${guid}`;
}

/** A link as one feed's own item: used when another feed already recorded the same link with other content. */
export function feedLinkKey(feedUrl: string, link: string): string {
  return `feedlink:${feedUrl}#${canonicalLink(link)}`;
}

export interface ItemKeys {
  /** The key a new item is recorded under. */
  key: string;
  /** Keys the same item may have been recorded under before (honoured when the titles agree). */
  alternates: string[];
}

/**
 * Keys of a document's items. A link that several items with different guids share (feeds that
 * link every item to one landing page) identifies none of them: those items are keyed by guid.
 */
export function documentItemKeys(
  feedUrl: string,
  items: ReadonlyArray<Pick<FeedItem, 'link' | 'guid' | 'title' | 'published'> & { text?: string }>,
): ItemKeys[] {
  const guidsPerLink = new Map<string, Set<string>>();
  for (const item of items) {
    if (!item.link || !item.guid) continue;
    const key = linkKey(item.link);
    const guids = guidsPerLink.get(key) ?? new Set<string>();
    guids.add(item.guid);
    guidsPerLink.set(key, guids);
  }
  return items.map((item) => {
    if (!item.link || !item.guid) return { key: itemKey(feedUrl, item), alternates: [] };
    const byLink = linkKey(item.link);
    const byGuid = guidKey(feedUrl, item.guid);
    return (guidsPerLink.get(byLink)?.size ?? 0) > 1
      ? { key: byGuid, alternates: [byLink] }
      : { key: byLink, alternates: [byGuid] };
  });
}

/** Hash of what an item says (title and text), to notice an edit. */
export function hashContent(item: FeedItem): string {
  return createHash('sha256')
    .update(`${item.title ?? ''}\n${item.text}`)
    .digest('base64url')
    .slice(0, 22);
}
