/**
 * Named actors of an article: dictionary and naming-scheme mentions grouped by identity (the same
 * dictionary record, or names the text equates: "Charming Kitten, also known as APT35"), with the country
 * the text ties them to, and the names to show.
 *
 * Display name: the name the text itself uses most (ties: the dictionary's canonical name, then the
 * shorter, then the first seen), because readers know "Salt Typhoon" better than MISP's "GhostEmperor".
 * The other names of the text come first in `aliases`, then the canonical name, then known aliases
 * from reference data, so a scorer or a watchlist matches on any of them.
 */
import type { ActorEntry, Knowledge } from '../extract/knowledge.js';
import { lexicon } from '../extract/lexicon.js';
import type { Extraction, SentenceInfo } from '../extract/mentions.js';
import { nameKey } from '../extract/tokens.js';
import type { AttributedActor } from './attribution.js';
import type { ClaimSet } from './claims.js';
import { CONTINUATION_RE } from './cues.js';
import { organOwner } from './state-signals.js';

const AKA_RE = new RegExp(
  String.raw`^\s*["”']?\s*(?:[,(]\s*)?["”']?\s*(?:${lexicon.alt('aliasPhrases')}|tracked under the names?|goes by(?: the names?)?|which (?:\w+ ){1,3}?(?:calls?|called|tracks? as|track as|tracked as|has named|named)|which is (?:also )?(?:tracked|known) (?:as|under the names?))\s*[,"“']?\s*(?:the\s+)?$|^\s*\(\s*["“']?\s*$|^\s*\/\s*$|^\s*,?\s+or\s+["“']?$`,
  'i',
);
const AND_RE = /^\s*(?:,|,?\s+and)\s+["“']?$/i;
/** "Fancy Bear, the hacking arm of a spy agency, which is also known as APT28": a description, then the alias. */
const DESCRIBED_AKA_RE =
  /^(?:\s*,)?(?:\s+[\w'’-]+){0,5}\s*,\s+(?:which|that|who)\s+(?:is|are)\s+(?:also\s+)?(?:tracked|known|referred to)\s+(?:as|under the names?)\s*["“']?$/i;
/** The end of "the name it uses for the operators behind (the)": what follows may be a list of gangs. */
const OPERATORS_BEHIND_END_RE = /\b(?:behind|running)\s+(?:the\s+)?["“']?$/i;
/**
 * An apposition that gives the other name: "TA453, the Iranian state-aligned actor also known as", "UNC2452,
 * the cluster that Microsoft calls", "UAC-0000, the identifier the agency uses for the group known as", "UAC-0000,
 * its designation for".
 */
const APPOSITIVE_AKA_RE =
  /^\s*,\s+(?:(?:the|an?)\s+(?:[\w'’-]+\s+){0,5}?(?:(?:also|better|otherwise)\s+known\s+as|(?:that|which)\s+(?:\p{Lu}[\w.'’&-]*\s+){1,3}(?:calls?|tracks?\s+as|dubs?|names?|refers\s+to\s+as))|(?:the|its|their)\s+(?:own\s+)?(?:tracking\s+)?(?:identifier|designation|name|label|moniker|codename)\s+(?:(?:that\s+|which\s+)?(?:it|they|the\s+\w+|\p{Lu}[\w.'’&-]*)\s+(?:uses|use|gives|gave|assigns|assigned)\s+)?for\s+(?:the\s+(?:[\w'’-]+\s+){0,3}?(?:group|actor|cluster|unit|gang|crew)\s+(?:(?:widely|also|better|more\s+widely|publicly)\s+)?(?:known|tracked|referred\s+to)\s+as\s+|the\s+(?:operators|people|hackers|criminals|group|gang|crew)\s+(?:behind|running)\s+(?:the\s+)?)?)\s*["“']?$/u;
/** A second vendor label in the same breath: "tracked as UNC6040 by Mandiant and as Storm-2290 by Microsoft". */
const BY_AND_AS_RE =
  /^\s*,?\s*by\s+[\p{Lu}][\w.'’&-]*(?:\s+[\p{Lu}][\w.'’&-]*){0,2}\s*,?\s+(?:and|or|while)\s+(?:tracked\s+)?as\s+["“']?$/u;
/** After a label: "which Microsoft tracks as X and CrowdStrike calls Y". */
const AND_VENDOR_CALLS_RE =
  /^\s*(?:,|;)?\s*(?:and|while|whereas|but)?\s+[\p{Lu}][\w.'’&-]*(?:\s+[\p{Lu}][\w.'’&-]*){0,2}\s+(?:calls?|dubs?|names?|tracks?(?:\s+it)?\s+as|refers?\s+to\s+(?:it|them)\s+as)\s+(?:it\s+|them\s+)?["“']?$/u;
/**
 * A sentence that confirms an attribution to the group just blamed: "That matches the vendor's
 * earlier attribution to a cluster it calls Storm-9999" (the group of the previous sentence).
 */
const CONFIRMS_RE =
  /^\s*(?:this|that|the (?:claim|admission|statement|finding))\s+(?:\w+\s+){0,2}?(?:confirms?|confirmed|corroborates?|corroborated|matches|matched|backs up|backed up|is consistent with|was consistent with|aligns with|lines up with)\s+[^.;]{0,60}?\b(?:attribution|assessment|findings?|conclusion|report)\s+(?:to|of|that|linking it to|blaming)\s+[^.;]{0,60}?$/i;
/** A label given to the group just named, in the next sentence: "Microsoft tracks the same group as Storm-0558". */
const NEXT_LABEL_RE =
  /(?:\b(?:tracks?|tracked|calls?|called|dubs?|dubbed|names?|named|refers?\s+to|labels?|labell?ed)\s+(?:the\s+same|this|that|the)\s+(?:group|actor|threat\s+actor|cluster|activity|hackers|gang|crew|collective|adversary|intrusion\s+set)\s+(?:as\s+)?|(?:^\s*|\b(?:the|this|that)\s+(?:same\s+)?(?:group|actor|threat\s+actor|cluster|hackers|gang|crew|adversary|intrusion\s+set)|^\s*(?:It|They))\s*,?\s+(?:which\s+)?(?:is|are|was|were)\s+(?:also\s+)?(?:tracked|known|referred\s+to|called|labell?ed)\s+(?:by\s+[\p{Lu}][\w.'’&-]*(?:\s+[\p{Lu}][\w.'’&-]*){0,2}\s+)?as\s+)["“']?$/iu;
const MAX_KNOWN_ALIASES = 8;

const PERSONA_NAME = String.raw`(\p{Lu}[\p{L}\d'’_-]*(?:\s+(?:of\s+|for\s+)?(?:\p{Lu}[\p{L}\d'’_-]*|\d+(?:\.\d+)+)){0,4})`;
const PERSONA_NOUN =
  '(?:group|collective|persona|outfit|organi[sz]ation|team|entity|gang|crew|brigade|army|movement|front|identity|name)';
/** The ways news says a group hid behind a persona; the name is the first capture. */
const PERSONA_RES = [
  // "posing as the CyberArmy_Reborn hacktivist group": the name before the noun.
  new RegExp(
    String.raw`\bposing as (?:an?\s+|the\s+)?["“]?${PERSONA_NAME}["”]?\s+(?:(?:hacktivist|online|hacker|activist|pro-[\w-]+)\s+){0,2}${PERSONA_NOUN}\b`,
    'gu',
  ),
  new RegExp(
    String.raw`\bposing as (?:an?|the)\s+(?:[\w-]+\s+){0,3}?${PERSONA_NOUN}\s*,?\s*(?:called|named|dubbed|known as)?\s*["“]?${PERSONA_NAME}`,
    'gu',
  ),
  new RegExp(
    String.raw`\bused (?:an?|the)\s+(?:[\w-]+\s+){0,3}?${PERSONA_NOUN},?\s+["“]?${PERSONA_NAME}["”]?,?\s+as\s+(?:a\s+)?(?:cover|front)\b`,
    'gu',
  ),
  new RegExp(
    String.raw`(?:^|[^\p{L}])${PERSONA_NAME}["”]?,?\s+(?:[^.;]{0,90}?,\s+)?(?:is|was|are|were|served as|acts as|acted as)\s+(?:(?:actually|really|in fact|likely|probably|merely|just)\s+)?(?:a\s+)?(?:front|cover)\s+for\b`,
    'gu',
  ),
  new RegExp(
    String.raw`\b(?:self-described|self-styled|self-proclaimed|so-called|purported)\s+(?:[\w-]+\s+){0,2}?${PERSONA_NOUN}\s+["“]?${PERSONA_NAME}`,
    'gu',
  ),
  // "Kalevan Kosto, an online persona that ...", "X, a self-styled hacktivist group that ..."
  new RegExp(
    String.raw`(?:^|[^\p{L}])${PERSONA_NAME},\s+(?:an?|the)\s+(?:(?:self-styled|self-described|self-proclaimed|so-called|purported|online|hacktivist|fake|bogus)\s+){1,3}(?:[\w-]+\s+)?${PERSONA_NOUN}\b`,
    'gu',
  ),
  new RegExp(String.raw`(?:^|[^\p{L}])${PERSONA_NAME},\s+(?:an?|the)\s+(?:[\w-]+\s+){0,2}?persona\b`, 'gu'),
  // "the Guccifer 2.0 online persona", "a persona called X"
  new RegExp(
    String.raw`(?:^|[^\p{L}])${PERSONA_NAME}\s+(?:online\s+|hacker\s+|hacktivist\s+)?persona\b`,
    'gu',
  ),
  new RegExp(String.raw`\bpersona,?\s+(?:called|named|known as|dubbed)\s+["“]?${PERSONA_NAME}`, 'gu'),
  new RegExp(
    String.raw`\bunder the (?:guise|name|banner|persona|cover) of\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?["“]?${PERSONA_NAME}`,
    'gu',
  ),
];
const NOT_PERSONA = new Set([
  'The',
  'A',
  'An',
  'It',
  'This',
  'That',
  'Russia',
  'China',
  'Iran',
  'North',
  'Microsoft',
  'Google',
]);

/** Personas of a sentence: names the text says a group used as cover. */
/** Words without which no persona construction can match: a cheap test before the patterns. */
const PERSONA_HINT_RE =
  /\b(?:posing|persona|front\b|cover\b|guise|banner|self-|so-called|purported|hacktivist)/i;

function personas(s: SentenceInfo): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  if (!PERSONA_HINT_RE.test(s.text)) return out;
  for (const re of PERSONA_RES)
    for (const m of s.text.matchAll(re)) {
      const name = m[1]?.replace(/['’]s$/, '');
      if (!name || NOT_PERSONA.has(name.split(' ')[0] ?? '')) continue;
      const start = s.start + m.index + m[0].indexOf(name);
      // A name the dictionaries know as a country or a party is not a persona.
      if (s.mentions.some((x) => x.ref.type !== 'actor' && x.start < start + name.length && x.end > start))
        continue;
      if (!out.some((o) => o.name === name)) out.push({ name, start, end: start + name.length });
    }
  return out;
}

export interface ActorGroup {
  key: string;
  entry: ActorEntry | null;
  name: string;
  refCountry: string | null;
  surfaces: string[];
  /** How often the text uses each surface. */
  counts: Map<string, number>;
  firstAt: number;
  sentences: number[];
  textCountry: string | null;
}

export function collectActors(
  extraction: Extraction,
  knowledge: Knowledge,
  claimSet: ClaimSet,
  attributed: Set<string>,
): ActorGroup[] {
  const groups = new Map<string, ActorGroup>();
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let x = k;
    while (parent.get(x) && parent.get(x) !== x) x = parent.get(x) ?? x;
    return x;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const liveOrgan = new Set(
    claimSet.signals.filter((s) => s.family === 'organ' && !s.negated).map((s) => `${s.sentence}:${s.start}`),
  );
  const articleSecurity = extraction.securitySentences >= 1;
  let lastItem: { key: string; sentence: number } | null = null;

  for (const s of extraction.sentences) {
    type Item = { key: string; start: number; end: number };
    const items: Item[] = [];
    for (const m of s.mentions) {
      if (m.ref.type !== 'actor') continue;
      const entry = knowledge.actors[m.ref.id];
      if (!entry) continue;
      if (entry.organ && !liveOrgan.has(`${s.index}:${m.start}`)) continue;
      if (!s.security && !articleSecurity) continue;
      // "Ukraine's Main Intelligence Directorate" is not Russia's: another state's organ of the same name.
      const owner = entry.organ ? organOwner(m, s) : null;
      const foreign = owner !== null && owner !== entry.country;
      const key = foreign ? `o${owner}:${nameKey(m.surface)}` : `a${entry.id}`;
      if (foreign) addGroup(groups, key, null, m.surface, owner, m.surface, m.start, s);
      else addGroup(groups, key, entry, entry.name, entry.country, m.surface, m.start, s);
      items.push({ key, start: m.start, end: m.end });
    }
    for (const sm of s.schemeMentions) {
      const key = `s${nameKey(sm.name)}`;
      addGroup(groups, key, null, sm.name, sm.country, sm.name, sm.start, s);
      items.push({ key, start: sm.start, end: sm.end });
    }
    // A persona the operators hid behind is an actor too ("posing as a hacktivist group called X").
    if (articleSecurity)
      for (const p of personas(s)) {
        if (items.some((it) => it.start < p.end && it.end > p.start)) continue;
        const key = `p${nameKey(p.name)}`;
        addGroup(groups, key, null, p.name, null, p.name, p.start, s);
        items.push({ key, start: p.start, end: p.end });
      }
    items.sort((a, b) => a.start - b.start);
    let chained = false;
    for (let i = 1; i < items.length; i++) {
      const a = items[i - 1];
      const b = items[i];
      if (!a || !b) continue;
      const between = s.text.slice(a.end - s.start, b.start - s.start);
      if (
        AKA_RE.test(between) ||
        BY_AND_AS_RE.test(between) ||
        DESCRIBED_AKA_RE.test(between) ||
        APPOSITIVE_AKA_RE.test(between)
      ) {
        union(a.key, b.key);
        // ("the operators behind the Akira and Black Basta ransomware": one label for the operators of two gangs,
        // not one gang under three names.)
        chained = !OPERATORS_BEHIND_END_RE.test(between);
      } else if (chained && (AND_RE.test(between) || AND_VENDOR_CALLS_RE.test(between))) union(a.key, b.key);
      else chained = false;
    }
    // "Microsoft tracks the same group as Storm-0558": the label belongs to the actor named just before.
    const firstItem = items[0];
    if (firstItem && lastItem && s.index - lastItem.sentence <= 2) {
      const lead = s.text.slice(0, firstItem.start - s.start);
      if (NEXT_LABEL_RE.test(lead) || CONFIRMS_RE.test(lead)) union(lastItem.key, firstItem.key);
    }
    // ("a group working for Iran's IRGC ... named the group as APT42": a state organ is never "the group".)
    const tail = [...items].reverse().find((it) => groups.get(it.key)?.entry?.organ !== true);
    if (tail) lastItem = { key: tail.key, sentence: s.index };
    // "The group first gained notoriety ...": a sentence that refers back to the group keeps it in focus.
    else if (lastItem && CONTINUATION_RE.test(s.text)) lastItem = { key: lastItem.key, sentence: s.index };
    // Actors in a sentence that ties it to a state: the text states the country.
    const live = claimSet.signals.filter((x) => x.sentence === s.index && !x.negated && !x.conditional);
    for (const it of items) {
      const g = groups.get(it.key);
      if (!g || g.textCountry || live.length === 0) continue;
      if (
        g.entry?.kind === 'criminal' &&
        !live.some((x) => x.family === 'state-link' || x.family === 'organ')
      )
        continue;
      if (g.entry?.organ) continue;
      const nearest = [...live].sort(
        (x, y) => Math.abs(x.start - it.start) - Math.abs(y.start - it.start),
      )[0];
      if (nearest) g.textCountry = nearest.iso2;
    }
  }
  for (const k of groups.keys()) if (!parent.has(k)) parent.set(k, k);
  const merged = new Map<string, ActorGroup>();
  for (const g of [...groups.values()].sort((a, b) => a.firstAt - b.firstAt)) {
    const root = find(g.key);
    const into = merged.get(root);
    if (!into) {
      merged.set(root, {
        ...g,
        surfaces: [...g.surfaces],
        counts: new Map(g.counts),
        sentences: [...g.sentences],
      });
      continue;
    }
    // Prefer a dictionary entry (and a state one) as the canonical record of a merged group.
    if ((!into.entry && g.entry) || (into.entry?.kind === 'criminal' && g.entry?.kind === 'state')) {
      merged.set(root, {
        ...g,
        surfaces: [...g.surfaces, ...into.surfaces],
        counts: addCounts(new Map(g.counts), into.counts),
        sentences: [...into.sentences, ...g.sentences],
        firstAt: into.firstAt,
        textCountry: into.textCountry ?? g.textCountry,
      });
      continue;
    }
    into.surfaces.push(...g.surfaces);
    addCounts(into.counts, g.counts);
    into.sentences.push(...g.sentences);
    into.textCountry ??= g.textCountry;
    into.refCountry ??= g.refCountry;
  }
  const out = [...merged.values()];
  for (const g of out)
    if (!g.textCountry && g.refCountry && attributed.has(g.refCountry) && g.entry?.kind !== 'criminal')
      g.textCountry = g.refCountry;
  return out;
}

function addGroup(
  groups: Map<string, ActorGroup>,
  key: string,
  entry: ActorEntry | null,
  name: string,
  country: string | null,
  surface: string,
  at: number,
  s: SentenceInfo,
): void {
  const g = groups.get(key);
  if (g) {
    if (!g.surfaces.includes(surface)) g.surfaces.push(surface);
    g.counts.set(surface, (g.counts.get(surface) ?? 0) + 1);
    if (!g.sentences.includes(s.index)) g.sentences.push(s.index);
    return;
  }
  groups.set(key, {
    key,
    entry,
    name,
    refCountry: country,
    surfaces: [surface],
    counts: new Map([[surface, 1]]),
    firstAt: s.isTitle ? -1 : at + s.index * 1e6,
    sentences: [s.index],
    textCountry: null,
  });
}

/** Contract records: the display name (most used in the text), then the text's other names and known aliases. */
export function actorOutputs(groups: ActorGroup[], countryName: (iso2: string) => string): AttributedActor[] {
  const taken = new Set<string>();
  for (const g of groups) for (const n of [g.name, ...g.surfaces]) taken.add(nameKey(n));
  return groups.map((g) => {
    const canonical = nameKey(g.name);
    // "China's Ministry of State Security" and "Chinese Ministry of State Security" are the canonical
    // name qualified by its state: they count for it and are not aliases of their own.
    const qualified = (name: string): boolean => isQualifiedForm(nameKey(name), canonical);
    const uses = (name: string): number =>
      (g.counts.get(name) ?? 0) +
      (nameKey(name) === canonical
        ? g.surfaces.filter(qualified).reduce((sum, surface) => sum + (g.counts.get(surface) ?? 0), 0)
        : 0);
    const candidates = g.surfaces.some(qualified)
      ? [g.name, ...g.surfaces.filter((s) => !qualified(s))]
      : g.surfaces;
    const ranked = uniqueByKey(candidates).sort(
      (a, b) =>
        uses(b) - uses(a) ||
        Number(nameKey(b) === canonical) - Number(nameKey(a) === canonical) ||
        a.length - b.length ||
        candidates.indexOf(a) - candidates.indexOf(b),
    );
    // The text's name in the dictionary's spelling when they are the same name ("NoName057(16)", not a clipped span),
    // except a dictionary name in capitals that the text writes in its own case ("Mustang Panda", not "MUSTANG PANDA").
    const top = ranked[0];
    const recased =
      top !== undefined &&
      g.name === g.name.toUpperCase() &&
      top !== top.toUpperCase() &&
      top.toLowerCase() === g.name.toLowerCase();
    const display = top && (nameKey(top) !== canonical || recased) ? top : g.name;
    const own = new Set([g.name, ...g.surfaces].map(nameKey));
    const textNames = ranked.slice(1).filter((x) => nameKey(x) !== nameKey(display));
    const known = (g.entry?.aliases ?? [])
      .filter((a) => !own.has(nameKey(a)) && !taken.has(nameKey(a)))
      .slice(0, MAX_KNOWN_ALIASES);
    const aliases = uniqueByKey([...textNames, g.name, ...known]).filter(
      (n) => nameKey(n) !== nameKey(display) && !qualified(n),
    );
    // The text's own spelling of the display name ("APT 27" for APT27) is kept, so a reader finds it.
    for (const surface of g.surfaces)
      if (
        nameKey(surface) === nameKey(display) &&
        surface.toLowerCase() !== display.toLowerCase() &&
        !aliases.includes(surface) &&
        !qualified(surface)
      )
        aliases.unshift(surface);
    const country = g.textCountry ?? g.refCountry;
    return {
      name: display,
      aliases,
      country: country ? countryName(country) : null,
      stated: g.textCountry !== null,
    };
  });
}

/** `key` is `canonical` with one qualifying word before it: a possessive ("china s") or a demonym ("chinese"). */
export function isQualifiedForm(key: string, canonical: string): boolean {
  if (key === canonical || !key.endsWith(` ${canonical}`) || canonical.split(' ').length < 2) return false;
  const prefix = key.slice(0, -canonical.length - 1).split(' ');
  return prefix.length === 1 || (prefix.length === 2 && prefix[1] === 's');
}

function addCounts(into: Map<string, number>, from: Map<string, number>): Map<string, number> {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
  return into;
}

function uniqueByKey(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = nameKey(n);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
