/**
 * Sentence → claims: which state or actor is held responsible (the object), by whom (the subject or
 * the speaker), with hedges and negation. Works on the dictionary mentions of each sentence; compromise
 * is consulted only for speakers that are not in the dictionaries (a person or an organisation).
 */
import nlp from 'compromise';
import type { Knowledge } from '../extract/knowledge.js';
import type { Extraction, Mention, SentenceInfo } from '../extract/mentions.js';
import {
  BLAME_VERB,
  type ClaimFamily,
  CONDITIONAL_RE,
  CRIMINAL_RE,
  DENY_RE,
  GOV_NOUN,
  HACKER_NOUN,
  HEDGE_RE,
  LINK_BEFORE,
  LIST_BLAME_VERBS,
  REPORT_VERBS,
  RESPONSIBILITY_RE,
  RETRACT_RE,
  STATE_CUE_RE,
  STATE_LINK,
} from './cues.js';

/** A statement in one sentence that a state is behind cyber activity. */
export interface StateSignal {
  sentence: number;
  iso2: string;
  family: ClaimFamily;
  /** The words that carry the claim ("China-backed hacking group"). */
  cue: string;
  start: number;
  end: number;
  negated: boolean;
  conditional: boolean;
}

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

export interface Claim {
  sentence: number;
  family: ClaimFamily;
  cue: string;
  /** ISO2 of states held responsible here. */
  countries: string[];
  /** Actor entry ids held responsible (or named as perpetrators) here. */
  actors: number[];
  attributors: AttributingParty[];
  hedges: string[];
  negated: boolean;
  conditional: boolean;
  /** The perpetrator speaks for itself ("LockBit claimed ..."). */
  selfClaim: boolean;
  /** A sentence that only adds parties to a joint attribution. */
  supporting?: boolean;
  /** Names that follow a vendor naming scheme but are not in the dictionaries. */
  schemeNames: string[];
}

export interface Denial {
  sentence: number;
  by: string;
  cue: string;
}

export interface ClaimSet {
  signals: StateSignal[];
  claims: Claim[];
  denials: Denial[];
  /** Sentences whose claims are withdrawn or unsupported ("no evidence", "not yet attributed"). */
  retractions: { sentence: number; cue: string; aboutAttribution: boolean }[];
}

const CYBER_RE =
  /\b(hack\w*|cyber\w*|malware|ransomware|phishing|espionage|intrusions?|breach\w*|exploit\w*|vulnerab\w*|apts?\d*|threat actors?|backdoors?|botnets?|zero-days?|spyware|ddos|data theft|networks?|servers?|email accounts?|computers?|systems)\b/i;
const SPECIFIC_HACKER_RE =
  /^(hack|cyber|apt|advanced|threat|nation|state |military hackers|government hackers|intrusion|espionage)/i;

const RE_STATE_LINK = new RegExp(`^(?:'s|’s)?\\s*[-–]?\\s*${STATE_LINK}\\b`, 'i');
const RE_LINK_NOUN = new RegExp(
  `^(?:'s|’s)?\\s*[-–]?\\s*${STATE_LINK}(?:[\\s-]+[\\w$]+){0,4}?[\\s-]+${HACKER_NOUN}\\b`,
  'i',
);
const RE_BASED = new RegExp(`^\\s*[-–]\\s*based(?:[\\s-]+[\\w$]+){0,3}?[\\s-]+${HACKER_NOUN}\\b`, 'i');
const RE_NOUN_AFTER = new RegExp(
  `^(?:\\s+(?:state|government|military|intelligence|nation-state|[\\w]+-(?:sponsored|backed|linked|affiliated|aligned|controlled)|[A-Z][\\w$]*\\d[\\w$]*|[A-Z][A-Za-z]+ (?:Typhoon|Blizzard|Sandstorm|Sleet|Panda|Bear|Kitten|Chollima)|"[^"]{1,30}"|“[^”]{1,30}”)){0,3}\\s+${HACKER_NOUN}\\b`,
);
const RE_LINK_BEFORE = new RegExp(`${LINK_BEFORE}\\s+(?:the\\s+)?$`, 'i');
const FILL = "(?:(?:[\\w'’-]+|\"[^\"]*\"|“[^”]*”)\\s+){0,6}?";
/** "blamed the attack on X", "attributed the hack to X", "pointed the finger at X", "accused X": X is blamed. */
const RE_BLAME_BEFORE = new RegExp(
  `\\b(?:blam\\w*|pinn?(?:ed|ing|s)?)\\s+${FILL}on\\s+(?:the\\s+)?$|\\b(?:attribut\\w*|trac\\w+|link\\w*|tie[sd]?|connect\\w*)\\s+${FILL}to\\s+(?:the\\s+)?$|\\bpoint\\w*\\s+(?:\\w+\\s+)?fingers?\\s+at\\s+(?:the\\s+)?$|\\b${BLAME_VERB}\\s+(?:the\\s+)?$`,
  'i',
);
const RE_BASED_BEFORE = /\b(?:based|headquartered|located)\s+(?:out\s+of|in)\s+(?:the\s+)?$/i;
const RE_BEHIND_AFTER =
  /^(?:'s|’s)?\s+(?:(?:is|was|were|are|has been|had been|may be|might be|could be|appears to be|seems to be|is likely|was likely|likely|probably|is probably|was probably|is believed to be|was believed to be|is suspected of being)\s+)?(?:\w+\s+)?(?:behind|responsible for|to blame)\b/i;
const RE_IT_WAS_BEFORE =
  /\b(?:it|this|that)(?:'s|’s|\s+is|\s+was|\s+were)\s+(?:likely\s+|probably\s+|definitely\s+|clearly\s+)?(?:the\s+)?$/i;
const RE_POSSESSIVE_AFTER =
  /^(?:'s|’s)\s+(?:[\w"“”-]+\s+){0,2}?(?:malicious\s+)?(?:cyber[- ]?(?:activit(?:y|ies)|attacks?|operations?|espionage|campaigns?|intrusions?|offensive|warfare|army|units?|actors?|spies|spying|operatives)|hack(?:ing|ers|s)\b|cyberattacks?|cyber-?espionage|state hackers|military hackers|intelligence (?:services?|agencies) hackers)/i;
const RE_SUBJECT_HACKED =
  /^\s+(?:(?:has|have|had|also|allegedly|reportedly|repeatedly|likely|probably)\s+)*(?:hacked|breached|infiltrated|spied on|stole|attacked|compromised|launched (?:a |the )?cyber|conducted (?:a |the )?(?:cyber|hack)|carried out (?:a |the )?(?:cyber|hack)|used hackers|deployed (?:malware|hackers))/i;
const NEGATION_BEFORE_RE = /\b(?:not|never|no|n't)\s+(?:\w+\s+){0,2}$/i;

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

/** The cyber-ness of a sentence for generic nouns ("Russian attacks" needs cyber words nearby). */
function genericNounOk(matched: string, sentence: string): boolean {
  const noun = matched.trim().split(/\s+/).slice(-2).join(' ');
  if (
    /hack|cyber|apt|espionage|intrusion|threat actor|threat group|nation[- ]state|state (actor|hacker)|advanced persistent/i.test(
      noun,
    )
  )
    return true;
  return CYBER_RE.test(sentence);
}

function criminalPhrase(phrase: string): boolean {
  return (
    CRIMINAL_RE.test(phrase) &&
    !/\b(state|government|military|intelligence|nation-state|regime|sponsored)\b/i.test(phrase)
  );
}

/** Every way the sentence puts a state behind the activity, one signal per country word. */
function stateSignals(s: SentenceInfo, knowledge: Knowledge, articleCyber: boolean): StateSignal[] {
  const out: StateSignal[] = [];
  const text = s.text;
  const sentenceCyber = CYBER_RE.test(text);
  const hasActor = s.mentions.some(
    (m) => m.ref.type === 'actor' && knowledge.actors[m.ref.id]?.kind !== 'criminal',
  );
  const retract = RETRACT_RE.test(text);
  for (const m of s.mentions) {
    if (m.ref.type === 'actor') {
      const actor = knowledge.actors[m.ref.id];
      if (actor?.organ && actor.country && (sentenceCyber || hasActor || articleCyber)) {
        const iso2 = organCountry(actor.country, actor.name, s, knowledge);
        out.push(signal(s, iso2, 'organ', m, m.surface, retract));
      }
      continue;
    }
    if (m.ref.type !== 'country') continue;
    let iso2 = m.ref.iso2;
    if (iso2 === '??') continue;
    const rs = m.start - s.start;
    const re = m.end - s.start;
    const after = text.slice(re, re + 120);
    const before = text.slice(Math.max(0, rs - 100), rs);
    const form = m.ref.form;
    const govAfter = GOV_NOUN.exec(after);
    const isGov =
      form === 'organ' ||
      form === 'metonym' ||
      form === 'name' ||
      (govAfter !== null &&
        /government|administration|intelligence|military|regime|ministry|state/i.test(govAfter[1] ?? ''));
    let family: ClaimFamily | null = null;
    let cue = '';
    let hit: RegExpExecArray | null;
    if ((hit = RE_LINK_NOUN.exec(after)) && !criminalPhrase(hit[0]) && genericNounOk(hit[0], text)) {
      family = 'state-link';
      cue = m.surface + hit[0];
    } else if (
      (hit = RE_STATE_LINK.exec(after)) &&
      (hasActor || sentenceCyber) &&
      /state|government|sponsor|backed|nexus|directed|controlled/i.test(hit[0]) &&
      // "Kremlin-backed criminals" is a state claim; "Russia-linked gang" is not.
      (/state|government|sponsor|backed|directed|controlled/i.test(hit[0]) || !criminalPhrase(after.slice(0, 60)))
    ) {
      family = 'state-link';
      cue = m.surface + hit[0];
    } else if ((hit = RE_BASED.exec(after)) && STATE_CUE_RE.test(text) && !CRIMINAL_RE.test(text)) {
      family = 'origin';
      cue = m.surface + hit[0];
    } else if (
      (form === 'demonym' || form === 'organ' || form === 'metonym') &&
      (hit = RE_NOUN_AFTER.exec(after)) &&
      !criminalPhrase(hit[0]) &&
      genericNounOk(hit[0], text)
    ) {
      family = 'hacker-noun';
      cue = m.surface + hit[0];
    } else if (
      isGov &&
      (hit = RE_LINK_BEFORE.exec(before)) &&
      (sentenceCyber || hasActor) &&
      !criminalPhrase(before.slice(-70))
    ) {
      family = 'link';
      cue = hit[0] + m.surface;
    } else if (
      isGov &&
      (hit = RE_BASED_BEFORE.exec(before)) &&
      STATE_CUE_RE.test(text) &&
      !CRIMINAL_RE.test(text) &&
      (sentenceCyber || hasActor)
    ) {
      family = 'origin';
      cue = hit[0] + m.surface;
    } else if (
      isGov &&
      (hit = RE_BLAME_BEFORE.exec(before)) &&
      (sentenceCyber || (s.isTitle && articleCyber))
    ) {
      family = 'blame';
      cue = hit[0] + m.surface;
    } else if (isGov && (hit = RE_BEHIND_AFTER.exec(after)) && (sentenceCyber || articleCyber)) {
      family = 'behind';
      cue = m.surface + hit[0];
    } else if ((hit = RE_IT_WAS_BEFORE.exec(before)) && articleCyber) {
      family = 'behind';
      cue = hit[0] + m.surface;
    } else if (
      (form === 'name' || form === 'metonym') &&
      (hit = RE_POSSESSIVE_AFTER.exec(after)) &&
      !/security|defen[cs]e/i.test(hit[0])
    ) {
      family = 'possessive';
      cue = m.surface + hit[0];
    } else if (
      (form === 'name' || form === 'metonym') &&
      (hit = RE_SUBJECT_HACKED.exec(after)) &&
      sentenceCyber
    ) {
      family = 'subject-hacked';
      cue = m.surface + hit[0];
    }
    if (!family) continue;
    if (iso2 === 'KR' && /\bnorth\b/i.test(before.slice(-8))) iso2 = 'KP';
    const sig = signal(s, iso2, family, m, clip(cue, 120), retract);
    if (NEGATION_BEFORE_RE.test(before.slice(-30)) || /^\s*(?:is|was|were|are)\s+not\b/i.test(after))
      sig.negated = true;
    const clause = before.split(/[,;:.]\s/).pop() ?? before;
    if (CONDITIONAL_RE.test(clause) && (family === 'behind' || family === 'blame')) sig.conditional = true;
    out.push(sig);
  }
  return out;
}

function signal(
  s: SentenceInfo,
  iso2: string,
  family: ClaimFamily,
  m: Mention,
  cue: string,
  retract: boolean,
): StateSignal {
  return {
    sentence: s.index,
    iso2,
    family,
    cue,
    start: m.start,
    end: m.end,
    negated: retract,
    conditional: false,
  };
}

/** "Ministry of State Security" is an organ of both China and North Korea: the nearest state word decides. */
function organCountry(defaultIso: string, name: string, s: SentenceInfo, knowledge: Knowledge): string {
  if (!/ministry of state security|^mss$/i.test(name)) return defaultIso;
  const near = s.mentions.find(
    (m) => m.ref.type === 'country' && (m.ref.iso2 === 'KP' || m.ref.iso2 === 'CN'),
  );
  void knowledge;
  return near?.ref.type === 'country' ? near.ref.iso2 : defaultIso;
}

// ---------------------------------------------------------------- attributing parties

interface PartyContext {
  knowledge: Knowledge;
  extraction: Extraction;
  lastVendor: AttributingParty | null;
  lastGov: AttributingParty | null;
  lastSpeaker: AttributingParty | null;
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
const NOT_NAMES = new Set(
  'The A An It This That These Those He She They We I In On At As But And Or If When While After Before However Meanwhile Earlier Later Last Separately According Officials Sources Police Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December Mr Mrs Ms Dr'.split(
    ' ',
  ),
);
const POSSESSIVE_CLAIM_RE =
  /^(?:'s|’s)\s+(?:[\w-]+\s+){0,3}?(attribution|charges?|accusations?|allegations?|assessment|report|advisory|investigation|analysis|findings?|statement|researchers|threat intelligence|security team|cybersecurity team|threat analysis group|comments|remarks|claims|experts)\b/i;

function partyFromMention(
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

function generic(word: string, ctx: PartyContext, role: string): AttributingParty | null | 'self' {
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
    case 'prosecutors':
      return ctx.lastGov ? { ...ctx.lastGov, role } : null;
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
function capitalisedRun(s: SentenceInfo, v: number, ctx: PartyContext, role: string): AttributingParty | null {
  let i = v - 1;
  while (i >= 0 && (SKIP_LEFT.has(s.tokens[i]?.norm ?? '') || /ly$/.test(s.tokens[i]?.norm ?? '')) && !gapBreaks(s, i)) i--;
  const end = i;
  while (i >= 0) {
    const t = s.tokens[i];
    if (!t) break;
    if (i < end && gapBreaks(s, i)) break;
    if ((/^\p{Lu}/u.test(t.raw) && !(t.raw.length > 3 && t.raw === t.raw.toUpperCase())) || (NAME_JOINERS.has(t.norm) && i < end)) i--;
    else break;
  }
  let start = i + 1;
  while (start <= end && NAME_JOINERS.has(s.tokens[start]?.norm ?? '')) start++;
  if (start > end) return null;
  const a = s.tokens[start];
  const b = s.tokens[end];
  if (!a || !b) return null;
  if (s.mentions.some((m) => m.start < b.end && m.end > a.start)) return null;
  const name = s.text
    .slice(a.start - s.start, b.end - s.start)
    .replace(/^(?:The|the)\s+/, '')
    .replace(/['’]s$/, '');
  if (!name || NOT_NAMES.has(name) || name.length < 3) return null;
  const last = name.split(' ').pop() ?? name;
  const people = nlp(s.text).people().out('array') as string[];
  const full = fullName(name, ctx.text);
  const isPerson =
    people.some((p) => p.includes(last)) || /^[A-Z][a-z]+(?: [A-Z]\.?)*(?: [A-Z][a-z]+)+$/.test(name) || full !== name;
  if (isPerson && !/Authority|Agency|Department|Ministry|Company|Council|Office|Police|Bank|University/.test(name)) {
    return { name: full, body: full, kind: 'person', role };
  }
  if (end - start + 1 >= 2 || /Authority|Agency|Department|Ministry|Company|Corp|Inc|Council|Office|Police|Bank|Group|University|Lab/.test(name))
    return { name, body: name, kind: 'organization', role };
  return null;
}

/** "Trump" → "Donald Trump" when the article names the person in full elsewhere. */
function fullName(name: string, text: string): string {
  if (name.includes(' ')) return name;
  const m = new RegExp(`\\b([A-Z][a-z]+(?: [A-Z]\\.)?) ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).exec(text);
  const first = m?.[1] ?? '';
  return m && !NOT_NAMES.has(first) && !/^(President|Former|Secretary|Minister|Chairman|Director|Senator|Governor|Vice|General|Adviser)$/.test(first) ? `${first} ${name}` : name;
}

interface Speaker {
  v: number;
  party: AttributingParty | null;
  self: boolean;
  /** "..., the ministry said on Friday." — the speaker closes the sentence and governs what precedes. */
  closing: boolean;
}

function speakerAt(s: SentenceInfo, v: number, ctx: PartyContext, candidates: Mention[], actorMentions: Mention[]): Speaker {
  const closing = s.tokens.length - v <= 8;
  const nearestActor = [...actorMentions].reverse().find((m) => m.to <= v && v - m.to <= 4);
  const left = [...candidates].reverse().find((m) => m.to <= v && v - m.to <= 10);
  let genericIdx = -1;
  for (let j = v - 1; j >= Math.max(0, v - 4); j--) {
    const prevNorm = s.tokens[j - 1]?.norm ?? '';
    if (GENERIC_WORDS.has(s.tokens[j]?.norm ?? '') && !(UNNAMED_WORDS.has(s.tokens[j]?.norm ?? '') && (v - j > 2 || /^(by|foreign|from|of)$/.test(prevNorm)))) {
      genericIdx = j;
      break;
    }
  }
  // A capitalised name right before the verb is closer than any dictionary party further left.
  let k = v - 1;
  while (k >= 0 && (SKIP_LEFT.has(s.tokens[k]?.norm ?? '') || /ly$/.test(s.tokens[k]?.norm ?? '')) && !gapBreaks(s, k)) k--;
  const adj = s.tokens[k];
  if (adj && /^\p{Lu}/u.test(adj.raw) && (!left || left.to <= k) && (!nearestActor || nearestActor.to <= k) && !s.mentions.some((m) => m.from <= k && m.to > k)) {
    const run = capitalisedRun(s, v, ctx, 'speaker');
    if (run) return { v, party: run, self: false, closing };
  }
  if (nearestActor && (!left || nearestActor.to > left.to) && nearestActor.to > genericIdx) return { v, party: null, self: true, closing };
  // "U.S. officials said", "Japanese police said": the state word right before the generic noun decides.
  const genericWord = s.tokens[genericIdx]?.norm ?? '';
  const govGeneric = /^(ministry|department|government|agency|administration|authorities|bureau|police|prosecutors|officials)$/.test(genericWord);
  if (left && (left.to >= genericIdx || (govGeneric && left.to >= genericIdx - 2))) return { v, party: partyFromMention(left, s, ctx, 'speaker'), self: false, closing };
  if (genericIdx >= 0) {
    const g = generic(s.tokens[genericIdx]?.norm ?? '', ctx, 'speaker');
    return g === 'self' ? { v, party: null, self: true, closing } : { v, party: g, self: false, closing };
  }
  const run = capitalisedRun(s, v, ctx, 'speaker');
  if (run && !actorMentions.some((m) => run.name.includes(m.surface))) return { v, party: run, self: false, closing };
  const norm = s.tokens[v]?.norm ?? '';
  if (norm === 'said' || norm === 'says') {
    const right = candidates.find((m) => m.from > v && m.from - v <= 2);
    if (right) return { v, party: partyFromMention(right, s, ctx, 'speaker'), self: false, closing: true };
  }
  return { v, party: null, self: false, closing };
}

/** Who makes the claims of sentence `s`; `triggers` are the token positions of the claims. */
function attributorsOf(
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
      /\b(identified|attributed|tracked|named|called|blamed|linked|exposed|uncovered|discovered|detected|observed|confirmed|accused|led|accusations?|allegations?|charges?|claims?|attribution|assessment)\s+(?:\w+\s+){0,3}$/i.test(
        s.text.slice(Math.max(0, tok.start - s.start - 50), tok.start - s.start),
      );
    if ((norm === 'according' && s.tokens[v + 1]?.norm === 'to') || by) {
      const from = by ? v + 1 : v + 2;
      const m = candidates.find((c) => c.from >= from && c.from <= from + 6);
      const actorFirst = actorMentions.find((c) => c.from >= from && c.from <= from + 2);
      if (actorFirst && (!m || actorFirst.from < m.from)) continue;
      if (m) add(partyFromMention(m, s, ctx, by ? 'agent' : 'according to'));
      else {
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
      LIST_BLAME_VERBS.has(norm) || (norm === 'pointing' && s.tokens[v + 1]?.norm.startsWith('finger') === true);
    if (isList && triggers.some((t) => t > v)) {
      for (const m of candidates) if (m.to <= v) add(partyFromMention(m, s, ctx, 'subject'));
    }
    // Participles ("hackers linked to", "a group tracked as") are not speech.
    const participle = /^(to|by|as|with)$/.test(s.tokens[v + 1]?.norm ?? '');
    if ((REPORT_VERBS.has(norm) || isList) && !participle) speakers.push(speakerAt(s, v, ctx, candidates, actorMentions));
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
  if (triggers.length > 0 && UNNAMED_RE.test(s.text)) add({ name: 'unnamed sources', body: 'unnamed sources', kind: 'unnamed', role: 'according to' });
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

const UNNAMED_RE =
  /\b(?:people|officials|sources|persons?|insiders)\s+(?:\w+\s+){0,2}?(?:familiar with|with knowledge of|briefed on|close to)\b|\bspoke on (?:the )?condition of anonymity\b/i;
const CONTINUATION_RE = /\b(?:the|these|those) (?:attackers|hackers|intruders|threat actors?|hacking group|hacker group|perpetrators)\b/i;
const SUPPORT_RE = /\b(attribution|advisory|joint statement|investigation|probe)\b/i;

export const JOINT_RE =
  /\b(collaboration with|jointly with|together with|along with|alongside|joined (?:by|with)|joined|partnered with|in coordination with|in partnership with)\b/i;

// ---------------------------------------------------------------- the whole article

export function findClaims(extraction: Extraction, knowledge: Knowledge, fullText: string): ClaimSet {
  const articleCyber = extraction.securitySentences >= 3;
  const signals: StateSignal[] = [];
  const claims: Claim[] = [];
  const denials: Denial[] = [];
  const retractions: ClaimSet['retractions'] = [];
  const ctx: PartyContext = {
    knowledge,
    extraction,
    lastVendor: null,
    lastGov: null,
    lastSpeaker: null,
    mainOrg: mainOrganization(extraction, knowledge),
    text: fullText,
  };

  for (const s of extraction.sentences) {
    const sig = stateSignals(s, knowledge, articleCyber);
    signals.push(...sig);
    const retract = RETRACT_RE.exec(s.text);
    if (retract)
      retractions.push({
        sentence: s.index,
        cue: retract[0],
        aboutAttribution:
          s.mentions.some((m) => m.ref.type === 'actor' || m.ref.type === 'country') ||
          /attribut|cyber ?-?attack|hack|behind|responsib|blame|malicious/i.test(s.text),
      });
    const live = sig.filter((x) => !x.negated && !x.conditional);
    const accusedNames = new Set(sig.map((x) => knowledge.countries.get(x.iso2)?.name ?? x.iso2));

    // Denial by the accused: a denial verb with an accused (or previously accused) state as subject side.
    const deny = DENY_RE.exec(s.text);
    const isDenial = deny !== null && !live.some((x) => x.family === 'blame');
    if (deny) {
      const accusedBefore = new Set(signals.map((x) => x.iso2));
      const subj = s.mentions.find(
        (m) => m.ref.type === 'country' && m.start - s.start < deny.index && accusedBefore.has(m.ref.iso2),
      );
      const actorSubj = s.mentions.find((m) => m.ref.type === 'actor' && m.start - s.start < deny.index);
      const by =
        subj?.ref.type === 'country'
          ? knowledge.countries.get(subj.ref.iso2)?.name
          : actorSubj
            ? actorSubj.ref.type === 'actor'
              ? knowledge.actors[actorSubj.ref.id]?.name
              : undefined
            : undefined;
      if (by) denials.push({ sentence: s.index, by, cue: deny[0] });
    }

    const actorIds = s.mentions
      .filter((m) => m.ref.type === 'actor')
      .map((m) => (m.ref.type === 'actor' ? m.ref.id : -1));
    const named = actorIds.length > 0 || s.schemeMentions.length > 0;
    const responsibility =
      named && (RESPONSIBILITY_RE.test(s.text) || /\bgain(?:ed)? access\b/i.test(s.text));
    if (sig.length > 0 || responsibility) {
      const triggers = [
        ...live.map((x) => s.tokens.findIndex((t) => t.start >= x.start)),
        ...s.mentions.filter((m) => m.ref.type === 'actor').map((m) => m.from),
        ...s.schemeMentions.map((sm) => s.tokens.findIndex((t) => t.start >= sm.start)),
      ].filter((t) => t >= 0);
      const { parties, self, speaker } = attributorsOf(s, ctx, accusedNames, isDenial, triggers);
      if (speaker) ctx.lastSpeaker = speaker;
      let attributors = parties;
      // A title such as "... stolen BTC: FBI" names its source after the colon.
      if (s.isTitle) {
        const tail = /[:\u2013\u2014-]\s*([^:]{2,40})$/.exec(s.text);
        if (tail)
          for (const m of s.mentions)
            if (m.start - s.start >= (tail.index ?? 0)) {
              const p = partyFromMention(m, s, ctx, 'title source');
              if (p) attributors = [...attributors, p];
              else if (m.ref.type === 'country') attributors = [...attributors];
            }
        if (tail && /^\s*police\s*$/i.test(tail[1] ?? '')) {
          const g = generic('police', ctx, 'title source');
          if (g && g !== 'self') attributors = [...attributors, g];
        }
      }
      const hedge = HEDGE_RE.exec(s.text);
      const first = live[0] ?? sig[0];
      claims.push({
        sentence: s.index,
        family: first?.family ?? 'responsibility',
        cue: first?.cue ?? RESPONSIBILITY_RE.exec(s.text)?.[0] ?? '',
        countries: [...new Set(live.map((x) => x.iso2))],
        actors: [...new Set(actorIds.filter((id) => id >= 0))],
        schemeNames: s.schemeMentions.map((sm) => sm.name),
        attributors,
        hedges: hedge ? [hedge[0]] : [],
        negated: sig.length > 0 && live.length === 0 && !responsibility,
        conditional: sig.some((x) => x.conditional),
        selfClaim: self && attributors.length === 0,
      });
    } else {
      // "ESET said the attackers deployed a wiper": a sentence about the perpetrators of the claim just made.
      const cont = CONTINUATION_RE.exec(s.text);
      const prev = [...claims].reverse().find((c) => c.sentence >= s.index - 2 && !c.negated && !c.selfClaim && !c.supporting && (c.countries.length > 0 || c.actors.length > 0));
      if (cont && prev) {
        const at = s.tokens.findIndex((t) => t.start >= s.start + cont.index);
        const { parties, speaker } = attributorsOf(s, ctx, accusedNames, isDenial, at >= 0 ? [at] : []);
        if (speaker) ctx.lastSpeaker = speaker;
        if (parties.length > 0)
          claims.push({ sentence: s.index, family: 'responsibility', cue: cont[0], countries: [], actors: prev.actors, schemeNames: prev.schemeNames, attributors: parties, hedges: [], negated: false, conditional: false, selfClaim: false, supporting: prev.actors.length === 0 });
      }
      // Supporting sentences of a joint attribution: "Japan and Korea joined the nation in attribution".
      if (SUPPORT_RE.test(s.text) && JOINT_RE.test(s.text)) {
        const { parties } = attributorsOf(s, ctx, accusedNames, false, []);
        if (parties.length > 0)
          claims.push({ sentence: s.index, family: 'responsibility', cue: JOINT_RE.exec(s.text)?.[0] ?? '', countries: [], actors: [], schemeNames: [], attributors: parties, hedges: [], negated: false, conditional: false, selfClaim: false, supporting: true });
      }
      // Remember who spoke for "it said" in the next sentence (dictionary parties only).
      const v = s.tokens.findIndex((t) => /^(said|says|announced|stated)$/.test(t.norm));
      if (v >= 0) {
        const left = [...s.mentions].reverse().find((m) => (m.ref.type === 'party' || m.ref.type === 'country') && m.to <= v && v - m.to <= 10);
        const p = left ? partyFromMention(left, s, ctx, 'context') : null;
        if (p) ctx.lastSpeaker = p;
      }
    }
    // Remember parties for "the company said", "the ministry said", "it said".
    for (const m of s.mentions) {
      const p = partyFromMention(m, s, ctx, 'context');
      if (!p) continue;
      if (p.kind === 'vendor') ctx.lastVendor = p;
      if (
        p.kind === 'government' &&
        (m.ref.type === 'party' || GOV_NOUN.test(s.text.slice(m.end - s.start, m.end - s.start + 40)))
      )
        ctx.lastGov = p;
    }
  }
  // Claims with no speaker inherit one from a statement introduced just before ("The joint statement says:").
  for (const c of claims) {
    if (c.attributors.length > 0 || c.selfClaim) continue;
    const prev = extraction.sentences[c.sentence - 1];
    if (prev && /:\s*$/.test(prev.text)) {
      const ps = prev.mentions
        .filter((m) => m.ref.type === 'party')
        .map((m) => partyFromMention(m, prev, ctx, 'statement'));
      for (const p of ps) if (p && !c.attributors.some((x) => x.name === p.name)) c.attributors.push(p);
    }
  }
  return { signals, claims, denials, retractions };
}

/** The organisation an article is mostly about (for "the company said" when it is not a known vendor). */
function mainOrganization(extraction: Extraction, knowledge: Knowledge): string | null {
  const counts = new Map<string, number>();
  for (const s of extraction.sentences) {
    for (const t of s.tokens) {
      if (!/^\p{Lu}[\p{Ll}]{2,}$/u.test(t.raw) || NOT_NAMES.has(t.raw) || !t.wordStart) continue;
      if (s.mentions.some((m) => m.start <= t.start && m.end >= t.end)) continue;
      counts.set(t.raw, (counts.get(t.raw) ?? 0) + 1);
    }
  }
  void knowledge;
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] >= 3 ? best[0] : null;
}
