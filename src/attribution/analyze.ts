/** Article → Analysis: the extraction-contract attribution plus everything `explain` shows. */
import type { Article } from '../extract/article.js';
import type { Knowledge } from '../extract/knowledge.js';
import { type Extraction, extract, type SentenceInfo } from '../extract/mentions.js';
import { nameKey } from '../extract/tokens.js';
import { actorOutputs, collectActors } from './actors.js';
import type { Attribution, CveDetail } from './attribution.js';
import { type Claim, type ClaimSet, type Denial, findClaims, type PartyKindOut } from './claims.js';
import { scoreConfidence } from './confidence.js';
import { isBackground } from './cues.js';
import { mergePartyNames, withoutTitledPersons } from './parties.js';
import { productHits, productNames } from './products.js';
import type { StateSignal } from './state-signals.js';

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

function normalizedWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** An update stamp opening a line: "Update:", "Update, 16:40:", "UPDATED (14:05 GMT):". */
const UPDATE_STAMP_RE = /^\s*(?:\[\s*)?update[d]?\b[^:.]{0,30}[:\]]/i;
/** An earlier time an update may recall: "last year", "earlier this month". */
const EARLIER_TIME_RE =
  /\b(?:last|previous)\s+(?:year|month|week|summer|winter|spring|autumn|fall)\b|\bearlier\s+this\s+(?:year|month)\b/i;

/**
 * The lead: the first sentences of prose (LEAD_SENTENCES). A page's repeated headline, a byline or a dateline
 * line (short, no closing punctuation) comes before the lead without being part of it.
 */
function leadSentences(extraction: Extraction): number[] {
  const titles = new Set(extraction.sentences.filter((s) => s.isTitle).map((s) => normalizedWords(s.text)));
  const lead: number[] = [];
  for (const s of extraction.sentences) {
    // "Update, 16:40: the BfV attributed ...": the news an update brings leads the story as it stands (not a
    // reminder of the past: "Update: a different flaw was exploited last year by ...").
    if (UPDATE_STAMP_RE.test(s.text) && !isBackground(s.text) && !EARLIER_TIME_RE.test(s.text)) {
      lead.push(s.index);
      continue;
    }
    if (lead.length >= LEAD_SENTENCES) continue;
    if (s.isTitle || (titles.size > 0 && titles.has(normalizedWords(s.text)))) continue;
    const words = s.text.trim().split(/\s+/).length;
    if (words >= 8 || /[.!?:;"”’']\s*$/.test(s.text.trim())) lead.push(s.index);
  }
  return lead;
}

function isAttributionStory(
  extraction: Extraction,
  claimSet: ClaimSet,
  liveSignals: readonly StateSignal[],
  knowledge: Knowledge,
): boolean {
  const liveSentences = liveSignals.map((s) => s.sentence);
  if (liveSentences.length === 0 || extraction.securitySentences < 1) return false;
  // A sentence is background when every live signal in it sits in a background clause.
  const foreground = new Set(
    liveSignals
      .filter((g) => {
        const s = extraction.sentences[g.sentence];
        return s !== undefined && !isBackground(s.text, g.start - s.start);
      })
      .map((g) => g.sentence),
  );
  const leadBody = leadSentences(extraction);
  const firstBody = leadBody[0] ?? extraction.sentences.find((s) => !s.isTitle)?.index ?? 0;
  const lead = new Set([0, firstBody, ...leadBody]);
  const inTitle = liveSentences.some((i) => extraction.sentences[i]?.isTitle);
  const inLead = liveSentences.some((i) => lead.has(i) && foreground.has(i));
  const distinct = foreground.size;
  // "The Kremlin dismissed the accusation, saying there was no evidence": the accused's denial withdraws nothing.
  // "Acme said it had not attributed the attack": one that declines to attribute withdraws only its own claim.
  const claimants = new Set(claimSet.claims.flatMap((c) => c.attributors.map((p) => nameKey(p.body))));
  const leadRetraction = claimSet.retractions.some(
    (r) =>
      r.sentence <= firstBody + 4 &&
      r.aboutAttribution &&
      !claimSet.denials.some((d) => d.sentence === r.sentence) &&
      // "Acme declined to attribute the attack, but Mandiant said ...": a claim of the same sentence stands.
      !liveSentences.includes(r.sentence) &&
      !declinesForItself(extraction.sentences[r.sentence]?.text ?? '', claimants),
  );
  if (leadRetraction && distinct < 3) return false;
  // "Storm-0000 targets edge devices": a headline about a group the text ties to a state is about that tie.
  if (headlineActorTied(extraction, claimSet)) return true;
  // A vulnerability story names a state once, in passing; one whose first sentence makes the claim is about it.
  // (The state must come before the first CVE: "Ivanti patched CVE-1 and CVE-2, flaws like ones Chinese hackers
  // exploited last year" names the state in passing.)
  const inFirst = liveSignals.some((g) => {
    const first = extraction.sentences[firstBody];
    const cve = first?.cves[0];
    return g.sentence === firstBody && foreground.has(firstBody) && (!first || !cve || g.start < cve.start);
  });
  // (A story whose own incident is blamed past the lead — "attributed the operation to" — is about the blame.)
  // (Worked out when first asked, at most once: most stories are settled before it.)
  let blamedIncident: boolean | undefined;
  const incidentBlamed = (): boolean =>
    (blamedIncident ??= storyIncidentBlamed(extraction, liveSignals, foreground));
  if (extraction.cves.length >= 2 && distinct < 2 && !inTitle && !inFirst && !incidentBlamed()) return false;
  // A short report (a feed summary, a brief) is about what it says: one claim in it is its subject.
  const prose = extraction.sentences.filter((x) => !x.isTitle).length;
  const shortReport = prose <= SHORT_REPORT && distinct >= 1 && extraction.cves.length === 0;
  return (
    inTitle ||
    inLead ||
    distinct >= 2 ||
    shortReport ||
    leadActorTiedLater(extraction, claimSet, lead, knowledge) ||
    leadBlameOfTiedGroup(extraction, claimSet, lead) ||
    leadBlameTiedInBackground(extraction, claimSet, lead) ||
    incidentBlamed()
  );
}

/**
 * "Ferrylink said it had not attributed the attack", "Sophos said it had found no evidence linking ...", "The vendor,
 * Telvaart Systemen, said it did not know who was behind it": a subject who is no claimant declining for itself.
 */
const DECLINES_FOR_ITSELF_RE =
  /^(?:[Tt]he\s+(?:\p{Ll}+,\s+)?|[Ii]ts\s+\p{Ll}+\s+)?(\p{Lu}[\p{L}\d&.-]*(?:\s+\p{Lu}[\p{L}\d&.-]*){0,3})\b(?:\s+(?:said|says)\s+(?:that\s+)?(?:it|they)\b|,?\s+(?:which\s+)?)[^.;]{0,240}?\b(?:(?:not|never)\s+(?:yet\s+)?(?:publicly\s+)?(?:attributed|attribute|attributes|attributing|blamed|named|identified)|not\s+(?:yet\s+|now\s+|currently\s+)?in\s+a\s+position\s+to\s+attribute|(?:declined|unable|refused)\s+to\s+attribute|could\s+not\s+attribute|(?:found|seen)\s+no\s+(?:evidence|sign)\b|(?:did|does)\s+not\s+know\s+who|(?:didn't|doesn't)\s+know\s+who)\b/u;
/** Subjects that are no party's name: a declining "Authorities" or "Officials" speaks for the story. */
const GENERIC_SUBJECTS = new Set(
  'the a an this that authorities officials police investigators government prosecutors experts analysts researchers it they we'.split(
    ' ',
  ),
);
function declinesForItself(text: string, claimants: ReadonlySet<string>): boolean {
  const subject = DECLINES_FOR_ITSELF_RE.exec(text)?.[1];
  // (Only beside a named claimant: with none, the refusal is the story's "not yet attributed".)
  // ("Bloomberg News" for the claimant "Bloomberg": either name may be the fuller one. A claimant that declines leaves
  // the others' claims standing: "Reuters, citing sources, reported ... Reuters said it could not attribute it".)
  return (
    subject !== undefined &&
    claimants.size > 0 &&
    !GENERIC_SUBJECTS.has(subject.toLowerCase()) &&
    [...claimants].some((c) => !c.includes(nameKey(subject)) && !nameKey(subject).includes(c))
  );
}

/** Claims that stand: not negated, not conditional, not a group's own. */
function liveClaimsOf(claimSet: ClaimSet): Claim[] {
  return claimSet.claims.filter((c) => !c.negated && !c.conditional && !c.selfClaim);
}

/** Keys that compare dictionary actors and vendor clusters alike. */
const actorKey = (id: number): string => `a${id}`;
const schemeKey = (name: string): string => `s${nameKey(name)}`;

/** The groups a claim names. */
function groupKeys(c: Claim): string[] {
  return [...c.actors.map(actorKey), ...c.schemeNames.map(schemeKey)];
}

/**
 * "We attribute the intrusions to UNC0000. ... We assess UNC0000 is a China-nexus actor": the lead blames a
 * named group and a later sentence (not a background one) ties that group to a state.
 */
function leadActorTiedLater(
  extraction: Extraction,
  claimSet: ClaimSet,
  lead: ReadonlySet<number>,
  knowledge: Knowledge,
): boolean {
  const live = liveClaimsOf(claimSet);
  const leadActors = new Set(live.filter((c) => lead.has(c.sentence)).flatMap(groupKeys));
  if (leadActors.size === 0) return false;
  // The names each sentence gives, to read "its operators" back to the group named just before.
  const namesIn = (i: number): string[] => {
    const s = extraction.sentences[i];
    if (!s) return [];
    return [
      ...s.mentions.flatMap((m) => (m.ref.type === 'actor' ? [actorKey(m.ref.id)] : [])),
      ...s.schemeMentions.map((m) => schemeKey(m.name)),
    ];
  };
  // Only state organs may be named beside the anaphor ("its operators are officers of Russia's FSB").
  const refersBack = (c: Claim): boolean =>
    c.schemeNames.length === 0 &&
    c.actors.every((id) => knowledge.actors[id]?.organ === true) &&
    GROUP_ANAPHOR_RE.test(extraction.sentences[c.sentence]?.text ?? '') &&
    [c.sentence - 1, c.sentence - 2].some((i) => namesIn(i).some((k) => leadActors.has(k)));
  return live.some(
    (c) =>
      !lead.has(c.sentence) &&
      c.countries.length > 0 &&
      !isBackground(extraction.sentences[c.sentence]?.text ?? '') &&
      (groupKeys(c).some((k) => leadActors.has(k)) || refersBack(c)),
  );
}

/**
 * "Check Point traced the intrusions to MuddyWater. ... MuddyWater was linked in 2022 by US Cyber Command to Iran's
 * MOIS": the lead blames a named group now, and a later sentence, background included, ties it to a state.
 */
function leadBlameTiedInBackground(
  extraction: Extraction,
  claimSet: ClaimSet,
  lead: ReadonlySet<number>,
): boolean {
  const live = liveClaimsOf(claimSet);
  const blaming = live.filter(
    (c) => lead.has(c.sentence) && blamesGroupNow(extraction.sentences[c.sentence], c),
  );
  const blamed = new Set(blaming.flatMap(groupKeys));
  if (blamed.size === 0) return false;
  const at = new Set(blaming.map((c) => c.sentence));
  return live.some(
    (c) => !at.has(c.sentence) && c.countries.length > 0 && groupKeys(c).some((k) => blamed.has(k)),
  );
}

/** The main clause of `s` blames a group of claim `c` now, up to the group's name ("traced the intrusions to X"). */
function blamesGroupNow(s: SentenceInfo | undefined, c: Claim): boolean {
  if (!s) return false;
  const groups = [
    ...s.mentions.filter((m) => m.ref.type === 'actor' && c.actors.includes(m.ref.id)),
    ...s.schemeMentions.filter((m) => c.schemeNames.includes(m.name)),
  ];
  return groups.some((g) => blamedNowUpTo(s, g));
}

/** The sentence blames now, in its main clause, up to the end of group `g`'s name. */
function blamedNowUpTo(s: SentenceInfo, g: { end: number }): boolean {
  const main = s.text.slice(0, g.end - s.start);
  return CURRENT_BLAME_RE.test(main) && !isBackground(main);
}

/**
 * "CERT-UA attributes the activity to UAC-0000, which the SBU has previously linked to the FSB": a lead sentence
 * (or, past the lead, one that blames "this campaign") blames a named group now, and the state tie it gives the
 * group is the background one. The story is that blame.
 */
function leadBlameOfTiedGroup(
  extraction: Extraction,
  claimSet: ClaimSet,
  lead: ReadonlySet<number>,
): boolean {
  return liveClaimsOf(claimSet).some((c) => {
    const s = extraction.sentences[c.sentence];
    if (!s || c.countries.length === 0) return false;
    // (Past the lead, a blame of the story's own incident: "we attribute this campaign to Turla, a group ...".)
    if (!lead.has(c.sentence) && !OWN_INCIDENT_BLAMED_RE.test(s.text)) return false;
    const groups = [
      ...s.mentions.filter((m) => m.ref.type === 'actor'),
      ...s.schemeMentions.filter((m) => c.schemeNames.includes(m.name)),
    ];
    // The blame is said in the main clause, up to the description of the group that follows its name.
    return groups.some((g) => {
      const rest = s.text.slice(g.end - s.start);
      return blamedNowUpTo(s, g) && TIE_DESCRIPTION_RE.test(rest) && isBackground(rest);
    });
  });
}
/**
 * "The attack, which the FBI attributed to Andariel, a North Korean state-sponsored group, ...": past the lead, a
 * blame of the story's own incident (named with "the", no earlier time) is what the story is about.
 */
function storyIncidentBlamed(
  extraction: Extraction,
  liveSignals: readonly StateSignal[],
  foreground: ReadonlySet<number>,
): boolean {
  return liveSignals.some((g) => {
    const s = extraction.sentences[g.sentence];
    if (!s || !foreground.has(g.sentence) || !STORY_BLAME_FAMILIES.has(g.family)) return false;
    const incident = THE_INCIDENT_RE.exec(s.text);
    // ("Three years ago its contractor was breached; the breach was later linked ...", or after "an earlier
    // intrusion at a sister clinic": "the" incident is that earlier one.)
    const before = extraction.sentences[g.sentence - 1];
    return (
      incident !== null &&
      incident.index < g.start - s.start &&
      !isBackground(s.text) &&
      !(before && !before.isTitle && EARLIER_INCIDENT_RE.test(before.text))
    );
  });
}
const STORY_BLAME_FAMILIES: ReadonlySet<string> = new Set([
  'blame',
  'behind',
  'link',
  'hacker-noun',
  'state-link',
]);
/** The story's incident blamed: "The attack, which the FBI attributed to", "the intrusion was carried out by",
 * "blamed the breach on", "attributed the operation to". */
const INCIDENT_NOUN = String.raw`(?:(?:(?:(?:cyber|ransomware)[\s-]?)?attack|cyberattack|intrusion|hack|compromise|theft|heist|operation|campaign|infection)s?|breach(?:es)?|activity)(?:\s+(?:of|on|at|against)\s+[^,.;]{1,40}?)?`;
const BLAME_WORD = String.raw`(?:attribut\w*|blam\w*|pinn?\w*|linked|tied|traced)`;
const THE_INCIDENT_RE = new RegExp(
  String.raw`\b[Tt]he\s+${INCIDENT_NOUN}\b(?:\s*,\s+which\b[^.;,]{0,60}\b${BLAME_WORD}|\s+(?:was|is|has\s+been|had\s+been)\s+(?:\w+\s+)?(?:${BLAME_WORD}|carried\s+out|conducted|launched|the\s+work))|\b${BLAME_WORD}\s+(?:the|this|these)\s+${INCIDENT_NOUN}\b`,
);

const OWN_INCIDENT_BLAMED_RE = new RegExp(
  String.raw`\b${BLAME_WORD}\s+(?:this|these)\s+${INCIDENT_NOUN}\b`,
  'i',
);
/** Another, earlier incident named in the sentence before: "an earlier intrusion at a sister clinic". */
const EARLIER_INCIDENT_RE = new RegExp(
  String.raw`\b(?:earlier|previous|prior|another|separate|similar|former|last year's)\s+(?:[\w-]+\s+)?${INCIDENT_NOUN}`,
  'i',
);

/** A blame said now: "attributes the activity to", "attributing the operation to", "blamed the attack on". */
const CURRENT_BLAME_RE =
  /\b(?:attribut(?:es|ed|ing)|blam(?:es|ed|ing)|pinn?(?:ed|ing|s)|link(?:s|ed|ing)|tie[sd]|tying|trac(?:es|ed|ing))\b[^.;]{0,120}\b(?:to|on)\s+(?:the\s+)?[^.;]{0,60}$/i;
/** What follows the group's name describes it: ", which ...", ", a campaign the EU ...", "(Armageddon), which". */
const TIE_DESCRIPTION_RE = /^\s*(?:\([^)]{1,60}\)\s*)?,\s+(?:which|that|who|an?|the)\b/i;

/** Words that refer back to a group named before: "its operators", "the group", "these hackers". */
const GROUP_ANAPHOR_RE =
  /\b(?:its|their)\s+(?:operators|members|hackers|operatives|officers|handlers|developers|infrastructure)\b|\b(?:the|this|these)\s+(?:group|actor|threat actor|hackers|operators|cluster|crew)\b/i;

/** The headline names a group as the doer, and a live claim of the text (not a background one) ties it to a state. */
function headlineActorTied(extraction: Extraction, claimSet: ClaimSet): boolean {
  const live = liveClaimsOf(claimSet);
  const inHeadline = new Set(
    live.filter((c) => extraction.sentences[c.sentence]?.isTitle).flatMap(groupKeys),
  );
  if (inHeadline.size === 0) return false;
  return live.some(
    (c) =>
      c.countries.length > 0 &&
      !isBackground(extraction.sentences[c.sentence]?.text ?? '') &&
      groupKeys(c).some((k) => inHeadline.has(k)),
  );
}

/** Sentences of prose that make the lead: news and vendor reports often give the claim in the third. */
const LEAD_SENTENCES = 3;

/** Sentences of prose up to which a report counts as short. */
const SHORT_REPORT = 3;

export function analyzeArticle(article: Article, knowledge: Knowledge): Analysis {
  const extraction = extract(article, knowledge);
  const claimSet = findClaims(extraction, knowledge, article.text);
  const countryName = (iso2: string): string => knowledge.countries.get(iso2)?.name ?? iso2;

  const liveSignals = claimSet.signals.filter((s) => !s.negated && !s.conditional);
  const attributedIso = [...new Set(liveSignals.map((s) => s.iso2))];
  const attributed = new Set(attributedIso);
  const isAttribution = isAttributionStory(extraction, claimSet, liveSignals, knowledge);

  // Actors
  const groups = collectActors(extraction, knowledge, claimSet, attributed);
  const actors = actorOutputs(groups, countryName);

  // Attributing parties: from live claims (state claims, or responsibility claims about named actors).
  const parties: string[] = [];
  const partyKinds = new Map<string, PartyKindOut>();
  for (const c of claimSet.claims) {
    if (c.negated || c.conditional || c.selfClaim) continue;
    if (
      c.countries.length === 0 &&
      c.actors.length === 0 &&
      c.schemeNames.length === 0 &&
      !(c.supporting && isAttribution) &&
      !c.enforcement
    )
      continue;
    for (const p of c.attributors)
      if (
        !parties.includes(p.name) &&
        !attributed.has(knowledge.countries.get(p.name)?.iso2 ?? '') &&
        !attributedNames(attributedIso, countryName).has(p.name)
      ) {
        parties.push(p.name);
        partyKinds.set(p.name, p.kind);
      }
  }

  // A group's own name is never a party that blames it ("Conti said ..." is a self-claim).
  // The groups and products the text names, by their written names: a party is no group's name, and no company's
  // full name runs into a product or a group ("SolarWinds Orion").
  const actorSurfaces: string[] = [];
  const knownNames = new Set<string>();
  for (const s of extraction.sentences)
    for (const m of s.mentions) {
      if (m.ref.type !== 'actor' && m.ref.type !== 'product') continue;
      const key = nameKey(m.surface);
      knownNames.add(key);
      if (m.ref.type === 'actor') actorSurfaces.push(key);
    }
  const actorNames = new Set(actorSurfaces);
  for (const a of actors) for (const n of [a.name, ...a.aliases]) actorNames.add(nameKey(n));
  for (let i = parties.length - 1; i >= 0; i--)
    if (actorNames.has(nameKey(parties[i] ?? ''))) parties.splice(i, 1);
  const articleText = `${article.title ?? ''}\n${article.text}`;
  const mergedParties = mergePartyNames(
    withoutTitledPersons(
      parties.map((name) => ({ name, body: name, kind: partyKinds.get(name) ?? 'organization', role: '' })),
      articleText,
    ),
    articleText,
    knownNames,
  ).map((p) => p.name);

  // Products and CVEs
  const products = productNames(productHits(extraction, knowledge), knowledge);
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
    const text = /^(groundless|baseless|unfounded|unsubstantiated)$/.test(cue)
      ? `called it ${cue}`
      : closeQuotes(cue);
    if (!denialBy.has(d.by)) denialBy.set(d.by, `${d.by} ${text}`);
  }
  const denials = attributedIso.length > 0 ? [...denialBy.values()] : [];
  const attribution: Attribution = {
    id: article.id,
    is_attribution: isAttribution,
    actors,
    attributed_countries: attributedIso.map(countryName),
    attributing_parties: mergedParties,
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
        note: `${sm.vendor || "the text's"} naming${sm.country ? ` → ${sm.country}` : ''}`,
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

/** A denial cut after its last word may have opened a quotation it does not close: close it. */
function closeQuotes(text: string): string {
  const straight = (text.match(/"/g) ?? []).length % 2 === 1 ? '"' : '';
  const curly = (text.match(/“/g) ?? []).length > (text.match(/”/g) ?? []).length ? '”' : '';
  return `${text}${straight}${curly}`;
}
