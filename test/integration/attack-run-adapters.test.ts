/**
 * Attack-run regressions at the seams: the pipeline (batched commits, page caps, identity), the
 * page fetcher (guard before the host slot), the feed fetcher (redirects), the outbox (retry_after,
 * edit floods), the ops server (slow connections) and the store (a database cut short).
 */
import { copyFileSync, statSync, truncateSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attribution } from '../../src/attribution/attribution.js';
import { Settings } from '../../src/config/schema.js';
import { drainOutbox } from '../../src/deliver/outbox-worker.js';
import type { Article } from '../../src/extract/article.js';
import type { FeedFetcher } from '../../src/ingest/feed-item.js';
import { FeedFetchError, HttpFeedFetcher } from '../../src/ingest/fetch-feed.js';
import { HttpPageFetcher, type PageFetcher } from '../../src/ingest/fetch-page.js';
import { type PipelineDeps, pollFeed } from '../../src/pipeline.js';
import { PrometheusMetrics } from '../../src/server/metrics.js';
import { startOpsServer } from '../../src/server/server.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startFeedServer } from '../helpers/feed-server.js';
import { plainMessage } from '../helpers/messages.js';
import { retryable, ScriptedSender } from '../helpers/scripted-sender.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { TestClock } from '../helpers/test-clock.js';

const NOW = '2026-11-28T12:00:00.000Z';

function rss(items: Array<{ title: string; link: string; guid?: string; text?: string }>): string {
  const body = items
    .map(
      (item) =>
        `<item><title>${item.title}</title><link>${item.link}</link>${item.guid ? `<guid isPermaLink="false">${item.guid}</guid>` : ''}<pubDate>Sat, 28 Nov 2026 11:00:00 GMT</pubDate><description>${item.text ?? `${item.title} text`}</description></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://desk.example/</link>${body}</channel></rss>`;
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

function serving(body: string): FeedFetcher {
  return { fetchFeed: async (url) => ({ status: 'ok', url, body, validators: { etag: '"v1"' } }) };
}

describe('pipeline under hostile feeds', () => {
  let store: SqliteStore;
  let clock: TestClock;
  const settings = Settings.parse({ firstSightWindow: 0, adaptive: false, storyWindow: '1ms' });

  beforeEach(() => {
    store = new SqliteStore(':memory:');
    clock = new TestClock(NOW);
  });
  afterEach(() => store.close());

  function deps(fetcher: FeedFetcher, extra: Partial<PipelineDeps> = {}): PipelineDeps {
    return {
      store,
      fetcher,
      clock,
      log: silentLogger(),
      analyze: verdict,
      route: ({ attribution }) =>
        attribution.is_attribution
          ? [{ destination: 'default', route: 't', mentionRoleIds: [], digest: false }]
          : [],
      noticeDestinations: [],
      random: () => 0.5,
      ...extra,
    };
  }

  it('commits items in batches as it goes: a poll stopped half way keeps its progress, the next finishes', async () => {
    const feed = { url: 'https://big.example/rss' };
    const items = Array.from({ length: 80 }, (_, n) => ({
      title: `UK blames Russia ${n}`,
      link: `https://big.example/${n}`,
    }));
    const stop = new AbortController();
    let analysed = 0;
    const first = await pollFeed(
      feed,
      deps(serving(rss(items)), {
        signal: stop.signal,
        analyze: (article) => {
          if (++analysed === 60) stop.abort();
          return verdict(article);
        },
      }),
      settings,
    );
    expect(first.status).toBe('skipped');
    const keys = items.map((item) => `link:${item.link}`);
    expect((await store.seenItems(keys)).size).toBe(60);
    // Left as it was, so the next poll fetches the whole document again (not a 304).
    expect(await store.getFeedState(feed.url)).toBeNull();

    const second = await pollFeed(
      feed,
      deps(serving(rss(items)), {
        analyze: (article) => {
          analysed++;
          return verdict(article);
        },
      }),
      settings,
    );
    expect(second).toMatchObject({ status: 'ok', newItems: 20 });
    expect((await store.seenItems(keys)).size).toBe(80);
    // Nothing was analysed twice.
    expect(analysed).toBe(80);
  });

  it('fetches at most maxPagesPerPoll article pages per poll', async () => {
    const items = Array.from({ length: 40 }, (_, n) => ({
      title: `Item ${n}`,
      link: `https://pages.example/${n}`,
    }));
    const fetched: string[] = [];
    const pageFetcher: PageFetcher = {
      async fetchPage(url) {
        fetched.push(url);
        return { url, title: null, text: 'A much longer page text. '.repeat(20) };
      },
    };
    const outcome = await pollFeed(
      { url: 'https://pages.example/rss' },
      deps(serving(rss(items)), { pageFetcher }),
      { ...settings, maxPagesPerPoll: 5 },
    );
    expect(fetched).toHaveLength(5);
    expect(outcome).toMatchObject({ status: 'ok', newItems: 40, pagesFetched: 5, pagesSkipped: 35 });
  });

  it('a feed cannot silence an outlet by publishing its article link first', async () => {
    const stories = Settings.parse({ firstSightWindow: 0, adaptive: false });
    const link = 'https://outlet.example/2026/uk-blames-russia';
    const hijacker = { url: 'https://hijack.example/rss', name: 'Hijacker' };
    const outlet = { url: 'https://outlet.example/rss', name: 'Outlet' };
    await pollFeed(
      hijacker,
      deps(serving(rss([{ title: 'Weather today', link, text: 'Sunny.' }]))),
      settings,
    );
    const real = await pollFeed(
      outlet,
      deps(serving(rss([{ title: 'UK blames Russia for grid attack', link }]))),
      stories,
    );
    expect(real).toMatchObject({ status: 'ok', newItems: 1, alerts: 1 });
    // The same article in a third feed joins the outlet's story: no second alert.
    await pollFeed(
      { url: 'https://mirror.example/rss' },
      deps(serving(rss([{ title: 'UK blames Russia for grid attack', link }]))),
      stories,
    );
    expect((await store.outbox()).filter((row) => row.kind === 'alert')).toHaveLength(1);
  });

  it('three items with distinct guids sharing one landing-page link are three items', async () => {
    const items = ['a', 'b', 'c'].map((guid) => ({
      title: `UK blames Russia ${guid}`,
      link: 'https://landing.example/',
      guid,
    }));
    const outcome = await pollFeed(
      { url: 'https://landing.example/rss' },
      deps(serving(rss(items))),
      settings,
    );
    expect(outcome).toMatchObject({ newItems: 3 });
  });
});

describe('page fetches: the guard before the host slot', () => {
  it('refused links never wait for the per-host gap', async () => {
    const fetcher = new HttpPageFetcher({
      userAgent: 'test',
      allowPrivateNetwork: false,
      perHostGapMs: 60_000,
    });
    // With the slot taken first, the second of these would wait a minute (and the test time out).
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) => fetcher.fetchPage(`http://10.0.0.1/article-${n}`)),
    );
    expect(
      results.every((result) => result.status === 'rejected' && /private/.test(String(result.reason))),
    ).toBe(true);
  });
});

describe('feed redirects', () => {
  it('a redirect to another host passes the SSRF guard; one on the configured host is followed', async () => {
    const server = await startFeedServer();
    try {
      server.route('/away.xml', { kind: 'redirect', status: 301, location: 'http://127.0.0.2:9/internal' });
      server.route('/moved.xml', { kind: 'redirect', status: 301, location: '/new.xml' });
      server.serve('/new.xml', { body: rss([]), contentType: 'application/rss+xml' });
      const fetcher = new HttpFeedFetcher({
        userAgent: 'test',
        redirectGuard: { allowPrivateNetwork: false },
      });
      const error = await fetcher.fetchFeed(server.url('/away.xml'), {}).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FeedFetchError);
      expect(error).toMatchObject({ kind: 'blocked' });
      const moved = await fetcher.fetchFeed(server.url('/moved.xml'), {});
      expect(moved).toMatchObject({ status: 'ok', movedTo: server.url('/new.xml') });
    } finally {
      await server.close();
    }
  });
  it('a redirect target that rebinds to loopback after the check is refused at connect time', async () => {
    const server = await startFeedServer();
    try {
      const port = new URL(server.url('/')).port;
      server.route('/away.xml', {
        kind: 'redirect',
        status: 302,
        location: `http://rebind.example:${port}/internal`,
      });
      server.serve('/internal', { body: rss([]), contentType: 'application/rss+xml' });
      // The first resolution (the per-hop check) is public; every later one is loopback.
      let resolutions = 0;
      const fetcher = new HttpFeedFetcher({
        userAgent: 'test',
        redirectGuard: {
          allowPrivateNetwork: false,
          lookup: async () => [{ address: resolutions++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }],
        },
      });
      const error = await fetcher.fetchFeed(server.url('/away.xml'), {}).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FeedFetchError);
      expect(error).toMatchObject({ kind: 'blocked' });
      expect(resolutions).toBe(2);
      expect(server.requestsTo('/internal')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe('outbox under hostile peers', () => {
  let store: SqliteStore;
  const clock = new TestClock(NOW);
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  it("an absurd retry_after is capped and the row's next attempt is a valid date", async () => {
    await store.recordItems(
      [
        {
          key: 'k',
          feedUrl: 'f',
          title: 't',
          link: null,
          published: null,
          disposition: 'processed',
          alerts: [{ destination: 'main', message: plainMessage('t') }],
        },
      ],
      NOW,
    );
    const sender = new ScriptedSender('main', [retryable(429, 99999999999999 * 1000)]);
    const summary = await drainOutbox({
      store,
      clock,
      log: silentLogger(),
      senders: new Map([['main', sender]]),
      maxDelayMs: 6 * 3_600_000,
    });
    expect(summary.retried).toBe(1);
    const [row] = await store.outbox();
    expect(Date.parse(row?.nextAttemptAt ?? '') - Date.parse(NOW)).toBe(6 * 3_600_000);
  });

  it('2,000 reports of one story leave one pending edit, and edits count toward the flood cap', async () => {
    const story = {
      id: null,
      createdAt: NOW,
      updatedAt: NOW,
      first: { title: 't', sourceName: 'Desk', attribution: {} as never },
      attribution: {} as never,
      sources: [],
      destinations: ['main'],
    };
    const record = (index: number, kind: 'alert' | 'edit') => ({
      key: `item-${index}`,
      feedUrl: 'https://f.example/',
      title: `report ${index}`,
      link: null,
      published: null,
      disposition: 'processed' as const,
      alerts: [{ destination: 'main', kind, message: plainMessage(`report ${index}`) }],
      story: { key: 'new:1', data: story },
    });
    await store.recordItems([record(0, 'alert')], NOW);
    // Later batches know the story by its id, as the pipeline's clustering does.
    const [stored] = await store.recentStories('2026-01-01T00:00:00Z');
    for (let start = 1; start < 2_000; start += 250) {
      await store.recordItems(
        Array.from({ length: 250 }, (_, n) => record(start + n, 'edit'))
          .filter((_, n) => start + n < 2_000)
          .map((entry) => ({
            ...entry,
            story: { key: `id:${stored?.id}`, data: { ...story, id: stored?.id ?? null } },
          })),
        NOW,
      );
    }
    const { story: _unrelated, ...loose } = record(5_000, 'alert');
    await store.recordItems([loose], NOW);
    const pending = (await store.outbox()).filter((row) => row.status === 'pending');
    expect(pending.map((row) => row.kind)).toEqual(['alert', 'edit', 'alert']);
    expect(pending[1]?.message.embeds[0]?.title).toBe('report 1999');

    const sender = new ScriptedSender('main');
    const summary = await drainOutbox({
      store,
      clock,
      log: silentLogger(),
      senders: new Map([['main', sender]]),
      flood: { cap: 2, windowMs: 3_600_000, digestIntervalMs: 3_600_000 },
    });
    // The alert and the edit use the cap of 2; the next alert waits for the digest.
    expect(summary).toMatchObject({ sent: 2, held: 1 });
    expect(sender.edits).toHaveLength(1);
  });
});

describe('ops server under slow connections', () => {
  it('caps connections and drops ones that never send a request; /healthz answers again', async () => {
    const ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: new PrometheusMetrics(),
      health: () => ({ healthy: true, detail: {} }),
      maxConnections: 8,
      headersTimeoutMs: 500,
    });
    const sockets: Socket[] = [];
    try {
      const closed = await Promise.all(
        Array.from({ length: 40 }, () => {
          const socket = connect(ops.port, '127.0.0.1');
          sockets.push(socket);
          return new Promise<boolean>((resolve) => {
            socket.on('close', () => resolve(true));
            socket.on('error', () => undefined);
          });
        }),
      );
      // Every idle connection is closed: the ones over the cap at once, the others at the header timeout.
      expect(closed.every(Boolean)).toBe(true);
      const response = await fetch(`http://127.0.0.1:${ops.port}/healthz`);
      expect(response.status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await ops.close();
    }
  });
  it('cuts off a client that trickles its request head at the header timeout, not 30 s later', async () => {
    const ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: new PrometheusMetrics(),
      health: () => ({ healthy: true, detail: {} }),
      headersTimeoutMs: 500,
    });
    const socket = connect(ops.port, '127.0.0.1');
    // One header byte every 100 ms keeps the socket's idle timer from firing: only the header timeout can end it.
    const trickle = setInterval(() => socket.write('X'), 100);
    try {
      socket.on('error', () => undefined);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const answer = await new Promise<string>((resolve) => {
        let received = '';
        socket.on('data', (chunk) => {
          received += chunk.toString();
        });
        socket.on('close', () => resolve(received));
        // Node's default check interval (30 s) would still hold the connection after 5 s.
        setTimeout(() => resolve('still open'), 5_000);
      });
      expect(answer).not.toBe('still open');
      expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await ops.close();
    }
  });
});

describe('a database cut short', () => {
  it('makes /healthz unhealthy instead of answering 200', async () => {
    const temp = makeTempDir();
    try {
      const path = join(temp.dir, 'a.db');
      const store = new SqliteStore(path);
      for (let n = 0; n < 2_000; n++) {
        await store.recordItems(
          [
            {
              key: `k${n}`,
              feedUrl: 'f',
              title: 'x'.repeat(200),
              link: null,
              published: null,
              disposition: 'seeded',
              alerts: [],
            },
          ],
          NOW,
        );
      }
      await store.close();
      const copy = join(temp.dir, 'b.db');
      copyFileSync(path, copy);
      truncateSync(copy, Math.floor(statSync(copy).size / 2));
      const broken = (() => {
        try {
          return new SqliteStore(copy);
        } catch {
          return null;
        }
      })();
      // Either it cannot even be opened (the worker refuses to start), or its probe fails.
      if (broken) {
        await expect(broken.probe()).rejects.toThrow(/malformed|corrupt|disk image/i);
        await broken.close();
      }
      const healthy = new SqliteStore(path);
      await expect(healthy.probe()).resolves.toBeUndefined();
      await healthy.close();
    } finally {
      temp.cleanup();
    }
  });
});
