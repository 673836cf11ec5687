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
  /** The sentence being read, and the one where `lastGov` was last named. */
  sentence?: number;
  lastGovAt?: number;
  /** The last state named in an earlier sentence and not accused there, for "the country's CERT". */
  lastCountry?: string;
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
      // "Taiwan's National Security Bureau", "the Romanian Foreign Intelligence Service": agency names
      // recur across states, and the state written before the name decides.
      const owner = ownerCountry(m, s);
      if (owner) iso = owner;
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

/** The state written right before a mention: "Taiwan's", "the Dutch", "Poland's". */
function ownerCountry(m: Mention, s: SentenceInfo): string | null {
  const c = [...s.mentions]
    .reverse()
    .find((x) => x.ref.type === 'country' && x.end <= m.start && m.start - x.end <= 4);
  if (c?.ref.type !== 'country' || c.ref.iso2 === '??') return null;
  return /^(?:['’]s)?\s+$/.test(s.text.slice(c.end - s.start, m.start - s.start)) ? c.ref.iso2 : null;
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
      if (ctx.mainOrg) return { name: ctx.mainOrg, body: ctx.mainOrg, kind: 'organization', role };
      {
        // "Halvorsen Mutual, a Norwegian insurer, disclosed ... The company said": the company introduced.
        const org = introducedOrg(ctx.text);
        return org ? { name: org, body: org, kind: 'organization', role } : null;
      }
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
      // "U.S. officials announced charges ... The officials said": the government named just before.
      if (
        ctx.lastGov &&
        ctx.lastGovAt !== undefined &&
        ctx.sentence !== undefined &&
        ctx.sentence - ctx.lastGovAt >= 1 &&
        ctx.sentence - ctx.lastGovAt <= 2
      )
        return { ...ctx.lastGov, role };
      return { name: 'unnamed sources', body: 'unnamed sources', kind: 'unnamed', role };
    case 'sources':
    case 'people':
    case 'person':
    case 'source':
    case 'insiders':
      return { name: 'unnamed sources', body: 'unnamed sources', kind: 'unnamed', role };
    case 'it':
    case 'they':
      return ctx.lastSpeaker ? { ...ctx.lastSpeaker, role } : null;
    case 'researchers':
      // "The researchers said": the research organisation that spoke last.
      return ctx.lastSpeaker && (ctx.lastSpeaker.kind === 'vendor' || ctx.lastSpeaker.kind === 'organization')
        ? { ...ctx.lastSpeaker, role }
        : null;
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
  'researchers',
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
  // "Google's Threat Intelligence Group said": the unit speaks for its owner.
  const owner = [...s.mentions]
    .reverse()
    .find((m) => (m.ref.type === 'party' || m.ref.type === 'country') && m.end <= a.start);
  if (owner && /^['’]s\s+$/.test(s.text.slice(owner.end - s.start, a.start - s.start)))
    return partyFromMention(owner, s, ctx, role);
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
    !introducedAsOrg(name, ctx.text) &&
    (people.some((p) => p.includes(last)) ||
      /^[A-Z][a-z]+(?: [A-Z]\.?)*(?: [A-Z][a-z]+)+$/.test(name) ||
      full !== name);
  if (
    isPerson &&
    !/Authority|Agency|Department|Ministry|Company|Council|Office|Police|Bank|University/.test(name)
  ) {
    return { name: full, body: full, kind: 'person', role };
  }
  if (
    end - start + 1 >= 2 ||
    /^\p{Lu}\p{Ll}+\p{Lu}/u.test(name) ||
    introducedAsOrg(name, ctx.text) ||
    /Authority|Agency|Department|Ministry|Company|Corp|Inc|Council|Office|Police|Bank|Group|University|Lab/.test(
      name,
    )
  )
    return { name, body: name, kind: 'organization', role };
  return null;
}

/** Nouns that introduce a company by its trade: "chip equipment maker Nexperia", "the utility Eversource". */
const ORG_DESCRIPTOR =
  '(?:company|firm|unit|arm|subsidiary|division|maker|manufacturer|operator|provider|giant|retailer|utility|bank|lender|airline|carrier|insurer|supplier|developer|contractor|conglomerate|producer|distributor|startup|chain|vendor|shipper|brewer|automaker|chipmaker|drugmaker|telco|broadcaster|publisher|hospital|exchange)';
/** The text introduces `name` as an organisation: "chipmaker Nexperia", "Nexperia, a Dutch chipmaker". */
const orgCache = new Map<string, Map<string, boolean>>();
export function introducedAsOrg(name: string, text: string): boolean {
  if (name.includes(' ') || !text.includes(name)) return false;
  let byName = orgCache.get(text);
  if (!byName) {
    if (orgCache.size > 8) orgCache.clear();
    byName = new Map();
    orgCache.set(text, byName);
  }
  const known = byName.get(name);
  if (known !== undefined) return known;
  const found = introducedAsOrgUncached(name, text);
  byName.set(name, found);
  return found;
}

function introducedAsOrgUncached(name: string, text: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (
    new RegExp(`\\b${ORG_DESCRIPTOR}\\s+${n}\\b`).test(text) ||
    new RegExp(`\\b${n},\\s+(?:an?|the)\\s+(?:[\\w-]+\\s+){0,4}?${ORG_DESCRIPTOR}\\b`).test(text) ||
    // "Caesars Entertainment Inc", "Nexperion's network", "Nexperion shares": a company by what it has.
    new RegExp(
      `\\b${n}\\s+(?:Inc|Corp|Corporation|Ltd|Limited|LLC|Holdings|PLC|plc|AG|SA|GmbH|NV|ASA)\\b`,
    ).test(text) ||
    new RegExp(
      `\\b${n}(?:['’]s|['’])\\s+(?:own\\s+|corporate\\s+|internal\\s+)?(?:network|networks|systems|servers|customers|clients|employees|shares|stock|website|operations|headquarters|chief executive|ceo|spokesperson|spokesman|spokeswoman|regulatory filing|filing)\\b`,
      'i',
    ).test(text)
  );
}

/** The first company the text introduces by its trade ("chipmaker Nexperia", "Acme Corp, a US insurer"). */
export function introducedOrg(text: string): string | null {
  const name = '((?:\\p{Lu}[\\p{L}\\d&.-]*\\s){0,3}\\p{Lu}[\\p{L}\\d&.-]*)';
  const found = [
    new RegExp(`\\b${ORG_DESCRIPTOR}\\s+${name}`, 'u').exec(text),
    new RegExp(`${name},\\s+(?:an?|the)\\s+(?:[\\w-]+\\s+){0,4}?${ORG_DESCRIPTOR}\\b`, 'u').exec(text),
  ]
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => a.index - b.index)[0];
  if (!found) return null;
  const words = (found[1] ?? '').split(/\s+/);
  while (words.length > 0 && NOT_NAMES.has(words[0] ?? '')) words.shift();
  const org = words.join(' ');
  return org.length >= 3 ? org : null;
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
