import { describe, expect, it } from 'vitest';
import { dueFeeds } from '../../../src/ingest/scheduler.js';
import { emptyFeedState, type FeedState } from '../../../src/store/store.js';

const NOW = new Date('2026-11-28T12:00:00Z');

function polledAt(url: string, iso: string): [string, FeedState] {
  return [url, { ...emptyFeedState(url), lastPolledAt: iso }];
}

describe('dueFeeds', () => {
  it('selects never-polled feeds and feeds whose interval has elapsed', () => {
    const feeds = [
      { url: 'https://never.example/' },
      { url: 'https://recent.example/' },
      { url: 'https://stale.example/' },
      { url: 'https://slow.example/', interval: 3_600_000 },
    ];
    const states = new Map<string, FeedState | null>([
      ['https://never.example/', null],
      polledAt('https://recent.example/', '2026-11-28T11:55:00Z'),
      polledAt('https://stale.example/', '2026-11-28T11:49:00Z'),
      polledAt('https://slow.example/', '2026-11-28T11:30:00Z'),
    ]);
    expect(dueFeeds(feeds, states, NOW, 600_000).map((feed) => feed.url)).toEqual([
      'https://never.example/',
      'https://stale.example/',
    ]);
  });

  it('honours the next-poll time a previous poll set (backoff, Retry-After, adaptive interval)', () => {
    const feed = { url: 'https://backoff.example/' };
    const state = (nextPollAt: string): Map<string, FeedState> =>
      new Map([
        [feed.url, { ...emptyFeedState(feed.url), lastPolledAt: '2026-11-28T10:00:00Z', nextPollAt }],
      ]);
    expect(dueFeeds([feed], state('2026-11-28T13:00:00Z'), NOW, 600_000)).toEqual([]);
    expect(dueFeeds([feed], state('2026-11-28T12:00:03Z'), NOW, 600_000)).toEqual([feed]);
    expect(dueFeeds([feed], state('2026-11-28T11:00:00Z'), NOW, 600_000)).toEqual([feed]);
  });
});
