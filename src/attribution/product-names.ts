/**
 * Products the dictionaries do not know, found by how news introduces them: the object of a flaw
 * ("a flaw in WebKit", "a vulnerability affecting the iControl REST component"), what vulnerable
 * machines run ("computers running Acme OS"), and a product-looking name before a product noun
 * ("the GlobalProtect gateway", "SmartPlant appliances"). A name must look like a product (a known
 * vendor before it, an inner capital, a digit, or a product noun after it) and must not be a country,
 * a party, an actor or a person.
 */
import type { Knowledge } from '../extract/knowledge.js';
import { lexicon } from '../extract/lexicon.js';
import type { Extraction, SentenceInfo } from '../extract/mentions.js';
import { nameKey } from '../extract/tokens.js';
import { PRODUCT_CUE_RE, PRODUCT_NEGATIVE_RE, STRONG_PRODUCT_CUE_RE } from './cues.js';
import { NOT_NAMES } from './parties.js';
import type { ProductHit } from './products.js';

/** A flaw noun and the preposition that introduces the flawed product. */
const FLAW_IN_RE =
  /\b(?:flaws?|vulnerabilit(?:y|ies)|bugs?|zero-days?|0-days?|weakness(?:es)?|security (?:holes?|issues?)|exploits?|defects?|bypass(?:es)?|(?:code|command|sql) injection|buffer overflows?)\s+(?:\([^()]{0,40}\)\s+)?(?:(?:[\w-]+\s+){0,3}?)(?:\([^()]{0,40}\)\s+)?(?:in|affecting|impacting|within|inside|found in|discovered in)\s+(?:the\s+|its\s+|their\s+|an?\s+|(?:(?:older|newer|several|multiple|some|all|unpatched|vulnerable|outdated|popular|widely used|open-source|open source)\s+)+)?(?:versions? of\s+(?:the\s+)?)?/giu;
/** What vulnerable or infected machines run. */
const RUNNING_RE =
  /\b(?:running|powered by|based on|built on|that run|which run|that runs|which runs|versions? of)\s+(?:the\s+|an?\s+|older\s+|unpatched\s+|outdated\s+|vulnerable\s+)?/giu;
/** Product nouns written after a product name: "the GlobalProtect gateway", "Acme Edge appliances". */
const PRODUCT_NOUN_RE = new RegExp(
  `^\\s+(?:${lexicon.alt('deploymentNouns')}|component|components|feature|features|module|modules|plugin|plug-in|plugins|extension|extensions|library|libraries|driver|drivers|protocol|engine|interface|api|app|apps|application|applications|software|firmware|portal|portals|console|agent|agents|client|clients|kernel|browser|suite|service|services|vpn|solution|product|products|tool|tools)\\b`,
  'i',
);
/** Nouns of a component or an appliance (not "systems" or "servers", which companies have too). */
const COMPONENT_NOUN_RE =
  /^\s+(?:component|components|feature|features|module|modules|plugin|plug-in|plugins|extension|extensions|library|libraries|driver|drivers|protocol|engine|interface|api|gateway|gateways|portal|portals|console|agent|agents|client|clients|kernel|firmware|appliance|appliances|vpn|browser|router|routers|firewall|firewalls)\b/i;
/** Generic technology words shaped like names. */
const GENERIC_TECH = new Set(
  'SaaS PaaS IaaS IoT IT AI API REST VPN SSL-VPN SSLVPN RDP SMB HTTP HTTPS DNS SSH TLS SSL SAML OAuth LDAP UEFI BIOS NTLM DevOps'.split(
    ' ',
  ),
);
/** One word of a product name: capitalised, CamelCase, an acronym, a version or model code. */
const NAME_WORD = String.raw`(?:[\p{Lu}\d][\p{L}\d]*(?:[-.+/][\p{L}\d]+)*|i[\p{Lu}][\p{L}\d]+|[a-z]+[\p{Lu}][\p{L}\d]*)`;
const NAME_RE = new RegExp(String.raw`^(${NAME_WORD}(?:\s+${NAME_WORD}){0,4})`, 'u');
/** Words that end a name without belonging to it. */
const TRAILING_NOISE =
  /\s+(?:\d+(?:\.\d+)*|[vV]\d+(?:\.\d+)*|and|or|The|A|An|In|On|Before|After|Versions?|Version)$/u;
const LOOKS_LIKE_PRODUCT = /\p{Ll}\p{Lu}|^i\p{Lu}|\d|^\p{Lu}{2,}[\p{L}]*-/u;

interface Candidate {
  sentence: SentenceInfo;
  start: number;
  end: number;
  name: string;
  /** Introduced as the thing with the flaw (strong) or only as what something runs or a noun phrase (weak). */
  strong: boolean;
}

function vendorSet(knowledge: Knowledge): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of knowledge.products) map.set(nameKey(p.vendor), p.vendor);
  return map;
}
const vendorCache = new WeakMap<Knowledge, Map<string, string>>();
function vendorsOf(knowledge: Knowledge): Map<string, string> {
  let v = vendorCache.get(knowledge);
  if (!v) {
    v = vendorSet(knowledge);
    vendorCache.set(knowledge, v);
  }
  return v;
}

/** The name that starts at `at` in the sentence text, cleaned of trailing versions and connectives. */
function nameAt(s: SentenceInfo, at: number): { name: string; start: number; end: number } | null {
  const m = NAME_RE.exec(s.text.slice(at));
  if (!m?.[1]) return null;
  let name = m[1];
  for (let prev = ''; prev !== name; ) {
    prev = name;
    name = name.replace(TRAILING_NOISE, '');
  }
  name = name.replace(/['’]s$/, '');
  if (!name || NOT_NAMES.has(name.split(/\s+/)[0] ?? '')) return null;
  return { name, start: s.start + at, end: s.start + at + name.length };
}

function overlapsMention(s: SentenceInfo, start: number, end: number, types: string[]): boolean {
  return s.mentions.some((m) => types.includes(m.ref.type) && m.start < end && m.end > start);
}

/** Is `name` shaped like a product here: a vendor before it, an inner capital or digit, or a product noun after it? */
function productShaped(name: string, s: SentenceInfo, end: number, vendors: Map<string, string>): boolean {
  const first = nameKey(name.split(/\s+/)[0] ?? '');
  if (vendors.has(first) && name.includes(' ')) return true;
  if (LOOKS_LIKE_PRODUCT.test(name)) return true;
  return PRODUCT_NOUN_RE.test(s.text.slice(end - s.start));
}

function candidates(s: SentenceInfo, vulnStory: boolean): Candidate[] {
  const out: Candidate[] = [];
  for (const m of s.text.matchAll(FLAW_IN_RE)) {
    const n = nameAt(s, m.index + m[0].length);
    if (n) out.push({ sentence: s, ...n, strong: true });
  }
  if (vulnStory || s.cves.length > 0 || /\b(infect\w*|compromis\w*|hack\w*|exploit\w*)\b/i.test(s.text))
    for (const m of s.text.matchAll(RUNNING_RE)) {
      const n = nameAt(s, m.index + m[0].length);
      if (n) out.push({ sentence: s, ...n, strong: false });
    }
  // "the GlobalProtect gateway", "SmartEdge appliances": a product-shaped name before a product noun.
  if (vulnStory || s.cves.length > 0 || PRODUCT_CUE_RE.test(s.text))
    for (const t of s.tokens) {
      if (!t.wordStart || !/^[\p{Lu}i]/u.test(t.raw)) continue;
      const prev = s.text.slice(Math.max(0, t.start - s.start - 1), t.start - s.start);
      if (/[\p{L}\d.-]/u.test(prev)) continue;
      const n = nameAt(s, t.start - s.start);
      if (!n || !LOOKS_LIKE_PRODUCT.test(n.name) || GENERIC_TECH.has(n.name)) continue;
      if (COMPONENT_NOUN_RE.test(s.text.slice(n.end - s.start)))
        out.push({ sentence: s, ...n, strong: false });
    }
  return out;
}

const FUNCTION_WORDS = new Set(
  'a an the and or of for to in on at by with from its their his her this that these those is are was were has have had be been it as said says patches patch fix fixes update updates users customers'.split(
    ' ',
  ),
);
/** Words that close a vendor-led name written partly in lower case ("BeyondTrust remote support SaaS platform"). */
const OFFERING_NOUN_RE =
  /^(?:platform|software|service|suite|product|tool|application|app|portal|system|solution)$/i;

/**
 * "breached the BeyondTrust remote support SaaS platform": a known vendor followed by up to four words
 * and an offering noun names the vendor's product, in a sentence that says it was attacked.
 */
function vendorLedNames(s: SentenceInfo, vendors: Map<string, string>): Candidate[] {
  const out: Candidate[] = [];
  if (!STRONG_PRODUCT_CUE_RE.test(s.text)) return out;
  for (let i = 0; i < s.tokens.length; i++) {
    const t = s.tokens[i];
    if (!t?.wordStart || !/^\p{Lu}/u.test(t.raw) || !vendors.has(t.norm)) continue;
    for (let j = i + 2; j <= Math.min(s.tokens.length - 1, i + 5); j++) {
      const head = s.tokens[j];
      if (!head) break;
      if (!OFFERING_NOUN_RE.test(head.raw)) continue;
      const last = s.tokens[j - 1];
      if (!last) break;
      const span = s.text.slice(t.start - s.start, last.end - s.start);
      if (/[,;:()"“”]/.test(span)) break;
      // The words between are a name ("remote support SaaS"), not a clause ("released patches for").
      const inner = s.tokens.slice(i + 1, j);
      if (inner.some((w) => /(?:ed|ing|ly)$/.test(w.norm) || FUNCTION_WORDS.has(w.norm))) break;
      out.push({ sentence: s, name: span, start: t.start, end: last.end, strong: true });
      break;
    }
  }
  return out;
}

/**
 * Products named in the text but not in the dictionaries. `known` are the dictionary hits, so that a
 * name already reported (or a longer one containing it) is not added twice.
 */
export function unknownProductHits(
  extraction: Extraction,
  knowledge: Knowledge,
  known: readonly ProductHit[],
  vulnStory: boolean,
): ProductHit[] {
  const vendors = vendorsOf(knowledge);
  const out: ProductHit[] = [];
  for (const s of extraction.sentences) {
    if (PRODUCT_NEGATIVE_RE.test(s.text)) continue;
    for (const c of [...candidates(s, vulnStory), ...vendorLedNames(s, vendors)]) {
      if (overlapsMention(s, c.start, c.end, ['country', 'party', 'actor'])) continue;
      // A known product is the dictionary's business, unless the vendor leads a longer name of its own.
      const vendorLed = vendors.has(nameKey(c.name.split(/\s+/)[0] ?? '')) && c.name.includes(' ');
      if (!vendorLed && overlapsMention(s, c.start, c.end, ['product'])) continue;
      // A vendor's own name ("BeyondTrust instances") is the company, not a product it makes.
      if (vendors.has(nameKey(c.name)) || GENERIC_TECH.has(c.name)) continue;
      if (known.some((h) => h.sentence === s.index && h.start < c.end && h.end > c.start)) continue;
      if (!productShaped(c.name, s, c.end, vendors) && !(c.strong && /^\p{Lu}\p{L}+$/u.test(c.name)))
        continue;
      // A one-word capitalised name after "a flaw in" is a product only beside a product noun or a version.
      if (!c.name.includes(' ') && !LOOKS_LIKE_PRODUCT.test(c.name)) {
        const after = s.text.slice(c.end - s.start);
        if (
          !PRODUCT_NOUN_RE.test(after) &&
          !/^\s+(?:v?\d|versions?\b|before\b|prior\b|through\b)/i.test(after)
        )
          continue;
      }
      const vendorWord = nameKey(c.name.split(/\s+/)[0] ?? '');
      const vendor = vendors.get(vendorWord) ?? ownerVendor(s, c.start, vendors) ?? '';
      if (out.some((h) => nameKey(h.name ?? '') === nameKey(c.name))) continue;
      out.push({
        id: -1,
        sentence: s.index,
        start: c.start,
        end: c.end,
        surface: c.name,
        name: vendor && !vendors.has(vendorWord) ? `${vendor} ${c.name}` : c.name,
        vendor,
      });
    }
  }
  return out;
}

/** "Palo Alto Networks' PAN-OS", "Apple's WebKit": the vendor written as the owner right before the name. */
function ownerVendor(s: SentenceInfo, start: number, vendors: Map<string, string>): string | null {
  const before = s.text.slice(Math.max(0, start - s.start - 40), start - s.start);
  const m = /((?:\p{Lu}[\p{L}\d&.-]*\s+){0,2}\p{Lu}[\p{L}\d&.-]*)['’]s?\s+$/u.exec(before);
  return m?.[1] ? (vendors.get(nameKey(m[1])) ?? null) : null;
}
