// The extraction rules of issue 8 as a specification: each rule group in constructions.json is one general
// construction of news prose, written fresh about invented events, in several phrasings and variants. The
// expected labels follow the annotation rules (shared/eval/README.md, section 5), not the current code.
// constructions-2.json is the second set of rule groups, written before the rules that made them pass.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../../../src/attribution/analyze.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';

/**
 * base: the plainest phrasing; paraphrase: the same facts in another construction (must give the base's
 * output); negated, hedged: the claim withdrawn or softened; swapped: who accuses and who is accused change
 * places; victim: the victim is named or speaks and must not become a party or a country; contrast: one
 * decisive fact differs from the base (a ban instead of a breach, a state directing a gang).
 */
type Variant = 'base' | 'paraphrase' | 'negated' | 'hedged' | 'swapped' | 'victim' | 'contrast';

interface Expected {
  is_attribution: boolean;
  actors: string[];
  attributed_countries: string[];
  attributing_parties: string[];
  products: string[];
  cves: string[];
}
interface ConstructionCase {
  id: string;
  variant: Variant;
  title: string | null;
  text: string;
  expected: Expected;
  /**
   * Names no reported product may contain (as whole words): what the fuzzy product match would let through,
   * such as an advisory title left uncut ('X Cross-Site Scripting Vulnerability') or a protocol ('SSL-VPN').
   */
  not_products?: string[];
}
interface RuleGroup {
  rule: string;
  construction: string;
  cases: ConstructionCase[];
}

function readGroups(file: string): RuleGroup[] {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/articles/${file}`, import.meta.url), 'utf8'),
  ) as RuleGroup[];
}

/** The first and the second set of rule groups. */
const settledGroups = readGroups('constructions.json');
const nextGroups = readGroups('constructions-2.json');
const groups = [...settledGroups, ...nextGroups];

const casesOf = (ruleGroups: readonly RuleGroup[]) =>
  ruleGroups.flatMap((group) =>
    group.cases.map((c) => [`${group.rule} › ${c.id} (${c.variant})`, c] as const),
  );
const cases = casesOf(groups);

function baseOf(group: RuleGroup): ConstructionCase {
  const base = group.cases.find((c) => c.variant === 'base');
  if (!base) throw new Error(`rule ${group.rule} has no base case`);
  return base;
}

const paraphrasesOf = (ruleGroups: readonly RuleGroup[]) =>
  ruleGroups.flatMap((group) =>
    group.cases
      .filter((c) => c.variant === 'paraphrase')
      .map((c) => [`${group.rule} › ${c.id}`, { paraphrase: c, base: baseOf(group) }] as const),
  );
const swapsOf = (ruleGroups: readonly RuleGroup[]) =>
  ruleGroups.flatMap((group) =>
    group.cases
      .filter((c) => c.variant === 'swapped')
      .map((c) => [`${group.rule} › ${c.id}`, { swapped: c, base: baseOf(group) }] as const),
  );
const paraphrases = paraphrasesOf(groups);
const swaps = swapsOf(groups);

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('the construction fixtures', () => {
  it('give every rule a base, two paraphrases, a negated, a hedged and a swapped or victim variant', () => {
    const incomplete = groups
      .filter((group) => {
        const count = (variant: Variant) => group.cases.filter((c) => c.variant === variant).length;
        return (
          count('base') !== 1 ||
          count('paraphrase') < 2 ||
          count('negated') < 1 ||
          count('hedged') < 1 ||
          count('swapped') + count('victim') < 1
        );
      })
      .map((group) => group.rule);
    expect(incomplete).toEqual([]);
  });

  it('use each id once', () => {
    const ids = cases.map(([, c]) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('never rule out a product they expect', () => {
    const contradictions = cases.flatMap(([name, c]) =>
      c.expected.products
        .filter((product) => (c.not_products ?? []).some((banned) => containsWords(product, banned)))
        .map((product) => `${name}: ${product}`),
    );
    expect(contradictions).toEqual([]);
  });

  it.each(paraphrases)('%s expects what the base expects', (_name, { paraphrase, base }) => {
    expect(paraphrase.expected).toEqual(base.expected);
  });

  it.each(swaps)('%s expects the base with parties and countries swapped', (_name, { swapped, base }) => {
    expect(sorted(swapped.expected.attributing_parties)).toEqual(sorted(base.expected.attributed_countries));
    expect(sorted(swapped.expected.attributed_countries)).toEqual(sorted(base.expected.attributing_parties));
  });
});

type Attribution = ReturnType<typeof analyzeArticle>['attribution'];
type ReportedActor = Attribution['actors'][number];

let knowledge: ReturnType<typeof loadKnowledge> | undefined;
function analyze(c: ConstructionCase): Attribution {
  knowledge ??= loadKnowledge();
  return analyzeArticle({ id: c.id, title: c.title, text: c.text }, knowledge).attribution;
}

/**
 * Pairs each expected name with at most one reported item and each reported item with at most one expected
 * name (augmenting paths: a few items per article). Returns, for each reported item, the expected name it
 * stands for, or its own label when it matches none.
 */
function inExpectedTerms<T>(
  expected: readonly string[],
  reported: readonly T[],
  matches: (want: string, got: T) => boolean,
  label: (got: T) => string,
): string[] {
  const owner = new Array<number>(reported.length).fill(-1);
  function claim(want: number, seen: boolean[]): boolean {
    for (let got = 0; got < reported.length; got++) {
      if (seen[got] || !matches(expected[want] ?? '', reported[got] as T)) continue;
      seen[got] = true;
      if (owner[got] === -1 || claim(owner[got] ?? -1, seen)) {
        owner[got] = want;
        return true;
      }
    }
    return false;
  }
  for (let want = 0; want < expected.length; want++)
    claim(want, new Array<boolean>(reported.length).fill(false));
  return reported.map((got, i) => {
    const want = owner[i] ?? -1;
    return want >= 0 ? (expected[want] ?? label(got)) : label(got);
  });
}

function actorMatches(want: string, got: ReportedActor): boolean {
  const name = want.toLowerCase();
  return [got.name, ...got.aliases].some((n) => n.toLowerCase() === name);
}

function words(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** Whether the words of `part` stand next to each other, in order, among the words of `whole`. */
function containsWords(whole: string, part: string): boolean {
  const [long, short] = [words(whole), words(part)];
  if (short.length === 0) return false;
  for (let start = 0; start + short.length <= long.length; start++)
    if (short.every((w, i) => long[start + i] === w)) return true;
  return false;
}

/** Whole-word containment either way, so a vendor prefix ("Fortinet FortiOS" / "FortiOS") is optional. */
function productMatches(want: string, got: string): boolean {
  return words(want).length <= words(got).length ? containsWords(got, want) : containsWords(want, got);
}

/** The output in the vocabulary of the expected labels, so one toEqual shows every field that differs. */
function asExpected(attribution: Attribution, expected: Expected): Expected {
  return {
    is_attribution: attribution.is_attribution,
    actors: sorted(inExpectedTerms(expected.actors, attribution.actors, actorMatches, (a) => a.name)),
    attributed_countries: sorted(attribution.attributed_countries),
    attributing_parties: sorted(attribution.attributing_parties),
    products: sorted(inExpectedTerms(expected.products, attribution.products, productMatches, (p) => p)),
    cves: sorted(attribution.cves),
  };
}

function normalised(expected: Expected): Expected {
  return {
    is_attribution: expected.is_attribution,
    actors: sorted(expected.actors),
    attributed_countries: sorted(expected.attributed_countries),
    attributing_parties: sorted(expected.attributing_parties),
    products: sorted(expected.products),
    cves: sorted(expected.cves),
  };
}

/** Everything a reader of the alert sees, in the extractor's own names, for comparing two phrasings. */
function signature(attribution: Attribution) {
  return {
    is_attribution: attribution.is_attribution,
    actors: sorted(attribution.actors.map((a) => a.name.toLowerCase())),
    attributed_countries: sorted(attribution.attributed_countries),
    attributing_parties: sorted(attribution.attributing_parties),
    products: sorted(attribution.products),
    cves: sorted(attribution.cves),
  };
}

/** The extractor against one set of rule groups: every case, and the metamorphic relations between them. */
function specifyExtraction(ruleGroups: readonly RuleGroup[]): void {
  it.each(casesOf(ruleGroups))('%s', (_name, c) => {
    const attribution = analyze(c);
    const forbidden = attribution.products.filter((p) =>
      (c.not_products ?? []).some((name) => containsWords(p, name)),
    );
    expect({ ...asExpected(attribution, c.expected), not_products_reported: forbidden }).toEqual({
      ...normalised(c.expected),
      not_products_reported: [],
    });
  });

  it.each(paraphrasesOf(ruleGroups))(
    'metamorphic: %s gives the output of the base',
    (_name, { paraphrase, base }) => {
      expect(signature(analyze(paraphrase))).toEqual(signature(analyze(base)));
    },
  );

  it.each(swapsOf(ruleGroups))(
    'metamorphic: %s swaps the base parties and countries',
    (_name, { swapped, base }) => {
      const [got, before] = [analyze(swapped), analyze(base)];
      expect({
        attributing_parties: sorted(got.attributing_parties),
        attributed_countries: sorted(got.attributed_countries),
      }).toEqual({
        attributing_parties: sorted(before.attributed_countries),
        attributed_countries: sorted(before.attributing_parties),
      });
    },
  );
}

describe('extraction rules written as constructions (issue 8)', () => {
  specifyExtraction(settledGroups);
});

describe('extraction rules written as constructions, second set (constructions-2.json)', () => {
  specifyExtraction(nextGroups);
});
