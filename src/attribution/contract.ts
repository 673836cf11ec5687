/** One JSONL line of `attribot extract` input → one output line (the extraction contract of DESIGN.md). */
import { z } from 'zod';
import type { Article } from '../extract/article.js';
import type { Knowledge } from '../extract/knowledge.js';
import { analyzeArticle } from './analyze.js';

const InputLine = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  title: z.string().nullable().optional(),
  text: z.string(),
  url: z.string().nullable().optional(),
  published: z.string().nullable().optional(),
});

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
  const res = InputLine.safeParse(parsed);
  if (!res.success) {
    const error = `invalid article: ${res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
    return { id: recoverId(parsed), error };
  }
  const a = res.data;
  const article: Article = { id: a.id, title: a.title ?? null, text: a.text };
  if (a.url) article.url = a.url;
  if (a.published) article.published = a.published;
  return { article };
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
