/**
 * Property-based fuzzing of the three places third-party text enters: feed parsing, article main
 * text and Discord formatting. Random and adversarial documents (token soups built from the
 * constructs that broke regex-based code: unclosed sections, long runs, deep nesting, entities)
 * must be handled without an unexpected error, within a time bound per document.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { DISCORD_LIMITS, embedLength, formatAlert } from '../../src/alerts/format.js';
import { linkTarget } from '../../src/alerts/text-safety.js';
import type { Attribution } from '../../src/attribution/attribution.js';
import { extractMainText } from '../../src/ingest/main-text.js';
import { FeedParseError, parseFeed } from '../../src/ingest/parse-feed.js';

/** Ceiling per document: linear code needs a few milliseconds here; a blow-up needs seconds. */
const PER_DOCUMENT_MS = 2_000;

const XML_TOKENS = [
  '<?xml version="1.0"?>',
  '<rss version="2.0">',
  '</rss>',
  '<channel>',
  '</channel>',
  '<item>',
  '</item>',
  '<title>',
  '</title>',
  '<link>https://x.example/a</link>',
  '<feed xmlns="http://www.w3.org/2005/Atom">',
  '</feed>',
  '<entry>',
  '</entry>',
  '<feed ',
  '<html>',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<!DOCTYPE rss [',
  ']>',
  '&',
  '&amp;',
  '&nbsp;',
  '&#x1F600;',
  '&bogus;',
  '<description>',
  '</description>',
  '<b>',
  '<div class="ad">',
  ' ',
  '    ',
  '\n',
  'x',
  'Ransomware',
  '<',
  '>',
  '"',
  '\u0000',
  '\uD800',
];

const HTML_TOKENS = [
  '<html>',
  '<body>',
  '<article>',
  '</article>',
  '<main>',
  '<div class="ad">',
  '<div class="content">',
  '</div>',
  '<p>',
  '</p>',
  '<a href="/x">',
  '</a>',
  '<blockquote>',
  '<nav>',
  '<aside class="related">',
  '<script>',
  '</script>',
  '<noscript>',
  '</noscript>',
  '<!--',
  '-->',
  '<span>',
  '<figcaption>Photo: AP</figcaption>',
  '<h2>Read more:</h2>',
  'The ministry said the attack, which hit banks, came from a group tied to the state.',
  ', ',
  '&amp;',
  ' ',
  '<',
];

/** A document: random tokens, some repeated many times (runs are what broke the old code). */
function soup(tokens: readonly string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...tokens) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...tokens), fc.integer({ min: 1, max: 3_000 }))
        .map(([token, n]) => token.repeat(n)),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  return fc.array(piece, { maxLength: 60 }).map((pieces) => pieces.join(''));
}

function timed<T>(work: () => T): T {
  const started = performance.now();
  const result = work();
  expect(performance.now() - started).toBeLessThan(PER_DOCUMENT_MS);
  return result;
}

describe('fuzz: parse-feed', () => {
  it('parses or refuses with a FeedParseError, within the bound, for random and adversarial documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(soup(XML_TOKENS), fc.string({ maxLength: 2_000 })), async (document) => {
        const started = performance.now();
        try {
          const feed = await parseFeed(document, 'https://fuzz.example/feed');
          for (const item of feed.items) expect(typeof item.text).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(FeedParseError);
        }
        expect(performance.now() - started).toBeLessThan(PER_DOCUMENT_MS);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fuzz: main-text', () => {
  it('extracts text from random and adversarial pages within the bound', () => {
    fc.assert(
      fc.property(soup(HTML_TOKENS), (html) => {
        const page = timed(() => extractMainText(html));
        expect(typeof page.text).toBe('string');
        expect(page.title === null || typeof page.title === 'string').toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('fuzz: format', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.constantFrom(
      '@everyone',
      '<@&123456789012345678>',
      '[x](https://evil.example)',
      ')',
      '`',
      '\u202e',
      'discord.gg/x',
      '*'.repeat(500),
    ),
  );
  const url = fc.oneof(
    fc.webUrl(),
    fc.constant('https://news.example/a)[x](https://evil.example'),
    fc.string({ maxLength: 50 }),
  );
  const attribution: fc.Arbitrary<Attribution> = fc.record({
    id: fc.constant('fuzz'),
    is_attribution: fc.boolean(),
    actors: fc.array(
      fc.record({
        name: text,
        aliases: fc.array(text, { maxLength: 6 }),
        country: text,
        stated: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    attributed_countries: fc.array(text, { maxLength: 6 }),
    attributing_parties: fc.array(text, { maxLength: 12 }),
    products: fc.array(text, { maxLength: 8 }),
    cves: fc.array(fc.oneof(text, fc.constant('CVE-2024-3400')), { maxLength: 8 }),
    confidence: fc.double(),
    confidence_reason: text,
    evidence: fc.array(text, { maxLength: 5 }),
  });

  it('keeps every message within Discord limits, without a live mention or an injected link', () => {
    fc.assert(
      fc.property(attribution, text, url, text, (analysis, title, articleUrl, source) => {
        const alert: Alert = { attribution: analysis, articleTitle: title, articleUrl, sourceName: source };
        const message = timed(() => formatAlert(alert));
        const [embed] = message.embeds;
        expect(embed).toBeDefined();
        if (!embed) return;
        expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
        expect(embed.title?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.title);
        expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
        expect(message.allowed_mentions).toEqual({ parse: [] });
        // The markdown Discord renders (the embed's url field is a plain URL, not markdown).
        const rendered = JSON.stringify({ ...embed, url: undefined });
        expect(rendered).not.toMatch(/@(?:everyone|here)/);
        expect(rendered).not.toContain('](https://evil');
      }),
      { numRuns: 300 },
    );
  });

  it('link targets never contain a character that closes a markdown link', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()),
        (value) => {
          const target = linkTarget(value);
          if (target !== undefined) expect(target).not.toMatch(/[()[\]<>\s`\\]/);
        },
      ),
      { numRuns: 500 },
    );
  });
});
