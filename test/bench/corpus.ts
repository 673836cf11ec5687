/**
 * The extraction benchmark corpus: real security news, cycled to at least `min` articles.
 *
 * Sources, in order: a JSONL file (--corpus); else the texts of ../shared/eval/{dev,train,train2}.jsonl,
 * read where they lie at bench time (they belong to their publishers and are never copied into the
 * project), falling back to the project's own test articles when ../shared is absent; plus the security
 * items of the feed fixtures. Every copy after the first is varied (see `varyCopy`), so that no cache
 * keyed by a text, or by a sentence of at least `copies` words, can inflate the figure.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Article } from '../../src/extract/article.js';
import { SECURITY_RE } from '../../src/extract/mentions.js';
import { splitSentences } from '../../src/extract/sentences.js';

const ITEM_RE = /<(item|entry)\b[\s\S]*?<\/\1>/gi;
const FIELD_RE = /<(title|description|summary|content(?::encoded)?)\b[^>]*>([\s\S]*?)<\/\1>/gi;
/** Words that make a text about security rather than about "campaigns" or "attacks" in general. */
const SECURITY_TOPIC_RE =
  /\b(hack\w*|cyber\w*|malware|ransomware|vulnerabilit\w*|exploit\w*|breach\w*|phishing|botnets?|backdoors?|zero-days?|cve-\d+|espionage|spyware|trojans?|patch\w*|security)\b/i;
/** The annotated real articles in ../shared/eval that may be read (never the unseen test set). */
const EVAL_FILES = ['dev.jsonl', 'train.jsonl', 'train2.jsonl'] as const;
const FEED_DIR = new URL('../fixtures/feeds/', import.meta.url);
export const SHARED_EVAL_DIR = new URL('../../../shared/eval/', import.meta.url);

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

/** Every item of the feed fixtures with a body of 40 characters or more. */
export function feedArticles(dir: URL = FEED_DIR): Article[] {
  const path = dir.pathname;
  if (!existsSync(path)) return [];
  const out: Article[] = [];
  for (const file of readdirSync(path).sort()) {
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

/**
 * A security item: at least a quarter of its sentences (title included) use security vocabulary, and
 * one of them names hacking, malware, a flaw or security itself.
 */
export function isSecurityItem(article: Article): boolean {
  const sentences = splitSentences(`${article.title ?? ''}\n${article.text}`);
  const security = sentences.filter((s) => SECURITY_RE.test(s.text));
  return security.length * 4 >= sentences.length && security.some((s) => SECURITY_TOPIC_RE.test(s.text));
}

export function testArticles(): Article[] {
  const file = new URL('../fixtures/articles/articles.json', import.meta.url);
  const cases = JSON.parse(readFileSync(file, 'utf8')) as {
    id: string;
    title: string | null;
    text: string;
  }[];
  return [
    ...cases.map((c) => ({ id: c.id, title: c.title, text: c.text })),
    ...jsonlArticles(new URL('../fixtures/articles/holdout.jsonl', import.meta.url).pathname),
  ];
}

/** id, title and text of each line (labels and other fields are left behind). */
export function jsonlArticles(path: string): Article[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const o = JSON.parse(l) as { id?: unknown; title?: string | null; text?: string };
      return { id: String(o.id ?? i), title: o.title ?? null, text: o.text ?? '' };
    });
}

/**
 * Copy `copy` (1-based) of a text that is cycled `copies` times: every `copies`-th space, starting at
 * word `copy - 1`, is doubled. Each copy is then a different string in every sentence of `copies` words
 * or more, and the words, tokens and sentences the extractor sees stay the same.
 */
export function varyCopy(text: string, copy: number, copies: number): string {
  if (copy === 0) return text;
  let word = 0;
  return text.replace(/ /g, () => (word++ % copies === copy - 1 ? '  ' : ' '));
}

export interface BenchCorpus {
  articles: Article[];
  /** Where the texts came from, for the report. */
  sources: string[];
}

export function benchCorpus(options: { min?: number; corpusPath?: string; evalDir?: URL } = {}): BenchCorpus {
  const min = options.min ?? 1000;
  const sources: string[] = [];
  let base: Article[];
  if (options.corpusPath) {
    base = jsonlArticles(options.corpusPath);
    sources.push(`${base.length} articles of ${options.corpusPath}`);
  } else {
    const evalDir = options.evalDir ?? SHARED_EVAL_DIR;
    const evalFiles = EVAL_FILES.map((f) => new URL(f, evalDir).pathname).filter((p) => existsSync(p));
    if (evalFiles.length > 0) {
      base = evalFiles.flatMap((p) => jsonlArticles(p));
      sources.push(`${base.length} real articles of ${evalFiles.join(', ')}`);
    } else {
      base = testArticles();
      sources.push(`${base.length} project test articles (no ${evalDir.pathname})`);
    }
    const items = feedArticles().filter(isSecurityItem);
    base.push(...items);
    sources.push(`${items.length} security items of test/fixtures/feeds`);
  }
  if (base.length === 0) return { articles: [], sources };
  const copies = Math.ceil(min / base.length);
  const articles: Article[] = [];
  for (let i = 0; articles.length < Math.max(min, base.length); i++) {
    const a = base[i % base.length];
    const copy = Math.floor(i / base.length);
    if (a) articles.push({ id: `${a.id}~${copy}`, title: a.title, text: varyCopy(a.text, copy, copies) });
  }
  return { articles, sources };
}
