import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attribution } from '../../src/attribution/attribution.js';
import { Settings } from '../../src/config/schema.js';
import type { Article } from '../../src/extract/article.js';
import type { FeedFetcher, FetchResult, FetchValidators } from '../../src/ingest/feed-item.js';
import { type PipelineDeps, pollFeed, pollFeeds } from '../../src/pipeline.js';
import { silentLogger } from '../../src/shared/logger.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { OutboxRow, Store, StoredArticle } from '../../src/store/store.js';
import { createTestDatabase, postgresUrl } from '../helpers/pg-database.js';
import { TestClock } from '../helpers/test-clock.js';

const NOW = '2026-11-28T12:00:00.000Z';
const FEED = { url: 'https://desk.example/feed.xml', name: 'Desk' };

function rss(items: Array<{ title: string; link: string; date?: string }>): string {
  const body = items
    .map(
      (item) =>
        `<item><title>${item.title}</title><link>${item.link}</link>${item.date ? `<pubDate>${item.date}</pubDate>` : ''}<description>${item.title} text</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://desk.example/</link>${body}</channel></rss>`;
}

/** Answers scripted fetch results in turn and records the validators it was given. */
class FakeFetcher implements FeedFetcher {
  readonly calls: FetchValidators[] = [];
  constructor(private readonly answers: Array<FetchResult | Error>) {}
  async fetchFeed(url: string, validators: FetchValidators): Promise<FetchResult> {
    this.calls.push(validators);
    const answer = this.answers.shift();
    if (!answer) throw new Error(`unexpected fetch of ${url}`);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** Answers empty feeds after 10 ms (failing where `fails` says) and records the peak of requests in flight. */
function countingFetcher(fails: (url: string) => boolean = () => false): {
  fetcher: FeedFetcher;
  peak: () => number;
} {
  let inFlight = 0;
  let peak = 0;
  const fetcher: FeedFetcher = {
    async fetchFeed(url) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight--;
      if (fails(url)) throw new Error('boom');
      return { status: 'ok', url, body: rss([]), validators: {} };
    },
  };
  return { fetcher, peak: () => peak };
}

function ok(body: string, etag?: string): FetchResult {
  return { status: 'ok', url: FEED.url, body, validators: etag ? { etag } : {} };
}

function verdict(article: Article): Attribution {
  const isAttribution = /blames/i.test(article.title ?? '');
  return {
    id: article.id,
    is_attribution: isAttribution,
    actors: [],
    attributed_countries: isAttribution ? ['Russia'] : [],
    attributing_parties: isAttribution ? ['United Kingdom'] : [],
    products: [],
    cves: [],
    confidence: isAttribution ? 0.9 : 0,
    confidence_reason: 'test',
    evidence: isAttribution ? [`${article.title}.`] : [],
  };
}

/** The same pipeline tests on each adapter: the pipeline only knows the Store contract. */
type InspectableStore = Store & { outbox(): Promise<OutboxRow[]> };
const ADAPTERS: Array<{
  name: string;
  open(): Promise<{ store: InspectableStore; close(): Promise<void> }>;
}> = [
  {
    name: 'SQLite',
    async open() {
      const store = new SqliteStore(':memory:');
      return { store, close: () => store.close() };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const database = await createTestDatabase();
      const store = await PgStore.open(database.url);
      return {
        store,
        close: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  },
];

describe.each(ADAPTERS.filter((adapter) => adapter.name === 'SQLite' || postgresUrl()))(
  'pollFeed on $name',
  (adapter) => {
    let store: InspectableStore;
    let closeStore: () => Promise<void>;
    let clock: TestClock;
    const analyzed: string[] = [];

    beforeEach(async () => {
      ({ store, close: closeStore } = await adapter.open());
      clock = new TestClock(NOW);
      analyzed.length = 0;
    });
    afterEach(() => closeStore());

    function deps(fetcher: FeedFetcher, analyze = (article: Article) => verdict(article)): PipelineDeps {
      return {
        store,
        fetcher,
        clock,
        log: silentLogger(),
        analyze: (article) => {
          analyzed.push(article.title ?? '');
          return analyze(article);
        },
        route: ({ attribution }) =>
          attribution.is_attribution
            ? ['default', 'audit'].map((destination) => ({
                destination,
                route: 'test',
                mentionRoleIds: [],
                digest: false,
              }))
            : [],
        noticeDestinations: ['admin'],
        random: () => 0.5,
      };
    }
    const settings = Settings.parse({ firstSightWindow: '24h', interval: '10m', adaptive: false });

    async function articles(): Promise<StoredArticle[]> {
      const out: StoredArticle[] = [];
      for await (const article of store.articlesSince('2026-01-01T00:00:00.000Z')) out.push(article);
      return out;
    }

    it('seeds the backlog on first sight, analyses recent items, queues alerts oldest first', async () => {
      const body = rss([
        {
          title: 'UK blames Russia for second hack',
          link: 'https://desk.example/b',
          date: 'Sat, 28 Nov 2026 11:00:00 GMT',
        },
        {
          title: 'Quarterly earnings beat',
          link: 'https://desk.example/e',
          date: 'Sat, 28 Nov 2026 10:30:00 GMT',
        },
        {
          title: 'UK blames Russia for first hack',
          link: 'https://desk.example/a',
          date: 'Sat, 28 Nov 2026 10:00:00 GMT',
        },
        {
          title: 'UK blames Russia for old hack',
          link: 'https://desk.example/old',
          date: 'Tue, 24 Nov 2026 10:00:00 GMT',
        },
        { title: 'Undated item', link: 'https://desk.example/undated' },
      ]);
      const outcome = await pollFeed(FEED, deps(new FakeFetcher([ok(body, '"v1"')])), settings);

      expect(outcome).toMatchObject({
        feedUrl: FEED.url,
        status: 'ok',
        items: 5,
        newItems: 3,
        seeded: 2,
        quarantined: 0,
        alerts: 2,
      });
      expect(outcome.notices.map((notice) => notice.kind)).toEqual(['seeded']);
      expect(analyzed).toEqual([
        'UK blames Russia for first hack',
        'Quarterly earnings beat',
        'UK blames Russia for second hack',
      ]);
      const rows = await store.outbox();
      expect(rows.map((row) => [row.kind, row.destination, row.message.embeds[0]?.url])).toEqual([
        ['alert', 'default', 'https://desk.example/a'],
        ['alert', 'audit', 'https://desk.example/a'],
        ['alert', 'default', 'https://desk.example/b'],
        ['alert', 'audit', 'https://desk.example/b'],
        ['notice', 'admin', undefined],
      ]);
      expect(JSON.stringify(rows[4]?.message)).toContain('2 older items recorded as seen');
      // What each analysis read is kept for replay; the seeded backlog was never read.
      expect(
        (await articles()).map((article) => [article.title, article.text, article.link, article.analysedAt]),
      ).toEqual([
        [
          'UK blames Russia for first hack',
          'UK blames Russia for first hack text',
          'https://desk.example/a',
          NOW,
        ],
        ['Quarterly earnings beat', 'Quarterly earnings beat text', 'https://desk.example/e', NOW],
        [
          'UK blames Russia for second hack',
          'UK blames Russia for second hack text',
          'https://desk.example/b',
          NOW,
        ],
      ]);
      const state = await store.getFeedState(FEED.url);
      expect(state).toMatchObject({
        etag: '"v1"',
        initializedAt: NOW,
        consecutiveFailures: 0,
        lastError: null,
      });
    });

    it('after first sight, an old-dated new item is still processed', async () => {
      const fetcher = new FakeFetcher([
        ok(
          rss([{ title: 'Earnings', link: 'https://desk.example/e', date: 'Sat, 28 Nov 2026 10:30:00 GMT' }]),
        ),
        ok(
          rss([
            {
              title: 'UK blames Russia late',
              link: 'https://desk.example/late',
              date: 'Tue, 24 Nov 2026 10:00:00 GMT',
            },
            { title: 'Earnings', link: 'https://desk.example/e', date: 'Sat, 28 Nov 2026 10:30:00 GMT' },
          ]),
        ),
      ]);
      await pollFeed(FEED, deps(fetcher), settings);
      clock.advance(600_000);
      const second = await pollFeed(FEED, deps(fetcher), settings);
      expect(second).toMatchObject({ newItems: 1, seeded: 0, alerts: 1 });
      expect(analyzed).toEqual(['Earnings', 'UK blames Russia late']);
    });

    it('sends the stored validators and treats 304 as success with nothing new', async () => {
      const fetcher = new FakeFetcher([ok(rss([]), '"v1"'), { status: 'not-modified', url: FEED.url }]);
      await pollFeed(FEED, deps(fetcher), settings);
      const outcome = await pollFeed(FEED, deps(fetcher), settings);
      expect(outcome.status).toBe('not-modified');
      expect(fetcher.calls).toEqual([{}, { etag: '"v1"' }]);
      expect((await store.getFeedState(FEED.url))?.etag).toBe('"v1"');
    });

    it('records a failure on the feed state and keeps validators and the seen set', async () => {
      const fetcher = new FakeFetcher([
        ok(rss([]), '"v1"'),
        new Error('connect ECONNREFUSED'),
        new Error('HTTP 503'),
      ]);
      await pollFeed(FEED, deps(fetcher), settings);
      await pollFeed(FEED, deps(fetcher), settings);
      const outcome = await pollFeed(FEED, deps(fetcher), settings);
      expect(outcome).toMatchObject({ status: 'failed', error: 'HTTP 503' });
      expect(await store.getFeedState(FEED.url)).toMatchObject({
        etag: '"v1"',
        consecutiveFailures: 2,
        lastError: 'HTTP 503',
        initializedAt: NOW,
      });
    });

    it('reports a malformed document as a failed poll without recording anything', async () => {
      const outcome = await pollFeed(
        FEED,
        deps(new FakeFetcher([ok('<html><body>Just a moment...</body></html>')])),
        settings,
      );
      expect(outcome.status).toBe('failed');
      expect((await store.getFeedState(FEED.url))?.initializedAt).toBeNull();
    });

    it('leaves an item whose analysis throws unrecorded, and records the others', async () => {
      const body = rss([
        {
          title: 'UK blames Russia ok',
          link: 'https://desk.example/ok',
          date: 'Sat, 28 Nov 2026 11:00:00 GMT',
        },
        { title: 'poison', link: 'https://desk.example/poison', date: 'Sat, 28 Nov 2026 11:30:00 GMT' },
      ]);
      const analyze = (article: Article) => {
        if (article.title === 'poison') throw new Error('analyser bug');
        return verdict(article);
      };
      const outcome = await pollFeed(FEED, deps(new FakeFetcher([ok(body)]), analyze), settings);
      expect(outcome).toMatchObject({ status: 'ok', newItems: 1, alerts: 1 });
      const keys = await store.unseenKeys([
        'link:https://desk.example/ok',
        'link:https://desk.example/poison',
      ]);
      expect([...keys].some((key) => key.includes('poison'))).toBe(true);
      expect([...keys].some((key) => key.includes('/ok'))).toBe(false);
    });

    it('polls many feeds with bounded concurrency and isolates failures', async () => {
      const feeds = [1, 2, 3, 4, 5].map((n) => ({ url: `https://f${n}.example/rss` }));
      const counting = countingFetcher((url) => url.includes('f3'));
      const outcomes = await pollFeeds(feeds, deps(counting.fetcher), { ...settings, concurrency: 2 });
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['ok', 'ok', 'failed', 'ok', 'ok']);
      expect(counting.peak()).toBe(2);
    });

    describe('feed health', () => {
      const failing = (status: number, retryAfterMs?: number) =>
        Object.assign(new Error(`HTTP ${status}`), {
          kind: 'http',
          status,
          ...(retryAfterMs ? { retryAfterMs } : {}),
        });

      it('schedules the next poll at the interval and backs off on failure, honouring Retry-After', async () => {
        const fetcher = new FakeFetcher([ok(rss([])), failing(503), failing(429, 7_200_000)]);
        await pollFeed(FEED, deps(fetcher), settings);
        expect((await store.getFeedState(FEED.url))?.nextPollAt).toBe('2026-11-28T12:10:00.000Z');
        await pollFeed(FEED, deps(fetcher), settings);
        expect((await store.getFeedState(FEED.url))?.nextPollAt).toBe('2026-11-28T12:10:00.000Z');
        await pollFeed(FEED, deps(fetcher), settings);
        expect((await store.getFeedState(FEED.url))?.nextPollAt).toBe('2026-11-28T14:00:00.000Z');
      });

      it('disables a feed that answers 410 Gone, tells the admins once, and announces its recovery', async () => {
        const fetcher = new FakeFetcher([failing(410), failing(410), ok(rss([]))]);
        const first = await pollFeed(FEED, deps(fetcher), settings);
        expect(first.notices.map((notice) => notice.kind)).toEqual(['disabled']);
        expect(await store.getFeedState(FEED.url)).toMatchObject({
          disabledReason: 'the publisher answered 410 Gone',
          nextPollAt: '2026-11-29T12:00:00.000Z',
        });
        expect((await pollFeed(FEED, deps(fetcher), settings)).notices).toEqual([]);
        const recovered = await pollFeed(FEED, deps(fetcher), settings);
        expect(recovered.notices.map((notice) => notice.kind)).toEqual(['recovered']);
        expect((await store.getFeedState(FEED.url))?.disabledAt).toBeNull();
        expect((await store.outbox()).filter((row) => row.kind === 'notice')).toHaveLength(2);
      });

      it('quarantines items when a known feed suddenly changes all its ids', async () => {
        const links = (prefix: string) =>
          Array.from({ length: 10 }, (_, n) => ({
            title: `UK blames Russia ${prefix}${n}`,
            link: `https://desk.example/${prefix}/${n}`,
            date: 'Sat, 28 Nov 2026 11:00:00 GMT',
          }));
        const fetcher = new FakeFetcher([ok(rss(links('old'))), ok(rss(links('new')))]);
        await pollFeed(FEED, deps(fetcher), settings);
        const rowsAfterFirst = (await store.outbox()).length;
        const churned = await pollFeed(FEED, deps(fetcher), settings);
        expect(churned).toMatchObject({ quarantined: 10, newItems: 0, alerts: 0 });
        expect(churned.notices.map((notice) => notice.kind)).toEqual(['churn']);
        expect((await store.outbox()).filter((row) => row.kind === 'alert')).toHaveLength(rowsAfterFirst);
      });

      it('remembers a permanent move, polls the new address and tells the admins once', async () => {
        const moved = { ...ok(rss([])), movedTo: 'https://new.desk.example/feed.xml' };
        const fetcher = new FakeFetcher([moved, moved, ok(rss([]))]);
        const urls: string[] = [];
        const recording: FeedFetcher = {
          fetchFeed(url, validators) {
            urls.push(url);
            return fetcher.fetchFeed(url, validators);
          },
        };
        const first = await pollFeed(FEED, deps(recording), settings);
        expect(first.notices.map((notice) => notice.kind)).toEqual(['moved']);
        expect((await store.getFeedState(FEED.url))?.movedTo).toBe('https://new.desk.example/feed.xml');
        const second = await pollFeed(FEED, deps(recording), settings);
        expect(second.notices).toEqual([]);
        await pollFeed(FEED, deps(recording), settings);
        expect(urls).toEqual([
          FEED.url,
          'https://new.desk.example/feed.xml',
          'https://new.desk.example/feed.xml',
        ]);
      });

      it('reports a challenge page served instead of the feed', async () => {
        const page =
          '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>';
        const outcome = await pollFeed(FEED, deps(new FakeFetcher([ok(page)])), settings);
        expect(outcome.status).toBe('failed');
        expect(outcome.notices.map((notice) => notice.kind)).toEqual(['challenge']);
      });

      it('reports a regular feed that has gone quiet, once', async () => {
        const daily = Array.from({ length: 6 }, (_, n) => ({
          title: `Daily ${n}`,
          link: `https://desk.example/d/${n}`,
          date: new Date(Date.parse('2026-11-10T09:00:00Z') + n * 86_400_000).toUTCString(),
        }));
        const fetcher = new FakeFetcher([ok(rss(daily)), ok(rss(daily)), ok(rss(daily))]);
        await pollFeed(FEED, deps(fetcher), settings);
        clock.advance(3_600_000);
        const quiet = await pollFeed(FEED, deps(fetcher), settings);
        expect(quiet.notices.map((notice) => notice.kind)).toEqual(['silence']);
        const again = await pollFeed(FEED, deps(fetcher), settings);
        expect(again.notices).toEqual([]);
      });
    });

    it('never has more than perHostConcurrency requests to one host in flight', async () => {
      const feeds = [1, 2, 3, 4, 5, 6].map((n) => ({ url: `https://same-host.example/feed${n}` }));
      const counting = countingFetcher();
      const outcomes = await pollFeeds(feeds, deps(counting.fetcher), {
        ...settings,
        concurrency: 6,
        perHostConcurrency: 2,
      });
      expect(outcomes.every((outcome) => outcome.status === 'ok')).toBe(true);
      expect(counting.peak()).toBe(2);
    });

    describe('edited items', () => {
      const entry = (title: string, extra = '') =>
        rss([{ title, link: 'https://desk.example/edited', date: 'Sat, 28 Nov 2026 11:00:00 GMT' }]).replace(
          `${title} text`,
          `${title} text${extra}`,
        );

      it('re-analyses an edited item and stays quiet while its attribution is unchanged', async () => {
        const fetcher = new FakeFetcher([
          ok(entry('UK blames Russia for hack')),
          ok(entry('UK blames Russia for hack', ' (updated with a quote)')),
          ok(entry('UK blames Russia for hack', ' (updated with a quote)')),
        ]);
        await pollFeed(FEED, deps(fetcher), settings);
        const edited = await pollFeed(FEED, deps(fetcher), settings);
        expect(edited).toMatchObject({ revised: 1, newItems: 0, alerts: 0 });
        const unchanged = await pollFeed(FEED, deps(fetcher), settings);
        expect(unchanged).toMatchObject({ revised: 0, alerts: 0 });
        expect(analyzed).toHaveLength(2);
        expect((await store.outbox()).filter((row) => row.kind !== 'notice')).toHaveLength(2);
        expect((await articles()).map((article) => [article.text, article.analysedAt])).toEqual([
          ['UK blames Russia for hack text (updated with a quote)', NOW],
        ]);
      });

      it('alerts when an edit turns an item into an attribution', async () => {
        const fetcher = new FakeFetcher([
          ok(entry('Banks report outage')),
          ok(entry('UK blames Russia for bank outage')),
        ]);
        await pollFeed(FEED, deps(fetcher), settings);
        const edited = await pollFeed(FEED, deps(fetcher), settings);
        expect(edited).toMatchObject({ revised: 1, alerts: 1 });
        expect((await store.outbox()).filter((row) => row.kind === 'alert')).toHaveLength(2);
      });
    });

    describe('review regressions', () => {
      it("does not treat another feed's copy of the same article as an edit", async () => {
        const link = 'https://desk.example/shared';
        const full = rss([
          { title: 'UK blames Russia for hack', link, date: 'Sat, 28 Nov 2026 11:00:00 GMT' },
        ]);
        const summary = full.replace('UK blames Russia for hack text', 'Short summary');
        const OTHER = { url: 'https://wire.example/rss', name: 'Wire' };
        for (let round = 0; round < 3; round++) {
          await pollFeed(FEED, deps(new FakeFetcher([ok(full)])), settings);
          const other = await pollFeed(OTHER, deps(new FakeFetcher([ok(summary)])), settings);
          expect(other.revised).toBe(0);
        }
        // The other feed's different copy was read once, found to say the same, and recorded as its own.
        expect(analyzed).toHaveLength(2);
        const rows = await store.outbox();
        expect(rows.filter((row) => row.kind === 'edit')).toEqual([]);
        expect(rows.filter((row) => row.kind === 'alert' && row.destination === 'default')).toHaveLength(1);
      });

      it('announces no recovery when a disabled feed answers with a challenge page', async () => {
        const gone = Object.assign(new Error('HTTP 410'), { kind: 'http', status: 410 });
        const challenge = '<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>';
        const first = await pollFeed(FEED, deps(new FakeFetcher([gone])), settings);
        expect(first.notices.map((notice) => notice.kind)).toEqual(['disabled']);
        const probe = await pollFeed(FEED, deps(new FakeFetcher([ok(challenge)])), settings);
        expect(probe.notices.map((notice) => notice.kind)).not.toContain('recovered');
        expect((await store.getFeedState(FEED.url))?.disabledAt).not.toBeNull();
      });

      it('routes and reports on the article page text when the feed gave only a summary', async () => {
        const body = rss([
          {
            title: 'Utility outage',
            link: 'https://desk.example/page',
            date: 'Sat, 28 Nov 2026 11:00:00 GMT',
          },
        ]);
        const routed: Array<string | undefined> = [];
        const pageDeps: PipelineDeps = {
          ...deps(new FakeFetcher([ok(body)]), (article) => ({
            ...verdict(article),
            is_attribution: /GRU/.test(article.text),
          })),
          pageFetcher: {
            async fetchPage(url) {
              return {
                url,
                title: 'Page title',
                text: "The UK said hackers from Russia's GRU caused the outage at the water utility.",
              };
            },
          },
          route: (input) => {
            routed.push(input.text);
            return [{ destination: 'default', route: 'test', mentionRoleIds: [], digest: false }];
          },
        };
        const outcome = await pollFeed(FEED, pageDeps, settings);
        expect(outcome).toMatchObject({ pagesFetched: 1, alerts: 1 });
        expect(routed[0]).toContain('GRU');
        // The page's text is what was analysed, so it is what replay reads.
        expect((await articles()).map((article) => [article.title, article.text])).toEqual([
          ['Utility outage', "The UK said hackers from Russia's GRU caused the outage at the water utility."],
        ]);
      });
    });

    describe('one story, one alert', () => {
      const FEED_B = { url: 'https://wire.example/rss', name: 'Wire' };
      const item = (title: string, link: string) =>
        rss([{ title, link, date: 'Sat, 28 Nov 2026 11:00:00 GMT' }]);

      it('edits the first alert when another outlet reports the same incident, and posts an update on a new claim', async () => {
        const byTitle = (article: Article): Attribution => ({
          ...verdict(article),
          attributed_countries: /Belarus/.test(article.title ?? '') ? ['Russia', 'Belarus'] : ['Russia'],
        });
        await pollFeed(
          FEED,
          deps(
            new FakeFetcher([
              ok(item('UK blames Russia for hack on Ukrainian banks', 'https://desk.example/1')),
            ]),
            byTitle,
          ),
          settings,
        );
        await pollFeed(
          FEED_B,
          deps(
            new FakeFetcher([ok(item('Ukrainian banks hit: UK blames Russia', 'https://wire.example/1'))]),
            byTitle,
          ),
          settings,
        );
        await pollFeed(
          { url: 'https://third.example/rss', name: 'Third' },
          deps(
            new FakeFetcher([
              ok(item('UK blames Russia and Belarus for Ukrainian banks hack', 'https://third.example/1')),
            ]),
            byTitle,
          ),
          settings,
        );

        const rows = (await store.outbox()).filter(
          (row) => row.destination === 'default' && row.kind !== 'notice',
        );
        // The second outlet's edit was still waiting when the third's came: the newer one replaced it.
        expect(rows.map((row) => row.kind)).toEqual(['alert', 'edit', 'update']);
        expect(new Set(rows.map((row) => row.storyId)).size).toBe(1);
        const lastEdit = JSON.stringify(rows[1]!.message);
        expect(lastEdit).toContain('+2 more outlets: Wire, Third');
        expect(lastEdit).toContain('Belarus');
        expect(rows[1]!.message.embeds[0]!.url).toBe('https://desk.example/1');
        expect(rows[2]!.message.content).toContain('Update from Third');
        expect(rows[2]!.message.content).toContain('https://desk.example/1');
        expect(await store.recentStories('2026-11-01T00:00:00Z')).toHaveLength(1);
      });

      it('opens separate stories for unrelated incidents in one poll', async () => {
        const body = rss([
          {
            title: 'UK blames Russia for hack on Ukrainian banks',
            link: 'https://desk.example/r',
            date: 'Sat, 28 Nov 2026 11:00:00 GMT',
          },
          {
            title: 'Canada blames Iran over water utility intrusion',
            link: 'https://desk.example/i',
            date: 'Sat, 28 Nov 2026 11:05:00 GMT',
          },
        ]);
        const byTitle = (article: Article): Attribution => ({
          ...verdict(article),
          is_attribution: true,
          attributed_countries: /Iran/.test(article.title ?? '') ? ['Iran'] : ['Russia'],
        });
        await pollFeed(FEED, deps(new FakeFetcher([ok(body)]), byTitle), settings);
        const alerts = (await store.outbox()).filter((row) => row.kind === 'alert');
        expect(alerts).toHaveLength(4);
        expect(new Set(alerts.map((row) => row.storyId)).size).toBe(2);
      });
    });
  },
);
