import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../../src/attribution/attribution.js';
import type { FeedItem } from '../../../src/ingest/feed-item.js';
import { isBacklog, oldestFirst } from '../../../src/ingest/item-order.js';
import { feedName, toArticle, worthRouting } from '../../../src/pipeline.js';

function item(title: string, published?: string): FeedItem {
  return { title, text: `${title} body`, ...(published ? { published } : {}) };
}

const NOW = new Date('2026-11-28T12:00:00Z');
const DAY = 86_400_000;

describe('oldestFirst', () => {
  it('orders dated items by publication time', () => {
    const items = [
      item('c', '2026-11-28T09:00:00Z'),
      item('a', '2026-11-27T09:00:00Z'),
      item('b', '2026-11-28T08:00:00Z'),
    ];
    expect(oldestFirst(items).map((i) => i.title)).toEqual(['a', 'b', 'c']);
  });

  it('reverses feed order for undated items (feeds list newest first)', () => {
    expect(oldestFirst([item('newest'), item('middle'), item('oldest')]).map((i) => i.title)).toEqual([
      'oldest',
      'middle',
      'newest',
    ]);
  });
});

describe('isBacklog', () => {
  it.each([
    ['published an hour ago', '2026-11-28T11:00:00Z', false],
    ['published two days ago', '2026-11-26T12:00:00Z', true],
    ['undated', undefined, true],
    ['unparseable date', 'yesterday-ish', true],
  ])('%s', (_label, published, expected) => {
    expect(isBacklog(item('x', published), NOW, DAY)).toBe(expected);
  });

  it('treats everything as new when the window is 0', () => {
    expect(isBacklog(item('x'), NOW, 0)).toBe(false);
  });
});

describe('small pipeline helpers', () => {
  const attribution = (is: boolean, confidence: number): Attribution => ({
    id: 'x',
    is_attribution: is,
    actors: [],
    attributed_countries: [],
    attributing_parties: [],
    products: [],
    cves: [],
    confidence,
    confidence_reason: '',
    evidence: [],
  });

  it('alerts only on attributions at or above the confidence floor', () => {
    expect(worthRouting(attribution(true, 0.6), { minConfidence: 0.5 })).toBe(true);
    expect(worthRouting(attribution(true, 0.4), { minConfidence: 0.5 })).toBe(false);
    expect(worthRouting(attribution(false, 0.9), { minConfidence: 0 })).toBe(false);
  });

  it('names a feed by its host when it has no name', () => {
    expect(feedName({ url: 'https://therecord.media/feed' })).toBe('therecord.media');
    expect(feedName({ url: 'https://x.example/', name: 'X News' })).toBe('X News');
  });

  it('builds the article without undefined optional fields', () => {
    expect(toArticle('k', { title: null, text: 't' })).toEqual({ id: 'k', title: null, text: 't' });
  });
});
