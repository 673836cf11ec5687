/**
 * The benchmark corpus: the project's own test articles plus the item texts of the feed fixtures
 * (test/fixtures/feeds, when present), cycled to at least `min` articles; or a JSONL file (--corpus).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Article } from '../../src/extract/article.js';

const ITEM_RE = /<(item|entry)\b[\s\S]*?<\/\1>/gi;
const FIELD_RE = /<(title|description|summary|content(?::encoded)?)\b[^>]*>([\s\S]*?)<\/\1>/gi;

function decodeEntities(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

function plain(html: string): string {
  return decodeEntities(decodeEntities(html))
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<\/(p|div|li|h\d)>|<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

export function feedArticles(dir: URL): Article[] {
  const path = dir.pathname;
  if (!existsSync(path)) return [];
  const out: Article[] = [];
  for (const file of readdirSync(path)) {
    if (!/\.(rss|xml|atom|rdf|gz)$/.test(file)) continue;
    const buf = readFileSync(new URL(file, dir));
    const xml = (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
    let n = 0;
    for (const item of xml.matchAll(ITEM_RE)) {
      let title: string | null = null;
      let body = '';
      for (const f of item[0].matchAll(FIELD_RE)) {
        const text = plain(f[2] ?? '');
        if (f[1] === 'title') title ??= text;
        else if (text.length > body.length) body = text;
      }
      if (body.length < 40) continue;
      out.push({ id: `${file}#${n++}`, title, text: body });
    }
  }
  return out;
}

export function testArticles(): Article[] {
  const file = new URL('../fixtures/articles/articles.json', import.meta.url);
  const cases = JSON.parse(readFileSync(file, 'utf8')) as {
    id: string;
    title: string | null;
    text: string;
  }[];
  return cases.map((c) => ({ id: c.id, title: c.title, text: c.text }));
}

export function jsonlArticles(path: string): Article[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const o = JSON.parse(l) as { id?: unknown; title?: string | null; text?: string };
      return { id: String(o.id ?? i), title: o.title ?? null, text: o.text ?? '' };
    });
}

export function buildCorpus(min = 1000, corpusPath?: string): Article[] {
  const base = corpusPath
    ? jsonlArticles(corpusPath)
    : [...testArticles(), ...feedArticles(new URL('../fixtures/feeds/', import.meta.url))];
  if (base.length === 0) return [];
  const out: Article[] = [];
  for (let i = 0; out.length < min; i++) {
    const a = base[i % base.length];
    if (a) out.push({ ...a, id: `${a.id}~${Math.floor(i / base.length)}` });
  }
  return out;
}
