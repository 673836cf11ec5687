/** The order new items are handled in, and which of them a feed's first poll only records. Pure. */
import type { FeedItem } from './feed-item.js';

/** Oldest first, so alerts are queued (and delivered) in publication order; undated items keep feed order reversed. */
export function oldestFirst(items: readonly FeedItem[]): FeedItem[] {
  const reversed = [...items].reverse();
  return reversed
    .map((item, index) => ({ item, index, time: item.published ? Date.parse(item.published) : Number.NaN }))
    .sort((a, b) => {
      if (Number.isNaN(a.time) || Number.isNaN(b.time)) return a.index - b.index;
      return a.time - b.time || a.index - b.index;
    })
    .map((entry) => entry.item);
}

/** On a feed's first sight only recent items alert; undated ones count as old. */
export function isBacklog(item: FeedItem, now: Date, windowMs: number): boolean {
  if (windowMs <= 0) return false;
  if (!item.published) return true;
  const published = Date.parse(item.published);
  return Number.isNaN(published) || now.getTime() - published > windowMs;
}
