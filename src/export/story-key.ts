/** What ties a story's exported objects together across exports, workers and databases. */
import type { Story } from '../alerts/cluster.js';

/**
 * The story's first report: its link when it has one (links are what the store dedupes items on),
 * else outlet, headline and the story's creation time. Never the database id, which differs per
 * database and is unknown until the story is stored.
 */
export function storyKey(story: Pick<Story, 'first' | 'createdAt'>): string {
  const { first } = story;
  if (first.url) return `url:${first.url}`;
  return `story:${first.sourceName}\n${first.title ?? ''}\n${story.createdAt}`;
}

/**
 * A report's publication time as a full ISO timestamp: feeds give RFC 2822, ISO 8601 or a partial
 * date ("2021-07", read as its first day, UTC). Null when it cannot be read.
 */
export function publicationTime(published: string | undefined): string | null {
  if (!published) return null;
  const text = published.trim();
  const partial = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(text);
  const ms = partial
    ? Date.UTC(Number(partial[1]), Number(partial[2] ?? '1') - 1, Number(partial[3] ?? '1'))
    : Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export const keyOf = (name: string): string => name.normalize('NFKC').trim().toLowerCase();

export function uniqueBy<T>(values: readonly T[], key: (value: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const k = key(value);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
