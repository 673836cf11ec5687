/** Page metadata: title and publication date from the head, JSON-LD and <time>. Pure. */
import type { CheerioAPI } from 'cheerio';
import { parseDateUtc } from './dates.js';
import { inlineText } from './html-text.js';

const ARTICLE_TYPES =
  /^(?:Article|NewsArticle|BlogPosting|ReportageNewsArticle|AnalysisNewsArticle|TechArticle|Report|ScholarlyArticle|SocialMediaPosting|WebPage|LiveBlogPosting)$/;

export interface JsonLdArticle {
  articleBody?: string;
  headline?: string;
  datePublished?: string;
}

export function pageTitle($: CheerioAPI, ld: JsonLdArticle): string | null {
  const candidates = [
    $('meta[property="og:title"]').attr('content'),
    $('meta[name="twitter:title"]').attr('content'),
    ld.headline,
    $('h1').first().text(),
    $('title').first().text(),
  ];
  for (const candidate of candidates) {
    const text = candidate === undefined ? '' : inlineText(candidate);
    if (text !== '') return text;
  }
  return null;
}

export function publishedDate($: CheerioAPI, ld: JsonLdArticle): string | undefined {
  const metaNames = [
    ...['article:published_time', 'og:published_time'].map((name) => `meta[property="${name}"]`),
    'meta[itemprop="datePublished"]',
    ...[
      'article:published_time',
      'date',
      'pubdate',
      'publishdate',
      'publish-date',
      'dc.date.issued',
      'DC.date.issued',
    ]
      .concat(['dc.date', 'DC.date', 'parsely-pub-date', 'sailthru.date'])
      .map((name) => `meta[name="${name}"]`),
  ];
  const candidates: Array<string | undefined> = [
    ...metaNames.map((selector) => $(selector).attr('content') ?? $(selector).attr('value')),
    ld.datePublished,
    $('[itemprop="datePublished"]').attr('datetime') ?? $('[itemprop="datePublished"]').attr('content'),
    $('[itemprop="datePublished"]').first().text(),
    $('article time[datetime]').first().attr('datetime'),
    $('time[datetime]').first().attr('datetime'),
  ];
  for (const candidate of candidates) {
    const date = normalizeDate(candidate);
    if (date) return date;
  }
  return undefined;
}

/** ISO 8601 for a full timestamp, YYYY-MM-DD for a bare date, undefined for anything unreadable. */
export function normalizeDate(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const time = parseDateUtc(text);
  if (Number.isNaN(time)) return undefined;
  const year = new Date(time).getUTCFullYear();
  if (year < 1990 || year > 2100) return undefined;
  return new Date(time).toISOString();
}

/** The first article-like object in the page's JSON-LD blocks (arrays and @graph included). */
export function jsonLdArticle($: CheerioAPI): JsonLdArticle {
  const found: JsonLdArticle = {};
  $('script[type="application/ld+json"]').each((_, script) => {
    let data: unknown;
    try {
      data = JSON.parse($(script).text().trim());
    } catch {
      return;
    }
    const queue: unknown[] = [data];
    for (let steps = 0; queue.length > 0 && steps < 200; steps++) {
      const item = queue.shift();
      if (Array.isArray(item)) {
        // Never spread a huge array into push (its arguments would overflow the stack).
        for (const entry of item.slice(0, 200)) queue.push(entry);
        continue;
      }
      if (typeof item !== 'object' || item === null) continue;
      const record = item as Record<string, unknown>;
      if (Array.isArray(record['@graph']))
        for (const entry of record['@graph'].slice(0, 200)) queue.push(entry);
      const types = ([] as unknown[]).concat(record['@type']);
      if (!types.some((type) => typeof type === 'string' && ARTICLE_TYPES.test(type))) continue;
      const take = (key: keyof JsonLdArticle): void => {
        const value = record[key];
        if (found[key] === undefined && typeof value === 'string' && value.trim() !== '') found[key] = value;
      };
      // A WebPage only fills what no article gave.
      take('articleBody');
      take('headline');
      take('datePublished');
    }
  });
  return found;
}
