/**
 * npx tsx scripts/bench-extract.ts [--corpus FILE.jsonl] [--min N]
 * Articles per second of analyzeArticle vs the compromise baseline, over the same corpus, same process.
 */
import nlp from 'compromise';
import { analyzeArticle } from '../src/attribution/analyze.js';
import { loadKnowledge } from '../src/extract/knowledge.js';
import { buildCorpus } from '../test/bench/corpus.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const t0 = performance.now();
const knowledge = loadKnowledge();
const loadMs = performance.now() - t0;
const corpus = buildCorpus(Number(opt('--min') ?? 1000), opt('--corpus'));
if (corpus.length === 0) throw new Error('empty corpus');

function run(label: string, fn: (a: (typeof corpus)[number]) => void): number {
  for (const a of corpus.slice(0, 50)) fn(a); // warm-up
  const start = performance.now();
  for (const a of corpus) fn(a);
  const ms = performance.now() - start;
  const rate = (corpus.length / ms) * 1000;
  console.log(`${label.padEnd(48)} ${rate.toFixed(0).padStart(7)} articles/s  (${ms.toFixed(0)} ms)`);
  return rate;
}

const chars = corpus.reduce((n, a) => n + a.text.length, 0);
console.log(
  `corpus: ${corpus.length} articles, ${(chars / corpus.length).toFixed(0)} chars on average; knowledge loaded in ${loadMs.toFixed(0)} ms`,
);
const ours = run('analyzeArticle', (a) => analyzeArticle(a, knowledge));
const base = run('baseline nlp(text).people/places/organizations', (a) => {
  const doc = nlp(`${a.title ?? ''}\n${a.text}`);
  doc.people().out('array');
  doc.places().out('array');
  doc.organizations().out('array');
});
console.log(`ratio: ${(ours / base).toFixed(1)}x the baseline throughput (target >= 4x)`);
