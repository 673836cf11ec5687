import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../../../src/attribution/analyze.js';
import type { AttributedActor } from '../../../src/attribution/attribution.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';

interface Expected {
  is_attribution: boolean;
  actors: string[];
  attributed_countries: string[];
  attributing_parties: string[];
  products: string[];
  cves: string[];
}
interface Case {
  id: string;
  family: string;
  title: string | null;
  text: string;
  expected: Expected;
}

const cases = JSON.parse(
  readFileSync(new URL('../../fixtures/articles/articles.json', import.meta.url), 'utf8'),
) as Case[];
const knowledge = loadKnowledge();

/** An expected actor is found when it is the name or one of the aliases of exactly one reported actor. */
function actorNames(actors: AttributedActor[]): string[][] {
  return actors.map((a) => [a.name, ...a.aliases].map((n) => n.toLowerCase()));
}

describe('articles written for each rule family', () => {
  it.each(cases.map((c) => [c.id, c.family, c] as const))('%s (%s)', (_id, _family, c) => {
    const { attribution } = analyzeArticle({ id: c.id, title: c.title, text: c.text }, knowledge);
    expect(attribution.is_attribution).toBe(c.expected.is_attribution);
    expect(attribution.attributed_countries.slice().sort()).toEqual(
      c.expected.attributed_countries.slice().sort(),
    );
    expect(attribution.attributing_parties.slice().sort()).toEqual(
      c.expected.attributing_parties.slice().sort(),
    );
    expect(attribution.products.slice().sort()).toEqual(c.expected.products.slice().sort());
    expect(attribution.cves).toEqual(c.expected.cves);
    const names = actorNames(attribution.actors);
    expect(names).toHaveLength(c.expected.actors.length);
    for (const want of c.expected.actors)
      expect(names.some((n) => n.includes(want.toLowerCase()))).toBe(true);
  });
});
