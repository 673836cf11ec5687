/** The order new items are handled in, and which of them a feed's first poll only records. Pure. */
import type { FeedItem } from './feed-item.js';

/**
 * Oldest first, so alerts are queued (and delivered) in publication order. An undated item takes
 * the date of the nearest dated item below it in the feed (or counts as oldest), which keeps it
 * where the feed put it and makes the order total (a comparator that treats undated items as
 * "equal to everything" is not transitive, and sort results then depend on the engine).
 */
export function oldestFirst(items: readonly FeedItem[]): FeedItem[] {
  let previous = Number.NEGATIVE_INFINITY;
  const keyed = [...items].reverse().map((item, index) => {
    const time = item.published ? Date.parse(item.published) : Number.NaN;
    if (!Number.isNaN(time)) previous = time;
    return { item, index, time: Number.isNaN(time) ? previous : time };
  });
  keyed.sort((a, b) => (a.time === b.time ? a.index - b.index : a.time < b.time ? -1 : 1));
  return keyed.map((entry) => entry.item);
}

/** On a feed's first sight only recent items alert; undated ones count as old. */
export function isBacklog(item: FeedItem, now: Date, windowMs: number): boolean {
  if (windowMs <= 0) return false;
  if (!item.published) return true;
  const published = Date.parse(item.published);
  return Number.isNaN(published) || now.getTime() - published > windowMs;
}
