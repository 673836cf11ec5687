import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../../../src/attribution/analyze.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';
import { feedArticles } from '../../bench/corpus.js';

const feeds = new URL('../../fixtures/feeds/', import.meta.url);
const knowledge = loadKnowledge();

describe.skipIf(!existsSync(feeds.pathname))(
  'false alarms on the real feed fixtures (mostly non-security news)',
  () => {
    it('raises no attribution and names no actor', () => {
      const items = feedArticles(feeds);
      expect(items.length).toBeGreaterThan(100);
      const results = items.map((a) => analyzeArticle(a, knowledge).attribution);
      expect(results.filter((r) => r.is_attribution).map((r) => r.id)).toEqual([]);
      expect(results.filter((r) => r.attributed_countries.length > 0).map((r) => r.id)).toEqual([]);
      expect(results.filter((r) => r.actors.length > 0).map((r) => r.id)).toEqual([]);
    });
  },
);
