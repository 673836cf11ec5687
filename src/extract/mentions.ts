/**
 * Article → Extraction: sentences with their tokens, dictionary mentions (case and context rules
 * applied), CVE ids, and names that follow a vendor naming scheme but are not in the dictionary yet.
 */
import type { Article } from './article.js';
import { type CveMention, findCves } from './cves.js';
import type { Knowledge, PatternRef } from './knowledge.js';
import { escapeRegex, lexicon } from './lexicon.js';
import { type Sentence, splitSentences } from './sentences.js';
import { nameKey, type Token, tokenize } from './tokens.js';
import { type TrieMatch, trieMatchAll } from './trie.js';

export interface Mention {
  ref: PatternRef;
  sentence: number;
  /** Token range inside the sentence. */
  from: number;
  to: number;
  /** Character offsets in the title (sentence 0 when `isTitle`) or the text. */
  start: number;
  end: number;
  surface: string;
}

/** A name that follows a vendor naming scheme ("Plum Typhoon", "Storm-1234") but is not in the dictionary. */
export interface SchemeMention {
  name: string;
  sentence: number;
  start: number;
  end: number;
  country: string | null;
  vendor: string;
}

export interface SentenceInfo extends Sentence {
  tokens: Token[];
  mentions: Mention[];
  schemeMentions: SchemeMention[];
  cves: CveMention[];
  /** The sentence talks about hacking or cyber security. */
  security: boolean;
  /** The sentence goes on with the deed of the security sentence before it ("Using that access, they ..."). */
  continuesAttack: boolean;
}

export interface Extraction {
  sentences: SentenceInfo[];
  /** ISO2 of a dateline city ("OSLO, May 2 (NTB) --"), if any. */
  datelineCountry: string | null;
  /** Where the dateline ("WASHINGTON (AP) --") ends: names inside it are credits, not parties. */
  datelineEnd: number;
  /** Sentences with security vocabulary. */
  securitySentences: number;
  cves: string[];
}

/** Security vocabulary (the lexicon's securityWords) and numbered APT names ("APT41"). */
export const SECURITY_RE = new RegExp(`\\b(?:${lexicon.alt('securityWords')}|apt\\d+)(?![\\w])`, 'i');
/**
 * A sentence whose subject points back at the doers of the sentence before ("They then ...", "Police say they
 * ...", "From there, the pair ...", "Using that access, the gang ..."): an opening phrase of a few words may come
 * first. (Not staff who say they did something: "Staff said they logged in to Teams".)
 */
const ANAPHORIC_DOER_RE =
  /^(?:[\w'’-]+(?:\s+[\w'’-]+){0,5},\s+|(?:from there|after that|once inside|then|later|next)\s+|(?!(?:[\w'’-]+\s+){0,3}(?:staff|employees|workers|managers|engineers|users|administrators|nurses|doctors|teachers|residents|customers)\s)(?:[\w'’-]+\s+){1,4}(?:said|say|says|believe|believes|allege|alleges|think|thinks)\s+(?:that\s+)?)?(?:they|he|she|the\s+(?:pair|duo|trio|group|gang|crew|suspects?|actors?|operators?|criminals?|teenagers?|men|perpetrators?))\s+(?:then\s+|later\s+|also\s+|allegedly\s+|(?:may|might|could|probably|likely)\s+(?:have\s+)?)?[a-z]+(?:ed|t)\b/i;
const GROUP_CUES = new Set(
  'ransomware gang gangs group groups crew operators operation affiliate affiliates actor actors hackers hacker hacking apt cartel collective extortion syndicate dubbed tracked known aka called named threat team'.split(
    ' ',
  ),
);
/** Family names are also malware names: only a group word makes them a group ("the Akira gang", not "WannaCry ransomware"). */
const RANSOM_CUES = lexicon.set('ransomGroupCues');
/** Nouns after a bare product word that show a deployed product ("Confluence servers"). */
const DEPLOYMENT_NOUNS = new Set(
  'server servers instance instances installation installations deployment deployments appliance appliances gateway gateways host hosts tenant tenants environment environments'.split(
    ' ',
  ),
);
/** Words that end a component or hardware name after a product ("Windows Error Reporting Service", "Exchange Online", "Edge Series PLCs"). */
const COMPONENT_HEADS = lexicon.exact('componentHeads');
/** A hardware or release model code: "RV320", "C7", "AX1800", "DIR-859". */
export const MODEL_CODE_RE = /^(?=[A-Za-z\d-]*\d)[A-Z][A-Za-z\d]*(?:-[A-Za-z\d]+)*$/;
const NOT_MODEL_RE = /^(?:CVE-|Q[1-4]$|H[12]$|FY\d|G\d+$|COVID|MS\d)/;
const EXT_WORD_RE = /^\s+([A-Z][A-Za-z\d]*(?:-[A-Za-z\d]+)*)(?![\w'’-])/;

/**
 * The capitalised words after a product or vendor name that make a component or a model of it
 * ("Windows" + "Error Reporting Service", "Exchange" + "Online", "Archer" + "C7"): up to four words,
 * ending in a component noun or a model code. `from` is an offset in `text`; `end` is where it stops.
 */
export function componentExtension(
  text: string,
  from: number,
): { words: string[]; end: number; model: boolean } | null {
  const words: string[] = [];
  const ends: number[] = [];
  let at = from;
  while (words.length < 4) {
    const m = EXT_WORD_RE.exec(text.slice(at));
    if (!m?.[1]) break;
    words.push(m[1]);
    at += m[0].length;
    ends.push(at);
  }
  const isModel = (w: string): boolean => MODEL_CODE_RE.test(w) && !NOT_MODEL_RE.test(w);
  let last = -1;
  for (let i = 0; i < words.length; i++)
    if (COMPONENT_HEADS.has(words[i] ?? '') || isModel(words[i] ?? '')) last = i;
  if (last < 0) return null;
  const kept = words.slice(0, last + 1);
  return { words: kept, end: ends[last] ?? from, model: kept.some(isModel) };
}

const WEATHER_WORDS = lexicon.exact('schemeFalsePrefixes');
/** A flaw's "in", and the names of a list after it: "a flaw in", "bugs in Chrome, Android and". */
const FLAW_OBJECT_BEFORE_RE =
  /\b(?:(?:flaws?|bugs?|vulnerabilit(?:y|ies)|zero-days?|holes?|weakness(?:es)?)\s+(?:[\w-]+\s+){0,3}?(?:in|across|affecting)|(?:fix(?:es)?|patch(?:es)?|updates?)\s+for)\s+(?:(?:[a-z][\w-]*\s+){0,3}(?:such as|like|including)\s+)?(?:the\s+|its\s+|their\s+)?(?:[\p{Lu}][\w.-]*(?:\s+[\p{Lu}\d][\w.-]*)*\s*,\s*(?:and\s+|or\s+)?|[\p{Lu}][\w.-]*(?:\s+[\p{Lu}\d][\w.-]*)*\s+(?:and|or)\s+)*$/u;
/**
 * "accessed internal tools like G Suite and Slack", "breached systems such as Jira and Confluence": a named
 * service or tool in the list of what intruders got into.
 */
const REACHED_LIST_BEFORE_RE =
  /\b(?:access\w*|reach\w*|breach\w*|compromis\w*|took over|hijack\w*|broke into|got into|infiltrat\w*)\b[^.;,]{0,60}\b(?:tools|systems|services|apps|applications|platforms|accounts)\s+(?:like|such as|including)\s+(?:\p{Lu}[\w.-]*(?:\s+\p{Lu}[\w.-]*)*\s*(?:,\s*(?:and\s+)?|\s+and\s+))*$/u;
export function reachedByIntruders(s: SentenceInfo, start: number): boolean {
  const before = s.text.slice(Math.max(0, start - s.start - 140), start - s.start);
  // "never reached tools such as ...": what they did not get into.
  return REACHED_LIST_BEFORE_RE.test(before) && !/\b(?:not|never|no|without)\b|n['’]t\b/i.test(before);
}

/** The name starting at `start` is a flaw's object or listed after one ("flaws in Windows, Office and Azure"). */
export function isFlawObject(s: SentenceInfo, start: number): boolean {
  return FLAW_OBJECT_BEFORE_RE.test(s.text.slice(Math.max(0, start - s.start - 80), start - s.start));
}
/** "our Slack workspace", "Teams channels": what a service holds for its users makes the word the service. */
const SERVICE_HOLDINGS = lexicon.set('serviceHoldingNouns');
/** Flaw nouns that can follow a product's name directly ("a Zimbra zero-day", "Confluence bugs"). */
const FLAW_HEADS = new Set([
  'zero',
  'zero-day',
  'zero-days',
  'flaw',
  'flaws',
  'bug',
  'bugs',
  'vulnerability',
  'vulnerabilities',
  'exploit',
  'exploits',
]);
/** "Tick, a Chinese cyber-espionage group": an apposition that says the name is a group. */
const APPOSITIVE_GROUP_RE =
  /^,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,4}?(?:group|gang|crew|collective|actor|cluster|APT|(?:ransomware|extortion|hacking|cybercrime|RaaS|ransomware-as-a-service)\s+(?:operation|outfit|brand|syndicate|service))\b/i;
const ACTOR_WORDS_RE = lexicon.re('actorContextWords');

/** Nouns after a product written in lower case that still make it the product ("esxi hosts", "print spooler bug"). */
const LOWER_PRODUCT_NEXT = new Set([
  ...lexicon.set('deploymentNouns'),
  ...'bug bugs flaw flaws vulnerability vulnerabilities service component feature zero day'.split(' '),
]);

const GENERIC_PRODUCT_WORDS = lexicon.set('genericProductWords');

function caseOk(ref: PatternRef, tokens: readonly Token[], from: number, to: number): boolean {
  if (ref.caseMode === 'any') return true;
  // "military unit 26165": a unit's number names it however the words around it are written.
  if (ref.type === 'actor' && /^unit \d{4,}$/i.test(ref.surface.replace(/^(?:military|pla|gru)\s+/i, '')))
    return true;
  if (ref.caseMode === 'capital') return /^\p{Lu}/u.test(tokens[from]?.raw ?? '');
  const pat = ref.caseTokens;
  // A product name written all in lower case counts before a deployment or flaw noun.
  if (
    ref.type === 'product' &&
    tokens.slice(from, to).every((t) => t.raw === t.norm) &&
    (to - from >= 2 || /\p{Ll}\p{Lu}|\p{Lu}{2}/u.test(ref.surface)) &&
    !tokens.slice(from, to).every((t) => GENERIC_PRODUCT_WORDS.has(t.norm)) &&
    LOWER_PRODUCT_NEXT.has(tokens[to]?.norm ?? '')
  )
    return true;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    const p = pat[i - from];
    if (!t || p === undefined) return false;
    if (ref.caseMode === 'exact') {
      if (t.raw !== p) return false;
    } else if (/^\p{Lu}/u.test(p) && !/^[\p{Lu}\p{N}]/u.test(t.raw)) return false;
  }
  return true;
}

/** A group noun right after a plain-word name makes it a group's name: "the Sandworm group", "the Lazarus crew". */
const GROUP_NOUNS_AFTER_NAME = lexicon.set('groupNounsAfterName');

function windowHas(
  tokens: readonly Token[],
  from: number,
  to: number,
  span: number,
  cues: ReadonlySet<string>,
): boolean {
  for (let i = Math.max(0, from - span); i < Math.min(tokens.length, to + span); i++) {
    if (i >= from && i < to) continue;
    const t = tokens[i];
    if (t && cues.has(t.norm)) return true;
  }
  return false;
}

/** An exchange before a ticker: "NYSE: ", "(Nasdaq:". */
const TICKER_BEFORE_RE = /\b(?:NYSE|Nasdaq|NASDAQ|LSE|TSX|ASX|HKEX|Euronext)\s*:\s*$/;
/** A one-word name written as a stock ticker: after an exchange, or with a market suffix ("ACN.N"). */
function isTicker(s: SentenceInfo, tok: Token | undefined, next: Token | undefined): boolean {
  if (!tok || !/^[A-Z]{2,5}$/.test(tok.raw)) return false;
  if (TICKER_BEFORE_RE.test(s.text.slice(Math.max(0, tok.start - s.start - 12), tok.start - s.start)))
    return true;
  return (
    next !== undefined &&
    next.start === tok.end + 1 &&
    s.text[tok.end - s.start] === '.' &&
    /^[A-Z]{1,2}$/.test(next.raw)
  );
}

function contextOk(
  ref: PatternRef,
  s: SentenceInfo,
  m: TrieMatch<PatternRef>,
  vendorsInText: Set<string>,
  knowledge: Knowledge,
  articleSecurity: number,
  articleText = '',
  confirmedActors: ReadonlySet<number> = new Set(),
): boolean {
  const toks = s.tokens;
  // "Accenture (NYSE: ACN)", "(ACN.N)": a company's ticker, not the body whose acronym it shares.
  if (ref.type === 'party' && m.to - m.from === 1 && isTicker(s, toks[m.from], toks[m.to])) return false;
  if (ref.type === 'actor') {
    const shout = toks
      .slice(m.from, m.to)
      .every((t) => t.raw.length >= 3 && t.raw === t.raw.toUpperCase() && /\p{L}/u.test(t.raw));
    // "Operation Medusa": a police or military operation's name, not the group of that name.
    if (toks[m.from - 1]?.raw === 'Operation') return false;
    // "Silicon Valley", "Turla Mining", "Royal Mail": a capitalised word after a one-word name makes another name.
    const next = toks[m.to];
    const last = toks[m.to - 1];
    const longerName =
      m.to - m.from === 1 &&
      next !== undefined &&
      last !== undefined &&
      /^\p{Lu}/u.test(next.raw) &&
      !GROUP_CUES.has(next.norm) &&
      !/[,;:.()"“”]/.test(s.text.slice(last.end - s.start, next.start - s.start));
    if (ref.cue === 'ransomware') return !longerName && windowHas(toks, m.from, m.to, 2, RANSOM_CUES);
    const tail = last?.end ?? s.start;
    if (ref.cue === 'group')
      return (
        !longerName &&
        (windowHas(toks, m.from, m.to, 3, GROUP_CUES) ||
          (shout && s.security) ||
          APPOSITIVE_GROUP_RE.test(s.text.slice(tail - s.start, tail - s.start + 80)))
      );
    if (ref.plainWord) {
      if (longerName) return false;
      // Element names of the old Microsoft scheme (STRONTIUM, SILICON) are ordinary words unless shouted or cued.
      if (/^\p{Lu}{6,}$/u.test(ref.surface) && !shout && !windowHas(toks, m.from, m.to, 3, GROUP_CUES))
        return false;
      // One ordinary word needs a security sentence or a clearly security article; several capitalised words less
      // so. A name the article has already used as an actor elsewhere keeps that sense; a state organ (the FSB)
      // is that organ in any security article (whether it acted is for the attribution rules to say).
      return (
        s.security ||
        GROUP_NOUNS_AFTER_NAME.has(toks[m.to]?.norm ?? '') ||
        articleSecurity >= (m.to - m.from > 1 ? 1 : 3) ||
        confirmedActors.has(ref.id) ||
        (articleSecurity >= 1 && knowledge.actors[ref.id]?.organ === true)
      );
    }
    return true;
  }
  if (ref.type === 'product') {
    if (knowledge.products[ref.id]?.exclude) return false;
    const prevTok = toks[m.from - 1];
    // A platform in a list of platforms ("for Mac, Linux and Windows") is not an affected product.
    if (
      ref.needsVendor &&
      prevTok &&
      (prevTok.norm === 'for' || prevTok.norm === 'on') &&
      /\b(mac|macos|linux|android|ios)\b/i.test(s.text)
    )
      return false;
    if (!ref.needsVendor) return true;
    const vendor = knowledge.products[ref.id]?.vendor ?? '';
    const next = toks[m.to];
    // "unpatched Confluence servers", "Exchange instances": a deployment noun makes the word a product.
    // "a Zimbra zero-day", "Confluence flaws": a flaw noun right after the word makes it the product too.
    const deployed =
      next !== undefined &&
      (DEPLOYMENT_NOUNS.has(next.norm) || FLAW_HEADS.has(next.norm) || SERVICE_HOLDINGS.has(next.norm)) &&
      s.security;
    // "installed Radmin for remote access": a remote-access tool is named by its use, not its vendor.
    const toolUse =
      knowledge.products[ref.id]?.role === 'tool' &&
      /\b(?:remote[- ](?:access|desktop|management|monitoring|administration|control)|rmm|install(?:ed|ing|s)?|deploy(?:ed|ing|s)?)\b/i.test(
        s.text,
      );
    // "bugs in Chrome, Android and Gmail": the object of a flaw, or a name listed after it.
    const at = toks[m.from]?.start ?? s.start;
    const flawObject = s.security && (isFlawObject(s, at) || reachedByIntruders(s, at));
    if (
      !deployed &&
      !toolUse &&
      !flawObject &&
      !vendorsInText.has(nameKey(vendor)) &&
      !articleText.includes(vendor)
    )
      return false;
    // "Securities and Exchange Commission": a capitalised word after the name belongs to another name.
    if (
      next &&
      /^\p{Lu}/u.test(next.raw) &&
      !/[,;:.]/.test(s.text.slice(toks[m.to - 1]!.end - s.start, next.start - s.start)) &&
      !(s.security && componentExtension(s.text, toks[m.to - 1]!.end - s.start))
    )
      return false;
    const prev = toks[m.from - 1];
    // "Tokyo Stock Exchange", "Bitcoin Exchange": a capitalised word before the name that is not the vendor.
    // ("Jira, Confluence": a list separator keeps them apart.)
    const joined = prev !== undefined && !/[,;:()]/.test(s.text.slice(prev.end - s.start, at - s.start));
    if (
      prev &&
      joined &&
      /^\p{Lu}/u.test(prev.raw) &&
      prev.norm !== nameKey(vendor) &&
      m.from > 0 &&
      prev.norm !== 's'
    )
      return false;
    // "the State Attorney's Office": a possessive owner that is not the vendor makes another name.
    const owner = toks[m.from - 2];
    if (
      prev?.norm === 's' &&
      owner &&
      /^\p{Lu}/u.test(owner.raw) &&
      owner.norm !== nameKey(vendor).split(' ').pop()
    )
      return false;
    return true;
  }
  // "New Jersey", "New Mexico": a country's name inside a longer place name.
  if (ref.type === 'country' && toks[m.from - 1]?.raw === 'New') return false;
  return true;
}

const TYPE_PRIORITY: Record<PatternRef['type'], number> = { actor: 0, product: 1, party: 2, country: 3 };

function resolveOverlaps(found: { m: TrieMatch<PatternRef>; ok: boolean }[]): TrieMatch<PatternRef>[] {
  const all = found.filter((f) => f.ok).map((f) => f.m);
  // "Microsoft's Office 365": of two product names that overlap in part, the one that runs on to the
  // later word names the product ("Office 365"); the earlier is its vendor's possessive.
  const ok = all.filter(
    (a) =>
      a.value.type !== 'product' ||
      !all.some(
        (b) => b !== a && b.value.type === 'product' && b.from > a.from && b.from < a.to && b.to > a.to,
      ),
  );
  // Longest first; at equal length a name that opens with an article ("the North") yields to one that
  // does not ("North Korean"), then dictionary priority, then the earlier one.
  const article = (m: TrieMatch<PatternRef>): number => (/^(?:the|a|an)\s/i.test(m.value.surface) ? 1 : 0);
  ok.sort(
    (a, b) =>
      b.to - b.from - (a.to - a.from) ||
      article(a) - article(b) ||
      TYPE_PRIORITY[a.value.type] - TYPE_PRIORITY[b.value.type] ||
      a.from - b.from,
  );
  const used: boolean[] = [];
  const keep: TrieMatch<PatternRef>[] = [];
  for (const m of ok) {
    let clash = false;
    for (let i = m.from; i < m.to; i++) if (used[i]) clash = true;
    // Same span, several readings (a country that is also a party): keep the first by priority only.
    if (clash) continue;
    for (let i = m.from; i < m.to; i++) used[i] = true;
    keep.push(m);
  }
  return keep.sort((a, b) => a.from - b.from);
}

const schemeRegexCache = new WeakMap<Knowledge, RegExp>();
/**
 * Vendor cluster names: the fixed patterns (Storm-0000, UNC0000, TA000, APT00, FIN00, TAG-00, APT-C-00,
 * CL-STA-0000, Cisco Talos's UAT-0000, CERT-UA's UAC-0000) and the suffix and prefix words of the naming schemes
 * in the dictionaries ("Volt Typhoon", "Fancy Bear", "Earth Lusca", "BRONZE BUTLER"); schemes the reference data
 * calls weak are left out.
 */
function schemeRegex(knowledge: Knowledge): RegExp {
  const cached = schemeRegexCache.get(knowledge);
  if (cached) return cached;
  const usable = knowledge.schemes.filter((sc) => sc.strength !== 'weak' && /^[A-Za-z]+$/.test(sc.token));
  const cased = (token: string): string[] => [
    ...new Set([token, token.toUpperCase(), token[0]?.toUpperCase() + token.slice(1).toLowerCase()]),
  ];
  const suffixes = usable.filter((sc) => sc.position === 'suffix').flatMap((sc) => cased(sc.token));
  const prefixes = usable
    .filter((sc) => sc.position === 'prefix')
    .map((sc) => (sc.token === sc.token.toUpperCase() ? `${sc.token} [A-Z]{3,}` : `${sc.token} [A-Z][a-z]+`));
  const re = new RegExp(
    String.raw`\b(?:(?<aptc>APT-C-\d{2,3})|(?<dev>(?:Storm|DEV)-\d{3,4})|(?<unc>UNC ?\d{3,5})|(?<ta>TA\d{3,4})|(?<apt>APT ?\d{1,3})|(?<fin>FIN\d{1,3})|(?<tag>TAG-\d{2,3})|(?<cl>CL-(?:STA|CRI|UNK)-\d{4})|(?<uat>UAT-?\d{4})|(?<uac>UAC-\d{4})` +
      (suffixes.length > 0 ? `|(?<suf>[A-Z][A-Za-z]+ (?:${suffixes.join('|')}))` : '') +
      (prefixes.length > 0 ? `|(?<pre>(?:${prefixes.join('|')}))` : '') +
      String.raw`)\b`,
    'g',
  );
  schemeRegexCache.set(knowledge, re);
  return re;
}

/** A system a coded-looking name labels: "its UAT-2025 test environment" (user-acceptance testing). */
const TEST_SYSTEM_AFTER_RE =
  /^\s+(?:test|testing|environment|environments|server|servers|system|systems|instance|build|phase|stage|site|database)\b/i;
/** "tracks the activity as", "is tracked as", "designated": a name given to a cluster follows. */
const TRACKED_AS_BEFORE_RE =
  /\b(?:tracks?|tracked|tracking|designates?|designated|labels?|labell?ed|refers?\s+to|referred\s+to)\s+(?:[\w-]+\s+){0,3}?as\s+["“]?$/i;
/** The words TRACKED_AS_BEFORE_RE needs: a cheap test for the whole sentence. */
const TRACKED_AS_RE = /\b(?:track|designat|label|refer)/i;
/** The fixed prefixes of coded cluster names. */
const CODED_NAME_HINT_RE = /\b(?:APT|Storm|DEV|UNC|TA\d|FIN\d|TAG-|CL-|UAT|UAC-)/;
const schemeTokenCache = new WeakMap<Knowledge, ReadonlySet<string>>();
/** Whether a sentence can hold a cluster name at all: a scheme's word, or a coded name's prefix. */
function schemeHint(s: SentenceInfo, knowledge: Knowledge): boolean {
  if (CODED_NAME_HINT_RE.test(s.text)) return true;
  let words = schemeTokenCache.get(knowledge);
  if (!words) {
    words = new Set(knowledge.schemes.map((sc) => sc.token.toLowerCase()));
    schemeTokenCache.set(knowledge, words);
  }
  return s.tokens.some((t) => words.has(t.norm));
}

/** "Mandiant / Google" → "Mandiant", "Palo Alto Networks Unit 42" → "Palo Alto Networks". */
function schemeVendor(vendor: string): string {
  return (vendor.split(' / ')[0] ?? vendor).replace(/\s+(?:Unit 42|Threat Intelligence Group)$/, '');
}

/** A word that makes a capitalised name a body or an organisation ("Water Authority", "Coast Guard"). */
export const BODY_NAME_WORD = lexicon.alt('governmentBodyWords', 'organizationWords', 'bodyNameWords');
/** "Water Authority" after a scheme's prefix is a utility, not a cluster. */
const BODY_WORD_RE = new RegExp(`^${BODY_NAME_WORD}$`, 'i');

/**
 * Vendor cluster names ("UNC1234", "Storm-0558") in a sentence about threat actors; elsewhere only the
 * names `confirmed` in such a sentence of the same article.
 */
function findSchemeNames(
  s: SentenceInfo,
  knowledge: Knowledge,
  known: Set<string>,
  confirmed?: ReadonlySet<string>,
  introducedElsewhere: readonly { name: string; re: RegExp }[] = [],
): SchemeMention[] {
  const eligible = s.security && ACTOR_WORDS_RE.test(s.text);
  // A coded name ("UAC-0000") is a cluster in any sentence about security, or where the text says it tracks it.
  const tracking = !eligible && TRACKED_AS_RE.test(s.text);
  if (!eligible && !confirmed?.size && !tracking && !s.security) return [];
  const out: SchemeMention[] = [];
  for (const m of schemeHint(s, knowledge) ? s.text.matchAll(schemeRegex(knowledge)) : []) {
    const name = m[0];
    if (known.has(nameKey(name))) continue;
    // ("its UAT-2025 test environment": user-acceptance testing, not Cisco Talos's cluster.)
    if (m.groups?.uat && TEST_SYSTEM_AFTER_RE.test(s.text.slice(m.index + name.length))) continue;
    const coded = !m.groups?.suf && !m.groups?.pre;
    const tracked =
      coded &&
      (s.security ||
        (tracking && TRACKED_AS_BEFORE_RE.test(s.text.slice(Math.max(0, m.index - 60), m.index))));
    if (!eligible && !tracked && !confirmed?.has(nameKey(name))) continue;
    const start = s.start + m.index;
    const end = start + name.length;
    // "Arctic Wolf", "Water Authority": a party's or a body's name is no cluster.
    if (s.mentions.some((x) => x.ref.type !== 'actor' && x.start < end && x.end > start)) continue;
    const words = name.split(/\s+/);
    const first = words[0] ?? '';
    if (m.groups?.suf && WEATHER_WORDS.has(first)) continue;
    if (m.groups?.pre && BODY_WORD_RE.test(words[1] ?? '')) continue;
    const token = m.groups?.suf ? (words[words.length - 1] ?? '') : m.groups?.pre ? first : '';
    const scheme = token
      ? knowledge.schemes.find(
          (sc) =>
            sc.position === (m.groups?.suf ? 'suffix' : 'prefix') &&
            sc.token.toLowerCase() === token.toLowerCase(),
        )
      : undefined;
    const vendor = scheme
      ? schemeVendor(scheme.vendor)
      : m.groups?.dev
        ? 'Microsoft'
        : m.groups?.unc || m.groups?.apt || m.groups?.fin
          ? 'Mandiant'
          : m.groups?.ta
            ? 'Proofpoint'
            : m.groups?.tag
              ? 'Recorded Future'
              : m.groups?.aptc
                ? 'Qihoo 360'
                : m.groups?.uat
                  ? 'Cisco'
                  : m.groups?.uac
                    ? 'CERT-UA'
                    : 'Palo Alto Networks';
    out.push({ name, sentence: s.index, start, end, country: scheme?.country ?? null, vendor });
  }
  // "a threat group it tracks as KAOLINITE", "a cluster dubbed RedCurl": a name the text gives a group.
  const introduced = eligible
    ? [...s.text.matchAll(INTRODUCED_NAME_RE), ...s.text.matchAll(GROUP_KIND_NAME_RE)].flatMap((m) => {
        const name = m.groups?.name ?? '';
        return name ? [{ name, at: m.index + m[0].length - name.length }] : [];
      })
    : [];
  for (const { name, re } of introducedElsewhere)
    for (const m of s.text.matchAll(re)) introduced.push({ name, at: m.index });
  for (const { name, at } of introduced) {
    const start = s.start + at;
    const end = start + name.length;
    const first = name.split(' ')[0] ?? '';
    // ("The Dark Overlord": a "The" that starts a name of several words.)
    if (known.has(nameKey(name)) || (NOT_INTRODUCED.has(first) && !/^The\s\S+\s/.test(name))) continue;
    if (out.some((o) => o.start < end && o.end > start)) continue;
    if (s.mentions.some((x) => x.start < end && x.end > start)) continue;
    out.push({ name, sentence: s.index, start, end, country: null, vendor: '' });
  }
  return out;
}

/**
 * A group's name given in the text: after "tracks as", "calls", "dubbed", "tracked as", "named". Names
 * are written like labels: upper case, CamelCase, a code with digits, or one or two capitalised words.
 */
const INTRODUCED_NAME_RE =
  /\b(?:group|actor|cluster|gang|crew|collective|adversary|intrusion set|operators?|activity)(?:\s+of\s+(?:malicious\s+)?activity)?,?\s+(?:(?:that|which)\s+)?(?:(?:it|they|we|researchers|the\s+(?:company|firm|researchers|vendor))\s+(?:now\s+)?(?:tracks|track|calls|call|dubs|dubbed|named|names|labels|refers\s+to)\s+(?:as\s+)?|(?:tracked|dubbed|called|named|designated|labell?ed)\s+(?:as\s+)?)["“]?(?<name>[A-Z][A-Z\d]{3,}(?:-\d+)?|[A-Z][a-z]+[A-Z][A-Za-z\d]*|[A-Z][A-Za-z]*-\d{2,5}|[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,3})\b/g;
/**
 * A name right after what the group is: "the hacker group The Dark Overlord", "the ransomware gang Qilin",
 * "an extortion crew called". Only after a kind of criminal or hacking group, so that "the group Microsoft
 * tracks" is read by INTRODUCED_NAME_RE; a leading "The" belongs to the name when capitalised words follow.
 */
const GROUP_KIND_NAME_RE =
  /\b(?:hacker|hacking|ransomware|extortion|cybercrime|cybercriminal|criminal|hacktivist|threat|espionage)\s+(?:group|gang|crew|collective|outfit|syndicate)\s+(?<name>(?:The\s+)?[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}|[A-Z][A-Z\d]{3,}|[A-Z][a-z]+[A-Z][A-Za-z\d]*)\b(?![\s-]+[A-Z\d])(?!\s+(?:said|says|told|reported|has|had|have|is|was)\b\s+(?:that\s+)?(?:the|it|its|a)\b)/g;
/** First words that are never a group's name. */
const NOT_INTRODUCED = new Set(['The', 'A', 'An', 'It', 'This', 'That', 'Operation', 'Microsoft', 'Google']);

function dateline(first: string, knowledge: Knowledge): string | null {
  const m = /^([A-Z][A-Z .'-]{2,30}?)(?:,|\s+[-–—(]|\s*$)/.exec(first);
  if (!m?.[1]) return null;
  return knowledge.capitals.get(nameKey(m[1])) ?? null;
}

function datelineEnd(first: Sentence): number {
  // ("SYDNEY/WASHINGTON, Feb 24 (Reuters) - ": datelines of several cities too.)
  const m = /^[A-Z][A-Z .'/-]{2,40}(?:,[^-–—(\n]{0,40})?\s*(?:\([^)]{1,40}\))?\s*(?:--|—|–|-)\s+/.exec(
    first.text,
  );
  // ("NCSC/CISA - Russian hackers ...": a slash without a date or an agency is a headline's sources.)
  if (m && /^[^,(]*\//.test(m[0]) && !/[,(]/.test(m[0])) return -1;
  return m ? first.start + m[0].length : -1;
}

export function extract(article: Article, knowledge: Knowledge): Extraction {
  const sentences: Sentence[] = [];
  const title = article.title?.trim();
  if (title) {
    const t = title;
    sentences.push({ index: 0, start: 0, end: t.length, text: t, isTitle: true });
  }
  sentences.push(...splitSentences(article.text, 0, sentences.length));

  // Every field written out (no spread), so that all sentences share one object shape.
  const infos: SentenceInfo[] = sentences.map((s) => ({
    index: s.index,
    start: s.start,
    end: s.end,
    text: s.text,
    isTitle: s.isTitle,
    tokens: tokenize(s.text, s.start),
    mentions: [],
    schemeMentions: [],
    cves: [],
    security: SECURITY_RE.test(s.text),
    continuesAttack: false,
  }));
  for (let i = 1; i < infos.length; i++) {
    const s = infos[i]!;
    const before = infos[i - 1]!;
    s.continuesAttack = !s.isTitle && !before.isTitle && before.security && ANAPHORIC_DOER_RE.test(s.text);
  }

  // Vendors named anywhere: single-word product names ("Exchange", "Windows") need their vendor nearby.
  const vendorsInText = new Set<string>();
  const raw: { s: SentenceInfo; found: TrieMatch<PatternRef>[] }[] = [];
  for (const s of infos) {
    const found = trieMatchAll(knowledge.trie, s.tokens);
    raw.push({ s, found });
    for (const f of found) {
      if (f.value.type === 'party' || (f.value.type === 'product' && !f.value.needsVendor)) {
        const name =
          f.value.type === 'party'
            ? knowledge.parties[f.value.id]?.name
            : knowledge.products[f.value.id]?.vendor;
        if (name && caseOk(f.value, s.tokens, f.from, f.to)) vendorsInText.add(nameKey(name));
      }
    }
  }
  const known = new Set<string>();
  const articleSecurity = infos.filter((x) => x.security).length;
  const articleText = `${article.title ?? ''}\n${article.text}`;
  const checkedBySentence = raw.map(({ s, found }) =>
    found.map((m) => ({
      m,
      ok:
        caseOk(m.value, s.tokens, m.from, m.to) &&
        contextOk(m.value, s, m, vendorsInText, knowledge, articleSecurity, articleText),
    })),
  );
  // One sense per article: an actor name accepted in a security sentence is the actor wherever it recurs.
  const confirmedActors = new Set(
    checkedBySentence.flat().flatMap(({ m, ok }) => (ok && m.value.type === 'actor' ? [m.value.id] : [])),
  );
  for (const [i, { s }] of raw.entries()) {
    const checked = (checkedBySentence[i] ?? []).map(({ m, ok }) => ({
      m,
      ok:
        ok ||
        (m.value.type === 'actor' &&
          confirmedActors.has(m.value.id) &&
          caseOk(m.value, s.tokens, m.from, m.to) &&
          contextOk(m.value, s, m, vendorsInText, knowledge, articleSecurity, articleText, confirmedActors)),
    }));
    for (const m of resolveOverlaps(checked)) {
      const a = s.tokens[m.from];
      const b = s.tokens[m.to - 1];
      if (!a || !b) continue;
      const start = a.start;
      const end = b.end;
      const surface = s.text.slice(start - s.start, end - s.start);
      s.mentions.push({ ref: m.value, sentence: s.index, from: m.from, to: m.to, start, end, surface });
      if (m.value.type === 'actor') known.add(nameKey(surface));
    }
    s.cves = findCves(s.text).map((c) => ({ ...c, start: c.start + s.start, end: c.end + s.start }));
  }
  for (const s of infos) s.schemeMentions = findSchemeNames(s, knowledge, known);
  const confirmedSchemes = new Set(infos.flatMap((s) => s.schemeMentions.map((m) => nameKey(m.name))));
  // Each name the text gave a group, compiled once to find it in the other sentences.
  const introduced = [
    ...new Set(infos.flatMap((s) => s.schemeMentions.filter((m) => m.vendor === '').map((m) => m.name))),
  ].map((name) => ({ name, re: new RegExp(`\\b${escapeRegex(name)}\\b`, 'g') }));
  if (confirmedSchemes.size > 0)
    for (const s of infos)
      if (s.schemeMentions.length === 0)
        s.schemeMentions = findSchemeNames(s, knowledge, known, confirmedSchemes, introduced);

  const body = infos.find((s) => !s.isTitle);
  return {
    sentences: infos,
    datelineCountry: body ? dateline(body.text, knowledge) : null,
    datelineEnd: body ? datelineEnd(body) : -1,
    securitySentences: infos.filter((s) => s.security).length,
    cves: [...new Set(infos.flatMap((s) => s.cves.map((c) => c.id)))],
  };
}
