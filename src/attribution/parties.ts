/**
 * Who makes a claim: speakers of reporting verbs, subjects of blame verbs, "according to", "by" agents,
 * possessive claim nouns and joint statements. compromise is consulted only for names outside the dictionaries.
 */
import nlp from 'compromise';
import type { Knowledge } from '../extract/knowledge.js';
import type { Extraction, Mention, SentenceInfo } from '../extract/mentions.js';
import { GOV_NOUN, LIST_BLAME_VERBS, REPORT_VERBS } from './cues.js';

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
const SKIP_LEFT = new Set(
  'has have had also already publicly previously repeatedly later earlier then first had initially on in last this monday tuesday wednesday thursday friday saturday sunday week month year statement separately recently now today yesterday has formally officially jointly'.split(
    ' ',
  ),
);
const NAME_JOINERS = new Set(['of', 'for', 'and', 'the', 'de', '&']);
export const NOT_NAMES = new Set(
  'The A An It This That These Those He She They We I In On At As But And Or If When While After Before However Meanwhile Earlier Later Last Separately According Officials Sources Police Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December Mr Mrs Ms Dr'.split(
    ' ',
  ),
);
const POSSESSIVE_CLAIM_RE =
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
const UNNAMED_WORDS = new Set(['officials', 'sources', 'people', 'person', 'source', 'insiders']);
const GENERIC_WORDS = new Set([
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
function gapBreaks(s: SentenceInfo, i: number): boolean {
  const a = s.tokens[i];
  const b = s.tokens[i + 1];
  if (!a || !b) return true;
  return /[,;:()"“”\u2013\u2014]|\s-\s/.test(s.text.slice(a.end - s.start, b.start - s.start));
}

/** A capitalised name right before token `v` (skipping auxiliaries and dates): a person or an organisation. */
function capitalisedRun(
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

interface Speaker {
  v: number;
  party: AttributingParty | null;
  self: boolean;
  /** "..., the ministry said on Friday." — the speaker closes the sentence and governs what precedes. */
  closing: boolean;
}

function speakerAt(
  s: SentenceInfo,
  v: number,
  ctx: PartyContext,
  candidates: Mention[],
  actorMentions: Mention[],
): Speaker {
  const closing = s.tokens.length - v <= 8;
  const nearestActor = [...actorMentions].reverse().find((m) => m.to <= v && v - m.to <= 4);
  const left = [...candidates].reverse().find((m) => m.to <= v && v - m.to <= 10);
  let genericIdx = -1;
  for (let j = v - 1; j >= Math.max(0, v - 4); j--) {
    const prevNorm = s.tokens[j - 1]?.norm ?? '';
    if (
      GENERIC_WORDS.has(s.tokens[j]?.norm ?? '') &&
      !(UNNAMED_WORDS.has(s.tokens[j]?.norm ?? '') && (v - j > 2 || /^(by|foreign|from|of)$/.test(prevNorm)))
    ) {
      genericIdx = j;
      break;
    }
  }
  // A capitalised name right before the verb is closer than any dictionary party further left.
  let k = v - 1;
  while (
    k >= 0 &&
    (SKIP_LEFT.has(s.tokens[k]?.norm ?? '') || /ly$/.test(s.tokens[k]?.norm ?? '')) &&
    !gapBreaks(s, k)
  )
    k--;
  const adj = s.tokens[k];
  if (
    adj &&
    /^\p{Lu}/u.test(adj.raw) &&
    (!left || left.to <= k) &&
    (!nearestActor || nearestActor.to <= k) &&
    !s.mentions.some((m) => m.from <= k && m.to > k)
  ) {
    const run = capitalisedRun(s, v, ctx, 'speaker');
    if (run) return { v, party: run, self: false, closing };
  }
  if (nearestActor && (!left || nearestActor.to > left.to) && nearestActor.to > genericIdx)
    return { v, party: null, self: true, closing };
  // "U.S. officials said", "Japanese police said": the state word right before the generic noun decides.
  const genericWord = s.tokens[genericIdx]?.norm ?? '';
  const govGeneric =
    /^(ministry|department|government|agency|administration|authorities|bureau|police|prosecutors|officials)$/.test(
      genericWord,
    );
  if (left && (left.to >= genericIdx || (govGeneric && left.to >= genericIdx - 2)))
    return { v, party: partyFromMention(left, s, ctx, 'speaker'), self: false, closing };
  if (genericIdx >= 0) {
    const g = generic(s.tokens[genericIdx]?.norm ?? '', ctx, 'speaker');
    return g === 'self' ? { v, party: null, self: true, closing } : { v, party: g, self: false, closing };
  }
  const run = capitalisedRun(s, v, ctx, 'speaker');
  if (run && !actorMentions.some((m) => run.name.includes(m.surface)))
    return { v, party: run, self: false, closing };
  const norm = s.tokens[v]?.norm ?? '';
  if (norm === 'said' || norm === 'says') {
    const right = candidates.find((m) => m.from > v && m.from - v <= 2);
    if (right) return { v, party: partyFromMention(right, s, ctx, 'speaker'), self: false, closing: true };
  }
  return { v, party: null, self: false, closing };
}

/** Who makes the claims of sentence `s`; `triggers` are the token positions of the claims. */
export function attributorsOf(
  s: SentenceInfo,
  ctx: PartyContext,
  accused: Set<string>,
  denial: boolean,
  triggers: number[],
): { parties: AttributingParty[]; self: boolean; speaker: AttributingParty | null } {
  const parties: AttributingParty[] = [];
  let self = false;
  let speaker: AttributingParty | null = null;
  const skipTo = s.isTitle ? -1 : ctx.extraction.datelineEnd;
  const candidates = s.mentions.filter(
    (m) => (m.ref.type === 'party' || m.ref.type === 'country') && m.start >= skipTo,
  );
  const actorMentions = s.mentions.filter((m) => m.ref.type === 'actor');
  const add = (p: AttributingParty | null): void => {
    if (p && !accused.has(p.name) && !parties.some((x) => x.name === p.name)) parties.push(p);
  };

  // Possessive claim nouns: "India's charge", "Microsoft's attribution", "Google's Threat Analysis Group".
  for (const m of candidates) {
    const after = s.text.slice(m.end - s.start, m.end - s.start + 80);
    if (POSSESSIVE_CLAIM_RE.test(after)) add(partyFromMention(m, s, ctx, 'possessive'));
  }
  const speakers: Speaker[] = [];
  for (let v = 0; v < s.tokens.length; v++) {
    const tok = s.tokens[v];
    if (!tok) continue;
    const norm = tok.norm;
    const by =
      norm === 'by' &&
      /\b(identified|attributed|tracked|named|called|blamed|linked|exposed|signed|co-signed|authored|co-authored|endorsed|uncovered|discovered|detected|observed|confirmed|accused|led|accusations?|allegations?|charges?|claims?|attribution|assessment|issued|published|released|advisory|report)\s+(?:\w+\s+){0,3}$/i.test(
        s.text.slice(Math.max(0, tok.start - s.start - 50), tok.start - s.start),
      );
    if ((norm === 'according' && s.tokens[v + 1]?.norm === 'to') || by) {
      const from = by ? v + 1 : v + 2;
      const m = candidates.find((c) => c.from >= from && c.from <= from + 8);
      const actorFirst = actorMentions.find((c) => c.from >= from && c.from <= from + 2);
      if (actorFirst && (!m || actorFirst.from < m.from)) continue;
      if (m) {
        add(partyFromMention(m, s, ctx, by ? 'agent' : 'according to'));
        // "by CISA, the NSA and the FBI"
        let prevEnd = m.to;
        for (const c of candidates) {
          if (c.from <= m.from) continue;
          if (
            c.from - prevEnd > 2 ||
            !/^[\s,]*(?:and\s+)?(?:the\s+)?$/i.test(
              s.text.slice(
                (s.tokens[prevEnd - 1]?.end ?? 0) - s.start,
                (s.tokens[c.from]?.start ?? 0) - s.start,
              ),
            )
          )
            break;
          add(partyFromMention(c, s, ctx, by ? 'agent' : 'according to'));
          prevEnd = c.to;
        }
      } else {
        for (let j = from; j < Math.min(s.tokens.length, from + 5); j++) {
          const g = s.tokens[j]?.norm ?? '';
          if (GENERIC_WORDS.has(g)) {
            const p = generic(g, ctx, 'according to');
            if (p && p !== 'self') add(p);
            break;
          }
        }
      }
      continue;
    }
    // A denial sentence reports the accuser only as "accusations by X" or "X's charge".
    if (denial) continue;
    const isList =
      LIST_BLAME_VERBS.has(norm) ||
      (norm === 'pointing' && s.tokens[v + 1]?.norm.startsWith('finger') === true);
    if (isList && !triggers.some((t) => t > v)) {
      const rel = [...s.tokens.slice(Math.max(0, v - 7), v)]
        .reverse()
        .find((t) => /^(that|which|whom)$/.test(t.norm));
      if (rel)
        for (const m of candidates)
          if (m.start > rel.start && m.to <= v) add(partyFromMention(m, s, ctx, 'subject'));
    }
    if (isList && triggers.some((t) => t > v)) {
      for (const m of candidates) if (m.to <= v) add(partyFromMention(m, s, ctx, 'subject'));
    }
    // Participles ("hackers linked to", "a group tracked as") are not speech.
    const participle = norm.endsWith('ed') && /^(to|by|as|with)$/.test(s.tokens[v + 1]?.norm ?? '');
    if ((REPORT_VERBS.has(norm) || isList) && !participle)
      speakers.push(speakerAt(s, v, ctx, candidates, actorMentions));
  }
  // The speaker governing each claim: the last one before it, else a closing one after it.
  for (const t of triggers) {
    const forward = [...speakers].reverse().find((sp) => sp.v < t && (sp.party !== null || sp.self));
    const closing = speakers.find((sp) => sp.v > t && sp.closing);
    const gov = forward ?? closing;
    if (!gov) continue;
    if (gov.self) self = true;
    if (gov.party) {
      add(gov.party);
      speaker ??= gov.party;
    }
  }
  // Anonymous sourcing: "two officials familiar with the investigation said".
  if (triggers.length > 0 && UNNAMED_RE.test(s.text))
    add({ name: 'unnamed sources', body: 'unnamed sources', kind: 'unnamed', role: 'according to' });
  // Joint action: "in collaboration with X and Y", "jointly with", "joined ... in attribution".
  const joint = JOINT_RE.exec(s.text);
  if (joint) {
    const at = joint.index + s.start;
    const countriesListed = candidates.filter((c) => c.ref.type === 'country').length >= 2;
    for (const m of candidates) {
      if (m.start < at && !/joined/i.test(joint[0])) continue;
      const p = partyFromMention(m, s, ctx, 'joint');
      if (p && (p.kind !== 'bloc' || !countriesListed)) add(p);
    }
  }
  return { parties, self, speaker };
}

export const UNNAMED_RE =
  /\b(?:people|officials|sources|persons?|insiders)\s+(?:\w+\s+){0,2}?(?:familiar with|with knowledge of|briefed on|close to)\b|\bspoke on (?:the )?condition of anonymity\b/i;
export const CONTINUATION_RE =
  /\b(?:the|these|those) (?:attackers|hackers|intruders|threat actors?|cyber actors?|actors|hacking group|hacker group|group|perpetrators)\b/i;
export const SUPPORT_RE = /\b(attribution|advisory|joint statement|investigation|probe)\b/i;

export const JOINT_RE =
  /\b(collaboration with|jointly with|together with|along with|alongside|joined (?:by|with)|joined|partnered with|in coordination with|in partnership with)\b/i;
