/**
 * Contract cases: the analysed articles kept beside their items for `attribot replay` — written in
 * the items' transaction, read back oldest first a page at a time, replaced by a revision, pruned.
 */
import { expect, it } from 'vitest';
import type { AnalysedArticle, ItemRecord, StoredArticle, StoryPlan } from '../../src/store/store.js';
import { at, FEEDS, item } from './fixtures.js';
import type { ContractContext } from './store-contract.js';

const LEAD =
  'The Cybersecurity and Infrastructure Security Agency said on Tuesday that a China-linked group had ' +
  'exploited a flaw in Ivanti Connect Secure appliances to reach the networks of two water utilities.';

function analysed(key: string, text = `${LEAD} (${key})`): AnalysedArticle {
  return { title: `CISA: China-linked hackers breached water utilities through Ivanti (${key})`, text };
}

/** An analysed item: recorded with the article its analysis read. */
function read(key: string, extra: Partial<ItemRecord> = {}): ItemRecord {
  return item(key, { article: analysed(key), ...extra });
}

async function all(articles: AsyncIterable<StoredArticle>): Promise<StoredArticle[]> {
  const out: StoredArticle[] = [];
  for await (const article of articles) out.push(article);
  return out;
}

export function articleCases(ctx: ContractContext): void {
  it('keeps the article of each analysed item with its feed, link, date and analysis time, oldest first', async () => {
    const { store } = ctx;
    await store.recordItems([read('b-first'), read('a-second'), item('not-analysed')], at(0));
    await store.recordItems([read('c-third', { feedUrl: FEEDS.record, link: null, published: null })], at(5));
    const articles = await all(store.articlesSince(at(0)));
    // In the order they were recorded (the batch's order, not the keys').
    expect(articles.map((article) => article.key)).toEqual(['b-first', 'a-second', 'c-third']);
    expect(articles[0]).toEqual({
      key: 'b-first',
      feedUrl: FEEDS.bleeping,
      title: analysed('b-first').title,
      link: 'https://www.bleepingcomputer.com/news/security/b-first/',
      published: '2026-11-28T09:30:00.000Z',
      text: analysed('b-first').text,
      analysedAt: at(0),
    });
    expect(articles[2]).toMatchObject({
      feedUrl: FEEDS.record,
      link: null,
      published: null,
      analysedAt: at(5),
    });
    expect((await all(store.articlesSince(at(1)))).map((article) => article.key)).toEqual(['c-third']);
    expect(await all(store.articlesSince(at(6)))).toEqual([]);
  });

  it('stores the text exactly: accents, scripts, emoji, NUL and 100,000 characters', async () => {
    const { store } = ctx;
    const texts = {
      accents: 'Le ministère a attribué l’attaque au groupe APT28 — « une opération du GRU ».',
      scripts: 'Группа Sandworm атаковала энергосеть. 攻撃はAPT41によるものとされる。',
      emoji: 'Patch now 🔥 CVE-2026-21887\r\n\ttabs and\u00a0no-break spaces',
      nul: 'a hostile feed sent \u0000 in its body',
      long: `${LEAD} `.repeat(500).slice(0, 100_000),
    };
    await store.recordItems(
      Object.entries(texts).map(([key, text]) => read(key, { article: analysed(key, text) })),
      at(0),
    );
    const stored = await all(store.articlesSince(at(0)));
    expect(Object.fromEntries(stored.map((article) => [article.key, article.text]))).toEqual(texts);
  });

  it('reads a period of many articles a page at a time, in order, each once', async () => {
    const { store } = ctx;
    // 450 articles in three batches, two of them at the same time: more than two pages.
    const keys = Array.from({ length: 450 }, (_, n) => `story-${String(n).padStart(3, '0')}`);
    await store.recordItems(
      keys.slice(0, 200).map((key) => read(key)),
      at(0),
    );
    await store.recordItems(
      keys.slice(200, 350).map((key) => read(key)),
      at(0),
    );
    await store.recordItems(
      keys.slice(350).map((key) => read(key)),
      at(1),
    );
    expect((await all(store.articlesSince(at(0)))).map((article) => article.key)).toEqual(keys);
  });

  it('a revision replaces the article and keeps when it was first analysed', async () => {
    const { store } = ctx;
    await store.recordItems([read('edited')], at(0));
    const revised = 'Update: the agency now says the intrusions were the work of Volt Typhoon.';
    await store.recordItems(
      [read('edited', { revision: true, title: 'Edited', article: { title: 'Edited', text: revised } })],
      at(30),
    );
    expect(await all(store.articlesSince(at(0)))).toEqual([
      expect.objectContaining({ key: 'edited', title: 'Edited', text: revised, analysedAt: at(0) }),
    ]);
  });

  it('an item another worker recorded first keeps that worker’s article', async () => {
    const other = await ctx.worker();
    await other.recordItems([read('shared', { article: analysed('shared', 'first worker') })], at(0));
    await ctx.store.recordItems([read('shared', { article: analysed('shared', 'second worker') })], at(1));
    expect((await all(ctx.store.articlesSince(at(0)))).map((article) => article.text)).toEqual([
      'first worker',
    ]);
  });

  it('is written in the items’ transaction: a batch that fails keeps no article', async () => {
    const { store } = ctx;
    const failing: StoryPlan = {
      since: at(0),
      assign() {
        throw new Error('clustering failed');
      },
    };
    await expect(store.recordItems([read('lost')], at(0), failing)).rejects.toThrow('clustering failed');
    expect(await all(store.articlesSince(at(0)))).toEqual([]);
    expect(await store.unseenKeys(['lost'])).toEqual(new Set(['lost']));
  });

  it('prune forgets articles analysed before the cut-off, whatever became of their items', async () => {
    const { store } = ctx;
    await store.recordItems([read('old-1'), read('old-2')], at(0));
    await store.recordItems([read('recent')], at(60));
    const pruned = await store.prune({ items: at(0), stories: at(0), outbox: at(0), articles: at(30) });
    expect(pruned).toEqual({ items: 0, stories: 0, outbox: 0, articles: 2, summaries: 0 });
    expect((await all(store.articlesSince(at(0)))).map((article) => article.key)).toEqual(['recent']);
    // The items stay known: an article's retention is its own.
    expect(await store.unseenKeys(['old-1', 'old-2'])).toEqual(new Set());
  });
}
