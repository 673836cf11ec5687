import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/ingest/decode.js';
import { htmlToText } from '../../../src/ingest/html-text.js';
import { extractMainText } from '../../../src/ingest/main-text.js';
import { normalizeDate } from '../../../src/ingest/page-metadata.js';

const PAGES = new URL('../../fixtures/pages/', import.meta.url);

function pageFile(page: string, file: string): URL {
  return new URL(`${page}/${file}`, PAGES);
}

/** Decodes as fetch-page does: bytes plus the Content-Type the publisher would send (no charset here). */
function extract(page: string): ReturnType<typeof extractMainText> {
  const html = decodeBody(readFileSync(pageFile(page, 'source.html')), 'text/html');
  return extractMainText(html);
}

/** Words, with CJK scripts split per character (they are written without spaces). */
function tokens(text: string): string[] {
  const words =
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.flatMap((word) =>
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(word) ? [...word] : [word],
  );
}

function bag(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokens(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

/** Token recall of `expected` in `actual` and precision of `actual` against `expected` (multiset). */
function overlap(actual: string, expected: string): { recall: number; precision: number } {
  const got = bag(actual);
  const want = bag(expected);
  let common = 0;
  for (const [token, count] of want) common += Math.min(count, got.get(token) ?? 0);
  const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);
  return { recall: common / Math.max(1, total(want)), precision: common / Math.max(1, total(got)) };
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

interface Golden {
  page: string;
  title: string;
  published?: string;
}

/** Pages with a reference text (human-annotated or Readability output). */
const REFERENCE_PAGES: Golden[] = [
  {
    page: 'arstechnica-minecraft-exploit',
    title: 'Just-released Minecraft exploit makes it easy to crash game servers',
    published: '2015-04-16T20:02:01.000Z',
  },
  { page: 'heise-mac-and-i-1password-otp-de', title: '1Password für Mac generiert Einmal-Passwörter' },
  { page: 'yahoo-japan-trendmicro-wifi-ja', title: 'トレンドマイクロ、公衆無線LANを安全に使うためのアプリ' },
  {
    page: 'lemonde-loi-renseignement-fr',
    title: 'Le projet de loi sur le renseignement massivement approuvé',
  },
  {
    page: 'techcrunch-wework-investigation',
    title: 'New York State Attorney General reportedly investigating WeWork',
    published: '2019-11-18T20:58:46.000Z',
  },
  { page: 'wired-future-of-banking', title: 'The Future of Banking Is … You' },
  { page: 'heraldsun-surveillance-laws', title: 'Angry media won’t buckle over new surveillance laws' },
  { page: 'theverge-vision-pro', title: 'Apple’s Vision Pro', published: '2023-06-07T20:54:26.829Z' },
];

/** Pages with trafilatura's must-have / must-not-have snippets. */
const SNIPPET_PAGES: Golden[] = [
  {
    page: 'threatpost-android-ransomware',
    title: "Android Ransomware Spreads Via 'Sex Simulation Game' Links on Reddit, SMS",
    published: '2019-07-30T17:16:29.000Z',
  },
  {
    page: 'google-security-blog-safe-browsing',
    title: 'Enhanced Safe Browsing Protection now available in Chrome',
    published: '2020-05-19T00:00:00.000Z',
  },
  { page: 'larepublica-conti-ransomware-es', title: 'Estas son las medidas que ha tomado el gobierno' },
  { page: 'winfuture-nasa-plus-iso-8859-1-de', title: 'NASA+', published: '2023-11-03T14:32:00.000Z' },
  {
    page: 'handwerk-magazin-cyberangriffe-de',
    title: 'Cyber-Angriffe: 20 Prozent vom IT-Budget',
    published: '2022-01-21T09:00:00.000Z',
  },
];

describe('extractMainText over real pages', () => {
  it.each(REFERENCE_PAGES)('$page: covers the reference text', ({ page, title, published }) => {
    const expectedFile = existsSync(pageFile(page, 'expected.txt')) ? 'expected.txt' : 'expected.html';
    const reference = readFileSync(pageFile(page, expectedFile), 'utf8');
    const expected = expectedFile === 'expected.html' ? htmlToText(reference) : reference;

    const result = extract(page);

    const { recall, precision } = overlap(result.text, expected);
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(precision).toBeGreaterThanOrEqual(0.7);
    expect(result.title).toContain(title);
    if (published) expect(result.published).toBe(published);
    // Paragraphs stay paragraphs.
    expect(result.text.split('\n').length).toBeGreaterThan(3);
  });

  it.each(SNIPPET_PAGES)(
    '$page: keeps the article and drops the boilerplate',
    ({ page, title, published }) => {
      const snippets = JSON.parse(readFileSync(pageFile(page, 'expected.json'), 'utf8')) as {
        with: string[];
        without: string[];
      };

      const result = extract(page);

      const text = squash(result.text);
      for (const snippet of snippets.with) expect(text).toContain(squash(snippet));
      for (const snippet of snippets.without) expect(text).not.toContain(squash(snippet));
      expect(result.title).toContain(title);
      if (published) expect(result.published).toBe(published);
    },
  );

  it('reads the Latin-1 winfuture page through its meta charset', () => {
    const result = extract('winfuture-nasa-plus-iso-8859-1-de');
    expect(result.text).toContain('Überarbeitung');
    expect(result.text).not.toContain('\ufffd');
  });

  it('excludes the related-news block of larepublica', () => {
    const result = extract('larepublica-conti-ransomware-es');
    expect(result.text).not.toMatch(/NOTAS RELACIONADAS|Lea más/);
    expect(result.text).toContain('Grupo Conti');
  });
});

describe('extractMainText on small documents', () => {
  const filler =
    'The agency said the intrusion began in March, and that the attackers, whom it linked to a foreign intelligence service, moved laterally for weeks. ';

  it('prefers the article over navigation, share bars, comments and related lists', () => {
    const html = `<html><head><title>Site | Breach</title>
      <meta property="og:title" content="Breach at the agency">
      <meta property="article:published_time" content="2024-05-02T10:00:00+02:00"></head>
      <body><nav><a href="/">Home</a><a href="/news">News</a></nav>
      <div class="share-bar"><a href="#">Share this article:</a></div>
      <article><h1>Breach at the agency</h1><p>${filler}</p><p>${filler}</p>
        <div class="related-posts"><h3>Related</h3><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></div>
      </article>
      <section id="comments"><p>Write a comment</p><p>First! This is a long enough comment to look like a paragraph of text.</p></section>
      <footer><p>© 2024 Site</p></footer></body></html>`;

    const result = extractMainText(html);

    expect(result.title).toBe('Breach at the agency');
    expect(result.published).toBe('2024-05-02T08:00:00.000Z');
    expect(result.text.split('\n')).toEqual(['Breach at the agency', filler.trim(), filler.trim()]);
  });

  it('scores text blocks when the page has no semantic markup', () => {
    const html = `<html><body><div id="menu"><a href="/1">One</a> <a href="/2">Two</a> <a href="/3">Three</a></div>
      <div class="x1"><div class="x2"><p>${filler}</p><p>${filler}</p><p>${filler}</p></div></div>
      <div class="x3"><p><a href="/more">A much longer list of links that should not win anything</a></p></div></body></html>`;

    const result = extractMainText(html);

    expect(result.text.split('\n')).toHaveLength(3);
    expect(result.title).toBeNull();
  });

  it('falls back to the JSON-LD articleBody when the markup hides the text', () => {
    const body = filler.repeat(5).trim();
    const html = `<html><head><script type="application/ld+json">${JSON.stringify({
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebSite', name: 'x' },
        { '@type': 'NewsArticle', headline: 'Headline', articleBody: body, datePublished: '2023-01-05' },
      ],
    })}</script></head><body><div id="app"></div></body></html>`;

    const result = extractMainText(html);

    expect(result).toEqual({ title: 'Headline', text: body, published: '2023-01-05' });
  });

  it.each([
    ['2024-05-02T10:00:00+02:00', '2024-05-02T08:00:00.000Z'],
    ['2020-05-19', '2020-05-19'],
    ['May 19, 2020', '2020-05-19T00:00:00.000Z'],
    ['not a date', undefined],
    ['0001-01-01T00:00:00Z', undefined],
  ])('normalizes the date %s', (value, expected) => {
    expect(normalizeDate(value)).toBe(expected);
  });
});
