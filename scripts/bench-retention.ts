/**
 * Database size under retention: 100,000 feed items (1,000 a day for 100 simulated days, each with
 * a story, a delivered alert and the article its analysis read) written to SQLite with the store's
 * own calls, pruned once a simulated day with the default-shaped retention (items 30 d unlisted,
 * stories 30 d, delivered rows 30 d, articles 30 d here, so the plateau shows within the run),
 * against the same load never pruned. SQLite reuses the pages prune frees, so the file levels off
 * instead of growing with history. Articles are the feed fixtures' item texts run together to
 * --article-chars characters each (0: items without an article, as before articles were kept).
 *
 *   npx tsx scripts/bench-retention.ts [--items 100000] [--per-day 1000] [--keep-days 30] [--article-chars 4000] [--json]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Story } from '../src/alerts/cluster.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { ItemRecord } from '../src/store/store.js';
import { feedArticles } from '../test/bench/corpus.js';

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00.000Z');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

function sizeMb(path: string): number {
  const files = [path, `${path}-wal`].map((file) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  });
  return Math.round((files.reduce((sum, size) => sum + size, 0) / 1024 / 1024) * 10) / 10;
}

function story(n: number, at: string): Story {
  // Shaped like a one-report story as the pipeline stores it (about the same JSON size).
  const attribution = {
    is_attribution: true,
    actors: ['APT28'],
    attributed_countries: ['Russia'],
    attributing_parties: ['Ministry of Foreign Affairs'],
    products: ['Microsoft Exchange Server'],
    cves: ['CVE-2026-12345'],
    confidence: 0.9,
    evidence: `The ministry said the intrusion ${n} was carried out by APT28, which it tied to Russian military intelligence.`,
  };
  return {
    id: null,
    createdAt: at,
    updatedAt: at,
    first: {
      title: `Ministry blames state-backed group for intrusion ${n}`,
      sourceName: 'Desk',
      url: `https://desk.example/${n}`,
      attribution,
    },
    attribution,
    sources: [],
    destinations: ['main'],
  } as unknown as Story;
}

/** Texts of about `chars` characters: the fixture texts run together from a rotating start, numbered. */
function articleTexts(chars: number): (n: number) => string {
  const parts = feedArticles().map((article) => article.text);
  return (n) => {
    let text = `Item ${n}.`;
    for (let k = n; text.length < chars; k++) text += `\n${parts[k % parts.length]}`;
    return text.slice(0, chars);
  };
}

interface Load {
  items: number;
  perDay: number;
  keepDays: number;
  articleChars: number;
}

async function run(prune: boolean, path: string, load: Load) {
  const { items, perDay, keepDays } = load;
  const text = load.articleChars > 0 ? articleTexts(load.articleChars) : null;
  const store = new SqliteStore(path);
  const samples: Array<{ day: number; items: number; mb: number }> = [];
  const started = performance.now();
  let pruneMs = 0;
  const days = Math.ceil(items / perDay);
  const worker = 'bench';
  await store.acquireLeases(['destination:main'], {
    worker,
    now: new Date(START).toISOString(),
    until: new Date(START + (days + 1) * DAY).toISOString(),
  });
  let written = 0;
  for (let day = 0; day < days; day++) {
    const at = new Date(START + day * DAY).toISOString();
    for (let start = 0; start < perDay && written < items; start += 250) {
      const batch: ItemRecord[] = [];
      for (let k = 0; k < 250 && written < items; k++, written++) {
        const title = `Ministry blames state-backed group for intrusion ${written}`;
        batch.push({
          key: `https://desk.example/2026/${written}`,
          feedUrl: 'https://desk.example/feed.xml',
          title,
          link: `https://desk.example/2026/${written}`,
          published: at,
          disposition: 'processed',
          contentHash: `hash-${written}`,
          fingerprint: 'attributed:apt28:ru',
          alerts: [
            {
              destination: 'main',
              message: { embeds: [{ title, description: 'x'.repeat(600) }], allowed_mentions: { parse: [] } },
            },
          ],
          story: { key: `new:${written}`, data: story(written, at) },
          ...(text ? { article: { title, text: text(written) } } : {}),
        });
      }
      await store.recordItems(batch, at);
    }
    const lease = { worker, now: at, until: new Date(START + (days + 1) * DAY).toISOString() };
    for (;;) {
      const rows = await store.claimOutbox(1000, ['main'], lease);
      if (rows.length === 0) break;
      for (const row of rows) await store.markSent(row.id, worker, at, String(row.id));
    }
    if (prune) {
      const before = new Date(START + (day - keepDays) * DAY).toISOString();
      const pruneStarted = performance.now();
      await store.prune({ items: before, stories: before, outbox: before, articles: before });
      pruneMs += performance.now() - pruneStarted;
    }
    if ((day + 1) % 10 === 0) samples.push({ day: day + 1, items: written, mb: sizeMb(path) });
  }
  await store.close();
  return {
    samples,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    pruneMs: Math.round(pruneMs),
  };
}

async function main(): Promise<void> {
  const load: Load = {
    items: argument('items', 100_000),
    perDay: argument('per-day', 1000),
    keepDays: argument('keep-days', 30),
    articleChars: argument('article-chars', 4000),
  };
  const dir = mkdtempSync(join(tmpdir(), 'attribot-bench-retention-'));
  try {
    const pruned = await run(true, join(dir, 'pruned.db'), load);
    const kept = await run(false, join(dir, 'kept.db'), load);
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify({ ...load, pruned, kept }, null, 2));
      return;
    }
    console.log(
      `SQLite size (MB, with WAL) after N items, ${load.perDay} a day, retention ${load.keepDays} d vs none, ` +
        `articles of ${load.articleChars} characters`,
    );
    console.log('   day     items   retention   no retention');
    pruned.samples.forEach((sample, index) => {
      console.log(
        `${String(sample.day).padStart(6)} ${String(sample.items).padStart(9)} ${String(sample.mb).padStart(11)} ${String(kept.samples[index]?.mb ?? '').padStart(14)}`,
      );
    });
    console.log(
      `time: ${pruned.seconds} s with retention (prune ${pruned.pruneMs} ms in all), ${kept.seconds} s without`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
