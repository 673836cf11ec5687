/**
 * Who a party is: dictionary agencies, blocs, vendors and media (agencies folded to their state),
 * governments named through a country word ("the Czech government"), generic nouns resolved from
 * context ("the ministry", "the company", "officials"), and capitalised names outside the dictionaries
 * (a person or an organisation, checked with compromise). speakers.ts decides which party speaks.
 */
import nlp from 'compromise';
import type { Knowledge } from '../extract/knowledge.js';
import type { Extraction, Mention, SentenceInfo } from '../extract/mentions.js';
import { GOV_NOUN } from './cues.js';

export type PartyKindOut = 'government' | 'bloc' | 'vendor' | 'media' | 'person' | 'organization' | 'unnamed';
export interface AttributingParty {
  /** Output name: a state for its government bodies, else the party's name. */
  name: string;
  /** As written or as known ("Federal Bureau of Investigation"). */
  body: string;
  kind: PartyKindOut;
  /** How it was found: speaker, subject of a blame verb, possessive, "according to", joint. */
  role: string;
}

export interface PartyContext {
  knowledge: Knowledge;
  extraction: Extraction;
  lastVendor: AttributingParty | null;
  lastGov: AttributingParty | null;
  lastSpeaker: AttributingParty | null;
  /** The state a sentence opens with ("Germany on Friday summoned ..."), for "the government concluded". */
  subjectCountry: string | null;
  mainOrg: string | null;
  text: string;
}

const AMBIGUOUS_AGENCIES = new Set([
  'ncsc',
  'npa',
  'national police agency',
  'national cyber security centre',
  'nis',
  'national intelligence service',
]);
export const SKIP_LEFT = new Set(
  'has have had also already publicly previously repeatedly later earlier then first had initially on in last this monday tuesday wednesday thursday friday saturday sunday week month year statement separately recently now today yesterday has formally officially jointly'.split(
    ' ',
  ),
);
// Particles of people's names ("David van Weel", "Ursula von der Leyen") join a run like "of" does.
const NAME_JOINERS = new Set([
  'of',
  'for',
  'and',
  'the',
  'de',
  '&',
  'van',
  'von',
  'der',
  'den',
  'al',
  'bin',
  'da',
  'di',
  'du',
  'del',
  'la',
  'le',
  'ter',
]);
export const NOT_NAMES = new Set(
  'The A An It This That These Those He She They We I In On At As But And Or If When While After Before However Meanwhile Earlier Later Last Separately According Officials Sources Police Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December Mr Mrs Ms Dr'.split(
    ' ',
  ),
);
export const POSSESSIVE_CLAIM_RE =
  /^(?:'s|’s)\s+(?:[\w-]+\s+){0,3}?(attribution|charges?|accusations?|allegations?|assessment|report|advisory|investigation|analysis|findings?|statement|researchers|threat intelligence|security team|cybersecurity team|threat analysis group|comments|remarks|claims|experts)\b/i;

export function partyFromMention(
  m: Mention,
  s: SentenceInfo,
  ctx: PartyContext,
  role: string,
): AttributingParty | null {
  const k = ctx.knowledge;
  if (m.ref.type === 'party') {
    const p = k.parties[m.ref.id];
    if (!p) return null;
    if (p.kind === 'agency') {
      let iso = p.country;
      if (ctx.extraction.datelineCountry && AMBIGUOUS_AGENCIES.has(m.surface.toLowerCase()))
        iso = ctx.extraction.datelineCountry;
      const country = iso ? k.countries.get(iso)?.name : undefined;
      return { name: country ?? p.name, body: p.name, kind: 'government', role };
    }
    return { name: p.name, body: p.name, kind: p.kind === 'bloc' ? 'bloc' : p.kind, role };
  }
  if (m.ref.type === 'country') {
    if (m.ref.iso2 === '??') return null;
    const after = s.text.slice(m.end - s.start, m.end - s.start + 60);
    const gov = GOV_NOUN.exec(after);
    if (m.ref.form === 'demonym' && !gov) return null;
    const c = k.countries.get(m.ref.iso2);
    if (!c) return null;
    return {
      name: c.name,
      body: gov ? `${m.surface} ${gov[1] ?? ''}`.trim() : m.surface,
      kind: 'government',
      role,
    };
  }
  return null;
}

export function generic(word: string, ctx: PartyContext, role: string): AttributingParty | null | 'self' {
  switch (word) {
    case 'company':
    case 'firm':
    case 'giant':
    case 'vendor':
    case 'provider':
    case 'maker':
      if (ctx.lastVendor) return { ...ctx.lastVendor, role };
      return ctx.mainOrg ? { name: ctx.mainOrg, body: ctx.mainOrg, kind: 'organization', role } : null;
    case 'police': {
      const iso = ctx.extraction.datelineCountry ?? (ctx.lastGov ? null : null);
      const c = iso ? ctx.knowledge.countries.get(iso) : undefined;
      if (c) return { name: c.name, body: 'police', kind: 'government', role };
      return ctx.lastGov ? { ...ctx.lastGov, role } : null;
    }
    case 'ministry':
    case 'department':
    case 'government':
    case 'agency':
    case 'administration':
    case 'authorities':
    case 'bureau':
    case 'prosecutors': {
      if (ctx.lastGov) return { ...ctx.lastGov, role };
      const iso = ctx.subjectCountry ?? ctx.extraction.datelineCountry;
      const c = iso ? ctx.knowledge.countries.get(iso) : undefined;
      return c ? { name: c.name, body: word, kind: 'government', role } : null;
    }
    case 'officials':
    case 'sources':
    case 'people':
    case 'person':
    case 'source':
    case 'insiders':
      return { name: 'unnamed sources', body: 'unnamed sources', kind: 'unnamed', role };
    case 'it':
    case 'they':
      return ctx.lastSpeaker ? { ...ctx.lastSpeaker, role } : null;
    case 'gang':
    case 'group':
    case 'hackers':
    case 'crew':
      return 'self';
    default:
      return null;
  }
}
export const UNNAMED_WORDS = new Set(['officials', 'sources', 'people', 'person', 'source', 'insiders']);
export const GENERIC_WORDS = new Set([
  'company',
  'firm',
  'giant',
  'vendor',
  'provider',
  'maker',
  'police',
  'ministry',
  'department',
  'government',
  'agency',
  'administration',
  'authorities',
  'bureau',
  'prosecutors',
  'officials',
  'sources',
  'people',
  'person',
  'source',
  'insiders',
  'it',
  'they',
  'gang',
  'group',
  'hackers',
  'crew',
]);

/** Tokens between two positions contain punctuation that ends a name ("Earlier Wednesday, Trump"). */
export function gapBreaks(s: SentenceInfo, i: number): boolean {
  const a = s.tokens[i];
  const b = s.tokens[i + 1];
  if (!a || !b) return true;
  return /[,;:()"“”\u2013\u2014]|\s-\s/.test(s.text.slice(a.end - s.start, b.start - s.start));
}

/** A capitalised name right before token `v` (skipping auxiliaries and dates): a person or an organisation. */
export function capitalisedRun(
  s: SentenceInfo,
  v: number,
  ctx: PartyContext,
  role: string,
): AttributingParty | null {
  let i = v - 1;
  while (
    i >= 0 &&
    (SKIP_LEFT.has(s.tokens[i]?.norm ?? '') || /ly$/.test(s.tokens[i]?.norm ?? '')) &&
    !gapBreaks(s, i)
  )
    i--;
  const end = i;
  while (i >= 0) {
    const t = s.tokens[i];
    if (!t) break;
    if (i < end && gapBreaks(s, i)) break;
    if (
      (/^\p{Lu}/u.test(t.raw) && !(t.raw.length > 3 && t.raw === t.raw.toUpperCase())) ||
      (NAME_JOINERS.has(t.norm) && i < end)
    )
      i--;
    else break;
  }
  let start = i + 1;
  while (start <= end && NAME_JOINERS.has(s.tokens[start]?.norm ?? '')) start++;
  if (start > end) return null;
  const a = s.tokens[start];
  const b = s.tokens[end];
  if (!a || !b) return null;
  if (s.mentions.some((m) => m.start < b.end && m.end > a.start)) return null;
  let name = s.text
    .slice(a.start - s.start, b.end - s.start)
    .replace(/^(?:The|the)\s+/, '')
    .replace(/['’]s$/, '');
  name = name.replace(TITLE_RE, '');
  if (!name || NOT_NAMES.has(name) || name.length < 3) return null;
  const last = name.split(' ').pop() ?? name;
  const people = nlp(s.text).people().out('array') as string[];
  const full = fullName(name, ctx.text);
  const isPerson =
    people.some((p) => p.includes(last)) ||
    /^[A-Z][a-z]+(?: [A-Z]\.?)*(?: [A-Z][a-z]+)+$/.test(name) ||
    full !== name;
  if (
    isPerson &&
    !/Authority|Agency|Department|Ministry|Company|Council|Office|Police|Bank|University/.test(name)
  ) {
    return { name: full, body: full, kind: 'person', role };
  }
  if (
    end - start + 1 >= 2 ||
    /^\p{Lu}\p{Ll}+\p{Lu}/u.test(name) ||
    /Authority|Agency|Department|Ministry|Company|Corp|Inc|Council|Office|Police|Bank|Group|University|Lab/.test(
      name,
    )
  )
    return { name, body: name, kind: 'organization', role };
  return null;
}

const TITLE_RE =
  /^(?:(?:Former|Deputy|Acting|Vice|Foreign|Defen[cs]e|Interior|Home|Prime|Chief|Senior|US|U\.S\.|National Security|Attorney|Home Affairs|Digital Affairs)\s+)*(?:Minister|President|Secretary|Adviser|Advisor|Director|Chairman|Chairwoman|Spokesman|Spokeswoman|Spokesperson|Ambassador|General|Senator|Governor|Commissioner|Chancellor|Premier|Officer|Executive)\s+(?:of\s+\w+\s+)?/;

/** "Trump" → "Donald Trump" when the article names the person in full elsewhere. */
function fullName(name: string, text: string): string {
  if (name.includes(' ')) return name;
  const m = new RegExp(
    `\\b([A-Z][a-z]+(?: [A-Z]\\.)?) ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`,
  ).exec(text);
  const first = m?.[1] ?? '';
  return m &&
    !NOT_NAMES.has(first) &&
    !/^(President|Former|Secretary|Minister|Chairman|Director|Senator|Governor|Vice|General|Adviser)$/.test(
      first,
    )
    ? `${first} ${name}`
    : name;
}
