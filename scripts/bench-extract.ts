/**
 * Extraction benchmark, whole process as a user runs it (start-up included), on real security news:
 *
 *   (a) baseline: `node scripts/bench-baseline-compromise.mjs corpus.jsonl`: compromise over each whole
 *       text (nlp(text), then people, places, organizations)
 *   (b) attribot: `node bin/attribot.js extract --input corpus.jsonl > out.jsonl`
 *   (c) one article: `attribot extract` on a file of one typical article, and on an empty file (start-up)
 *
 * (a) and (b) alternate for --rounds rounds on the same corpus; the medians are compared, so that the
 * ratio holds whatever else the machine is doing. The corpus (test/bench/corpus.ts) is written to a
 * temporary directory, deleted at the end. `npm run bench:extract` builds dist/ first.
 *
 *   npm run bench:extract -- [--min 1000] [--rounds 3] [--corpus FILE.jsonl]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Article } from '../src/extract/article.js';
import { benchCorpus } from '../test/bench/corpus.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGETS = { ratio: 6, oneArticleMs: 400 } as const;
const LATENCY_RUNS = 7;

const { values } = parseArgs({
  options: {
    min: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    corpus: { type: 'string' },
  },
});
const rounds = Math.max(1, Number(values.rounds));

if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` first');

const { articles, sources } = benchCorpus({
  min: Number(values.min),
  ...(values.corpus ? { corpusPath: values.corpus } : {}),
});
if (articles.length === 0) throw new Error('empty corpus');

/** Wall time of one process, from spawn to exit; stdout goes to `stdoutFile`, as a shell redirection would. */
function timeProcess(args: string[], stdoutFile: string): number {
  const out = openSync(stdoutFile, 'w');
  try {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', out, 'pipe'] });
    const ms = performance.now() - start;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return ms;
  } finally {
    closeSync(out);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A typical article for the latency figure: the median length among those of the base corpus. */
function typicalArticle(all: Article[]): Article {
  const firstCopies = all.filter((a) => a.id.endsWith('~0')).sort((a, b) => a.text.length - b.text.length);
  const picked = firstCopies[Math.floor(firstCopies.length / 2)] ?? all[0];
  if (!picked) throw new Error('empty corpus');
  return picked;
}

const jsonl = (list: Article[]): string =>
  list.map((a) => `${JSON.stringify({ id: a.id, title: a.title, text: a.text })}\n`).join('');

const dir = mkdtempSync(join(tmpdir(), 'attribot-bench-extract-'));
try {
  const corpusFile = join(dir, 'corpus.jsonl');
  const oneFile = join(dir, 'one.jsonl');
  const emptyFile = join(dir, 'empty.jsonl');
  const outFile = join(dir, 'out.jsonl');
  const one = typicalArticle(articles);
  writeFileSync(corpusFile, jsonl(articles));
  writeFileSync(oneFile, jsonl([one]));
  writeFileSync(emptyFile, '');

  const chars = articles.reduce((n, a) => n + (a.title?.length ?? 0) + a.text.length, 0);
  console.log(
    `corpus: ${articles.length} articles, ${Math.round(chars / articles.length)} characters on average`,
  );
  for (const source of sources) console.log(`  ${source}`);

  const baseline = ['scripts/bench-baseline-compromise.mjs', corpusFile];
  const attribot = ['bin/attribot.js', 'extract', '--input', corpusFile];
  const baseMs: number[] = [];
  const oursMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    baseMs.push(timeProcess(baseline, outFile));
    oursMs.push(timeProcess(attribot, outFile));
  }
  const lines = readFileSync(outFile, 'utf8').split('\n').filter(Boolean);
  if (lines.length !== articles.length)
    throw new Error(`extract wrote ${lines.length} lines for ${articles.length}`);
  const failed = lines.filter((l) => (JSON.parse(l) as { error?: string }).error !== undefined).length;

  const latency: number[] = [];
  const startup: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < LATENCY_RUNS; r++) {
    latency.push(timeProcess(['bin/attribot.js', 'extract', '--input', oneFile], outFile));
    startup.push(timeProcess(['bin/attribot.js', 'extract', '--input', emptyFile], outFile));
    bare.push(timeProcess(['-e', '0'], outFile));
  }

  const rate = (ms: number): string => `${((articles.length / ms) * 1000).toFixed(0).padStart(5)} articles/s`;
  const row = (label: string, runs: number[]): void => {
    const ms = median(runs);
    const all = runs.map((x) => (x / 1000).toFixed(2)).join(', ');
    console.log(`${label.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(6)} s ${rate(ms)}  (runs: ${all} s)`);
  };
  console.log(`\nwhole process over ${articles.length} articles, start-up included (median of ${rounds}):`);
  row('baseline: node scripts/bench-baseline-compromise.mjs', baseMs);
  row('attribot: node bin/attribot.js extract --input', oursMs);
  const ratio = median(baseMs) / median(oursMs);
  const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  console.log(
    `ratio: ${ratio.toFixed(1)}x the baseline throughput (target >= ${TARGETS.ratio}x: ${mark(ratio >= TARGETS.ratio)})` +
      `${failed ? `; ${failed} error line(s)` : ''}`,
  );
  const oneMs = median(latency);
  console.log(`\nmedian of ${LATENCY_RUNS} runs:`);
  console.log(
    `  extract, one article (${one.text.length} characters): ${oneMs.toFixed(0)} ms (target < ${TARGETS.oneArticleMs} ms: ${mark(oneMs < TARGETS.oneArticleMs)})`,
  );
  console.log(`  extract, empty input (start-up):      ${median(startup).toFixed(0)} ms`);
  console.log(`  node -e 0 (the floor):                ${median(bare).toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
