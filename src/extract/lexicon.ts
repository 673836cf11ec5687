/**
 * The vocabulary of news prose (config/dictionaries/lexicon.json), validated and compiled once. Rules
 * read words through this module only, so a word is added in one place and every rule that uses the
 * concept sees it. The grammar that combines the words stays in the rules.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { lazyZod } from './lazy-zod.js';

/** The schema of lexicon.json, built on first use (see lazy-zod.ts). */
function lexiconSchema() {
  const z = lazyZod();
  const Section = z
    .object({
      source: z.url().optional(),
      reason: z.string().min(10).optional(),
      words: z.array(z.string().trim().min(1)).min(1),
    })
    .strict()
    .refine((s) => s.source !== undefined || s.reason !== undefined, {
      message: 'a section needs a source (URL) or a reason (why the words are general)',
    });
  return z
    .object({
      about: z.string(),
      sections: z
        .object(
          Object.fromEntries(SECTION_NAMES.map((n) => [n, Section])) as Record<SectionName, typeof Section>,
        )
        .strict(),
    })
    .strict();
}

interface LexiconData {
  about: string;
  sections: Record<
    SectionName,
    { source?: string | undefined; reason?: string | undefined; words: string[] }
  >;
}

/** The lexicon file as data: validated, unless `checked` says this exact text passed validation unchanged. */
export function parseLexicon(json: unknown, checked = false): LexiconData {
  if (checked) return json as LexiconData;
  const parsed = lexiconSchema().safeParse(json);
  if (!parsed.success)
    throw new Error(
      `lexicon is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Every section the rules read; an unknown or missing section is an error, so a typo never passes. */
export const SECTION_NAMES = [
  'securityWords',
  'cyberWords',
  'perpetratorNouns',
  'cyberCompoundHeads',
  'hackingQualifiers',
  'hackingNotPerpetrator',
  'stateLinkParticiples',
  'stateLinkCompounds',
  'strongStateLink',
  'linkPhrasesBefore',
  'blameVerbs',
  'listBlameVerbs',
  'reportVerbs',
  'criminalWords',
  'stateWords',
  'stateOverridesCriminal',
  'responsibilityWords',
  'headlineDeedVerbs',
  'incidentNounsBy',
  'linkVerbs',
  'linkedObjectNouns',
  'hedges',
  'firmWording',
  'retractions',
  'withheldStatements',
  'contactVerbs',
  'groupNounsAfterName',
  'agreementPhrases',
  'backgroundCues',
  'threatAssessmentCues',
  'conditionalCues',
  'denialVerbs',
  'denialAdjectives',
  'governmentNouns',
  'stateActorNouns',
  'governmentBodyWords',
  'organizationWords',
  'bodyNameWords',
  'governmentTitles',
  'stateOnlyTitles',
  'corporateTitles',
  'titleModifiers',
  'organizationDescriptors',
  'genericCompanyNouns',
  'genericGovernmentNouns',
  'anonymousSourceNouns',
  'anonymousSourcePhrases',
  'researcherNouns',
  'selfNouns',
  'pronounSpeakers',
  'claimNouns',
  'documentNouns',
  'agentVerbsBeforeBy',
  'actVerbs',
  'listOwnerNouns',
  'deedObjectWords',
  'serviceHoldingNouns',
  'nameArticles',
  'kitStateWords',
  'countryBodyNouns',
  'continuationNouns',
  'supportNouns',
  'jointPhrases',
  'speakerSkipWords',
  'nameParticles',
  'notNames',
  'productCues',
  'weakProductCues',
  'strongProductCues',
  'intrusionAccessCues',
  'vulnerabilityWords',
  'serviceNouns',
  'channelPrepositions',
  'toolUseWords',
  'productNegativeWords',
  'deploymentNouns',
  'componentHeads',
  'deviceWords',
  'editionWords',
  'deploymentEditionNames',
  'productLineNouns',
  'productBrands',
  'mereMentionBefore',
  'notAffectedPhrases',
  'groupCues',
  'ransomGroupCues',
  'actorContextWords',
  'schemeFalsePrefixes',
  'aliasPhrases',
  'vulnerabilityNicknames',
  'enforcementVerbs',
  'genericProductWords',
  'programRoleWords',
  'researcherQualifiers',
  'flawNouns',
  'softwarePartNouns',
  'componentNouns',
  'vendorDeviceNouns',
  'genericTechAbbreviations',
  'productDescriptorWords',
  'sayVerbs',
  'ambiguousAgencies',
  'pluralBodies',
  'ownedThingNouns',
  'opinionNouns',
  'headlineDeedNouns',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export interface Lexicon {
  /** The words of a section as written. */
  words(name: SectionName): readonly string[];
  /** Lower-case single-token words of a section, for token lookups (phrases and stems are left out). */
  set(name: SectionName): ReadonlySet<string>;
  /** Exact-case words of a section (for capitalised-name checks). */
  exact(name: SectionName): ReadonlySet<string>;
  /**
   * A regex alternation of the sections' words (non-capturing, longest first, so that of several sections
   * "chief executive" is tried before "chief"), to embed in a rule's grammar.
   */
  alt(...names: [SectionName, ...SectionName[]]): string;
  /**
   * An alternation that matches each word as written, Capitalised, or in CAPITALS, for patterns that
   * must stay case-sensitive elsewhere (a capital that starts a name).
   */
  altCased(...names: [SectionName, ...SectionName[]]): string;
  /** `\b(?:words)\b`, case-insensitive unless flags say otherwise; compiled once per flags. */
  re(name: SectionName, flags?: string): RegExp;
  /** The whole text is one of the words (case-insensitive). */
  is(name: SectionName, text: string): boolean;
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One lexicon word as a regex: spaces match runs of whitespace, hyphens are optional, `*` ends a stem. */
function wordPattern(word: string): string {
  const stem = word.endsWith('*');
  const body = stem ? word.slice(0, -1) : word;
  const parts = body.split(/(\s+|-)/);
  const pattern = parts
    .map((p) => (/^\s+$/.test(p) ? '\\s+' : p === '-' ? '[-\\s]?' : escapeRegex(p)))
    .join('');
  return stem ? `${pattern}\\w*` : pattern;
}

export function compileLexicon(json: unknown, checked = false): Lexicon {
  const sections = parseLexicon(json, checked).sections;
  const sets = new Map<SectionName, Set<string>>();
  const exacts = new Map<SectionName, Set<string>>();
  const alts = new Map<string, string>();
  const regexes = new Map<string, RegExp>();
  const words = (name: SectionName): readonly string[] => sections[name].words;
  const alt = (...names: SectionName[]): string => {
    const key = names.join('+');
    let a = alts.get(key);
    if (a === undefined) {
      // Longest first so that "foreign ministry" wins over "ministry" at the same position.
      const sorted = [...new Set(names.flatMap(words))].sort((x, y) => y.length - x.length);
      a = `(?:${sorted.map(wordPattern).join('|')})`;
      alts.set(key, a);
    }
    return a;
  };
  const cased = new Map<string, string>();
  const altCased = (...names: SectionName[]): string => {
    const key = names.join('+');
    let a = cased.get(key);
    if (a === undefined) {
      const variants = new Set<string>();
      for (const w of names.flatMap(words)) {
        variants.add(w);
        variants.add(
          w.replace(/(^|[\s-])(\p{Ll})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase()),
        );
        variants.add(w.toUpperCase());
      }
      a = `(?:${[...variants]
        .sort((x, y) => y.length - x.length)
        .map(wordPattern)
        .join('|')})`;
      cased.set(key, a);
    }
    return a;
  };
  return {
    words,
    altCased,
    set(name) {
      let s = sets.get(name);
      if (!s) {
        s = new Set(
          words(name)
            .filter((w) => /^[\p{L}\p{N}&$]+$/u.test(w))
            .map((w) => w.toLowerCase()),
        );
        sets.set(name, s);
      }
      return s;
    },
    exact(name) {
      let s = exacts.get(name);
      if (!s) {
        s = new Set(words(name));
        exacts.set(name, s);
      }
      return s;
    },
    alt,
    re(name, flags = 'i') {
      const key = `${name}/${flags}`;
      let r = regexes.get(key);
      if (!r) {
        r = new RegExp(`\\b${alt(name)}(?![\\w])`, flags);
        regexes.set(key, r);
      }
      return r;
    },
    is(name, text) {
      const t = text.trim().toLowerCase();
      return words(name).some((w) => w.toLowerCase() === t);
    },
  };
}

const LEXICON_FILE = new URL('../../config/dictionaries/lexicon.json', import.meta.url);
/** Written by `npm run build` next to the compiled module: the SHA-256 of a lexicon text that passed validation unchanged. */
const CHECKED_FILE = new URL('./lexicon-checked.txt', import.meta.url);

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether `record` (written by recordLexiconChecked) vouches for exactly this lexicon text. */
export function checkedBefore(text: string, record: URL | string = CHECKED_FILE): boolean {
  return existsSync(record) && readFileSync(record, 'utf8').trim() === digest(text);
}

/**
 * Records in `record` that `text` passes validation and that validation changes nothing in it (no word to
 * trim), so that a start with the same text skips it. `npm run build` calls this for the lexicon in use;
 * false (and nothing written) when validation would change the text. Throws when it is invalid.
 */
export function recordLexiconChecked(
  text: string = lexiconText,
  record: URL | string = CHECKED_FILE,
): boolean {
  const raw = JSON.parse(text) as unknown;
  if (!isDeepStrictEqual(parseLexicon(raw), raw)) return false;
  writeFileSync(record, `${digest(text)}\n`);
  return true;
}

const lexiconText = readFileSync(LEXICON_FILE, 'utf8');

/** The project's lexicon, read and checked once when first imported (checked at build time when unchanged since). */
export const lexicon: Lexicon = compileLexicon(JSON.parse(lexiconText), checkedBefore(lexiconText));
