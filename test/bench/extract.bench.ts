/**
 * In-process throughput of analyzeArticle against the baseline of the issue — compromise over each whole
 * text, then people/places/organizations — in the same run (start-up left out; `npm run bench:extract`
 * measures whole processes). Vitest prints the ratio ("x times faster").
 * Each iteration handles one article, so ops/s = articles/s.
 */
import nlp from 'compromise';
import { bench, describe } from 'vitest';
import { analyzeArticle } from '../../src/attribution/analyze.js';
import { loadKnowledge } from '../../src/extract/knowledge.js';
import { benchCorpus } from './corpus.js';

const knowledge = loadKnowledge();
const corpusPath = process.env.ATTRIBOT_BENCH_CORPUS;
const corpus = benchCorpus(corpusPath ? { corpusPath } : {}).articles;
let i = 0;
let j = 0;

describe(`extraction over ${corpus.length} articles`, () => {
  bench(
    'analyzeArticle (dictionaries + claims)',
    () => {
      const a = corpus[i++ % corpus.length];
      if (a) analyzeArticle(a, knowledge);
    },
    { time: 3000 },
  );
  bench(
    'baseline: nlp(text).people/places/organizations',
    () => {
      const a = corpus[j++ % corpus.length];
      if (!a) return;
      const doc = nlp(`${a.title ?? ''}\n${a.text}`);
      doc.people().out('array');
      doc.places().out('array');
      doc.organizations().out('array');
    },
    { time: 3000 },
  );
});
