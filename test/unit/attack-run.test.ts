/**
 * Regression tests for the attack run of issue 9: each hostile input that stalled or misled the
 * bot, at the size that did it. The time bounds are generous ceilings (tens of times what the
 * linear code needs), far below what the old backtracking or quadratic code took on the same input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newStory, type StoryReport, similarity } from '../../src/alerts/cluster.js';
import { formatDigest } from '../../src/alerts/digest.js';
import { formatUpdate } from '../../src/alerts/format.js';
import { linkTarget } from '../../src/alerts/text-safety.js';
import type { Attribution } from '../../src/attribution/attribution.js';
import { type CommandContext, handleCommand } from '../../src/commands/handle.js';
import { ExplainLimiter } from '../../src/commands/limits.js';
import { compileKeyword } from '../../src/config/keyword.js';
import { parseConfigText } from '../../src/config/load.js';
import { normalizeWatchValue } from '../../src/config/overrides.js';
import { backoffMs } from '../../src/deliver/outbox-worker.js';
import { capNesting, htmlToText } from '../../src/ingest/html-text.js';
import { documentItemKeys, itemKey } from '../../src/ingest/item-key.js';
import { oldestFirst } from '../../src/ingest/item-order.js';
import { extractMainText } from '../../src/ingest/main-text.js';
import { FeedParseError, parseFeed, parseFeedDate } from '../../src/ingest/parse-feed.js';
import { later } from '../../src/pipeline.js';
import { parseRetryAfter, RETRY_AFTER_CEILING_MS } from '../../src/shared/http.js';
import { redactSecrets, redactUrl } from '../../src/shared/redact.js';
import { TestClock } from '../helpers/test-clock.js';

/** Runs `work` and fails when it takes longer than `ceilingMs` (a blow-up, not a slow machine). */
async function within<T>(ceilingMs: number, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  expect(performance.now() - started).toBeLessThan(ceilingMs);
  return result;
}

async function parseError(document: string): Promise<unknown> {
  return parseFeed(document, 'https://hostile.example/feed').then(
    () => null,
    (error: unknown) => error,
  );
}

describe('feed documents that pinned the CPU', () => {
  it('a 48-byte prolog, spaces and junk fails at once as not a feed (exponential root-element regex)', async () => {
    const document = `<?xml version="1.0"?>${' '.repeat(40)}x`;
    const error = await within(1_000, () => parseError(document));
    expect(error).toBeInstanceOf(FeedParseError);
    expect(error).toMatchObject({ kind: 'not-a-feed' });
    expect(
      await within(1_000, () => parseError(`<?xml version="1.0"?>${' '.repeat(200_000)}x`)),
    ).toBeInstanceOf(FeedParseError);
  });

  it('an HTML page of 60,000 unclosed <feed blocks is refused in linear time', async () => {
    const error = await within(3_000, () =>
      parseError(`<html><body>${'<feed '.repeat(60_000)}</body></html>`),
    );
    expect(error).toMatchObject({ kind: 'not-a-feed' });
  });

  it.each([
    ['unclosed CDATA sections', '<![CDATA[ a & b '],
    ['unclosed comments', '<!-- a & b '],
  ])('%s with bare ampersands are repaired in one pass', async (_, unit) => {
    const document = `<?xml version="1.0"?><rss version="2.0"><channel>${unit.repeat(60_000)}</channel></rss>`;
    const error = await within(5_000, () => parseError(document));
    // Broken beyond repair, reported as such, quickly.
    expect(error).toBeInstanceOf(FeedParseError);
  });

  it('an item body of 20,000 nested tags becomes text without overflowing the stack', async () => {
    const body = `${'<div><span>'.repeat(20_000)}deep words${'</span></div>'.repeat(20_000)}`;
    const document = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>deep</title><link>https://hostile.example/1</link><description><![CDATA[${body}]]></description></item></channel></rss>`;
    const feed = await parseFeed(document, 'https://hostile.example/feed');
    expect(await within(5_000, () => feed.items[0]?.text)).toBe('deep words');
    expect(htmlToText(`${'<b>'.repeat(100_000)}x`)).toBe('x');
  });

  it('an item body nested 40,000 deep is flattened before parsing, its words kept', async () => {
    const body = `<p>lead</p>${'<div><span>'.repeat(20_000)}deep words${'</span></div>'.repeat(20_000)}<p>tail</p>`;
    const flattened = capNesting(body, 256);
    // The parser's work grows with depth at every tag: nothing deeper than the cap reaches it.
    expect(flattened.split('<div>').length - 1).toBe(128);
    expect(flattened.split('</div>').length - 1).toBe(128);
    const text = await within(5_000, () => htmlToText(body));
    expect(
      text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    ).toEqual(['lead', 'deep words', 'tail']);
    // A body of megabytes is read up to its first million characters, in time.
    const huge = `<p>lead</p>${'<div><span>'.repeat(400_000)}x`;
    expect(await within(5_000, () => htmlToText(huge))).toBe('lead');
  });
});

describe('article pages that took minutes', () => {
  it('a 264 kB page of nested <div class="ad"> blocks is read in linear time', async () => {
    const block = '<div class="ad"><p>Sponsored words, sponsored words, sponsored words.</p>';
    const html = `<html><body><article><p>${'The article itself, with enough words to count. '.repeat(20)}</p></article>${block.repeat(
      Math.ceil(264_000 / block.length),
    )}</body></html>`;
    const page = await within(10_000, () => extractMainText(html));
    expect(page.text).toContain('The article itself');
    expect(page.text).not.toContain('Sponsored');
  });

  it('a page nested 20,000 deep yields its text (depth is capped as browsers cap it)', async () => {
    const html = `<html><body>${'<span><i>'.repeat(20_000)}deep text</body></html>`;
    const page = await within(15_000, () => extractMainText(html));
    expect(page.text).toContain('deep text');
  });
});

describe('delays from the outside', () => {
  it('Retry-After: 99999999999999 is capped and never makes an invalid date', () => {
    const now = new Date('2026-12-06T00:00:00Z');
    const asked = parseRetryAfter('99999999999999', now);
    expect(asked).toBe(RETRY_AFTER_CEILING_MS);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now)).toBe(RETRY_AFTER_CEILING_MS);
    expect(() => later(now, 99999999999999 * 1000)).not.toThrow();
    expect(later(now, Number.POSITIVE_INFINITY)).toBe(now.toISOString());
  });

  it("Discord's retry_after is capped by the configured maximum", () => {
    const maxDelay = 6 * 3_600_000;
    expect(backoffMs(0, 99999999999999 * 1000, maxDelay)).toBe(maxDelay);
    expect(backoffMs(0, Number.POSITIVE_INFINITY, maxDelay)).toBe(maxDelay);
    expect(backoffMs(0, Number.NaN, maxDelay)).toBe(5_000);
    expect(backoffMs(1_000, undefined, maxDelay)).toBe(60 * 60_000);
  });
});

describe('keyword regexes are linear by construction', () => {
  it('/(\\w+\\s?)+$/ runs on RE2: an article of 100 kB is checked at once', async () => {
    const compiled = compileKeyword('/(\\w+\\s?)+$/');
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const text = `${'word '.repeat(20_000)}!`;
    expect(await within(1_000, () => compiled.regex.test(text))).toBe(false);
  });

  it('a pattern that needs backtracking features is refused, in config and in slash commands', () => {
    const lookbehind = '/(?<!not )attributed/i';
    expect(compileKeyword(lookbehind)).toMatchObject({ ok: false, error: expect.stringContaining('RE2') });
    expect(normalizeWatchValue('keywords', '/(a+)\\1/')).toMatchObject({
      error: expect.stringContaining('RE2'),
    });
    const config = parseConfigText(
      `watchlists:\n  - name: w\n    keywords: ["${lookbehind}"]\nroutes:\n  - name: r\n    destinations: [default]\n    watchlists: [w]\n`,
      'attribot.yaml',
    );
    expect(config.config).toBeNull();
    expect(config.errors[0]).toMatchObject({ line: 3, path: 'watchlists[0].keywords[0]' });
  });

  it('plain keywords still match whole words, case-insensitively', () => {
    const compiled = compileKeyword('supply chain');
    expect(compiled.ok && compiled.regex.test('A Supply-chain attack')).toBe(true);
    expect(compiled.ok && compiled.regex.test('supplychain')).toBe(false);
  });
});

describe('links in messages', () => {
  const hostile = 'https://news.example/a)[injected](https://evil.example/x';

  it('percent-encodes every character that could close a masked link', () => {
    expect(linkTarget(hostile)).toBe('https://news.example/a%29%5Binjected%5D%28https://evil.example/x');
    expect(linkTarget('https://user:pw@news.example/a b<c>')).toBe('https://news.example/a%20b%3Cc%3E');
    expect(linkTarget('javascript:alert(1)')).toBeUndefined();
  });

  it('an update, a digest line and /attribot recent each carry exactly one link', async () => {
    const attribution: Attribution = {
      id: 'x',
      is_attribution: true,
      actors: [],
      attributed_countries: ['Russia'],
      attributing_parties: ['United Kingdom'],
      products: [],
      cves: [],
      confidence: 0.9,
      confidence_reason: 'test',
      evidence: [],
    };
    const report: StoryReport = { title: 'First', sourceName: 'Desk', url: hostile, attribution };
    const update = formatUpdate(newStory(report, new Date()), { ...report, sourceName: 'Wire' });
    const digest = formatDigest([{ title: 'Held', url: hostile }], 'test');
    const recent = await handleCommand(
      {
        group: null,
        subcommand: 'recent',
        options: {},
        userId: '1',
        guildId: '2',
        permissions: null,
        roleIds: [],
      },
      {
        recentAlerts: async () => [{ title: 'Stored', url: hostile, at: new Date().toISOString() }],
      } as unknown as CommandContext,
    );
    const texts = [
      update.content ?? '',
      digest.embeds[0]?.description ?? '',
      recent.type === 'reply' ? recent.content : '',
    ];
    for (const text of texts) {
      expect(text.match(/\]\(/g)).toHaveLength(1);
      expect(text).not.toContain('](https://evil');
    }
  });
});

describe('identity', () => {
  const feedUrl = 'https://landing.example/feed';

  it('items with distinct guids that share one landing-page link are distinct items', () => {
    const items = ['a', 'b', 'c'].map((guid) => ({ guid, link: 'https://landing.example/', title: guid }));
    const keys = documentItemKeys(feedUrl, items).map((entry) => entry.key);
    expect(new Set(keys).size).toBe(3);
    // One item alone keeps the link as its key (the same article from two feeds stays one item).
    expect(documentItemKeys(feedUrl, [items[0]!])[0]?.key).toBe('link:https://landing.example/');
  });

  it('undated items with equal titles and different text are distinct', () => {
    const first = itemKey(feedUrl, { title: 'Daily briefing', text: 'Monday: ransomware at a port.' });
    const second = itemKey(feedUrl, { title: 'Daily briefing', text: 'Tuesday: a bank breach.' });
    expect(first).not.toBe(second);
  });

  it('orders undated items in a total order: the same input gives the same output, whatever its shape', () => {
    const item = (title: string, published?: string) => ({
      title,
      text: '',
      ...(published ? { published } : {}),
    });
    const feed = [
      item('d3', '2026-11-28T12:00:00Z'),
      item('u1'),
      item('d1', '2026-11-28T08:00:00Z'),
      item('u2'),
      item('d2', '2026-11-28T10:00:00Z'),
    ];
    // Dated items oldest first; each undated item right after the dated item below it in the feed.
    const titles = oldestFirst(feed).map((entry) => entry.title);
    expect(titles).toEqual(['d1', 'u1', 'd2', 'u2', 'd3']);
  });
});

describe('zone-less dates are UTC', () => {
  const original = process.env.TZ;
  afterEach(() => {
    process.env.TZ = original;
  });

  it.each(['2026-11-28T10:00:00', 'Sat, 28 Nov 2026 10:00:00', '2026/11/28 10:00:00', '28 Nov 2026'])(
    '%s is the same instant in Tokyo and in UTC',
    (value) => {
      process.env.TZ = 'Asia/Tokyo';
      const tokyo = parseFeedDate(value);
      process.env.TZ = 'UTC';
      const utc = parseFeedDate(value);
      expect(tokyo).toBe(utc);
      expect(new Date(utc).toISOString().slice(0, 10)).toBe('2026-11-28');
    },
  );

  it('an explicit zone is kept', () => {
    process.env.TZ = 'Asia/Tokyo';
    expect(new Date(parseFeedDate('Sat, 28 Nov 2026 10:00:00 +0100')).toISOString()).toBe(
      '2026-11-28T09:00:00.000Z',
    );
    expect(new Date(parseFeedDate('2026-11-28T10:00:00-05:00')).toISOString()).toBe(
      '2026-11-28T15:00:00.000Z',
    );
  });
});

describe('story clustering', () => {
  const base = (cves: string[], title: string): StoryReport => ({
    title,
    sourceName: 'Desk',
    attribution: {
      id: 'x',
      is_attribution: true,
      actors: [],
      attributed_countries: [],
      attributing_parties: [],
      products: [],
      cves,
      confidence: 0.8,
      confidence_reason: 'test',
      evidence: [],
    },
  });

  it('a Patch Tuesday roundup does not absorb an incident that shares one of its CVEs', () => {
    const roundup = Array.from({ length: 60 }, (_, n) => `CVE-2026-${String(20000 + n)}`);
    const story = newStory(base(roundup, 'Patch Tuesday fixes 60 flaws'), new Date());
    expect(
      similarity(story, base(['CVE-2026-20007'], 'Ransomware gang exploits VPN flaw at hospital')),
    ).toBeLessThan(0.6);
  });

  it('two reports of one exploited CVE are still one story', () => {
    const story = newStory(base(['CVE-2026-20007'], 'VPN flaw exploited'), new Date());
    expect(similarity(story, base(['CVE-2026-20007'], 'Attackers hit VPN appliances'))).toBe(1);
  });
});

describe('low findings', () => {
  it('credentials and API keys in feed URLs are redacted', () => {
    expect(redactUrl('https://reader:s3cret@feeds.example/rss?api_key=abc123&page=2')).toBe(
      'https://redacted@feeds.example/rss?api_key=redacted&page=2',
    );
    expect(redactSecrets('GET https://u:p@feeds.example/x?token=t0k failed')).toBe(
      'GET https://redacted@feeds.example/x?token=redacted failed',
    );
  });

  it('a YAML alias bomb is a config error with file:line, not a stack trace', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const name of ['b', 'c', 'd', 'e', 'f', 'g']) {
      const previous = rows.at(-1)?.[0] ?? 'a';
      rows.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const loaded = parseConfigText(rows.join('\n'), 'bomb.yaml');
    expect(loaded.config).toBeNull();
    expect(loaded.errors[0]).toMatchObject({ file: 'bomb.yaml', line: 2 });
    expect(loaded.errors[0]?.message).toMatch(/alias/i);
  });

  it('/attribot explain is rate limited per member and overall', async () => {
    const limiter = new ExplainLimiter({ perUserMs: 30_000, concurrent: 1, perMinute: 10 });
    const clock = new TestClock('2026-12-06T00:00:00Z');
    let release: (() => void) | undefined;
    const context = {
      clock,
      explainLimiter: limiter,
      explainUrl: () =>
        new Promise<string>((resolve) => {
          release = () => resolve('explained');
        }),
    } as unknown as CommandContext;
    const ask = (userId: string) =>
      handleCommand(
        {
          group: null,
          subcommand: 'explain',
          options: { url: 'https://news.example/a' },
          userId,
          guildId: '2',
          permissions: null,
          roleIds: [],
        },
        context,
      );
    const first = await ask('1');
    expect(first.type).toBe('deferred');
    const pending = first.type === 'deferred' ? first.content() : Promise.resolve('');
    // Another member while one explain runs (concurrency 1), and the same member again: refused.
    expect(await ask('2')).toMatchObject({ type: 'reply', content: expect.stringMatching(/busy/) });
    release?.();
    expect(await pending).toContain('explained');
    expect(await ask('1')).toMatchObject({ type: 'reply', content: expect.stringMatching(/wait/) });
    clock.advance(31_000);
    expect((await ask('1')).type).toBe('deferred');
  });
});
