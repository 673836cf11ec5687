/** Article → Analysis: the extraction-contract attribution plus everything `explain` shows. */
import type { Article } from '../extract/article.js';
import type { ActorEntry, Knowledge } from '../extract/knowledge.js';
import { extract, type Extraction, type Mention, type SentenceInfo } from '../extract/mentions.js';
import { nameKey } from '../extract/tokens.js';
import type { AttributedActor, Attribution, CveDetail } from './attribution.js';
import { findClaims, type Claim, type ClaimSet, type Denial } from './claims.js';
import { scoreConfidence } from './confidence.js';
import { BACKGROUND_RE, PRODUCT_CUE_RE, PRODUCT_NEGATIVE_RE, WEAK_PRODUCT_CUE_RE } from './cues.js';

export interface MentionView {
  type: 'actor' | 'country' | 'party' | 'product' | 'cve' | 'scheme';
  /** Canonical name. */
  name: string;
  surface: string;
  sentence: number;
  start: number;
  end: number;
  inTitle: boolean;
  note?: string;
}

export interface Analysis {
  attribution: Attribution;
  mentions: MentionView[];
  claims: Claim[];
  hedges: {
    sentence: number;
    cue: string;
    effect: 'lowers confidence' | 'removes claim' | 'denial (reported)';
  }[];
  denials: Denial[];
  confidenceReasons: string[];
  sentences: { index: number; text: string; isTitle: boolean }[];
  /** Country names per claim, for explain. */
  countryName: (iso2: string) => string;
  actorName: (id: number) => string;
}

const AKA_RE =
  /^\s*["”']?\s*(?:[,(]\s*)?["”']?\s*(?:(?:also|otherwise|better|previously|formerly)\s+)?(?:known as|aka|a\.k\.a\.|called|dubbed|tracked as|tracking as|referred to as|named|which \w+ (?:calls?|called|tracks? as|tracked as|has named|named))\s*[,"“']?\s*$|^\s*\(\s*["“']?\s*$|^\s*\/\s*$|^\s*,?\s+or\s+["“']?$/i;
const AND_RE = /^\s*(?:,|,?\s+and)\s+["“']?$/i;
const MAX_KNOWN_ALIASES = 8;

interface ActorGroup {
  key: string;
  entry: ActorEntry | null;
  name: string;
  refCountry: string | null;
  surfaces: string[];
  firstAt: number;
  sentences: number[];
  textCountry: string | null;
}

function collectActors(
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

  for (const s of extraction.sentences) {
    type Item = { key: string; start: number; end: number };
    const items: Item[] = [];
    for (const m of s.mentions) {
      if (m.ref.type !== 'actor') continue;
      const entry = knowledge.actors[m.ref.id];
      if (!entry) continue;
      if (entry.organ && !liveOrgan.has(`${s.index}:${m.start}`)) continue;
      if (!s.security && !articleSecurity) continue;
      const key = `a${entry.id}`;
      addGroup(groups, key, entry, entry.name, entry.country, m.surface, m.start, s);
      items.push({ key, start: m.start, end: m.end });
    }
    for (const sm of s.schemeMentions) {
      const key = `s${nameKey(sm.name)}`;
      addGroup(groups, key, null, sm.name, sm.country, sm.name, sm.start, s);
      items.push({ key, start: sm.start, end: sm.end });
    }
    items.sort((a, b) => a.start - b.start);
    let chained = false;
    for (let i = 1; i < items.length; i++) {
      const a = items[i - 1];
      const b = items[i];
      if (!a || !b) continue;
      const between = s.text.slice(a.end - s.start, b.start - s.start);
      if (AKA_RE.test(between)) {
        union(a.key, b.key);
        chained = true;
      } else if (chained && AND_RE.test(between)) union(a.key, b.key);
      else chained = false;
    }
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
      merged.set(root, { ...g, surfaces: [...g.surfaces], sentences: [...g.sentences] });
      continue;
    }
    // Prefer a dictionary entry (and a state one) as the canonical record of a merged group.
    if ((!into.entry && g.entry) || (into.entry?.kind === 'criminal' && g.entry?.kind === 'state')) {
      merged.set(root, {
        ...g,
        surfaces: [...g.surfaces, ...into.surfaces],
        sentences: [...into.sentences, ...g.sentences],
        firstAt: into.firstAt,
        textCountry: into.textCountry ?? g.textCountry,
      });
      continue;
    }
    into.surfaces.push(...g.surfaces);
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
    if (!g.sentences.includes(s.index)) g.sentences.push(s.index);
    return;
  }
  groups.set(key, {
    key,
    entry,
    name,
    refCountry: country,
    surfaces: [surface],
    firstAt: s.isTitle ? -1 : at + s.index * 1e6,
    sentences: [s.index],
    textCountry: null,
  });
}

function productMentions(extraction: Extraction, knowledge: Knowledge): Mention[] {
  const out: Mention[] = [];
  if (extraction.securitySentences === 0) return out;
  const vulnStory =
    extraction.cves.length > 0 ||
    extraction.sentences.filter((x) => /\b(vulnerab\w+|flaws?|zero-?days?|patch\w*)\b/i.test(x.text))
      .length >= 2;
  for (const s of extraction.sentences) {
    const hasCue =
      PRODUCT_CUE_RE.test(s.text) || s.cves.length > 0 || (vulnStory && WEAK_PRODUCT_CUE_RE.test(s.text));
    if (!hasCue || PRODUCT_NEGATIVE_RE.test(s.text)) continue;
    for (const m of s.mentions)
      if (m.ref.type === 'product' && !knowledge.products[m.ref.id]?.exclude) out.push(m);
  }
  return out;
}

function isAttributionStory(extraction: Extraction, claimSet: ClaimSet, liveSentences: number[]): boolean {
  if (liveSentences.length === 0 || extraction.securitySentences < 1) return false;
  const firstBody = extraction.sentences.find((s) => !s.isTitle)?.index ?? 0;
  const lead = new Set([0, firstBody, firstBody + 1]);
  const inTitle = liveSentences.some((i) => extraction.sentences[i]?.isTitle);
  const inLead = liveSentences.some(
    (i) => lead.has(i) && !BACKGROUND_RE.test(extraction.sentences[i]?.text ?? ''),
  );
  const distinct = new Set(
    liveSentences.filter((i) => !BACKGROUND_RE.test(extraction.sentences[i]?.text ?? '')),
  ).size;
  const leadRetraction = claimSet.retractions.some((r) => r.sentence <= firstBody + 4 && r.aboutAttribution);
  if (leadRetraction && distinct < 3) return false;
  if (extraction.cves.length >= 2 && distinct < 2 && !inTitle) return false;
  return inTitle || inLead || distinct >= 2;
}

export function analyzeArticle(article: Article, knowledge: Knowledge): Analysis {
  const extraction = extract(article, knowledge);
  const claimSet = findClaims(extraction, knowledge, article.text);
  const countryName = (iso2: string): string => knowledge.countries.get(iso2)?.name ?? iso2;

  const liveSignals = claimSet.signals.filter((s) => !s.negated && !s.conditional);
  const attributedIso = [...new Set(liveSignals.map((s) => s.iso2))];
  const attributed = new Set(attributedIso);
  const isAttribution = isAttributionStory(
    extraction,
    claimSet,
    liveSignals.map((s) => s.sentence),
  );

  // Actors
  const groups = collectActors(extraction, knowledge, claimSet, attributed);
  const taken = new Set<string>();
  for (const g of groups) for (const n of [g.name, ...g.surfaces]) taken.add(nameKey(n));
  const actors: AttributedActor[] = groups.map((g) => {
    const own = new Set([g.name, ...g.surfaces].map(nameKey));
    const textNames = g.surfaces.filter((x) => nameKey(x) !== nameKey(g.name));
    const known = (g.entry?.aliases ?? [])
      .filter((a) => !own.has(nameKey(a)) && !taken.has(nameKey(a)))
      .slice(0, MAX_KNOWN_ALIASES);
    const aliases = [...new Set([...textNames, ...known])];
    const country = g.textCountry ?? g.refCountry;
    return {
      name: g.name,
      aliases,
      country: country ? countryName(country) : null,
      stated: g.textCountry !== null,
    };
  });

  // Attributing parties: from live claims (state claims, or responsibility claims about named actors).
  const parties: string[] = [];
  for (const c of claimSet.claims) {
    if (c.negated || c.conditional || c.selfClaim) continue;
    if (
      c.countries.length === 0 &&
      c.actors.length === 0 &&
      c.schemeNames.length === 0 &&
      !(c.supporting && isAttribution)
    )
      continue;
    for (const p of c.attributors)
      if (
        !parties.includes(p.name) &&
        !attributed.has(knowledge.countries.get(p.name)?.iso2 ?? '') &&
        !attributedNames(attributedIso, countryName).has(p.name)
      )
        parties.push(p.name);
  }

  // Products and CVEs
  const productIds = [
    ...new Set(productMentions(extraction, knowledge).map((m) => (m.ref.type === 'product' ? m.ref.id : -1))),
  ];
  const products = productIds
    .map((id) => knowledge.products[id]?.name)
    .filter((n): n is string => Boolean(n));
  const cves = extraction.cves;
  const cveDetails: CveDetail[] = cves.flatMap((cve) => {
    const k = knowledge.kev.get(cve);
    return k
      ? [{ cve, vendor: k.vendor, product: k.product, knownExploited: true, ransomware: k.ransomware }]
      : [];
  });

  // Hedges, retractions, denials
  const hedges: Analysis['hedges'] = [];
  for (const c of claimSet.claims)
    for (const h of c.hedges) hedges.push({ sentence: c.sentence, cue: h, effect: 'lowers confidence' });
  for (const r of claimSet.retractions)
    hedges.push({ sentence: r.sentence, cue: r.cue, effect: 'removes claim' });
  for (const d of claimSet.denials)
    hedges.push({ sentence: d.sentence, cue: `${d.by}: ${d.cue}`, effect: 'denial (reported)' });

  const liveClaims = claimSet.claims.filter((c) => !c.negated && !c.conditional && c.countries.length > 0);
  const conf = scoreConfidence({
    isAttribution,
    liveClaims,
    claims: claimSet.claims,
    parties: claimSet.claims.flatMap((c) => (c.negated ? [] : c.attributors)),
    denials: claimSet.denials,
    attributedCount: attributedIso.length,
  });

  // Evidence: the sentences that carry the strongest state claims (or actor claims when there are none).
  const ranked = (
    liveClaims.length > 0 ? liveClaims : claimSet.claims.filter((c) => !c.negated && c.actors.length > 0)
  )
    .map((c) => ({
      c,
      score:
        (c.actors.length > 0 ? 2 : 0) +
        (c.attributors.length > 0 ? 2 : 0) +
        c.countries.length -
        (extraction.sentences[c.sentence]?.isTitle ? 3 : 0),
    }))
    .sort((a, b) => b.score - a.score || a.c.sentence - b.c.sentence)
    .slice(0, 3);
  const evidence = ranked.map(({ c }) => clipSentence(extraction.sentences[c.sentence]?.text ?? ''));

  // One line per denying party: "China denied", "Russia called it unfounded".
  const denialBy = new Map<string, string>();
  for (const d of claimSet.denials) {
    const cue = d.cue.toLowerCase();
    const text = /^(groundless|baseless|unfounded|unsubstantiated)$/.test(cue) ? `called it ${cue}` : cue;
    if (!denialBy.has(d.by)) denialBy.set(d.by, `${d.by} ${text}`);
  }
  const denials = attributedIso.length > 0 ? [...denialBy.values()] : [];
  const attribution: Attribution = {
    id: article.id,
    is_attribution: isAttribution,
    actors,
    attributed_countries: attributedIso.map(countryName),
    attributing_parties: parties,
    products,
    cves,
    confidence: conf.confidence,
    confidence_reason: conf.reason,
    evidence,
    cve_details: cveDetails,
    denials,
  };

  return {
    attribution,
    mentions: mentionViews(extraction, knowledge),
    claims: claimSet.claims,
    hedges,
    denials: claimSet.denials,
    confidenceReasons: conf.reasons,
    sentences: extraction.sentences.map((s) => ({ index: s.index, text: s.text, isTitle: s.isTitle })),
    countryName,
    actorName: (id) => knowledge.actors[id]?.name ?? `#${id}`,
  };
}

function attributedNames(iso: string[], countryName: (iso2: string) => string): Set<string> {
  return new Set(iso.map(countryName));
}

function clipSentence(s: string): string {
  return s.length > 300 ? `${s.slice(0, 297).replace(/\s+\S*$/, '')} ...` : s;
}

function mentionViews(extraction: Extraction, knowledge: Knowledge): MentionView[] {
  const out: MentionView[] = [];
  for (const s of extraction.sentences) {
    for (const m of s.mentions) {
      const ref = m.ref;
      const name =
        ref.type === 'actor'
          ? knowledge.actors[ref.id]?.name
          : ref.type === 'country'
            ? (knowledge.countries.get(ref.iso2)?.name ?? ref.surface)
            : ref.type === 'party'
              ? knowledge.parties[ref.id]?.name
              : knowledge.products[ref.id]?.name;
      out.push({
        type: ref.type,
        name: name ?? m.surface,
        surface: m.surface,
        sentence: s.index,
        start: m.start,
        end: m.end,
        inTitle: s.isTitle,
        ...(ref.type === 'country' ? { note: ref.form } : {}),
      });
    }
    for (const sm of s.schemeMentions)
      out.push({
        type: 'scheme',
        name: sm.name,
        surface: sm.name,
        sentence: s.index,
        start: sm.start,
        end: sm.end,
        inTitle: s.isTitle,
        note: `${sm.vendor} naming${sm.country ? ` → ${sm.country}` : ''}`,
      });
    for (const c of s.cves)
      out.push({
        type: 'cve',
        name: c.id,
        surface: s.text.slice(c.start - s.start, c.end - s.start),
        sentence: s.index,
        start: c.start,
        end: c.end,
        inTitle: s.isTitle,
      });
  }
  return out;
}
