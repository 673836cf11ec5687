import { describe, expect, it } from 'vitest';
import { Feed, Settings } from '../../../src/config/schema.js';
import { pollPolicy } from '../../../src/ingest/feed-health.js';
import type { FeedItem } from '../../../src/ingest/feed-item.js';
import type { FeedState, SeenItem } from '../../../src/ingest/feed-state.js';
import { hashContent } from '../../../src/ingest/item-key.js';
import {
  decideItems,
  documentState,
  failedState,
  keyDocument,
  resolveKnown,
  secondaryKeys,
  silenceEvent,
} from '../../../src/ingest/poll-decisions.js';
import { emptyFeedState } from '../../../src/store/store.js';

const FEED = 'https://news.example/feed.xml';
const OTHER = 'https://wire.example/rss';
const NOW = new Date('2026-11-28T12:00:00.000Z');
const settings = Settings.parse({ firstSightWindow: '24h', churnRatio: 0.8 });
const polled: FeedState = { ...emptyFeedState(FEED), initializedAt: '2026-11-01T00:00:00.000Z' };

function item(
  slug: string,
  hoursAgo: number,
  text = `Officials in Berlin blamed ${slug} on a state-backed group.`,
): FeedItem {
  return {
    guid: `urn:news:${slug}`,
    link: `https://news.example/2026/${slug}`,
    title: `Story ${slug}`,
    text,
    published: new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString(),
  };
}

function seenOf(entry: FeedItem, feedUrl = FEED, overrides: Partial<SeenItem> = {}): SeenItem {
  return {
    feedUrl,
    title: entry.title,
    disposition: 'processed',
    contentHash: hashContent(entry),
    fingerprint: 'attributed:ru',
    ...overrides,
  };
}

function decide(items: FeedItem[], seen: Map<string, SeenItem>, previous = polled) {
  const keyed = keyDocument(FEED, items);
  return { keyed, ...decideItems(FEED, keyed, seen, { previous, now: NOW, settings }) };
}

describe('decideItems', () => {
  it('on first sight seeds the backlog and processes what is recent, oldest first', () => {
    const result = decide([item('fresh', 2), item('old', 72)], new Map(), emptyFeedState(FEED));
    expect(result.firstSight).toBe(true);
    expect(result.items.map((d) => [d.kind, d.base.title])).toEqual([
      ['seeded', 'Story old'],
      ['new', 'Story fresh'],
    ]);
  });

  it('leaves unchanged known items alone but lists them for retention', () => {
    const known = item('known', 5);
    const keyed = keyDocument(FEED, [known]);
    const seen = new Map([[keyed[0]!.key, seenOf(known)]]);
    const result = decide([known, item('fresh', 1)], seen);
    expect(result.items.map((d) => d.kind)).toEqual(['new']);
    expect(result.listed).toEqual([keyed[0]!.key]);
  });

  it("revises only this feed's analysed items whose text changed, carrying the old fingerprint", () => {
    const before = item('edited', 5);
    const after = { ...before, text: `${before.text} The ministry later named the unit.` };
    const key = keyDocument(FEED, [before])[0]!.key;
    const revised = decide([after], new Map([[key, seenOf(before)]]));
    expect(revised.items).toMatchObject([
      { kind: 'revised', contentHash: hashContent(after), previousFingerprint: 'attributed:ru' },
    ]);
    // A seeded item is never analysed later, edited or not.
    const seeded = decide([after], new Map([[key, seenOf(before, FEED, { disposition: 'seeded' })]]));
    expect(seeded.items).toEqual([]);
  });

  it('quarantines a document whose ids all changed at once instead of alerting on it', () => {
    const items = Array.from({ length: 10 }, (_, n) => item(`churned-${n}`, n + 1));
    const result = decide(items, new Map());
    expect(result.churn).toBe(true);
    expect(new Set(result.items.map((d) => d.kind))).toEqual(new Set(['quarantined']));
  });

  it('judges a link another feed recorded: same content is that item; other content is disputed', () => {
    const shared = item('shared', 3);
    const keyed = keyDocument(FEED, [shared]);
    const sameContent = new Map([[keyed[0]!.key, seenOf(shared, OTHER)]]);
    expect(decide([shared], sameContent).items).toEqual([]);
    const otherContent = new Map([[keyed[0]!.key, seenOf(shared, OTHER, { contentHash: 'different' })]]);
    const [decision] = decide([shared], otherContent).items;
    expect(decision?.kind).toBe('disputed');
    // Recorded under this feed's own key for the link, so the other feed's record stays its own.
    expect(decision?.base.key).toBe(keyed[0]!.scoped);
  });

  it('asks for the alternates of unseen items and the own key of links other feeds recorded', () => {
    const unseen = item('unseen', 1);
    const elsewhere = item('elsewhere', 1);
    const keyed = keyDocument(FEED, [unseen, elsewhere]);
    const seen = new Map([[keyed[1]!.key, seenOf(elsewhere, OTHER)]]);
    const secondary = secondaryKeys(FEED, keyed, seen);
    expect(secondary).toEqual(expect.arrayContaining([...keyed[0]!.alternates, keyed[1]!.scoped]));
  });

  it('finds an item recorded under an alternate key when the titles agree, not otherwise', () => {
    const entry = keyDocument(FEED, [item('rekeyed', 4)])[0]!;
    const alternate = entry.alternates[0];
    expect(alternate).toBeDefined();
    const same = new Map([[alternate!, seenOf(entry.item)]]);
    expect(resolveKnown(FEED, entry, same)?.key).toBe(alternate);
    const renamed = new Map([[alternate!, seenOf(entry.item, FEED, { title: 'Another story' })]]);
    expect(resolveKnown(FEED, entry, renamed)).toBeNull();
  });

  it('decides an item listed twice in one document once', () => {
    const twice = item('twice', 2);
    expect(decide([twice, { ...twice }], new Map()).items).toHaveLength(1);
  });
});

describe('feed state after a poll', () => {
  const feed = Feed.parse({ url: FEED });
  const policy = pollPolicy(feed, Settings.parse({ maxBackoff: '6h', disableAfterFailures: 3 }));

  it('backs off and tells the admins once when a publisher asks for longer than maxBackoff', () => {
    const first = failedState(
      polled,
      policy,
      { kind: 'http', status: 429, retryAfterMs: 11 * 86_400_000, message: 'HTTP 429' },
      NOW,
    );
    expect(first.state.consecutiveFailures).toBe(1);
    expect(Date.parse(first.state.nextPollAt!) - NOW.getTime()).toBe(6 * 3_600_000);
    expect(first.events.map((e) => e.kind)).toEqual(['throttled']);
    const second = failedState(
      first.state,
      policy,
      { kind: 'http', status: 429, retryAfterMs: 11 * 86_400_000, message: 'HTTP 429' },
      NOW,
    );
    expect(second.events).toEqual([]);
  });

  it('disables a feed after the configured failures, once', () => {
    const failing = { ...polled, consecutiveFailures: 2 };
    const disabled = failedState(failing, policy, { kind: 'connect', message: 'ECONNREFUSED' }, NOW);
    expect(disabled.state.disabledAt).toBe(NOW.toISOString());
    expect(disabled.events.map((e) => e.kind)).toEqual(['disabled']);
    const again = failedState(disabled.state, policy, { kind: 'connect', message: 'ECONNREFUSED' }, NOW);
    expect(again.events).toEqual([]);
  });

  it('remembers the rhythm, marks first sight, and reports a silence only where one was witnessed', () => {
    const items = [item('a', 24), item('b', 48), item('c', 72)];
    const fresh = documentState(emptyFeedState(FEED), items, NOW, NOW, 0);
    expect(fresh.initializedAt).toBe(NOW.toISOString());
    expect(fresh.publishTimes).toHaveLength(3);
    const quiet = {
      ...polled,
      publishTimes: ['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z'],
      lastNewItemAt: '2026-10-03T00:00:00.000Z',
    };
    expect(silenceEvent(quiet, quiet, 0, NOW, 5)?.kind).toBe('silence');
    expect(silenceEvent(quiet, quiet, 1, NOW, 5)).toBeNull();
    expect(silenceEvent(emptyFeedState(FEED), quiet, 0, NOW, 5)).toBeNull();
  });
});
