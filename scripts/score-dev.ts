/** Runs the extractor over a gold JSONL (default ../shared/eval/dev.jsonl) and writes predictions. */
import { readFileSync, writeFileSync } from 'node:fs';
import { extractLine } from '../src/attribution/contract.js';
import { loadKnowledge } from '../src/extract/knowledge.js';

const gold = process.argv[2] ?? '../shared/eval/dev.jsonl';
const out = process.argv[3] ?? '/tmp/pred.jsonl';
const knowledge = loadKnowledge();
const lines = readFileSync(gold, 'utf8')
  .split('\n')
  .filter((l) => l.trim());
const t0 = performance.now();
const outLines = lines.map((l) => {
  const r = extractLine(l, knowledge);
  if (r.error) console.error(r.error);
  return r.output;
});
writeFileSync(out, `${outLines.join('\n')}\n`);
console.error(
  `${lines.length} articles in ${Math.round(performance.now() - t0)} ms (load ${knowledge.stats.loadMs} ms, ${knowledge.stats.patterns} patterns) → ${out}`,
);
