/**
 * Which named products the article says were exploited, vulnerable, breached, patched or abused
 * (eval rules 5.5). A product counts only in a sentence with an incident cue (or a CVE id, or an
 * update note inside a vulnerability story), never in a sentence about markets, earnings or bans.
 * Lists continue a product ("NetScaler ADC and Gateway", "Windows XP, Vista and 2003"), online
 * services count through their accounts or instances, and legitimate tools only when intruders used them.
 */
import type { Knowledge } from '../extract/knowledge.js';
import type { Extraction, SentenceInfo } from '../extract/mentions.js';
import { nameKey, type Token } from '../extract/tokens.js';
import {
  CHANNEL_PREPOSITIONS,
  PRODUCT_CUE_RE,
  PRODUCT_NEGATIVE_RE,
  SERVICE_NOUNS,
  STRONG_PRODUCT_CUE_RE,
  TOOL_USE_RE,
  WEAK_PRODUCT_CUE_RE,
} from './cues.js';

export interface ProductHit {
  id: number;
  sentence: number;
  start: number;
  end: number;
  surface: string;
}

const VULN_WORDS_RE = /\b(vulnerab\w+|flaws?|zero-?days?|patch\w*)\b/i;
/** Separators inside a list of products: ", ", " and ", ", and ", " or ", "/". */
const LIST_SEP_RE = /^\s*(?:,\s*(?:(?:and|or)\s+)?|(?:and|or)\s+|[/&]\s*)$/i;

/** A service counts when the text speaks of its accounts, instances, tenants or data. */
function serviceUsed(s: SentenceInfo, to: number): boolean {
  for (let i = to; i < Math.min(s.tokens.length, to + 4); i++)
    if (SERVICE_NOUNS.has(s.tokens[i]?.norm ?? '')) return true;
  return false;
}

/**
 * List continuation after a product: "FortiOS, FortiProxy and FortiSwitchManager" (names of their own),
 * "NetScaler ADC and Gateway" (the family plus a bare item), "Windows XP, Vista and 2003".
 */
function listContinuations(s: SentenceInfo, from: number, to: number, knowledge: Knowledge): ProductHit[] {
  const out: ProductHit[] = [];
  const head = s.tokens.slice(from, to);
  const family = head.slice(0, -1).map((t) => t.norm);
  if (family.length === 0) return out;
  let prevEnd = s.tokens[to - 1]?.end ?? 0;
  let i = to;
  for (;;) {
    while (s.tokens[i]?.norm === 'and' || s.tokens[i]?.norm === 'or') i++;
    const tok: Token | undefined = s.tokens[i];
    if (!tok) break;
    if (!LIST_SEP_RE.test(s.text.slice(prevEnd - s.start, tok.start - s.start))) break;
    if (!/^[\p{Lu}\p{N}]/u.test(tok.raw) || s.mentions.some((m) => m.start <= tok.start && m.end > tok.start))
      break;
    const item = tok.norm;
    const candidates = [
      [...family, item].join(' '),
      // "Windows XP, Vista and 2003": a year after Windows is the server release.
      ...(/^(19|20)\d\d$/.test(item) && family[0] === 'windows' ? [`windows server ${item}`] : []),
    ];
    const id = candidates.map((c) => knowledge.productIndex.get(c)).find((x) => x !== undefined);
    if (id === undefined) break;
    out.push({ id, sentence: s.index, start: tok.start, end: tok.end, surface: tok.raw });
    prevEnd = tok.end;
    i++;
  }
  return out;
}

export function productHits(extraction: Extraction, knowledge: Knowledge): ProductHit[] {
  const out: ProductHit[] = [];
  if (extraction.securitySentences === 0) return out;
  const vulnStory =
    extraction.cves.length > 0 || extraction.sentences.filter((x) => VULN_WORDS_RE.test(x.text)).length >= 2;
  for (const s of extraction.sentences) {
    if (PRODUCT_NEGATIVE_RE.test(s.text)) continue;
    const cue =
      PRODUCT_CUE_RE.test(s.text) || s.cves.length > 0 || (vulnStory && WEAK_PRODUCT_CUE_RE.test(s.text));
    const toolUse = s.security || TOOL_USE_RE.test(s.text);
    const strong = STRONG_PRODUCT_CUE_RE.test(s.text) || s.cves.length > 0;
    for (const m of s.mentions) {
      if (m.ref.type !== 'product') continue;
      const entry = knowledge.products[m.ref.id];
      if (!entry || entry.exclude) continue;
      // "contacted engineers on LinkedIn", "moved the chat to WhatsApp": a channel, unless the sentence says it was attacked.
      if (!strong && CHANNEL_PREPOSITIONS.has(s.tokens[m.from - 1]?.norm ?? '')) continue;
      const ok =
        entry.role === 'tool'
          ? (cue || toolUse) && TOOL_USE_RE.test(s.text)
          : entry.role === 'service'
            ? cue && serviceUsed(s, m.to)
            : cue;
      if (!ok) continue;
      out.push({ id: entry.id, sentence: s.index, start: m.start, end: m.end, surface: m.surface });
      if (cue) out.push(...listContinuations(s, m.from, m.to, knowledge));
    }
  }
  return out;
}

/** Product names to report: one per product, a family dropped when a member of it is named ("Citrix NetScaler" beside "Citrix NetScaler ADC"). */
export function productNames(hits: ProductHit[], knowledge: Knowledge): string[] {
  const names = [...new Set(hits.map((h) => knowledge.products[h.id]?.name))].filter((n): n is string =>
    Boolean(n),
  );
  const vendorOf = new Map(
    hits.map((h) => [knowledge.products[h.id]?.name, knowledge.products[h.id]?.vendor]),
  );
  const bare = (n: string): string => {
    const k = nameKey(n);
    const v = nameKey(vendorOf.get(n) ?? '');
    return v && k.startsWith(`${v} `) ? k.slice(v.length + 1) : k;
  };
  const keys = names.map(nameKey);
  const bareKeys = names.map(bare);
  return names.filter((_n, i) => {
    const k = keys[i] ?? '';
    const b = bareKeys[i] ?? '';
    // A release or edition adds one word ("Windows XP", "NetScaler ADC"); "Windows Server" and
    // components ("Windows Print Spooler") are products beside the family, not members of it.
    const member = (other: string, family: string): boolean =>
      other.startsWith(`${family} `) &&
      /^[^ ]+$/.test(other.slice(family.length + 1)) &&
      !other.endsWith(' server');
    if (names.some((_o, j) => j !== i && (member(keys[j] ?? '', k) || member(bareKeys[j] ?? '', b)))) return false;
    // An acronym beside its spelled-out name is one product ("ASA" and "Adaptive Security Appliance").
    return !bareKeys.some((other, j) => j !== i && isAcronymOf(b, other));
  });
}

/** "asa" is the acronym of "adaptive security appliance" (initials of its words, three or more). */
export function isAcronymOf(short: string, long: string): boolean {
  if (short.includes(' ') || short.length < 2) return false;
  const words = long.split(' ').filter(Boolean);
  if (words.length < 2) return false;
  return words.map((word) => word[0]).join('') === short;
}
