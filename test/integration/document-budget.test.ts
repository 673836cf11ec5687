/**
 * The document budget with the real document workers (issue 9): a feed document or an article page
 * that takes longer than settings.documentBudget to parse is abandoned with an error that says so;
 * the feed fails alone (its state saved, the other feed polled) and the replaced worker thread
 * parses the next document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attribution } from '../../src/attribution/attribution.js';
import { Settings } from '../../src/config/schema.js';
import type { Article } from '../../src/extract/article.js';
import { DocumentBudgetError, DocumentWorkers } from '../../src/ingest/documents.js';
import type { FeedFetcher } from '../../src/ingest/feed-item.js';
import { pollFeeds } from '../../src/pipeline.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { TestClock } from '../helpers/test-clock.js';

const NOW = '2026-11-28T12:00:00.000Z';

function item(n: number): string {
  return (
    `<item><title>Water utility outage report ${n}</title><link>https://big.example/${n}</link>` +
    `<pubDate>Sat, 28 Nov 2026 11:00:00 GMT</pubDate><description><![CDATA[<p>The utility said on Friday that ` +
    `pumping stations in district ${n} were offline for six hours while engineers restored the control ` +
    `servers from backups. <b>No customer data</b> was taken, it said.</p>]]></description></item>`
  );
}

function rss(items: string): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>${items}</channel></rss>`;
}

/** An honest document, only large: 20,000 items (about 7 MB) take xml2js far longer than the budget below. */
const LARGE_FEED = rss(Array.from({ length: 20_000 }, (_, n) => item(n)).join(''));
const SMALL_FEED = rss(item(1));
/** Under the 3 MB a page fetch takes: 36,000 paragraphs. */
const LARGE_PAGE = `<html><body><article>${'<p>Engineers restored the control servers from backups over the weekend. </p>'.repeat(36_000)}</article></body></html>`;
const BUDGET_MS = 250;

function quiet(article: Article): Attribution {
  return {
    id: article.id,
    is_attribution: false,
    actors: [],
    attributed_countries: [],
    attributing_parties: [],
    products: [],
    cves: [],
    confidence: 0,
    confidence_reason: 'test',
    evidence: [],
  };
}

describe('document budget on the worker threads', () => {
  let documents: DocumentWorkers;
  beforeAll(() => {
    documents = new DocumentWorkers({ budgetMs: BUDGET_MS, threads: 1 });
  });
  afterAll(() => documents?.close());

  it('abandons a feed document past the budget with an error that says so, then parses the next one', async () => {
    const error = await documents
      .parseFeed(LARGE_FEED, 'https://big.example/rss')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DocumentBudgetError);
    expect(String(error)).toMatch(`Parsing the feed document took longer than ${BUDGET_MS} ms; abandoned`);
    const parsed = await documents.parseFeed(SMALL_FEED, 'https://small.example/rss');
    expect(parsed.items.map((entry) => entry.title)).toEqual(['Water utility outage report 1']);
  });

  it('abandons an article page past the budget the same way', async () => {
    const error = await documents
      .mainText(LARGE_PAGE, 'https://big.example/page')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DocumentBudgetError);
    expect(String(error)).toMatch(`Extracting the article text took longer than ${BUDGET_MS} ms; abandoned`);
  });

  it('fails that feed alone in a poll: its state records why, the other feed is read', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const bodies = new Map([
        ['https://big.example/rss', LARGE_FEED],
        ['https://small.example/rss', SMALL_FEED],
      ]);
      const fetcher: FeedFetcher = {
        fetchFeed: async (url) => ({ status: 'ok', url, body: bodies.get(url) ?? '', validators: {} }),
      };
      const outcomes = await pollFeeds(
        [{ url: 'https://big.example/rss' }, { url: 'https://small.example/rss' }],
        {
          store,
          fetcher,
          documents,
          clock: new TestClock(NOW),
          log: silentLogger(),
          analyze: quiet,
          route: () => [],
          noticeDestinations: [],
          random: () => 0.5,
        },
        Settings.parse({ firstSightWindow: 0, adaptive: false }),
      );
      const byUrl = new Map(outcomes.map((outcome) => [outcome.feedUrl, outcome]));
      expect(byUrl.get('https://big.example/rss')).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('took longer than'),
      });
      expect(byUrl.get('https://small.example/rss')).toMatchObject({ status: 'ok', newItems: 1 });
      const state = await store.getFeedState('https://big.example/rss');
      expect(state?.consecutiveFailures).toBe(1);
      expect(state?.lastError).toMatch(/abandoned/);
    } finally {
      await store.close();
    }
  });
});
