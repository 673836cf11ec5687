/**
 * Who a party is, in one place: dictionary agencies, blocs, vendors and media (agencies folded to their
 * state); governments named through a country word ("the Czech government"); generic nouns resolved
 * from context ("the ministry", "the company", "officials"); people resolved to the state or company
 * they speak for through their title ("Foreign Minister Jane Roe", "Acme's chief executive"); and
 * capitalised names outside the dictionaries. speakers.ts decides which party speaks; this module
 * decides what the party is called.
 */
import type { Knowledge } from '../extract/knowledge.js';
import { escapeRegex, lexicon } from '../extract/lexicon.js';
import type { Extraction, Mention, SentenceInfo } from '../extract/mentions.js';
import { nameKey } from '../extract/tokens.js';
import { CALENDAR_WORD, COORDINATION_GAP, GOV_NOUN } from './cues.js';

export type PartyKindOut = 'government' | 'bloc' | 'vendor' | 'media' | 'person' | 'organization' | 'unnamed';
export interface AttributingParty {
  /** Output name: a state for its government bodies and office holders, else the party's name. */
  name: string;
  /** As written or as known ("Federal Bureau of Investigation", "Foreign Minister Jane Roe"). */
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
  /** Who wrote the report the text last credited ("a report released by Acme", "Acme's report"), for "the report says". */
  lastAuthor?: AttributingParty | null;
  /** The state a sentence opens with ("Germany on Friday summoned ..."), for "the government concluded". */
  subjectCountry: string | null;
  /** The company the story is about, worked out when first asked (see mainOrgOf). */
  mainOrg: string | null | undefined;
  /** The sentence being read, and the one where `lastGov` was last named. */
  sentence: number;
  lastGovAt: number | undefined;
  /** The last state named in an earlier sentence and not accused there, for "the country's CERT". */
  lastCountry: string | undefined;
  /** States accused anywhere in the article: an office holder is never resolved to one of them by guess. */
  accused: Set<string>;
  /** Parties named in the last two sentences, for "the two firms said". */
  recent: AttributingParty[];
  /** Answers about names already worked out for this article (people's affiliations, organisations). */
  memo: Map<string, unknown>;
  text: string;
}

const L = lexicon;
/** Agency names that several states use: the dateline or the state written before decides. */
const AMBIGUOUS_AGENCIES = new Set(L.words('ambiguousAgencies'));
export const SKIP_LEFT = L.set('speakerSkipWords');
const NAME_JOINERS = L.set('nameParticles');
export const NOT_NAMES = L.exact('notNames');
export const POSSESSIVE_CLAIM_RE = new RegExp(
  `^(?:'s|’s)\\s+(?:[\\w-]+\\s+){0,3}?${L.alt('claimNouns')}\\b`,
  'i',
);
const GOV_BODY_IN_NAME_RE = new RegExp(`\\b${L.alt('governmentBodyWords')}\\b`, 'i');
const ORG_IN_NAME_RE = new RegExp(`\\b${L.alt('organizationWords')}\\b`, 'i');
const GOV_TITLE = L.alt('governmentTitles');
const TITLE_MODIFIER = L.alt('titleModifiers');
/** A title written before a name: "Foreign Minister", "Deputy Attorney General", "CEO". */
const ANY_TITLE = `(?:${TITLE_MODIFIER}\\s+)*${L.alt('governmentTitles', 'corporateTitles')}`;
/** The same, case-sensitive apart from a capital or capitals on each word (so `\p{Lu}` keeps its meaning nearby). */
const ANY_TITLE_CASED = `(?:${L.altCased('titleModifiers')}\\s+)*${L.altCased('governmentTitles', 'corporateTitles')}`;

/** The rest of a coordination after a demonym: " and British" in "German and British officials". */
const COORDINATED_DEMONYM_RE = new RegExp(`^${COORDINATION_GAP}\\p{Lu}[\\p{L}-]+(?=\\s)`, 'u');
/** A state body's possessive before an agency's name: "the ministry's ", "the government's ". */
const BODY_OWNER_BEFORE_RE =
  /\b(?:the|its)\s+(?:[a-z]+\s+)?(?:ministry|government|cabinet|state|country)['’]s\s+$/i;
/** Trades a state's name or adjective may describe: "the US security firm FireEye". */
const TRADE_WORDS = [
  'firm',
  'company',
  'vendor',
  'outlet',
  'newspaper',
  'broadcaster',
  'startup',
  'start-up',
  'provider',
];
/** A trade after a state's name or adjective, then the name it describes. */
const TRADE_AFTER_STATE_RE = new RegExp(
  String.raw`^\s+(?:[\w-]+\s+){0,2}?(?:${TRADE_WORDS.join('|')})\s+\p{Ll}?\p{Lu}`,
  'u',
);
/** The trades as tokens ("start-up" is read as "start", "-", "up"). */
const TRADE_NOUNS = new Set(TRADE_WORDS.map((w) => w.split('-')[0] ?? w));

/** A state's name or adjective that describes the firm named after a trade: "the US security firm FireEye". */
export function describesFirm(m: Mention, s: SentenceInfo): boolean {
  if (m.ref.type !== 'country') return false;
  // (A trade noun among the next three words, before the pattern.)
  const trade = [m.to, m.to + 1, m.to + 2].some((i) => TRADE_NOUNS.has(s.tokens[i]?.norm ?? ''));
  return trade && TRADE_AFTER_STATE_RE.test(s.text.slice(m.end - s.start, m.end - s.start + 50));
}

export function partyFromMention(
  m: Mention,
  s: SentenceInfo,
  ctx: PartyContext,
  role: string,
): AttributingParty | null {
  const k = ctx.knowledge;
  // "the US security firm FireEye": the state describes a firm, which is the party; the state is none.
  if (describesFirm(m, s)) return null;
  if (m.ref.type === 'party') {
    const p = k.parties[m.ref.id];
    if (!p) return null;
    if (p.kind === 'agency') {
      let iso = p.country;
      if (AMBIGUOUS_AGENCIES.has(m.surface.toLowerCase().replace(/^the\s+/, ''))) {
        // A name several states use: the dateline's state, else the government that spoke in a story that
        // never names the default owner ("the National Cyber Security Centre" in a Lithuanian statement).
        const spoke = governmentThatSpoke(ctx);
        // ("the ministry's National Cyber Security Centre": the body of the state whose ministry just spoke.)
        const ownedByBody = BODY_OWNER_BEFORE_RE.test(
          s.text.slice(Math.max(0, m.start - s.start - 40), m.start - s.start),
        );
        const home = ownedByBody ? homeState(ctx, s) : null;
        if (home) iso = home;
        else if (ctx.extraction.datelineCountry) iso = ctx.extraction.datelineCountry;
        else if (spoke && iso && !mentionsState(ctx, iso)) iso = spoke;
      }
      // "Taiwan's National Security Bureau", "the Romanian Foreign Intelligence Service": agency names
      // recur across states, and the state written before the name decides.
      const owner = ownerCountry(m, s);
      if (owner) iso = owner;
      const country = iso ? k.countries.get(iso)?.name : undefined;
      return { name: country ?? p.name, body: p.name, kind: 'government', role };
    }
    // A renamed company is reported under the name the text uses ("FireEye said" in a 2019 story).
    const written = m.surface.replace(/^the\s+/i, '').replace(/['’]s?$/, '');
    // An outlet is reported as the text names it when that is its fuller name ("Bloomberg News").
    const fuller = p.kind === 'media' && nameKey(written).startsWith(`${nameKey(p.name)} `);
    const name = p.formerNames?.has(nameKey(written)) || fuller ? written : p.name;
    return { name, body: p.name, kind: p.kind === 'bloc' ? 'bloc' : p.kind, role };
  }
  // A state organ in the actor dictionary that speaks ("the FSB said", "according to the MSS") speaks for its state.
  if (m.ref.type === 'actor') {
    const a = k.actors[m.ref.id];
    if (!a?.organ || !a.country) return null;
    const iso = ownerCountry(m, s) ?? a.country;
    return countryParty(iso, a.name, ctx, role);
  }
  if (m.ref.type === 'country') {
    if (m.ref.iso2 === '??') return null;
    // ("German and British officials said": a demonym coordinated with the next shares its noun.)
    const after = s.text
      .slice(m.end - s.start, m.end - s.start + 60)
      .replace(m.ref.form === 'demonym' ? COORDINATED_DEMONYM_RE : /(?!)/, '');
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
  if (c?.ref.type !== 'country') return null;
  if (!/^(?:['’]s)?\s+$/.test(s.text.slice(c.end - s.start, m.start - s.start))) return null;
  if (c.ref.iso2 !== '??') return c.ref.iso2;
  // "the Korean National Police Agency": a Korean body without "North" is the Republic's, as unqualified
  // "Korea" is (curated.json); other ambiguous words decide nothing.
  const north = /\bnorth\s*$/i.test(s.text.slice(Math.max(0, c.start - s.start - 8), c.start - s.start));
  return /^koreans?$/i.test(c.surface) && !north ? 'KR' : null;
}

function countryParty(iso: string | null | undefined, body: string, ctx: PartyContext, role: string) {
  const c = iso ? ctx.knowledge.countries.get(iso) : undefined;
  return c ? ({ name: c.name, body, kind: 'government', role } as AttributingParty) : null;
}

/** The text between token `i` and the one before it. */
export function tokenGap(s: SentenceInfo, i: number): string {
  const a = s.tokens[i - 1];
  const b = s.tokens[i];
  return a && b ? s.text.slice(a.end - s.start, b.start - s.start) : '';
}

/** "CERT-PH", "CSIRT-MX": a national response team named after its state's code speaks for that state. */
export function nationalCertParty(name: string, ctx: PartyContext, role: string): AttributingParty | null {
  // "CERT-UA", "CSIRT-MX" (a code first, "IT-CERT", may be a company's team; national ones are in the dictionary).
  const code = /^(?:CERT|CSIRT|CIRT)-(\p{Lu}{2})$/u.exec(name)?.[1];
  return code ? countryParty(code, name, ctx, role) : null;
}

/** The state an unqualified government noun or office holder belongs to, from the story so far. */
export function homeState(ctx: PartyContext, s: SentenceInfo | null): string | null {
  if (s) {
    const here = s.mentions.find(
      (m) =>
        m.ref.type === 'country' &&
        m.ref.form === 'name' &&
        m.ref.iso2 !== '??' &&
        !ctx.accused.has(m.ref.iso2),
    );
    if (here?.ref.type === 'country') return here.ref.iso2;
  }
  // The government that acted or spoke last ("the government concluded ... The foreign minister said").
  return governmentThatSpoke(ctx) ?? ctx.subjectCountry ?? ctx.extraction.datelineCountry ?? storyState(ctx);
}

/** The state of the government that acted or spoke last, when it is not an accused one. */
function governmentThatSpoke(ctx: PartyContext): string | null {
  for (const gov of [ctx.lastGov, ctx.lastSpeaker]) {
    if (gov?.kind !== 'government') continue;
    const iso = countryIso(gov.name, ctx.knowledge);
    if (iso && !ctx.accused.has(iso)) return iso;
  }
  return null;
}

const isoByCountryName = new WeakMap<Knowledge, Map<string, string>>();
/** The ISO2 of a country named by its display name, or '' ("United States" → US). */
export function countryIso(name: string, knowledge: Knowledge): string {
  let byName = isoByCountryName.get(knowledge);
  if (!byName) {
    byName = new Map();
    for (const c of knowledge.countries.values()) if (!byName.has(c.name)) byName.set(c.name, c.iso2);
    isoByCountryName.set(knowledge, byName);
  }
  return byName.get(name) ?? '';
}

/** Whether the article names the state anywhere. */
function mentionsState(ctx: PartyContext, iso2: string): boolean {
  return ctx.extraction.sentences.some((s) =>
    s.mentions.some((m) => m.ref.type === 'country' && m.ref.iso2 === iso2),
  );
}

/** The state named most often in the article (twice at least) that is never accused in it. */
function storyState(ctx: PartyContext): string | null {
  const counts = new Map<string, number>();
  for (const s of ctx.extraction.sentences)
    for (const m of s.mentions)
      if (m.ref.type === 'country' && m.ref.iso2 !== '??' && !ctx.accused.has(m.ref.iso2))
        counts.set(m.ref.iso2, (counts.get(m.ref.iso2) ?? 0) + 1);
  const best = [...counts.entries()].sort((x, y) => y[1] - x[1])[0];
  return best && best[1] >= 2 ? best[0] : null;
}

export function generic(
  word: string,
  ctx: PartyContext,
  role: string,
  before = '',
  after = '',
): AttributingParty | null | 'self' {
  // "Oslo prosecutors said", "the Paris prosecutor's office said": a capital's police, prosecutors or courts
  // speak for its state.
  // (Only where the text names that state too: "Dublin police in Ohio", "Kingston police" are a town's.)
  if (word === 'police' || L.set('genericGovernmentNouns').has(word)) {
    const place = CAPITAL_BEFORE_BODY_RE.exec(before)?.[1];
    const capital = place ? ctx.knowledge.capitals.get(nameKey(place)) : undefined;
    // ("Vienna police in Virginia": a town placed elsewhere.)
    if (capital && stateNamed(ctx, capital) && !/^\s+in\s+\p{Lu}/u.test(after))
      return countryParty(capital, `${place} ${word}`, ctx, role);
  }
  if (L.set('genericCompanyNouns').has(word)) {
    if (ctx.lastVendor) return { ...ctx.lastVendor, role };
    const mainOrg = mainOrgOf(ctx);
    if (mainOrg) return { name: mainOrg, body: mainOrg, kind: 'organization', role };
    // "Halvorsen Mutual, a Norwegian insurer, disclosed ... The company said": the company introduced.
    const actors = new Set(
      ctx.extraction.sentences.flatMap((x) =>
        x.mentions.filter((m) => m.ref.type === 'actor').map((m) => nameKey(m.surface)),
      ),
    );
    const org = introducedOrg(ctx.text, actors);
    return org ? { name: org, body: org, kind: 'organization', role } : null;
  }
  if (word === 'police') {
    const byDateline = countryParty(ctx.extraction.datelineCountry, 'police', ctx, role);
    if (byDateline) return byDateline;
    if (ctx.lastGov) return { ...ctx.lastGov, role };
    // Police investigate where the incident happened: the state the story names most, never an accused one.
    return countryParty(storyState(ctx), 'police', ctx, role);
  }
  if (L.set('genericGovernmentNouns').has(word)) {
    if (ctx.lastGov) return { ...ctx.lastGov, role };
    return countryParty(ctx.subjectCountry ?? ctx.extraction.datelineCountry, word, ctx, role);
  }
  if (word === 'officials' || word === 'official') {
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
  }
  if (L.set('anonymousSourceNouns').has(word))
    return { name: 'unnamed sources', body: 'unnamed sources', kind: 'unnamed', role };
  if (L.set('pronounSpeakers').has(word)) return ctx.lastSpeaker ? { ...ctx.lastSpeaker, role } : null;
  if (REPORT_NOUNS.has(word)) return ctx.lastAuthor ? { ...ctx.lastAuthor, role } : null;
  if (word === 'we') return publisherVoice(ctx, role);
  if (word === 'researchers' || word === 'analysts' || word === 'experts')
    // "The researchers said": the research organisation that spoke last.
    return ctx.lastSpeaker && (ctx.lastSpeaker.kind === 'vendor' || ctx.lastSpeaker.kind === 'organization')
      ? { ...ctx.lastSpeaker, role }
      : null;
  if (word === 'team')
    // "the team said": the team that published last, a company's or a government's.
    return ctx.lastSpeaker && ctx.lastSpeaker.kind !== 'unnamed' && ctx.lastSpeaker.kind !== 'person'
      ? { ...ctx.lastSpeaker, role }
      : null;
  if (L.set('selfNouns').has(word)) return 'self';
  return null;
}

/**
 * "We attribute the activity to ...": outside quotation marks, a vendor's own report speaking in the first
 * person. The voice is the research company the report names (the last one named so far, else the first).
 */
function publisherVoice(ctx: PartyContext, role: string): AttributingParty | null {
  const sentence = ctx.sentence === undefined ? undefined : ctx.extraction.sentences[ctx.sentence];
  if (!sentence || /["“”]/.test(sentence.text)) return null;
  if (ctx.lastVendor) return { ...ctx.lastVendor, role };
  for (const s of ctx.extraction.sentences)
    for (const m of s.mentions) {
      const party = m.ref.type === 'party' ? ctx.knowledge.parties[m.ref.id] : undefined;
      if (party?.kind === 'vendor') return { name: party.name, body: party.name, kind: 'vendor', role };
    }
  return null;
}

/** Documents that speak for their authors: "the report says". */
const REPORT_NOUNS: ReadonlySet<string> = new Set(['report', 'study', 'analysis', 'paper']);
/** Nouns `generic` can resolve (a speaker written as a common noun). */
export const GENERIC_WORDS: ReadonlySet<string> = new Set([
  'we',
  ...REPORT_NOUNS,
  ...L.set('genericCompanyNouns'),
  'police',
  ...L.set('genericGovernmentNouns'),
  ...L.set('anonymousSourceNouns'),
  ...L.set('pronounSpeakers'),
  'researchers',
  'analysts',
  'experts',
  'team',
  ...L.set('selfNouns'),
]);
export const UNNAMED_WORDS = L.set('anonymousSourceNouns');

/** Tokens between two positions contain punctuation that ends a name ("Earlier Wednesday, Trump"). */
export function gapBreaks(s: SentenceInfo, i: number): boolean {
  const a = s.tokens[i];
  const b = s.tokens[i + 1];
  if (!a || !b) return true;
  return /[,;:()"“”\u2013\u2014]|\s-\s/.test(s.text.slice(a.end - s.start, b.start - s.start));
}

/** The word of a response team, in capitals however long ("SI-CERT", "CSIRT-MX"). */
const CERT_WORD_RE = /^(?:CERT|CSIRT|CIRT)$/;
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
  // "Marks & Spencer (MKS.L), believes": a ticker or abbreviation in parentheses belongs to the name before it.
  const paren = parenthesisedBefore(s, i);
  if (paren >= 0) i = paren;
  const end = i;
  while (i >= 0) {
    const t = s.tokens[i];
    if (!t) break;
    if (i < end && gapBreaks(s, i)) break;
    if (
      // ("iSight Partners", "eBay": a brand may open with one small letter.)
      (/^\p{Ll}?\p{Lu}/u.test(t.raw) &&
        (!(t.raw.length > 3 && t.raw === t.raw.toUpperCase()) || CERT_WORD_RE.test(t.raw))) ||
      (NAME_JOINERS.has(t.norm) && i < end)
    )
      i--;
    else break;
  }
  let start = i + 1;
  // The whole of a hyphenated name ("CERT-PH said"), even where its first part alone would not start one.
  while (start > 0 && start <= end && /^-$/.test(tokenGap(s, start))) start--;
  // "In February the Foreign Ministry": words that open a sentence or name a date are no part of a name.
  while (
    start <= end &&
    (NAME_JOINERS.has(s.tokens[start]?.norm ?? '') ||
      (NOT_NAMES.has(s.tokens[start]?.raw ?? '') &&
        (start === 0 || CALENDAR_WORD_RE.test(s.tokens[start]?.raw ?? ''))) ||
      // "Insurer Beacon Mutual said": a trade noun opening the sentence introduces the name.
      (start === 0 && start < end && OPENING_TRADE_NOUNS.has(s.tokens[start]?.norm ?? '')))
  )
    start++;
  if (start > end) return null;
  start = withNameArticle(s, start);
  const a = s.tokens[start];
  const b = s.tokens[end];
  if (!a || !b) return null;
  // "the ministers of Defence and of Justice and Security wrote": portfolios, whose holders speak for the state.
  if (PORTFOLIO_HOLDER_BEFORE_RE.test(s.text.slice(Math.max(0, a.start - s.start - 40), a.start - s.start))) {
    // The state written before the title ("the Dutch ministers of", "Britain's Secretary for"), else the story's.
    const owner = s.mentions.find(
      (m) =>
        m.ref.type === 'country' &&
        m.end <= a.start &&
        OWNED_PORTFOLIO_GAP_RE.test(s.text.slice(m.end - s.start, a.start - s.start)),
    );
    const iso = owner?.ref.type === 'country' ? owner.ref.iso2 : homeState(ctx, s);
    return countryParty(iso, s.text.slice(a.start - s.start, b.end - s.start), ctx, role);
  }
  // A dictionary name inside the run: "FBI Director Christopher Wray" is resolved through the title.
  const inside = s.mentions.filter((m) => m.start < b.end && m.end > a.start);
  // "the Danish Centre for Cyber Security said": a public body named after its state's adjective is that state.
  const [lead] = inside;
  if (
    inside.length === 1 &&
    lead?.ref.type === 'country' &&
    lead.ref.form === 'demonym' &&
    lead.start === a.start &&
    GOV_BODY_IN_NAME_RE.test(s.text.slice(lead.end - s.start, b.end - s.start))
  )
    return countryParty(lead.ref.iso2, s.text.slice(a.start - s.start, b.end - s.start), ctx, role);
  if (inside.length > 0) {
    const person = personParty(s, a.start, b.end, ctx, role);
    return person && person.kind !== 'person' ? person : null;
  }
  // "Google's Threat Intelligence Group said": the unit speaks for its owner.
  const owner = [...s.mentions]
    .reverse()
    .find((m) => (m.ref.type === 'party' || m.ref.type === 'country') && m.end <= a.start);
  if (owner && /^['’]s\s+$/.test(s.text.slice(owner.end - s.start, a.start - s.start))) {
    const unit = s.text.slice(a.start - s.start, b.end - s.start);
    // "Denmark's SektorCERT said": a state owns its bodies, not every organisation within it ("Britain's Foreign
    // Secretary" is an office of the state, not an organisation).
    // ("Iran's Passive Defence Organisation": a state's portfolio in the name makes it a public body.)
    // ("Poland's Prime Minister Donald Tusk": the state's office holder, named after the title.)
    const titled = TITLED_NAME_RE.exec(unit);
    const officeHolder = titled !== null && !titled[1]?.trim() && GOV_TITLE_RE.test(titled[2] ?? '');
    if (
      owner.ref.type === 'country' &&
      !GOV_BODY_IN_NAME_RE.test(unit) &&
      !STATE_PORTFOLIO_IN_NAME_RE.test(unit) &&
      !TITLE_ONLY_RE.test(unit) &&
      !officeHolder &&
      !/^\p{Ll}/u.test(unit)
    )
      return { name: unit, body: unit, kind: 'organization', role };
    return partyFromMention(owner, s, ctx, role);
  }
  const raw = s.text
    .slice(a.start - s.start, b.end - s.start)
    .replace(/^(?:The|the)\s+/, '')
    .replace(/['’]s$/, '');
  if (!raw || NOT_NAMES.has(raw) || raw.length < 3) return null;
  // "The city of Fairbrook, Kansas, said": a local government is named by its kind and its place.
  const local = LOCAL_GOVERNMENT_BEFORE_RE.exec(
    s.text.slice(Math.max(0, a.start - s.start - 20), a.start - s.start),
  );
  if (local?.[1]) {
    const name = localGovernmentName(local[1], raw);
    return { name, body: name, kind: 'organization', role };
  }
  // "The Deputy Prime Minister told MPs": a state's title with no name and no owner speaks for the state of
  // the story (the dateline's, the government that spoke); a title is never a party's name.
  if (TITLE_ONLY_RE.test(raw))
    return GOV_TITLE_RE.test(raw) ? countryParty(homeState(ctx, s), raw, ctx, role) : null;
  // "The Home Affairs Minister has blamed": a portfolio and a minister's title, with no name; "Osaka
  // Prefectural Police said": a local police force. Both speak for the state of the story.
  // (A capital in the name decides first: "the Tokyo Metropolitan Police Department" is Japan's.)
  const localPolice = LOCAL_POLICE_RE.test(raw);
  const capitalOfName = localPolice
    ? ctx.knowledge.capitals.get(nameKey(raw.split(/\s+/)[0] ?? ''))
    : undefined;
  if (capitalOfName) return countryParty(capitalOfName, raw, ctx, role);
  const home = localPolice || PORTFOLIO_MINISTER_RE.test(raw) ? homeState(ctx, s) : null;
  if (home) return countryParty(home, raw, ctx, role);
  // "its Cybercrime Command": a unit of the party named before it in the sentence.
  if (/\b(?:its|their)\s+$/i.test(s.text.slice(Math.max(0, a.start - s.start - 8), a.start - s.start))) {
    const unitOwner = [...s.mentions]
      .reverse()
      .find((m) => (m.ref.type === 'party' || m.ref.type === 'country') && m.end <= a.start);
    const ownerParty = unitOwner ? partyFromMention(unitOwner, s, ctx, role) : null;
    if (ownerParty) return ownerParty;
  }
  // "The Chief Executive of Harbor Bank said": a company's officer speaks for the company ("President" and
  // "Director" are titles of both kinds: a public body named after them makes it a state's office).
  const portfolio = PORTFOLIO_TITLE_RE.exec(raw);
  const officeOf = portfolio?.[2] ?? '';
  const publicBody = GOV_BODY_IN_NAME_RE.test(officeOf) || PORTFOLIO_BODY_RE.test(officeOf);
  if (officeOf && !publicBody && CORPORATE_TITLE_RE.test(portfolio?.[1] ?? ''))
    return namedParty(officeOf, s, ctx, role) ?? { name: officeOf, body: raw, kind: 'organization', role };
  // "The Minister of Defence said": a government title with its portfolio is still only a title.
  if (portfolio?.[1] && GOV_TITLE_RE.test(portfolio[1]))
    return countryParty(homeState(ctx, s), raw, ctx, role);
  // A title in the run: the office holder speaks for the body or the state.
  const titled = personParty(s, a.start, b.end, ctx, role);
  if (titled) return titled;
  const known = namedParty(raw, s, ctx, role);
  if (known !== undefined) return known;
  // "the Tokyo Metropolitan Police Department": a government body named after a capital is that state's;
  // "Canberra said": a capital speaking is its government.
  const capital =
    GOV_BODY_IN_NAME_RE.test(raw) || end === start
      ? ctx.knowledge.capitals.get(nameKey(end === start ? raw : (raw.split(/\s+/)[0] ?? '')))
      : undefined;
  if (capital) return countryParty(capital, raw, ctx, role);
  if (
    end - start + 1 >= 2 ||
    /^\p{Lu}\p{Ll}+\p{Lu}/u.test(raw) ||
    orgIntroduced(raw, ctx) ||
    GOV_BODY_IN_NAME_RE.test(raw) ||
    ORG_IN_NAME_RE.test(raw)
  )
    return { name: raw, body: raw, kind: 'organization', role };
  return null;
}

/**
 * A capitalised name as a party when its kind is clear: a person (through their title, else by name)
 * or a government body without its state ("the Foreign Ministry", "the Senate": the state of the
 * story, or nothing when the story gives none). Undefined when the name is neither.
 */
function namedParty(
  name: string,
  s: SentenceInfo,
  ctx: PartyContext,
  role: string,
): AttributingParty | null | undefined {
  const cert = nationalCertParty(name, ctx, role);
  if (cert) return cert;
  // "the State Criminal Police Office (LKA)" ... "according to the LKA": the acronym of a known body, however
  // its letters read in English.
  const introducedBy = /^\p{Lu}{2,6}$/u.test(name) ? bodyBeforeAcronym(name, ctx) : null;
  if (introducedBy) return partyFromMention(introducedBy.m, introducedBy.s, ctx, role);
  // "CSIRT de Gobierno", "CERT Government": a government's response team named by its word first is the state's of
  // the story (not a company's: "CERT Santander").
  if (
    /^(?:CERT|CSIRT|CIRT)\s+(?:de\s+|do\s+|of\s+(?:the\s+)?)?(?:Gobierno|Governo|Government|Gov|Nacional|National)\b/.test(
      name,
    )
  ) {
    const state = countryParty(homeState(ctx, s), name, ctx, role);
    if (state) return state;
  }
  if (isPersonName(name, name.split(' ').pop() ?? name, s, ctx)) {
    const full = fullName(name, ctx.text);
    return affiliationOfPerson(full, ctx, role) ?? { name: full, body: full, kind: 'person', role };
  }
  // (Every word a body's word: "Public Security Bureau" is no company although "security" names companies too.)
  if (GOV_BODY_IN_NAME_RE.test(name) && bareGovernmentBody(name))
    return countryParty(homeState(ctx, s), name, ctx, role);
  // "Investigation Bureau says" in a headline, "Taiwan's Ministry of Justice Investigation Bureau said" in the
  // text: a state body the article names elsewhere with its state.
  if (GOV_BODY_IN_NAME_RE.test(name)) {
    const owner = stateOwningElsewhere(name, ctx);
    if (owner) return countryParty(owner, name, ctx, role);
  }
  // "The Department of Information and Communications Technology": a body named by its portfolio is the
  // state's (its name as written when the text never says which state).
  if (PORTFOLIO_BODY_RE.test(name))
    return (
      countryParty(homeState(ctx, s), name, ctx, role) ?? { name, body: name, kind: 'organization', role }
    );
  return undefined;
}

/** When tokens ..i sit inside "(...)" right after a name, the index of the name's last token; else -1. */
function parenthesisedBefore(s: SentenceInfo, i: number): number {
  const t = s.tokens[i];
  if (!t) return -1;
  const after = s.text.slice(t.end - s.start, (s.tokens[i + 1]?.start ?? s.start + s.text.length) - s.start);
  if (!/^\)\s*,?\s*$/.test(after)) return -1;
  let j = i;
  while (j >= 0 && i - j < 4) {
    const tok = s.tokens[j];
    const prev = s.tokens[j - 1];
    if (!tok || !prev) return -1;
    const gap = s.text.slice(prev.end - s.start, tok.start - s.start);
    if (/\(\s*$/.test(gap)) return /^\s*\($/.test(gap) ? j - 1 : -1;
    j--;
  }
  return -1;
}

/**
 * The party named by a capitalised name starting within a few words of token `from`, past determiners
 * and descriptors: "according to cyber security firm FireEye", "a report by the research group Acme
 * Labs". People are resolved through their titles; an actor's name is never a party.
 */
export function nameAfter(
  s: SentenceInfo,
  from: number,
  ctx: PartyContext,
  role: string,
  maxSkip = 5,
): AttributingParty | null {
  let i = from;
  let limit = from + maxSkip;
  let demonym: Mention | undefined;
  for (;;) {
    // Lower-case words and a state's adjective describe what comes ("the Spanish newspaper El País").
    while (i < Math.min(s.tokens.length, limit + 1)) {
      const adjective = demonymAt(s, i);
      if (!adjective && !/^\p{Ll}/u.test(s.tokens[i]?.raw ?? '')) break;
      if (adjective) {
        limit++;
        demonym = adjective;
      }
      i++;
    }
    // "according to Oslo-based security firm Acme": where a firm sits describes it; the name comes after.
    let last = i;
    while (/^\p{Lu}/u.test(s.tokens[last + 1]?.raw ?? '') && tokenGap(s, last + 1) === ' ') last++;
    const t = s.tokens[last];
    if (!t || !PLACE_MODIFIER_AFTER_RE.test(s.text.slice(t.end - s.start, t.end - s.start + 20))) break;
    i = last + 2;
    limit = i + maxSkip;
  }
  if (!/^\p{Lu}/u.test(s.tokens[i]?.raw ?? '') || i > limit) return null;
  let end = i;
  i = withNameArticle(s, i);
  const a = s.tokens[i];
  if (!a) return null;
  while (end + 1 < s.tokens.length) {
    const next = s.tokens[end + 1];
    if (!next || gapBreaks(s, end)) break;
    const glued = /^[-.&]$/.test(s.text.slice((s.tokens[end]?.end ?? 0) - s.start, next.start - s.start));
    if (
      glued ||
      /^\p{Lu}/u.test(next.raw) ||
      (NAME_JOINERS.has(next.norm) && /^\p{Lu}/u.test(s.tokens[end + 2]?.raw ?? ''))
    )
      end++;
    else break;
  }
  const b = s.tokens[end];
  if (!b) return null;
  if (s.mentions.some((m) => m.start < b.end && m.end > a.start)) return null;
  const name = s.text.slice(a.start - s.start, b.end - s.start).replace(/['’]s$/, '');
  if (NOT_NAMES.has(name.split(' ')[0] ?? '') || name.length < 3 || /\bCVE\b/.test(name)) return null;
  // "according to British Foreign Secretary": a title or a public body after a state's adjective is that state.
  if (demonym?.ref.type === 'country' && (TITLE_ONLY_RE.test(name) || GOV_BODY_IN_NAME_RE.test(name)))
    return countryParty(demonym.ref.iso2, name, ctx, role);
  const known = namedParty(name, s, ctx, role);
  return known !== undefined ? known : { name, body: name, kind: 'organization', role };
}

/** Articles that begin an outlet's name in its language ("de Volkskrant", "El País", "Le Monde"). */
const NAME_ARTICLES = L.set('nameArticles');
/** "the newspaper de Volkskrant": the name starts at its article when a descriptor comes before. */
function withNameArticle(s: SentenceInfo, i: number): number {
  const prev = s.tokens[i - 1];
  if (!prev || !NAME_ARTICLES.has(prev.raw)) return i;
  const before = s.text.slice(Math.max(0, prev.start - s.start - 40), prev.start - s.start);
  return DESCRIPTOR_BEFORE_RE.test(before) ? i - 1 : i;
}
/** The state's adjective that is token `i` ("Spanish", "Dutch"), if it is one. */
function demonymAt(s: SentenceInfo, i: number): Mention | undefined {
  return s.mentions.find(
    (m) => m.ref.type === 'country' && m.ref.form === 'demonym' && m.from === i && m.to === i + 1,
  );
}
/** A state's portfolio inside a capitalised name: "Passive Defence Organisation", "Interior Security Agency". */
const STATE_PORTFOLIO_IN_NAME_RE = /\b(?:Defen[cs]e|Interior|Justice|Foreign Affairs|Home Affairs)\b/;
/** Office holders named by their portfolio: "ministers of ", "Secretary for the ". */
const PORTFOLIO_HOLDER = String.raw`(?:ministers?|secretar(?:y|ies)|commissioners?)\s+(?:of|for)\s+(?:the\s+)?`;
const PORTFOLIO_HOLDER_BEFORE_RE = new RegExp(`\\b${PORTFOLIO_HOLDER}$`, 'i');
/** Between a state and the portfolio its office holder holds: "'s ministers of ", " Secretary for the ". */
const OWNED_PORTFOLIO_GAP_RE = new RegExp(`^(?:['’]s)?\\s+(?:[a-z]+\\s+)?${PORTFOLIO_HOLDER}$`, 'i');
/** A hyphenated modifier after a place: "Oslo-based", "Tel Aviv-headquartered". */
const PLACE_MODIFIER_AFTER_RE = /^-(?:based|headquartered|registered)\b/i;
const BODY_WORD_RE = new RegExp(
  `^(?:${L.alt('governmentBodyWords')}|foreign|home|interior|justice|defen[cs]e|state|cabinet|dept\\.?|federal|national|public|security|affairs|finance|treasury)$`,
  'i',
);
/** The state written as the owner of `name` somewhere in the article ("Taiwan's ... Investigation Bureau"). */
function stateOwningElsewhere(name: string, ctx: PartyContext): string | null {
  for (const s of ctx.extraction.sentences) {
    const at = s.text.indexOf(name);
    if (at < 0) continue;
    const owner = [...s.mentions]
      .reverse()
      .find((m) => m.ref.type === 'country' && m.ref.iso2 !== '??' && m.end - s.start <= at);
    if (
      owner?.ref.type === 'country' &&
      OWNED_NAME_BETWEEN_RE.test(s.text.slice(owner.end - s.start, at)) &&
      !ctx.accused.has(owner.ref.iso2)
    )
      return owner.ref.iso2;
  }
  return null;
}
const OWNED_NAME_BETWEEN_RE = /^(?:['’]s)?\s+(?:\p{Lu}[\p{L}&-]*\s+(?:of\s+)?){0,5}$/u;
/** What a local government is, before its place's name: "the city of", "the County of". */
const LOCAL_GOVERNMENT_BEFORE_RE = /\b(city|town|county|municipality|borough|village)\s+of\s+$/i;
/** "City of Fairbourne": a local government named by its kind and its place. */
function localGovernmentName(kind: string, place: string): string {
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1).toLowerCase()} of ${place}`;
}
/** A government body word, then its portfolio: "Ministry of Digital Affairs", "Federal Office for ...". */
const PORTFOLIO_BODY_RE = new RegExp(
  `^(?:(?:the|federal|national|state)\\s+)*${L.alt('governmentBodyWords')}\\s+(?:of|for)\\s+\\p{Lu}`,
  'iu',
);
/** "Foreign Ministry", "Cabinet Office", "Justice Dept": only generic words, no proper name in it. */
function bareGovernmentBody(name: string): boolean {
  const words = name.split(/\s+/).filter((w) => !NAME_JOINERS.has(w.toLowerCase()));
  return words.length > 0 && words.every((w) => BODY_WORD_RE.test(w));
}

const CALENDAR_WORD_RE = new RegExp(`^${CALENDAR_WORD}$`);

/** The answer of `compute` for `key` in this article, worked out once. */
function remembered<T>(ctx: PartyContext, key: string, compute: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T;
  const value = compute();
  ctx.memo.set(key, value);
  return value;
}

/** An honorific or a title, perhaps with a first name, right before a surname. */
const HONORIFIC_BEFORE_RE = new RegExp(
  `\\b(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gen|Col|Adm|Prof)\\.?|${ANY_TITLE})\\s+(?:\\p{Lu}[\\p{L}.'’-]*\\s+)?$`,
  'iu',
);

function isPersonName(name: string, last: string, s: SentenceInfo, ctx: PartyContext): boolean {
  return remembered(ctx, `person:${name}`, () => isPersonNameUncached(name, last, s, ctx));
}

function isPersonNameUncached(name: string, last: string, s: SentenceInfo, ctx: PartyContext): boolean {
  if (orgIntroduced(name, ctx)) return false;
  if (GOV_BODY_IN_NAME_RE.test(name) || ORG_IN_NAME_RE.test(name)) return false;
  if (/^[A-Z][a-z]+(?: [A-Z]\.?)*(?: [A-Z][a-z]+)+$/.test(name)) return true;
  if (fullName(name, ctx.text) !== name) return true;
  // A surname on its own is a person when the text gives it an honorific or a title somewhere.
  void s;
  // Each place the surname stands, the words right before it: one bounded test per occurrence.
  for (let at = ctx.text.indexOf(last); at >= 0; at = ctx.text.indexOf(last, at + 1)) {
    const next = ctx.text[at + last.length] ?? '';
    if (/[\p{L}\d]/u.test(next) || /[\p{L}\d]/u.test(ctx.text[at - 1] ?? '')) continue;
    if (HONORIFIC_BEFORE_RE.test(ctx.text.slice(Math.max(0, at - 80), at))) return true;
  }
  return false;
}

const TITLED_NAME_RE = new RegExp(
  `^(.*?)\\b(${ANY_TITLE})\\s+(\\p{Lu}[\\p{L}.'’-]*(?:\\s+\\p{Lu}[\\p{L}.'’-]*){0,3})$`,
  'iu',
);
const GOV_TITLE_RE = new RegExp(`^(?:${TITLE_MODIFIER}\\s+)*${GOV_TITLE}$`, 'i');
const TITLE_ONLY_RE = new RegExp(`^${ANY_TITLE}$`, 'i');
/** Capitalised portfolio words and a minister's title, without a name: "Home Affairs Minister". */
const PORTFOLIO_MINISTER_RE =
  /^(?:(?:Home|Foreign|Affairs|Defen[cs]e|Interior|Justice|Digital|Security|National|Public|Cyber|Homeland|Communications|Information|Internal|Finance|Trade|Economy|Economic|Technology|Science|Health|Energy|Infrastructure|Transport|Education|Industry|Telecommunications|Civil|Emergency|Deputy|Prime|First|Chief|Cabinet|State)\s+(?:and\s+)?){1,4}(?:Minister|Secretary)$/u;
/** The text names the state (its name, its people, its capital as a state) or datelines the story there. */
function stateNamed(ctx: PartyContext, iso2: string): boolean {
  return (
    ctx.extraction.datelineCountry === iso2 ||
    ctx.extraction.sentences.some((x) =>
      x.mentions.some((m) => m.ref.type === 'country' && m.ref.iso2 === iso2),
    )
  );
}
/** A place right before a body's generic noun: "Oslo ", "the Paris prosecutor's ". */
const CAPITAL_BEFORE_BODY_RE = /\b(\p{Lu}[\p{L}-]+)\s+(?:(?:public\s+|state\s+)?prosecutor['’]s\s+)?$/u;
/** A police force named after its place and kind: "Osaka Prefectural Police", "Larkfield City Police Department". */
const LOCAL_POLICE_RE =
  /^(?:\p{Lu}[\p{L}'’-]*\s+){1,3}(?:Prefectural|Metropolitan|Provincial|Regional|Municipal|City|County|State|District)\s+Police(?:\s+(?:Department|Force|Service|Headquarters))?$/u;
/** A title and its portfolio or organisation: "Minister of Defence", "Chief Executive of Harbor Bank". */
const PORTFOLIO_TITLE_RE = new RegExp(
  `^(${ANY_TITLE_CASED})\\s+(?:of|for)\\s+(?:the\\s+)?([A-Z][\\w\\s&,-]*)$`,
);
const CORPORATE_TITLE_RE = new RegExp(`^(?:${TITLE_MODIFIER}\\s+)*${L.alt('corporateTitles')}$`, 'i');
/** A title before a name, perhaps after its owner: "Foreign Minister ", "Estonia's foreign minister, ". */
const TITLE_BEFORE_NAME_RE = new RegExp(`((?:[\\p{L}.'’&-]+\\s+){0,4}?)(${ANY_TITLE}),?\\s+$`, 'iud');
/** "The chief executive of Acme, " before a name. */
const TITLE_OF_OWNER_BEFORE_RE = new RegExp(
  `(${ANY_TITLE_CASED})\\s+(?:of|for|at)\\s+(?:the\\s+)?(\\p{Lu}[\\p{L}.&'’-]*(?:\\s+(?:of\\s+|for\\s+|and\\s+|&\\s+)?\\p{Lu}[\\p{L}.&'’-]*){0,5}),\\s+$`,
  'ud',
);
/** What a company is, written before its name: "the Cleveland firm Harbor Cyber", "security company Acme". */
const COMPANY_KIND_BEFORE_NAME = `(?:(?:[\\p{Lu}][\\p{L}.'’-]*\\s+|[\\p{Ll}][\\p{Ll}-]*\\s+){1,2}${L.alt('genericCompanyNouns')}\\s+(?=\\p{Lu}))?`;
/** ", the chief executive of Acme", ", Acme's CEO", ", head of research at Acme" after a name. */
const TITLE_AFTER_NAME_RE = new RegExp(
  `^,\\s+(?:the\\s+|a\\s+|an\\s+)?(?:([\\p{Lu}][\\p{L}.&'’-]*(?:\\s+[\\p{Lu}][\\p{L}.&'’-]*){0,3})['’]s\\s+|([\\p{Lu}]{2,5})\\s+)?(?:[\\p{Ll}-]+\\s+){0,2}?(${ANY_TITLE_CASED})(?:(?:\\s+of\\s+[\\p{Ll}\\s-]{3,40}?)?\\s+(?:of|for|at|with)\\s+(?:the\\s+)?${COMPANY_KIND_BEFORE_NAME}([\\p{Lu}][\\p{L}.&'’-]*(?:\\s+(?:of\\s+|for\\s+|and\\s+|&\\s+)?[\\p{Lu}][\\p{L}.&'’-]*){0,5}))?`,
  'u',
);

/**
 * An office holder in the span [from, to) of sentence `s` ("FBI Director Christopher Wray",
 * "German Cabinet Spokesperson Wolfgang Buchner", "Prime Minister Edi Rama"): the party the title
 * speaks for, or null when the span holds no title.
 */
function personParty(
  s: SentenceInfo,
  from: number,
  to: number,
  ctx: PartyContext,
  role: string,
): AttributingParty | null {
  const span = s.text.slice(from - s.start, to - s.start);
  const m = TITLED_NAME_RE.exec(span);
  if (!m) return null;
  const title = m[2] ?? '';
  const person = m[3] ?? '';
  // The title must be written as one ("Director", "CEO"), not a plain word inside a name; and a name follows it,
  // not the rest of the title ("Minister of Defence").
  if (!/^\p{Lu}/u.test(title.trim()) || !/^\p{Lu}/u.test(person.trim())) return null;
  const owned = affiliation(s, from, from + (m[1]?.length ?? 0), title, ctx, role, person);
  if (owned) return owned;
  // A title whose state or company the text does not give: the person, named without the title.
  const full = fullName(person.trim(), ctx.text);
  return affiliationOfPerson(full, ctx, role) ?? { name: full, body: span, kind: 'person', role };
}

/** The party of a title whose owner is written in [from, to) of `s` (possibly empty). */
function affiliation(
  s: SentenceInfo,
  from: number,
  to: number,
  title: string,
  ctx: PartyContext,
  role: string,
  person: string,
): AttributingParty | null {
  const owners = s.mentions.filter((x) => x.start >= from && x.end <= to);
  const body = `${s.text.slice(from - s.start, to - s.start).trim()} ${title} ${person}`.trim();
  // An organisation named with a state word in it ("Australian Strategic Policy Institute") speaks for itself.
  const ownerName = trailingName(s.text.slice(from - s.start, to - s.start).replace(/['’]s\s*$/, ''));
  if (ownerName && ORG_IN_NAME_RE.test(ownerName) && !GOV_BODY_IN_NAME_RE.test(ownerName))
    return { name: ownerName, body, kind: 'organization', role };
  // A dictionary party or a state word before the title decides ("FBI Director", "German Cabinet Spokesperson").
  for (const o of [...owners].reverse()) {
    if (o.ref.type === 'party') {
      const p = partyFromMention(o, s, ctx, role);
      if (p) return { ...p, body };
    }
    if (o.ref.type === 'country' && o.ref.iso2 !== '??') return countryParty(o.ref.iso2, body, ctx, role);
  }
  // "the company's CEO", "the Oslo firm's security chief", "the ministry's spokesperson": the body referred to.
  const genericOwner = /\b(?:the|its|their)\s+(?:[\p{L}-]+\s+)?([\p{Ll}]+)['’]s\s*$/u.exec(
    s.text.slice(from - s.start, to - s.start),
  )?.[1];
  if (genericOwner && GENERIC_WORDS.has(genericOwner)) {
    const g = generic(genericOwner, ctx, role);
    if (g && g !== 'self') return { ...g, body };
  }
  const ownerText = trailingName(s.text.slice(from - s.start, to - s.start).replace(/['’]s\s*$/, ''));
  const govTitle = GOV_TITLE_RE.test(title.trim());
  if (ownerText && /^\p{Lu}/u.test(ownerText) && !NOT_NAMES.has(ownerText)) {
    // "Civil Defence Minister Jane Roe", "Digital Affairs Minister": capitalised words before a minister's title
    // name the portfolio, not an organisation; the minister speaks for the state of the story.
    if (
      /\b(?:minister|secretary)$/i.test(title.trim()) &&
      (!ORG_IN_NAME_RE.test(ownerText) || bareGovernmentBody(ownerText))
    )
      return countryParty(homeState(ctx, s), body, ctx, role);
    // "HSE Chief Executive Paul Reid": an organisation's officer speaks for it.
    if (GOV_BODY_IN_NAME_RE.test(ownerText) && bareGovernmentBody(ownerText))
      return countryParty(homeState(ctx, s), body, ctx, role);
    return { name: expandAcronym(ownerText, ctx.text), body, kind: 'organization', role };
  }
  if (govTitle) return countryParty(homeState(ctx, s), body, ctx, role) ?? null;
  return companyOfficer(title, body, ctx, role);
}

/** Titles of a local institution's officers: they speak for a district or a city, never for a company. */
const INSTITUTION_TITLE_RE = /\b(?:superintendent|city\s+manager|county\s+executive|mayor)$/i;
/** A district's, a city's or a county's name: "Millbrook Unified School District" (or "the City of" the name). */
const INSTITUTION_NAME_RE = /\b(?:District|Schools?|County|City|Town|Council|Borough|Municipality)\b/;
/** A company officer whose company the text does not give ("CISO Dana Roe said"): the company the story is about. */
function companyOfficer(
  title: string,
  body: string,
  ctx: PartyContext,
  role: string,
): AttributingParty | null {
  const mainOrg = mainOrgOf(ctx);
  // (A superintendent or a mayor speaks for a district or a city, not for the company a story is about.)
  if (
    mainOrg &&
    INSTITUTION_TITLE_RE.test(title.trim()) &&
    !INSTITUTION_NAME_RE.test(mainOrg) &&
    !ctx.text.includes(` of ${mainOrg}`)
  )
    return null;
  return mainOrg && CORPORATE_TITLE_RE.test(title.trim()) && !GOV_TITLE_RE.test(title.trim())
    ? { name: mainOrg, body, kind: 'organization', role }
    : null;
}

const APPOSITION_RE = new RegExp(
  `(\\p{Lu}[\\p{L}'’.-]+(?:\\s+\\p{Lu}[\\p{L}'’.-]+){0,3}),\\s+([^,;:"“”()]{3,90}),\\s*(?:(?:${L.alt('speakerSkipWords')})\\s+)*$`,
  'u',
);
const TITLE_INSIDE_RE = new RegExp(`\\b${ANY_TITLE}\\b`, 'i');

/**
 * "..., Tiit Kask, director of Estonia's cyber security centre, said": the person before an
 * apposition that holds a title speaks, for the body or state the title names.
 */
export function appositionSpeaker(
  s: SentenceInfo,
  verbStart: number,
  ctx: PartyContext,
  role: string,
): AttributingParty | null {
  // Only the words before the verb matter; a bounded window keeps the pattern linear in the sentence.
  const offset = Math.max(0, verbStart - s.start - 200);
  const found = APPOSITION_RE.exec(s.text.slice(offset, verbStart - s.start));
  const m = found ? Object.assign(found, { index: found.index + offset }) : null;
  const person = m?.[1];
  const apposition = m?.[2];
  if (!m || !person || !apposition || !TITLE_INSIDE_RE.test(apposition)) return null;
  const end = m.index + person.length;
  if (s.mentions.some((x) => x.start - s.start < end && x.end - s.start > m.index)) return null;
  const full = fullName(person, ctx.text);
  const body = `${person}, ${apposition}`;
  return affiliationOfPerson(full, ctx, role) ?? { name: full, body, kind: 'person', role };
}

/**
 * A person named in full somewhere in the text with a title ("Foreign Minister Jane Roe" earlier,
 * "Roe said" now), or in apposition ("Jane Roe, the chief executive of Acme,"): the party they speak for.
 */
function affiliationOfPerson(full: string, ctx: PartyContext, role: string): AttributingParty | null {
  const found = remembered(ctx, `affiliation:${full}`, () => affiliationOfPersonUncached(full, ctx, role));
  return found ? { ...found, role } : null;
}

function affiliationOfPersonUncached(full: string, ctx: PartyContext, role: string): AttributingParty | null {
  const last = full.split(' ').pop() ?? full;
  for (const s of ctx.extraction.sentences) {
    for (let i = 0; i < s.tokens.length; i++) {
      const t = s.tokens[i];
      if (t?.raw !== last) continue;
      // Title before the name, in the same run of capitalised words.
      const firstTok = s.tokens[i - (full.split(' ').length - 1)];
      const nameStart =
        firstTok && s.text.slice(firstTok.start - s.start, t.end - s.start) === full
          ? firstTok.start
          : t.start;
      const before = s.text.slice(Math.max(0, nameStart - s.start - 80), nameStart - s.start);
      // "Foreign Minister Jane Roe", "Estonia's foreign minister, Jane Roe": a capitalised title, or one
      // owned by a possessive.
      const tm = TITLE_BEFORE_NAME_RE.exec(before);
      const ownerSpan = tm?.indices?.[1];
      const base = nameStart - before.length;
      // A lower-case title counts after a possessive or a named owner ("NCSC chief executive", "Poland's digital
      // affairs minister", "Chinese foreign ministry spokesperson").
      // (A state's adjective owns the title only through its public body: "Russian film director" is a person.)
      const owned =
        /['’]s\s*$/.test(tm?.[1] ?? '') ||
        ORG_IN_NAME_RE.test(trailingName(tm?.[1] ?? '')) ||
        (ownerSpan !== undefined &&
          s.mentions.some(
            (m) =>
              m.start >= base + ownerSpan[0] &&
              m.end <= base + ownerSpan[1] &&
              (m.ref.type === 'party' ||
                (m.ref.type === 'country' &&
                  ownsTitle(s.text.slice(m.end - s.start, base + ownerSpan[1] - s.start)))),
          ));
      if (tm?.[2] && ownerSpan && (/^\p{Lu}/u.test(tm[2].trim()) || owned)) {
        const p = affiliation(s, base + ownerSpan[0], base + ownerSpan[1], tm[2], ctx, role, full);
        if (p) return p;
      }
      // "The chief executive of Acme, Jane Roe, said": the title and its owner before the name.
      const om = TITLE_OF_OWNER_BEFORE_RE.exec(before);
      const omSpan = om?.indices?.[2];
      if (om?.[1] && omSpan) {
        const base = nameStart - before.length;
        const p = affiliation(s, base + omSpan[0], base + omSpan[1], om[1], ctx, role, full);
        if (p) return p;
      }
      // Apposition after the name: ", the chief executive of Acme," / ", Acme's CEO," / ", a spokesperson for the ministry".
      const after = s.text.slice(t.end - s.start, t.end - s.start + 120);
      const am = TITLE_AFTER_NAME_RE.exec(after);
      const title = am?.[3];
      if (am && title) {
        // The owner: possessive ("Acme's CEO"), an acronym before the title ("EU High Representative"), or after it.
        const ownerWords = am[1] ?? am[2] ?? am[4];
        if (ownerWords) {
          const at = s.text.indexOf(ownerWords, t.end - s.start) + s.start;
          const p = affiliation(s, at, at + ownerWords.length, title, ctx, role, full);
          if (p) return p;
        } else {
          const p = GOV_TITLE_RE.test(title)
            ? countryParty(homeState(ctx, s), `${full}, ${title}`, ctx, role)
            : companyOfficer(title, `${full}, ${title}`, ctx, role);
          if (p) return p;
        }
      }
    }
  }
  return null;
}

/** Between a state and its office holder's title: its possessive, or only the words of a public body ("foreign ministry"). */
function ownsTitle(between: string): boolean {
  return (
    /^['’]s\b/.test(between) ||
    between
      .trim()
      .split(/\s+/)
      .every((w) => w === '' || BODY_WORD_RE.test(w))
  );
}

/** The capitalised words at the end of a phrase: "said that Acme Corp" → "Acme Corp". */
function trailingName(phrase: string): string {
  const words = phrase.trim().split(/\s+/);
  const kept: string[] = [];
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i] ?? '';
    if (/^[\p{Lu}\d&]/u.test(w) || (kept.length > 0 && NAME_JOINERS.has(w.toLowerCase()) && w !== 'the'))
      kept.unshift(w);
    else break;
  }
  while (kept.length > 0 && NAME_JOINERS.has((kept[0] ?? '').toLowerCase())) kept.shift();
  // A sentence's full stop is not part of the name ("at Acme Security."), an abbreviation's is ("Acme Inc.").
  return kept.join(' ').replace(/(?<!\b(?:Inc|Ltd|Corp|Co|Bros|Jr|Sr))\.$/, '');
}

/** The dictionary body written right before "(ACRONYM)" somewhere in the article. */
function bodyBeforeAcronym(acronym: string, ctx: PartyContext): { m: Mention; s: SentenceInfo } | null {
  for (const s of ctx.extraction.sentences) {
    const at = s.text.indexOf(`(${acronym})`);
    if (at < 0) continue;
    const m = s.mentions.find(
      (x) => x.ref.type === 'party' && /^\s*$/.test(s.text.slice(x.end - s.start, at)),
    );
    if (m) return { m, s };
  }
  return null;
}

/** "HSE" → "Health Service Executive" when the text spells it out ("the Health Service Executive (HSE)"). */
function expandAcronym(name: string, text: string): string {
  if (!/^\p{Lu}{2,6}$/u.test(name)) return name;
  const m = new RegExp(`((?:\\p{Lu}[\\p{L}&-]*\\s+(?:(?:of|for|and|the)\\s+)?){1,6})\\(${name}\\)`, 'u').exec(
    text,
  );
  const long = m?.[1]?.trim();
  if (!long) return name;
  const initials = long
    .split(/\s+/)
    .filter((w) => /^\p{Lu}/u.test(w))
    .map((w) => w[0])
    .join('');
  return initials === name ? long : name;
}

/** Nouns that introduce a company by its trade: "chip equipment maker Nexperia", "the utility Eversource". */
const ORG_DESCRIPTOR = L.alt('organizationDescriptors');
/** A trade noun that opens a sentence before a name ("Insurer", "Chipmaker"); "Exchange", "Daily" may start one. */
const OPENING_TRADE_NOUNS = new Set(
  L.words('organizationDescriptors').filter((w) => /(?:er|or)$/.test(w) && !w.includes(' ')),
);
/** The text introduces `name` as an organisation: "chipmaker Nexperia", "Nexperia, a Dutch chipmaker". */
function orgIntroduced(name: string, ctx: PartyContext): boolean {
  // The lower-cased text once per article, for the many names asked about it.
  const lower = (): string => remembered(ctx, 'text:lower', () => ctx.text.toLowerCase());
  return remembered(ctx, `org:${name}`, () => introducedAsOrg(name, ctx.text, lower()));
}

export function introducedAsOrg(name: string, text: string, lower = text.toLowerCase()): boolean {
  if (name.includes(' ') || !text.includes(name)) return false;
  // Each place the name stands as a word, read with fixed patterns around it (no pattern per name); what
  // the company has ("nexperion's network") is read whatever the case.
  const key = name.toLowerCase();
  for (let at = lower.indexOf(key); at >= 0; at = lower.indexOf(key, at + 1)) {
    const end = at + name.length;
    if (!wordBoundary(text, at)) continue;
    const after = text.slice(end, end + 120);
    if (OWNED_AFTER_RE.test(after)) return true;
    if (text.slice(at, end) !== name) continue;
    const before = text.slice(Math.max(0, at - 60), at);
    if (
      (DESCRIPTOR_BEFORE_RE.test(before) && wordBoundary(text, end)) ||
      APPOSITIVE_AFTER_RE.test(after) ||
      CORPORATE_SUFFIX_AFTER_RE.test(after)
    )
      return true;
    // "Crestline Foods, the Kansas City-based maker": the first word of a company's full name.
    const rest = NAME_REST_RE.exec(after);
    if (rest && APPOSITIVE_AFTER_RE.test(after.slice(rest[0].length))) return true;
  }
  return false;
}
/** The other words of a name: " Foods", " Freight Systems". */
const NAME_REST_RE = /^(?:\s+\p{Lu}[\p{L}&'’-]*){1,3}/u;
/** Where a regex's \b would match: a word character on one side only. */
function wordBoundary(text: string, i: number): boolean {
  return /\w/.test(text[i - 1] ?? '') !== /\w/.test(text[i] ?? '');
}
/**
 * "chipmaker Nexperia", "the Dutch newspaper de Volkskrant": a trade noun right before the name, perhaps past an
 * article of the name's language.
 */
const DESCRIPTOR_BEFORE_RE = new RegExp(`\\b${ORG_DESCRIPTOR}\\s+(?:${L.alt('nameArticles')}\\s+)?$`);
/** "Nexperia, a Dutch chipmaker". */
const APPOSITIVE_AFTER_RE = new RegExp(`^,\\s+(?:an?|the)\\s+(?:[\\w-]+\\s+){0,4}?${ORG_DESCRIPTOR}\\b`);
/** "Caesars Entertainment Inc", "Nexperion's network", "Nexperion shares": a company by what it has. */
const CORPORATE_SUFFIX_AFTER_RE =
  /^\s+(?:Inc|Corp|Corporation|Ltd|Limited|LLC|Holdings|PLC|plc|AG|SA|GmbH|NV|ASA)\b/;
const OWNED_AFTER_RE =
  /^(?:['’]s|['’])\s+(?:own\s+|corporate\s+|internal\s+)?(?:network|networks|systems|servers|customers|clients|employees|shares|stock|website|operations|headquarters|chief executive|ceo|spokesperson|spokesman|spokeswoman|regulatory filing|filing)\b/i;

const ASSET_NOUN =
  '(?:systems?|networks?|servers?|customers|clients|employees|data|website|operations|platform|services|infrastructure|accounts|email)';

/** The first company the text introduces by its trade ("chipmaker Nexperia", "Acme Corp, a US insurer"). */
export function introducedOrg(text: string, exclude: ReadonlySet<string> = new Set()): string | null {
  const name = '((?:\\p{Lu}[\\p{L}\\d&.-]*\\s){0,3}\\p{Lu}[\\p{L}\\d&.-]*)';
  const patterns = [
    new RegExp(`\\b${ORG_DESCRIPTOR}\\s+${name}`, 'gu'),
    new RegExp(`${name},\\s+(?:an?|the)\\s+(?:[\\w-]+\\s+){0,4}?${ORG_DESCRIPTOR}\\b`, 'gu'),
    // "Halden Shipping's booking systems": a company by what it owns.
    new RegExp(`${name}['’]s\\s+(?:[\\p{Ll}-]+\\s+)?${ASSET_NOUN}\\b`, 'gu'),
  ];
  const found = patterns
    .flatMap((re) => [...text.matchAll(re)])
    .map((m) => {
      const words = (m[1] ?? '').split(/\s+/);
      while (words.length > 0 && NOT_NAMES.has(words[0] ?? '')) words.shift();
      return { at: m.index, org: words.join(' ') };
    })
    // A threat group introduced as "a hacking unit" is not the company of the story.
    .filter((x) => x.org.length >= 3 && !exclude.has(nameKey(x.org)))
    .sort((x, y) => x.at - y.at)[0];
  return found?.org ?? null;
}

/** "Trump" → "Donald Trump" when the article names the person in full elsewhere. */
function fullName(name: string, text: string): string {
  if (name.includes(' ')) return name;
  const m = new RegExp(
    `\\b([A-Z][a-z]+(?: [A-Z]\\.)?) ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`,
  ).exec(text);
  const first = m?.[1] ?? '';
  if (!m || NOT_NAMES.has(first)) return name;
  if (TITLE_ONLY_RE.test(first)) return name;
  return `${first} ${name}`;
}

/**
 * Titles only companies give ("managing director", "chief executive"), not "president" or "director", nor the
 * "researcher" or "analyst" who may speak for no one but themselves.
 */
const GOV_TITLE_WORDS = new Set(L.words('governmentTitles').map((w) => w.toLowerCase()));
const CORPORATE_TITLE_NEAR = `(?:${TITLE_MODIFIER}\\s+)*(?:${L.words('corporateTitles')
  .filter(
    (w) => !GOV_TITLE_WORDS.has(w.toLowerCase()) && !/^(?:researcher|analyst|partner|principal)$/i.test(w),
  )
  .map((w) => escapeRegex(w).replace(/\s+/g, '\\s+'))
  .join('|')})`;
/**
 * "Managing director Jane Roe said ...", "..., chief executive Jane Roe wrote": a person the text names with a
 * company title speaks for a body; beside other parties, the person is no party of their own.
 */
export function withoutTitledPersons(parties: AttributingParty[], text: string): AttributingParty[] {
  if (!parties.some((p) => p.kind !== 'person' && p.kind !== 'unnamed')) return parties;
  // ("According to Rainer": a surname alone, read as an organisation, is the same person.)
  return parties.filter((p) => {
    if (p.kind !== 'person' && (p.kind !== 'organization' || p.name.includes(' '))) return true;
    const name = escapeRegex(p.name);
    for (const m of text.matchAll(
      new RegExp(String.raw`(?:\p{Lu}\p{Ll}[\p{L}'’-]*\s+){0,2}${name}\b`, 'gu'),
    )) {
      const before = COMPANY_TITLE_BEFORE_RE.exec(text.slice(Math.max(0, m.index - 80), m.index));
      const after = COMPANY_TITLE_AFTER_RE.exec(
        text.slice(m.index + m[0].length, m.index + m[0].length + 80),
      );
      // "Larkspur chief executive Jane Roe", "Jane Roe, chief executive of Larkspur": the person speaks for a
      // company the text names with the title; they stay until that company can take their place.
      const company =
        (before && /\p{Lu}[\p{L}\d&-]*\s+$/u.test(before[1] ?? '')) ||
        (after && /^\s+of\s+\p{Lu}/u.test(after[2] ?? ''));
      if ((before || after) && !company) return false;
    }
    return true;
  });
}
/** "Managing director ", "chief executive, ": a company title right before a name (and what comes before it). */
const COMPANY_TITLE_BEFORE_RE = new RegExp(String.raw`(^|[\s\S]*?)\b${CORPORATE_TITLE_NEAR}\s*,?\s+$`, 'i');
/** ", the utility's managing director", ", chief executive of Acme": a company title right after a name. */
const COMPANY_TITLE_AFTER_RE = new RegExp(
  String.raw`^,\s+(?:the\s+|its\s+)?(?:\w+['’]s\s+)?(${CORPORATE_TITLE_NEAR})\b(\s+of\s+\S+)?`,
  'i',
);

/**
 * One party under two names in one article: "Uber" and "Uber Technologies", "M&S" beside "Marks &
 * Spencer", a ticker in parentheses ("Acme (ACME.L)"). The name the text uses first and in full stays.
 */
export function mergePartyNames(
  named: AttributingParty[],
  text: string,
  knownNames: ReadonlySet<string> = new Set(),
): AttributingParty[] {
  const cut = text.indexOf('\n');
  const [title, body] = [text.slice(0, cut), text.slice(cut + 1)];
  const parties = named.map((p) => {
    if (p.kind !== 'organization' && p.kind !== 'person') return p;
    const name = inFull(p.name, title, body, knownNames);
    // ("Three Herons" reads like a person until the text writes "Three Herons Brewing Co.")
    return p.kind === 'organization' || ORG_IN_NAME_RE.test(name) || COMPANY_SUFFIX_END_RE.test(name)
      ? { ...p, name, kind: 'organization' as const }
      : p;
  });
  const out: AttributingParty[] = [];
  const tickers = new Set<string>();
  for (const m of text.matchAll(/\(([A-Z]{1,5}\.[A-Z]{1,2}|[A-Z]{1,5}:[A-Z]{1,5})\)/g))
    if (m[1]) tickers.add(m[1]);
  for (const p of parties) {
    if (tickers.has(p.name)) continue;
    const k = nameKey(p.name);
    const same = out.findIndex((o) => {
      if (o.kind === 'government' || p.kind === 'government' || o.kind === 'unnamed' || p.kind === 'unnamed')
        return false;
      const ok = nameKey(o.name);
      return (
        ok.startsWith(`${k} `) ||
        k.startsWith(`${ok} `) ||
        initialsOf(o.name) === p.name.replace(/[^\p{Lu}&]/gu, '') ||
        initialsOf(p.name) === o.name.replace(/[^\p{Lu}&]/gu, '')
      );
    });
    if (same < 0) {
      out.push(p);
      continue;
    }
    const o = out[same];
    // Keep the shorter of "Uber" / "Uber Technologies"; keep the spelled-out name over initials.
    if (o && isInitials(o.name) && !isInitials(p.name)) out[same] = p;
    else if (o && !isInitials(p.name) && nameKey(p.name).length < nameKey(o.name).length) out[same] = p;
  }
  return out;
}

/**
 * "Crestline Foods, the Kansas City-based maker ..." then "Crestline said": an organisation is introduced by its
 * full name, the first time the text names it, and called by its first words after. (A headline that calls it
 * by the short name gives the name it goes by: "Uber blames ..." over "Uber Technologies said".)
 */
function inFull(name: string, title: string, body: string, knownNames: ReadonlySet<string>): string {
  const at = wordAt(body, name);
  if (at < 0) return name;
  // "the City of Fairbourne" then "Fairbourne said": a local government by its kind and its place.
  const local = LOCAL_GOVERNMENT_BEFORE_RE.exec(body.slice(Math.max(0, at - 20), at));
  if (local?.[1]) return localGovernmentName(local[1], name);
  const full = fullFormIn(name, at, body);
  if (full === name) return name;
  // ("SolarWinds Orion", "Okta Verify": a product or a group the text names is no company's full name.)
  const key = ` ${nameKey(full)} `;
  for (const k of knownNames) if (k.includes(' ') && key.includes(` ${k} `)) return name;
  const inTitle = wordAt(title, name);
  return inTitle >= 0 && !title.startsWith(full, inTitle) ? name : full;
}
/** Where `name` first stands as a whole word in `text`, or -1. */
function wordAt(text: string, name: string): number {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1))
    if (!/[\p{L}\d]/u.test(text[at - 1] ?? '') && !/[\p{L}\d]/u.test(text[at + name.length] ?? '')) return at;
  return -1;
}

function fullFormIn(name: string, at: number, body: string): string {
  const first = at >= 0 ? { index: at, 0: name } : null;
  if (!first) return name;
  const after = body.slice(first.index + first[0].length);
  // "Three Herons Brewing Co.": a company suffix keeps its full stop.
  if (COMPANY_SUFFIX_END_RE.test(name) && after.startsWith('.')) return `${name}.`;
  const rest = FULL_NAME_REST_RE.exec(after);
  if (!rest) return name;
  const words = rest[1]?.trim().split(/\s+/) ?? [];
  const kept: string[] = [];
  for (const w of words) {
    if (NOT_NAMES.has(w) || CALENDAR_WORD_RE.test(w) || TITLE_ONLY_RE.test(w)) break;
    kept.push(w);
  }
  if (kept.length === 0) return name;
  const full = `${name} ${kept.join(' ')}`;
  // Only a name that reads as an organisation's: introduced by an apposition or a parenthesis ("Crestline Foods,
  // a Kansas City maker"), or ending in an organisation's word ("Halvorsen Freight Systems", "Valley Lutheran
  // Health"), never a product or a headline's words ("SolarWinds Orion software", "Okta Says Chinese State").
  const complete = kept.length === words.length;
  const tail = complete ? after.slice(rest[0].length) : '';
  const introduced = complete && /^(?:,\s+(?:an?|the)\s|\s*\()/.test(tail);
  const orgWord = ORG_IN_NAME_RE.test(kept[kept.length - 1] ?? '') || INSTITUTION_END_RE.test(full);
  // (A name that ends its phrase: "from Singapore-based Kestrel Exchange to TraderTraitor".)
  const ends = complete && NAME_PHRASE_END_RE.test(tail);
  if (!introduced && !orgWord && !ends && !(complete && rest[2])) return name;
  return complete && rest[2] ? `${full}.` : full;
}
/** What follows a name that ends its phrase: a mark, a preposition, a conjunction or a verb of saying or being. */
const NAME_PHRASE_END_RE =
  /^(?:[,.;:)]|\s+(?:to|in|on|at|of|for|from|and|or|with|by|said|says|told|has|have|had|was|is|were|are|which|that|who)\b)/;
const COMPANY_SUFFIX_END_RE = /\b(?:Co|Inc|Ltd|Corp|Bros)\.?$/;
const FULL_NAME_REST_RE =
  /^((?:[ \t]+(?:&[ \t]+)?\p{Lu}[\p{L}&'’-]*){1,3})(?![\p{L}\d'’-])(?:(?<=\b(?:Co|Inc|Ltd|Corp|Bros))(\.))?/u;

function isInitials(name: string): boolean {
  return /^[\p{Lu}&.]{2,6}$/u.test(name.replace(/\s+/g, ''));
}

function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter((w) => /^\p{Lu}/u.test(w) || w === '&');
  if (words.length < 2) return '';
  return words.map((w) => (w === '&' ? '&' : w[0])).join('');
}

/** The company the story is about; worked out once per article, when first asked. */
export function mainOrgOf(ctx: PartyContext): string | null {
  if (ctx.mainOrg === undefined) ctx.mainOrg = mainOrganization(ctx.extraction);
  return ctx.mainOrg;
}

/** A writer's name in a byline ("By Jane Roe,") or an author's note ("Jane Roe covers education for"). */
const BYLINE_NAME_RE =
  /(?:^|[—–|]\s*)By\s+(\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+){1,2})\b(?!\s+\p{Ll})|^(\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+){1,2})\s+(?:covers|writes\s+about|is\s+a\s+(?:staff\s+)?(?:reporter|writer|correspondent))\b/gu;

/** The last word of an institution's name: "Millbrook Unified School District", "Valley Regional Medical Center". */
const INSTITUTION_END_RE =
  /\b(?:District|Schools?|Hospital|Clinic|Council|Authority|Health|Cent(?:er|re)|College|County|Municipality)$/;

function mainOrganization(extraction: Extraction): string | null {
  // A company named in full more than once ("Halden Shipping" ... "Halden Shipping's systems") is the
  // one the story is about; a person is named in full once and by surname after.
  const runs = new Map<string, number>();
  const words = new Map<string, number>();
  for (const s of extraction.sentences) {
    let run: string[] = [];
    const flush = (): void => {
      if (run.length >= 2) runs.set(run.join(' '), (runs.get(run.join(' ')) ?? 0) + 1);
      run = [];
    };
    for (let i = 0; i < s.tokens.length; i++) {
      const t = s.tokens[i];
      if (!t) continue;
      // The cheap tests first: most tokens are not capitalised (a lower-case ASCII letter, a digit, a sign).
      const first = t.raw.charCodeAt(0);
      const capital =
        ((first >= 65 && first <= 90) || first > 127) &&
        /^\p{Lu}[\p{Ll}]{1,}$/u.test(t.raw) &&
        !NOT_NAMES.has(t.raw) &&
        t.wordStart &&
        !s.mentions.some((m) => m.start <= t.start && m.end >= t.end);
      if (!capital) {
        flush();
        continue;
      }
      if (/^\p{Lu}[\p{Ll}]{2,}$/u.test(t.raw)) words.set(t.raw, (words.get(t.raw) ?? 0) + 1);
      const joined =
        i > 0 && !/[^\s]/.test(s.text.slice((s.tokens[i - 1]?.end ?? 0) - s.start, t.start - s.start));
      if (!joined) flush();
      run.push(t.raw);
    }
    flush();
  }
  // The writer is named in the byline, a photo credit and the author's note, but the story is not about them.
  for (const s of extraction.sentences)
    for (const m of s.text.matchAll(BYLINE_NAME_RE)) {
      const writer = m[1] ?? m[2] ?? '';
      runs.delete(writer);
      for (const w of writer.split(' ')) words.delete(w);
    }
  const bestRun = [...runs.entries()].sort((a, b) => b[1] - a[1])[0];
  const best = [...words.entries()].sort((a, b) => b[1] - a[1])[0];
  if (best && best[1] >= 3 && (!bestRun || bestRun[1] < 2 || best[1] > bestRun[1] + 1))
    // ("Millbrook Unified School District", then "Millbrook": the name it was introduced by.)
    // (Only a name that says it is a body: "Rackspace Hosted Exchange" is its product.)
    return (
      [...runs.keys()].find(
        (r) =>
          r.startsWith(`${best[0]} `) &&
          (ORG_IN_NAME_RE.test(r.slice(r.lastIndexOf(' ') + 1)) || INSTITUTION_END_RE.test(r)),
      ) ?? best[0]
    );
  return bestRun && bestRun[1] >= 2 ? bestRun[0] : null;
}
