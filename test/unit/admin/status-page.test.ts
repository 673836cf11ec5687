import { describe, expect, it } from 'vitest';
import { destinationReport } from '../../../src/admin/destination-report.js';
import { feedReport } from '../../../src/admin/feed-report.js';
import type { RecentStory } from '../../../src/admin/recent-report.js';
import { escapeHtml, renderStatusPage, type StatusPageData } from '../../../src/admin/status-page.js';
import { emptyFeedState } from '../../../src/store/store.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');

const story = (fields: Partial<RecentStory>): RecentStory => ({
  id: 1,
  title: 'Dutch intelligence ties Laundry Bear to police data breach',
  url: 'https://www.example.nl/news/laundry-bear',
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T11:00:00.000Z',
  actors: ['Laundry Bear'],
  countries: ['Russia'],
  outlets: 2,
  destinations: [
    { destination: 'intel', status: 'sent', sentAt: '2026-11-28T11:00:05.000Z', updates: 0, updatesSent: 0 },
  ],
  ...fields,
});

function page(fields: Partial<StatusPageData>): string {
  return renderStatusPage({
    now: NOW,
    version: '0.1.0',
    readiness: { ready: true, reasons: [] },
    lastCycle: null,
    feeds: [],
    destinations: [],
    stories: [],
    storyPeriod: '24 h',
    ...fields,
  });
}

describe('status page', () => {
  it('escapes every string a feed or a publisher controls', () => {
    const hostile = '<img src=x onerror=alert(1)> & "quotes" \'too\'';
    const html = page({
      feeds: [
        feedReport(
          { url: 'https://feeds.example/rss', name: hostile },
          {
            ...emptyFeedState('https://feeds.example/rss'),
            lastPolledAt: '2026-11-28T11:00:00.000Z',
            consecutiveFailures: 1,
            lastError: '<b>HTTP 500</b>',
          },
          undefined,
          NOW,
        ),
      ],
      stories: [story({ title: `Breach </li><script>alert(2)</script>`, actors: ['<svg onload=alert(3)>'] })],
    });
    expect(html).not.toMatch(/<img|<script|<svg|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;too&#39;');
    expect(html).toContain('Breach &lt;/li&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;HTTP 500&lt;/b&gt;');
    expect(html).toContain('&lt;svg onload=alert(3)&gt;');
  });

  it('links only http(s) URLs, and quotes them safely', () => {
    const html = page({
      stories: [
        story({ id: 1, title: 'Script link', url: 'javascript:alert(1)' }),
        story({ id: 2, title: 'Data link', url: 'data:text/html,<script>alert(1)</script>' }),
        story({ id: 3, title: 'Quoted link', url: 'https://news.example/a"><script>x</script>' }),
      ],
    });
    expect(html).not.toContain('href="javascript:');
    expect(html).not.toContain('href="data:');
    expect(html).toContain('<strong>Script link</strong>');
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    expect(hrefs).toEqual(['https://news.example/a%22%3E%3Cscript%3Ex%3C/script%3E']);
  });

  it('is a phone-sized document with no script and nothing loaded from elsewhere', () => {
    const html = page({});
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it('shows readiness reasons, the last cycle with its hint, and each destination’s queue', () => {
    const html = page({
      readiness: { ready: false, reasons: ['only 0 of 22 feeds answered their last poll'] },
      lastCycle: {
        finishedAt: '2026-11-28T11:59:00.000Z',
        durationMs: 3_400,
        counts: {
          feeds: 22,
          failed: 22,
          notModified: 0,
          items: 0,
          newItems: 0,
          seeded: 0,
          quarantined: 0,
          revised: 0,
          notices: 0,
          pagesFetched: 0,
          alerts: 0,
        },
        delivery: { sent: 0, retried: 0, rejected: 0, held: 0 },
        hint: '22 of 22 feeds failed; 22 with dns: check DNS',
      },
      destinations: [
        destinationReport(
          { name: 'intel', type: 'webhook' },
          {
            destination: 'intel',
            pending: 7,
            held: 2,
            rejected: 0,
            lastSentAt: null,
            head: null,
            lastError: null,
          },
          NOW,
        ),
      ],
    });
    expect(html).toContain('Not ready');
    expect(html).toContain('only 0 of 22 feeds answered their last poll');
    expect(html).toContain('<dt>feeds polled</dt><dd>22</dd>');
    expect(html).toContain('<dt>took</dt><dd>3.4 s</dd>');
    expect(html).toContain('22 of 22 feeds failed; 22 with dns: check DNS');
    expect(html).toContain('7 pending</span> · 2 held for the digest');
  });

  it('lists feeds that need an admin first', () => {
    const polled = (url: string, failures: number) => ({
      ...emptyFeedState(url),
      lastPolledAt: '2026-11-28T11:00:00.000Z',
      consecutiveFailures: failures,
    });
    const html = page({
      feeds: [
        feedReport(
          { url: 'https://a.example/rss', name: 'Healthy' },
          polled('https://a.example/rss', 0),
          undefined,
          NOW,
        ),
        feedReport(
          { url: 'https://b.example/rss', name: 'Broken' },
          polled('https://b.example/rss', 3),
          undefined,
          NOW,
        ),
      ],
    });
    expect(html.indexOf('Broken')).toBeLessThan(html.indexOf('Healthy'));
    expect(html).toContain('2 feeds, 1 not ok');
  });

  it('escapes the five characters HTML gives meaning to', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
