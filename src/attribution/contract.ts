/** One JSONL line of `attribot extract` input → one output line (the extraction contract of DESIGN.md). */
import type { Article } from '../extract/article.js';
import type { Knowledge } from '../extract/knowledge.js';
import { analyzeArticle } from './analyze.js';

/**
 * The fields of an input line (DESIGN.md, the extraction contract): `id` a string or a number, `text` a
 * string, `title`, `url` and `published` a string, null or absent; other fields are ignored. Checked by
 * hand: a line is read for every article, and this is the whole of the rule.
 */
function articleOf(value: unknown): { article: Article } | { problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problems: ['(root): expected a JSON object'] };
  const line = value as Record<string, unknown>;
  const problems: string[] = [];
  const { id, text } = line;
  if (typeof id !== 'string' && typeof id !== 'number')
    problems.push(`id: expected a string or a number, received ${kindOf(id)}`);
  if (typeof text !== 'string') problems.push(`text: expected a string, received ${kindOf(text)}`);
  const optional: Record<'title' | 'url' | 'published', string | null> = {
    title: null,
    url: null,
    published: null,
  };
  for (const field of ['title', 'url', 'published'] as const) {
    const v = line[field];
    if (typeof v === 'string') optional[field] = v;
    else if (v !== null && v !== undefined)
      problems.push(`${field}: expected a string or null, received ${kindOf(v)}`);
  }
  if (problems.length > 0 || typeof text !== 'string') return { problems };
  const article: Article = { id: String(id), title: optional.title, text };
  if (optional.url) article.url = optional.url;
  if (optional.published) article.published = optional.published;
  return { article };
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

function recoverId(value: unknown): string | null {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return null;
}

/** One input line as an Article, or the id (when recoverable) and what is wrong with it. */
export function parseArticleLine(line: string): { article: Article } | { id: string | null; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    const m = /"id"\s*:\s*("(?:[^"\\]|\\.)*"|\d+)/.exec(line);
    let id: string | null = null;
    if (m?.[1]) {
      try {
        id = String(JSON.parse(m[1]));
      } catch {
        id = null;
      }
    }
    return { id, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const checked = articleOf(parsed);
  if ('problems' in checked)
    return { id: recoverId(parsed), error: `invalid article: ${checked.problems.join('; ')}` };
  return checked;
}

export function extractLine(line: string, knowledge: Knowledge): { output: string; error?: string } {
  const parsed = parseArticleLine(line);
  if (!('article' in parsed))
    return { output: JSON.stringify({ id: parsed.id, error: parsed.error }), error: parsed.error };
  const { article } = parsed;
  try {
    return { output: JSON.stringify(analyzeArticle(article, knowledge).attribution) };
  } catch (err) {
    const error = `extraction failed: ${err instanceof Error ? err.message : String(err)}`;
    return { output: JSON.stringify({ id: article.id, error }), error };
  }
}
