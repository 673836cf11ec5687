/**
 * Extraction benchmark, whole process as a user runs it (start-up included), on real security news:
 *
 *   (a) baseline: `node scripts/bench-baseline-compromise.mjs corpus.jsonl`: compromise over each whole
 *       text (nlp(text), then people, places, organizations)
 *   (b) attribot: `bin/attribot.js extract --input corpus.jsonl > out.jsonl`, started through its own shebang as
 *       `npx attribot` and the installed `attribot` start it (with the V8 flag the shebang gives)
 *   (c) one article: `attribot extract` on a file of one typical article, and on an empty file (start-up)
 *
 * (a) and (b) alternate for --rounds rounds on the same corpus and their medians are compared. Each
 * process is timed twice: wall time, what a user waits for; and CPU time (user + system, all threads,
 * reported by the process itself at exit through a preloaded module), which stays meaningful when
 * other work shares the machine. The corpus (test/bench/corpus.ts) is written to a temporary
 * directory, deleted at the end. `npm run bench:extract` builds dist/ first.
 *
 *   npm run bench:extract -- [--min 1000] [--rounds 3] [--corpus FILE.jsonl]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Article } from '../src/extract/article.js';
import { benchCorpus } from '../test/bench/corpus.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGETS = { ratio: 6, oneArticleMs: 400 } as const;
const ATTRIBOT_BIN = 'bin/attribot.js';
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

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/**
 * Wall and CPU time of one process, spawn to exit; stdout goes to `stdoutFile`, as a shell redirection would.
 * `args` start with a script run by `node`, or with `bin/attribot.js`, which is executed itself (its shebang).
 */
function timeProcess(args: string[], stdoutFile: string): Timing {
  const out = openSync(stdoutFile, 'w');
  try {
    const [first = '', ...rest] = args;
    const [command, commandArgs] =
      first === ATTRIBOT_BIN ? [join(ROOT, ATTRIBOT_BIN), rest] : [process.execPath, args];
    const start = performance.now();
    const result = spawnSync(command, commandArgs, {
      cwd: ROOT,
      stdio: ['ignore', out, 'pipe'],
      // The CPU reporter is preloaded through NODE_OPTIONS, so that the CLI starts as a user starts it.
      env: { ...process.env, ATTRIBOT_BENCH_CPU_FILE: cpuFile, NODE_OPTIONS: `--import=${cpuReporter}` },
    });
    const wallMs = performance.now() - start;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return { wallMs, cpuMs: Number(readFileSync(cpuFile, 'utf8')) };
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
const cpuFile = join(dir, 'cpu-ms');
const cpuReporter = pathToFileURL(join(dir, 'report-cpu.mjs')).href;
writeFileSync(
  join(dir, 'report-cpu.mjs'),
  `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  writeFileSync(process.env.ATTRIBOT_BENCH_CPU_FILE, String((user + system) / 1000));
});
`,
);
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
  const attribot = [ATTRIBOT_BIN, 'extract', '--input', corpusFile];
  const base: Timing[] = [];
  const ours: Timing[] = [];
  for (let r = 0; r < rounds; r++) {
    base.push(timeProcess(baseline, outFile));
    ours.push(timeProcess(attribot, outFile));
  }
  const lines = readFileSync(outFile, 'utf8').split('\n').filter(Boolean);
  if (lines.length !== articles.length)
    throw new Error(`extract wrote ${lines.length} lines for ${articles.length}`);
  const failed = lines.filter((l) => (JSON.parse(l) as { error?: string }).error !== undefined).length;

  const latency: Timing[] = [];
  const startup: Timing[] = [];
  const bare: Timing[] = [];
  for (let r = 0; r < LATENCY_RUNS; r++) {
    latency.push(timeProcess([ATTRIBOT_BIN, 'extract', '--input', oneFile], outFile));
    startup.push(timeProcess([ATTRIBOT_BIN, 'extract', '--input', emptyFile], outFile));
    bare.push(timeProcess(['-e', '0'], outFile));
  }

  const wall = (runs: Timing[]): number => median(runs.map((t) => t.wallMs));
  const cpu = (runs: Timing[]): number => median(runs.map((t) => t.cpuMs));
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2).padStart(6)} s`;
  const row = (label: string, runs: Timing[]): void => {
    const rate = ((articles.length / wall(runs)) * 1000).toFixed(0).padStart(5);
    const all = runs.map((t) => (t.wallMs / 1000).toFixed(2)).join(', ');
    console.log(
      `${label.padEnd(52)} ${seconds(wall(runs))} ${rate} articles/s  CPU ${seconds(cpu(runs))}  (wall: ${all} s)`,
    );
  };
  const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  console.log(`\nwhole process over ${articles.length} articles, start-up included (median of ${rounds}):`);
  row('baseline: node scripts/bench-baseline-compromise.mjs', base);
  row('attribot: bin/attribot.js extract --input', ours);
  const ratio = wall(base) / wall(ours);
  const cpuRatio = cpu(base) / cpu(ours);
  console.log(
    `ratio: ${ratio.toFixed(1)}x the baseline throughput, ${cpuRatio.toFixed(1)}x in CPU time ` +
      `(target >= ${TARGETS.ratio}x: ${mark(ratio >= TARGETS.ratio)})${failed ? `; ${failed} error line(s)` : ''}`,
  );
  const latencyRow = (label: string, runs: Timing[], target?: number): void => {
    const verdict = target === undefined ? '' : ` (target < ${target} ms: ${mark(wall(runs) < target)})`;
    console.log(
      `  ${label.padEnd(44)} ${wall(runs).toFixed(0).padStart(5)} ms, CPU ${cpu(runs).toFixed(0).padStart(5)} ms${verdict}`,
    );
  };
  console.log(`\nmedian of ${LATENCY_RUNS} runs:`);
  latencyRow(`extract, one article (${one.text.length} characters)`, latency, TARGETS.oneArticleMs);
  latencyRow('extract, empty input (start-up)', startup);
  latencyRow('node -e 0 (the floor)', bare);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
