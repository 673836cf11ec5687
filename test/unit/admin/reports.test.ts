import { describe, expect, it } from 'vitest';
import { destinationReport, testMessage } from '../../../src/admin/destination-report.js';
import { describeHealth, feedReport, formatFeedReports } from '../../../src/admin/feed-report.js';
import { formatRecentStories, recentStory } from '../../../src/admin/recent-report.js';
import { when } from '../../../src/admin/when.js';
import { newStory } from '../../../src/alerts/cluster.js';
import { emptyFeedState, type FeedState, type StoryDelivery } from '../../../src/store/store.js';
import { ivantiReport } from '../../contract/fixtures.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const FEED = { url: 'https://therecord.media/feed' };
const state = (fields: Partial<FeedState>): FeedState => ({
  ...emptyFeedState(FEED.url),
  lastPolledAt: '2026-11-28T11:50:00.000Z',
  ...fields,
});

describe('feed health', () => {
  it.each([
    ['never-polled', null, /^never polled/],
    [
      'ok',
      state({ nextPollAt: '2026-11-28T12:10:00.000Z' }),
      /^ok, next poll 2026-11-28 12:10 UTC \(in 10 min\)$/,
    ],
    [
      'backing-off',
      state({ consecutiveFailures: 4, nextPollAt: '2026-11-28T14:00:00.000Z' }),
      /^backing off until 2026-11-28 14:00 UTC \(in 2 h\) \(4 failures in a row\)$/,
    ],
    [
      'failing',
      state({ consecutiveFailures: 1, nextPollAt: '2026-11-28T11:59:00.000Z' }),
      /^failing \(1 failure in a row\)/,
    ],
    [
      'disabled',
      state({
        consecutiveFailures: 10,
        disabledAt: '2026-11-27T12:00:00.000Z',
        disabledReason: '10 consecutive failures',
      }),
      /^disabled since 2026-11-27 12:00 UTC \(1 d ago\) \(10 consecutive failures\)/,
    ],
  ])('%s', (health, stored, words) => {
    const report = feedReport(FEED, stored, undefined, NOW);
    expect(report.health).toBe(health);
    expect(report.name).toBe('therecord.media');
    expect(describeHealth(report, NOW)).toMatch(words);
  });

  it('after feeds retry, a feed whose last poll failed is failing, due at the next tick, until a poll succeeds', () => {
    // What `feeds retry` leaves of a feed that never succeeded: failures forgotten, the error kept.
    const retried = state({ lastError: 'HTTP 404 Not Found', nextPollAt: '2026-11-28T11:59:30.000Z' });
    const report = feedReport(FEED, retried, undefined, NOW);
    expect(report.health).toBe('failing');
    expect(report.lastSuccessAt).toBeNull();
    expect(describeHealth(report, NOW)).toBe('failing (retry requested; polled at the next tick)');
    const healthy = feedReport(FEED, state({ lastSuccessAt: '2026-11-28T11:50:00.000Z' }), undefined, NOW);
    expect(formatFeedReports([report, healthy], NOW)).toMatch(/\n2 feeds, 1 not ok \(attribot feeds retry/);
    const polledFine = feedReport(
      FEED,
      state({ lastSuccessAt: '2026-11-28T11:58:00.000Z', lastError: null }),
      undefined,
      NOW,
    );
    expect(polledFine.health).toBe('ok');
  });

  it('names where a moved feed is polled, and shows a feed’s error as one clean line', () => {
    const report = feedReport(
      { ...FEED, name: 'The Record' },
      state({ movedTo: 'https://therecord.media/rss', lastError: 'bad\u001b[31m XML\nat line 3' }),
      { processed: 3, seeded: 20, quarantined: 0, alertsSent: 1 },
      NOW,
    );
    expect(describeHealth(report, NOW)).toBe(
      'failing (retry requested; polled at the next tick); moved to https://therecord.media/rss',
    );
    expect(report.items).toEqual({ processed: 3, seeded: 20, quarantined: 0 });
    expect(formatFeedReports([report], NOW)).toContain('  last error    bad [31m XML at line 3\n');
    expect(when(null, NOW)).toBe('never');
  });
});

describe('destination status', () => {
  const status = (head: { nextAttemptAt: string; suspended: boolean } | null) => ({
    destination: 'intel',
    pending: head ? 2 : 0,
    held: 0,
    rejected: 0,
    lastSentAt: null,
    head: head && { ...head, attempts: 1, lastError: 'failed with 404' },
    lastError: head ? 'failed with 404' : null,
  });
  const target = { name: 'intel', type: 'webhook' as const };

  it('tells a suspension from a retry, and neither once the head is due', () => {
    const later = '2026-11-28T13:00:00.000Z';
    expect(destinationReport(target, status({ nextAttemptAt: later, suspended: true }), NOW)).toMatchObject({
      suspendedUntil: later,
      retryAt: null,
    });
    expect(destinationReport(target, status({ nextAttemptAt: later, suspended: false }), NOW)).toMatchObject({
      suspendedUntil: null,
      retryAt: later,
    });
    expect(
      destinationReport(target, status({ nextAttemptAt: '2026-11-28T11:00:00.000Z', suspended: true }), NOW),
    ).toMatchObject({ suspendedUntil: null, retryAt: null, pending: 2 });
  });

  it('marks the test message as a test that pings nobody, and makes each one unique', () => {
    const message = testMessage('intel', NOW);
    expect(message.embeds[0]?.title).toBe('attribot test message');
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(testMessage('intel', new Date(NOW.getTime() + 1000)).nonce).not.toBe(message.nonce);
  });
});

describe('recent stories', () => {
  const story = { ...newStory(ivantiReport('BleepingComputer'), NOW), id: 7 };
  const row = (
    destination: string,
    kind: StoryDelivery['kind'],
    status: StoryDelivery['status'],
  ): StoryDelivery => ({
    destination,
    kind,
    status,
    createdAt: NOW.toISOString(),
    sentAt: status === 'sent' ? NOW.toISOString() : null,
  });

  it('gives each destination its alert’s outcome and counts the updates behind it', () => {
    const recent = recentStory({
      story,
      deliveries: [
        row('soc', 'alert', 'sent'),
        row('intel', 'alert', 'digested'),
        row('soc', 'edit', 'sent'),
        row('soc', 'update', 'pending'),
        // The alert row is past retention: its latest row stands in.
        row('cti', 'edit', 'rejected'),
      ],
    });
    expect(recent.destinations).toEqual([
      { destination: 'soc', status: 'sent', sentAt: NOW.toISOString(), updates: 2, updatesSent: 1 },
      { destination: 'intel', status: 'digested', sentAt: null, updates: 0, updatesSent: 0 },
      { destination: 'cti', status: 'rejected', sentAt: null, updates: 0, updatesSent: 0 },
    ]);
    expect(formatRecentStories([recent], '24h', NOW)).toMatch(
      /→ soc \(sent, 1\/2 updates sent\), intel \(in a digest\), cti \(rejected\)\n/,
    );
  });

  it('strips control characters from headlines and says when there is nothing', () => {
    const hostile = {
      ...story,
      first: { ...story.first, title: 'Evil\u001b]8;;https://x\u0007 title\r\nforged line' },
    };
    const text = formatRecentStories([recentStory({ story: hostile, deliveries: [] })], '24h', NOW);
    expect(text).not.toMatch(/\p{Cc}(?<!\n)/u);
    expect(text.split('\n')[0]).toMatch(
      /^• Evil \]8;;https:\/\/x title forged line · .* → no delivery recorded/,
    );
    expect(formatRecentStories([], '7d', NOW)).toBe('No stories in the last 7d.\n');
  });
});
