/**
 * Sentence → claims: which state or actor is held responsible (the object), by whom (the subject or
 * the speaker), with hedges and negation. Works on the dictionary mentions of each sentence and on the
 * capitalised names around them for speakers the dictionaries do not know (a person or an organisation).
 */
import type { Knowledge } from '../extract/knowledge.js';
import { lexicon } from '../extract/lexicon.js';
import type { Extraction, SentenceInfo } from '../extract/mentions.js';
import {
  type ClaimFamily,
  CONTINUATION_RE,
  clauseAt,
  DENY_RE,
  GOV_NOUN,
  HEDGE_RE,
  NEGATION_BEFORE_RE,
  namesAuthorship,
  RESPONSIBILITY_RE,
  RETRACTION_HINT_RE,
  retractionIn,
  TURN_AFTER_RE,
  withdrawsOnlyDeed,
  withheldAt,
} from './cues.js';
import {
  type AttributingParty,
  capitalisedRun,
  countryIso,
  generic,
  type PartyContext,
  partyFromMention,
} from './parties.js';
import { attributorsOf, headlineSources, JOINT_RE, SUPPORT_RE, UNNAMED_RE } from './speakers.js';
import { type StateSignal, stateSignals } from './state-signals.js';

/** An endorsement of an attribution made before: "reached the same conclusion", "agreed with the assessment". */
const AGREEMENT_RE = lexicon.re('agreementPhrases');
const AGREEMENT_ALL_RE = new RegExp(AGREEMENT_RE.source, 'gi');
/** The word every endorsement holds: a cheap test before the patterns (a unit test checks the lexicon keeps to it). */
export const ENDORSED_WORD_RE = /conclusion|assessment|attribution|finding/i;
/**
 * A refusal right before an endorsement: "has not agreed", "never agreed" (not "did not dispute it and agreed"); an
 * endorsement asked about ("did not say whether it agreed") is none either.
 */
const REFUSED_BEFORE_RE =
  /\b(?:not|never|no\s+longer)\s+(?:(?:yet|fully|always|publicly|entirely)\s+)?$|n['’]t\s+(?:(?:yet|fully|always|publicly|entirely)\s+)?$/i;
/**
 * The finding endorsed is the attribution, not another one ("assessment that the key came from a crash dump", "the
 * same conclusion about the scale of the damage"); a date is no finding ("agreed with the assessment on Tuesday").
 */
function sameFinding(text: string, m: RegExpMatchArray): boolean {
  const after = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 80);
  if (!/^\s+(?:of|that|about\s+(?:the|its|their)|on\s+(?:the|its|their))\b/i.test(after)) return true;
  return namesAuthorship(after.split(/[.;,]|\s(?:but|and)\s/)[0] ?? '');
}
/** An endorsement of a named party's finding: "agreed with Mandiant's assessment", "shares ESET's conclusion". */
const AGREEMENT_WITH_OWNER_RE =
  /\b(?:(?:agreed|agrees|concurred|concurs)\s+with\s+(?:\p{Lu}[\p{L}&.-]*(?:\s+\p{Lu}[\p{L}&.-]*){0,2}['’]s?|its|their)\s+(?:assessment|attribution|conclusions?|findings?)|(?:shares|shared)\s+\p{Lu}[\p{L}&.-]*(?:\s+\p{Lu}[\p{L}&.-]*){0,2}['’]s?\s+(?:assessment|attribution|conclusions?))\b/u;
const AGREEMENT_WITH_OWNER_ALL_RE = new RegExp(AGREEMENT_WITH_OWNER_RE.source, 'gu');

export type { AttributingParty, PartyKindOut } from './parties.js';
export type { StateSignal } from './state-signals.js';

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
  /** Someone (a person, not a named group) charged or sanctioned for a cyber attack by the parties. */
  enforcement?: boolean;
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

// ---------------------------------------------------------------- the whole article

export function findClaims(extraction: Extraction, knowledge: Knowledge, fullText: string): ClaimSet {
  const articleCyber = extraction.securitySentences >= 3;
  const sentenceSignals = extraction.sentences.map((s) => stateSignals(s, knowledge, articleCyber));
  // Every field is set here, so the context keeps one shape for the whole article.
  const ctx: PartyContext = {
    knowledge,
    extraction,
    lastVendor: null,
    lastGov: null,
    lastSpeaker: null,
    subjectCountry: null,
    mainOrg: undefined,
    sentence: 0,
    lastGovAt: undefined,
    lastCountry: undefined,
    accused: new Set(
      sentenceSignals
        .flat()
        .filter((x) => !x.negated && !x.conditional)
        .map((x) => x.iso2),
    ),
    recent: [],
    memo: new Map(),
    text: fullText,
  };
  const state: ArticleClaims = {
    ctx,
    sentenceSignals,
    signals: [],
    claims: [],
    denials: [],
    retractions: [],
    recentBySentence: [],
  };
  // One sentence at a time, in a function of its own: a hot function small enough to be optimised early.
  for (const s of extraction.sentences) claimsOfSentence(s, state);
  const { signals, claims, denials, retractions } = state;
  // "..., the paper reported, quoting people briefed on the case": anonymous sourcing in a sentence
  // that continues a claim made just before is the claim's sourcing too.
  for (const s of claims.length > 0 ? extraction.sentences : []) {
    if (claims.some((c) => c.sentence === s.index)) continue;
    const prev = [...claims]
      .reverse()
      .find(
        (c) =>
          c.sentence < s.index &&
          s.index - c.sentence <= 2 &&
          !c.negated &&
          c.countries.length + c.actors.length > 0,
      );
    if (prev && !prev.attributors.some((p) => p.kind === 'unnamed') && UNNAMED_RE.test(s.text))
      prev.attributors.push({
        name: 'unnamed sources',
        body: 'unnamed sources',
        kind: 'unnamed',
        role: 'according to',
      });
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

/** Verbs by which a party opens a story before its claim: "said", "unsealed an indictment", "charged". */
const ACT_VERBS = lexicon.set('actVerbs');
/** Government nouns that can open such a sentence without a dictionary name. */
const GOV_SUBJECTS = new Set([...lexicon.set('genericGovernmentNouns'), 'police']);

const NO_STATE_NAMED_RE =
  /^\S+(?:\s+\S+){0,4}?\s+to\s+(?:a|any|one|a\s+specific|any\s+specific|any\s+particular)\s+(?:country|state|nation|nation-state|government|sponsor)\b/i;
/** A headline's present-tense deed: "Storm-0000 targets edge devices". */
const HEADLINE_DEED_RE = lexicon.re('headlineDeedVerbs');
/** A preposition of place right before a name. */
const PLACE_BEFORE_RE = /\b(?:in|at|near)\s+(?:the\s+)?$/i;
/** An operation named right after a group in a headline: "UAC-0000 mass phishing against state bodies". */
const DEED_NOUN_AFTER_RE = new RegExp(
  `^\\s+(?:[\\w-]+\\s+){0,2}?${lexicon.alt('headlineDeedNouns')}\\b`,
  'i',
);
/** "traced a series of intrusions at three firms to MuddyWater": a blame verb, its object, then the group. */
const BLAME_TO_GROUP_BEFORE_RE =
  /\b(?:traced|linked|tied|attributed|connected|pinned)\s+(?:[\w'’-]+\s+){1,10}?(?:to|on)\s+(?:the\s+)?$/i;
function blameBeforeGroup(s: SentenceInfo, groups: readonly { start: number }[]): RegExpExecArray | null {
  for (const g of groups) {
    const found = BLAME_TO_GROUP_BEFORE_RE.exec(
      s.text.slice(Math.max(0, g.start - s.start - 120), g.start - s.start),
    );
    if (found) return found;
  }
  return null;
}

function deedAfterGroup(s: SentenceInfo, groups: readonly { end: number }[]): RegExpExecArray | null {
  for (const g of groups) {
    const deed = DEED_NOUN_AFTER_RE.exec(s.text.slice(g.end - s.start, g.end - s.start + 60));
    if (deed) return deed;
  }
  return null;
}
/** Cheap test before looking for a denied responsibility word. */
const NEGATION_WORD_RE = /\b(?:not|never|no|none)\b|n't\b/i;
const RESPONSIBILITY_ALL_RE = new RegExp(RESPONSIBILITY_RE.source, 'gi');

/** Where the responsibility word closest to any of the named groups starts (sentence offset). */
function nearestCue(s: SentenceInfo, named: readonly { start: number; end: number }[]): number | null {
  let best: { at: number; gap: number } | null = null;
  for (const m of s.text.matchAll(RESPONSIBILITY_ALL_RE)) {
    const from = s.start + m.index;
    const to = from + m[0].length;
    for (const n of named) {
      const gap = n.start >= to ? n.start - to : from >= n.end ? from - n.end : 0;
      if (!best || gap < best.gap) best = { at: m.index, gap };
    }
  }
  return best?.at ?? null;
}

const HEDGE_ALL_RE = new RegExp(HEDGE_RE.source, 'gi');
/** Firm wording of the lexicon beside the estimative terms of the reference data ("high confidence"). */
const FIRM_WORDING_RE = lexicon.re('firmWording');

/** The first hedge of a sentence, unless it belongs to firm estimative wording ("highly likely", "almost certain"). */
function hedgeOf(text: string, knowledge: Knowledge): RegExpExecArray | null {
  const firm = [knowledge.firmWording.exec(text), FIRM_WORDING_RE.exec(text)];
  for (const m of text.matchAll(HEDGE_ALL_RE)) {
    if (firm.some((f) => f && m.index >= f.index && m.index < f.index + f[0].length)) continue;
    // "Last May", "in May 2024": the month, not the modal.
    if (m[0] === 'May' && !/^May\s+(?:have|be|not)\b/i.test(text.slice(m.index, m.index + 12))) continue;
    return m;
  }
  return null;
}

/** The organisation an article is mostly about (for "the company said" when it is not a known vendor). */
/** A claim that adds parties only: to a joint attribution, or by charging someone for an attack. */
function partiesOnlyClaim(
  sentence: number,
  cue: string,
  attributors: AttributingParty[],
  kind: 'supporting' | 'enforcement',
): Claim {
  return {
    sentence,
    family: 'responsibility',
    cue,
    countries: [],
    actors: [],
    schemeNames: [],
    attributors,
    hedges: [],
    negated: false,
    conditional: false,
    selfClaim: false,
    [kind]: true,
  };
}

/** Charging, sanctioning or convicting someone for a cyber attack, with the attack said in the clause. */
const PERSON_ENFORCEMENT_RE =
  /\b(?:sanctioned|charged|indicted|convicted|sentenced|extradited)\b(?=[^;]{0,160}\b(?:for|over|in connection with)\b[^;]{0,80}\b(?:cyber[-\s]?attacks?|hack\w*|ransomware|intrusions?|breach(?:es)?|data theft|extortion|malware)\b)/i;

/**
 * "a report released on Wednesday by Acme", "a new study from Acme", "Acme's report": the author the text credits,
 * for "the report says" later.
 */
function rememberAuthor(s: SentenceInfo, ctx: PartyContext): void {
  // (Most sentences name no document: one cheap test first.)
  if (!REPORT_WORD_RE.test(s.text)) return;
  const credit = REPORT_CREDIT_RE.exec(s.text);
  // ("Separately, a leaked government report says ...": another report, whose author is not the last one.)
  if (!credit) {
    if (OTHER_REPORT_RE.test(s.text)) ctx.lastAuthor = null;
    return;
  }
  const byline = credit[1] === undefined;
  const at = s.start + credit.index + (byline ? credit[0].length : 0);
  const m = s.mentions.find((x) =>
    // ("by Singapore-based security firm Group-IB": the firm, past where it is based.)
    byline
      ? x.ref.type === 'party' && x.start >= at && x.start - at <= 40
      : (x.ref.type === 'party' || x.ref.type === 'country') && x.end <= at && at - x.end <= 1,
  );
  const p = m ? partyFromMention(m, s, ctx, 'author') : null;
  if (p) ctx.lastAuthor = p;
}
const REPORT_WORD_RE = /report|study|analysis|paper/i;
const OTHER_REPORT_RE =
  /\b(?:a|an|another|second|separate|leaked)\s+(?:[\w-]+\s+){0,2}(?:report|study|analysis|paper)\b/i;
const REPORT_CREDIT_RE =
  /\b(?:report|study|analysis|paper)\s+(?:(?:[\w-]+\s+){0,4}?(?:by|from)\s+(?:the\s+)?)|(['’]s\s+(?:new\s+|latest\s+|annual\s+)?(?:report|study|analysis|paper)|\s+(?:published|released|issued)\s+(?:a|an|its|the)\s+(?:new\s+)?(?:report|study|analysis|paper))\b/i;

/** Words by which a sentence says who did it, not only what was done. */
const NAMES_CULPRIT_RE = /\b(?:responsible|behind|to blame|the work of|carried out by)\b/i;
/** "no indication of involvement by MirrorFace": the group is named to be ruled out, in its own clause. */
function ruledOut(at: number, s: SentenceInfo): boolean {
  const from = Math.max(clauseAt(s.text, at - s.start).from, at - s.start - 160);
  const before = s.text.slice(from, at - s.start);
  const r = retractionIn(before);
  // (Not by a retraction of another deed of known doers: "no sign that the hackers stole secrets, the ministry
  // said after blaming APT31".)
  return r !== null && !withdrawsOnlyDeed(r[0], before.slice(r.index + r[0].length));
}

/** What findClaims gathers over an article, sentence by sentence. */
interface ArticleClaims {
  ctx: PartyContext;
  sentenceSignals: StateSignal[][];
  signals: StateSignal[];
  claims: Claim[];
  denials: Denial[];
  retractions: ClaimSet['retractions'];
  /** Parties named in each sentence read so far, for "the two firms said". */
  recentBySentence: AttributingParty[][];
}

/** The claims, denials and retractions of one sentence, and what it leaves in the context for the next. */
function claimsOfSentence(s: SentenceInfo, state: ArticleClaims): void {
  const { ctx, sentenceSignals, signals, claims, denials, retractions } = state;
  const { knowledge } = ctx;
  ctx.sentence = s.index;
  const opening = s.mentions[0];
  ctx.subjectCountry =
    opening?.ref.type === 'country' && opening.ref.form === 'name' && opening.from <= 1
      ? opening.ref.iso2
      : null;
  const sig = sentenceSignals[s.index] ?? [];
  signals.push(...sig);
  rememberAuthor(s, ctx);
  const retract = retractionIn(s.text);
  if (retract)
    retractions.push({
      sentence: s.index,
      cue: retract[0],
      aboutAttribution: retractsAttribution(s, retract),
    });
  const live = sig.filter((x) => !x.negated && !x.conditional);
  const accusedNames = new Set(sig.map((x) => knowledge.countries.get(x.iso2)?.name ?? x.iso2));

  // Denial by the accused: a denial verb with an accused (or previously accused) state as subject side.
  const deny = DENY_RE.exec(s.text);
  // ("..., an accusation Beijing rejected": a denial reported after the claim leaves its speaker standing.)
  const isDenial =
    deny !== null &&
    !live.some((x) => x.family === 'blame') &&
    !(live.length > 0 && live.every((x) => x.end - s.start <= deny.index));
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

  // A state organ is a perpetrator only where a live signal says so ("the FSB said", "no evidence that
  // the NSA hacked" name no culprit).
  const culprits = s.mentions.filter(
    (m) =>
      m.ref.type === 'actor' &&
      (!knowledge.actors[m.ref.id]?.organ || live.some((x) => x.family === 'organ' && x.start === m.start)) &&
      !ruledOut(m.start, s),
  );
  const actorIds = culprits.map((m) => (m.ref.type === 'actor' ? m.ref.id : -1));
  const named = actorIds.length > 0 || s.schemeMentions.length > 0;
  const cueOfResponsibility = named
    ? (RESPONSIBILITY_RE.exec(s.text) ??
      blameBeforeGroup(s, [...culprits, ...s.schemeMentions]) ??
      (s.isTitle
        ? (HEADLINE_DEED_RE.exec(s.text) ?? deedAfterGroup(s, [...culprits, ...s.schemeMentions]))
        : null))
    : null;
  const responsibility = cueOfResponsibility !== null;
  // "said the gang was not behind the attack": the responsibility word nearest the named group is denied.
  const nearest =
    responsibility && NEGATION_WORD_RE.test(s.text)
      ? nearestCue(s, [...culprits, ...s.schemeMentions])
      : null;
  // "have not attributed it to any country" withholds a state, not the group's name.
  const responsibilityDenied =
    nearest !== null &&
    NEGATION_BEFORE_RE.test(s.text.slice(Math.max(0, nearest - 40), nearest)) &&
    !NO_STATE_NAMED_RE.test(s.text.slice(nearest, nearest + 80));
  // "has not said whether the Rhysida gang was behind it": a group named under a withheld statement is not blamed.
  const groupWithheld =
    responsibility &&
    RETRACTION_HINT_RE.test(s.text) &&
    [...culprits, ...s.schemeMentions].every((m) => withheldAt(s.text, m.start - s.start));
  if (sig.length > 0 || responsibility) {
    const triggers = [
      ...live.map((x) => s.tokens.findIndex((t) => t.start >= x.start)),
      ...culprits.map((m) => m.from),
      ...s.schemeMentions.map((sm) => s.tokens.findIndex((t) => t.start >= sm.start)),
    ].filter((t) => t >= 0);
    const { parties, self, speaker } = attributorsOf(s, ctx, accusedNames, isDenial, triggers);
    if (speaker) ctx.lastSpeaker = speaker;
    let attributors = parties;
    // A headline names its source before or after a colon or dash: "FBI: ...", "...: police".
    if (s.isTitle)
      for (const p of headlineSources(s, ctx))
        if (!attributors.some((x) => x.name === p.name)) attributors = [...attributors, p];
    const hedge = hedgeOf(s.text, knowledge);
    const first = live[0] ?? sig[0];
    claims.push({
      sentence: s.index,
      family: first?.family ?? 'responsibility',
      cue: first?.cue ?? cueOfResponsibility?.[0] ?? '',
      countries: [...new Set(live.map((x) => x.iso2))],
      actors: [...new Set(actorIds.filter((id) => id >= 0))],
      schemeNames: s.schemeMentions.map((sm) => sm.name),
      attributors,
      hedges: hedge ? [hedge[0]] : [],
      negated: sig.length > 0 ? live.length === 0 && !responsibility : responsibilityDenied || groupWithheld,
      // A condition on one state ("whether Beijing was behind it") leaves the sentence's other claims standing.
      conditional: sig.length > 0 && sig.every((x) => x.conditional) && !responsibility,
      selfClaim: self && attributors.length === 0,
    });
  } else claimsWithoutStateSignal(s, state, accusedNames, isDenial);
  rememberSentence(s, state, sig);
}

/**
 * A sentence that names no state signal and no responsibility for a named group: charges and sanctions of a
 * person, a continuation about the perpetrators of the claim just made, partners joining a joint claim, and
 * who spoke (for "it said" next).
 */
function claimsWithoutStateSignal(
  s: SentenceInfo,
  state: ArticleClaims,
  accusedNames: Set<string>,
  isDenial: boolean,
): void {
  const { ctx, claims } = state;
  // "A Russian national was sanctioned by the US and Britain for his role in the ransomware attack":
  // the states that charge or sanction someone for a cyber attack hold that person responsible.
  const enforcement = s.security ? PERSON_ENFORCEMENT_RE.exec(s.text) : null;
  const refused = enforcement !== null && NEGATION_BEFORE_RE.test(s.text.slice(0, enforcement.index));
  if (enforcement && !refused) {
    const at = s.tokens.findIndex((t) => t.start >= s.start + enforcement.index);
    // The claim follows the verb: its subject ("Britain sanctioned ...") or agent ("... by Britain") speaks;
    // the subject of a passive ("two people have been sanctioned") is who was sanctioned.
    const passive = /\b(?:been|was|were|is|are|be)\s+$/i.test(s.text.slice(0, enforcement.index));
    const { parties: all } = attributorsOf(s, ctx, accusedNames, false, at >= 0 ? [at + 1] : []);
    const parties = passive ? all.filter((p) => p.role === 'agent') : all;
    if (parties.length > 0) claims.push(partiesOnlyClaim(s.index, enforcement[0], parties, 'enforcement'));
  }
  // "ESET said the attackers deployed a wiper": a sentence about the perpetrators of the claim just made.
  const cont = CONTINUATION_RE.exec(s.text);
  const prev = [...claims]
    .reverse()
    .find(
      (c) =>
        c.sentence >= s.index - 2 &&
        !c.negated &&
        !c.selfClaim &&
        !c.supporting &&
        (c.countries.length > 0 || c.actors.length > 0),
    );
  if (
    cont &&
    prev &&
    (RESPONSIBILITY_RE.test(s.text) ||
      /\b(compromis\w*|deploy\w*|exploit\w*|used|uses|using|relay\w*|hijack\w*|wip\w+)\b/i.test(s.text))
  ) {
    const at = s.tokens.findIndex((t) => t.start >= s.start + cont.index);
    const { parties: all, speaker } = attributorsOf(s, ctx, accusedNames, isDenial, at >= 0 ? [at] : []);
    if (speaker) ctx.lastSpeaker = speaker;
    // "Town IT director Jane Roe said the attackers got in through ...": a person of no known body who tells
    // what the intruders did describes the deed; an agency or a vendor saying it goes on with its claim.
    // ("Foreign Secretary Jane Roe said the hackers were responsible": one who names the culprit still speaks.)
    const parties = NAMES_CULPRIT_RE.test(s.text) ? all : all.filter((p) => p.kind !== 'person');
    if (parties.length > 0)
      claims.push({
        sentence: s.index,
        family: 'responsibility',
        cue: cont[0],
        countries: [],
        actors: prev.actors,
        schemeNames: prev.schemeNames,
        attributors: parties,
        hedges: [],
        negated: false,
        conditional: false,
        selfClaim: false,
        supporting: prev.actors.length === 0,
      });
  }
  // Supporting sentences of a joint attribution: "Italy and Spain joined the statement".
  const joint = JOINT_RE.exec(s.text);
  if (SUPPORT_RE.test(s.text) && joint) {
    let { parties } = attributorsOf(s, ctx, accusedNames, false, []);
    // "Estonia, Latvia and Poland co-signed the statement": the states before the joining verb.
    if (parties.length === 0)
      parties = s.mentions
        .filter((m) => m.end - s.start <= joint.index && (m.ref.type === 'party' || m.ref.type === 'country'))
        .map((m) => partyFromMention(m, s, ctx, 'subject'))
        .filter((x): x is AttributingParty => x !== null);
    if (parties.length > 0) claims.push(partiesOnlyClaim(s.index, joint[0], parties, 'supporting'));
  }
  // "Recorded Future reached the same conclusion": the parties before an endorsement of the claim made before.
  // ("has not agreed with", "agreed with Britain's assessment of the economy", "... assessment that the key came from"):
  // a refused endorsement, or one of another finding; the first endorsement that is neither counts.
  const agreement =
    joint || !ENDORSED_WORD_RE.test(s.text)
      ? null
      : ([...s.text.matchAll(AGREEMENT_ALL_RE), ...s.text.matchAll(AGREEMENT_WITH_OWNER_ALL_RE)].find(
          (m) =>
            !REFUSED_BEFORE_RE.test(s.text.slice(Math.max(0, m.index - 30), m.index)) &&
            !/\b(?:whether|if)\s+(?:[\w'’-]+\s+){0,4}$/i.test(
              s.text.slice(Math.max(0, m.index - 50), m.index),
            ) &&
            sameFinding(s.text, m),
        ) ?? null);
  if (agreement) {
    // (The endorser is named in the endorsement's own clause: "Kaspersky has not reached the same conclusion, but
    // Dragos agreed with ESET's assessment" is Dragos's.)
    const clauseStart = s.start + clauseAt(s.text, agreement.index).from;
    const parties = s.mentions
      .filter(
        (m) =>
          m.start >= clauseStart &&
          m.end - s.start <= agreement.index &&
          (m.ref.type === 'party' || m.ref.type === 'country'),
      )
      .map((m) => partyFromMention(m, s, ctx, 'subject'))
      .filter((x): x is AttributingParty => x !== null);
    if (parties.length > 0) claims.push(partiesOnlyClaim(s.index, agreement[0], parties, 'supporting'));
  }
  // Remember who spoke or acted for "it said", "they said" in the next sentence: a dictionary party,
  // or a government body opening the sentence ("Prosecutors in Oslo filed charges").
  const v = s.tokens.findIndex((t) => ACT_VERBS.has(t.norm));
  if (v >= 0) {
    // ("a server in Hong Kong, the department said": a place is where, not who.)
    const left = [...s.mentions]
      .reverse()
      .find(
        (m) =>
          (m.ref.type === 'party' || m.ref.type === 'country') &&
          m.to <= v &&
          v - m.to <= 10 &&
          !PLACE_BEFORE_RE.test(s.text.slice(Math.max(0, m.start - s.start - 12), m.start - s.start)),
      );
    let p = left ? partyFromMention(left, s, ctx, 'context') : null;
    // "Acme's research arm Northlight said ...": a named organisation speaking.
    if (!p && /^(said|says|stated)$/.test(s.tokens[v]?.norm ?? '')) {
      const run = capitalisedRun(s, v, ctx, 'context');
      if (run?.kind === 'organization' || run?.kind === 'vendor') p = run;
    }
    const subject = s.tokens.slice(0, Math.min(v, 6)).find((t) => GOV_SUBJECTS.has(t.norm));
    if (!p && subject) {
      const g = generic(
        subject.norm,
        ctx,
        'context',
        s.text.slice(0, subject.start - s.start),
        s.text.slice(subject.end - s.start, subject.end - s.start + 40),
      );
      if (g && g !== 'self' && g.kind === 'government') {
        p = g;
        ctx.lastGov = g;
        ctx.lastGovAt = s.index;
      }
    }
    if (p) ctx.lastSpeaker = p;
  }
}

/** What the sentence leaves for the next ones: the state of the story, the parties named, the government. */
function rememberSentence(s: SentenceInfo, state: ArticleClaims, sig: readonly StateSignal[]): void {
  const { ctx, recentBySentence } = state;
  const { knowledge } = ctx;
  // Remember the state of the story ("Ukraine was hit ...") for "the country's CERT said".
  for (const m of s.mentions) {
    const iso = m.ref.type === 'country' ? m.ref.iso2 : '??';
    if (iso !== '??' && !sig.some((x) => x.iso2 === iso)) ctx.lastCountry = iso;
  }
  // Remember parties for "the company said", "the ministry said", "it said", "the two firms said".
  const sentenceParties: AttributingParty[] = [];
  // (The first government of a sentence is its subject: "Estonia summoned the Russian ambassador" is Estonia acting.)
  let govSet = false;
  for (const m of s.mentions) {
    const p = partyFromMention(m, s, ctx, 'context');
    if (!p) continue;
    const iso = countryIso(p.name, knowledge);
    if (!sentenceParties.some((x) => x.name === p.name) && !ctx.accused.has(iso)) sentenceParties.push(p);
    if (p.kind === 'vendor') ctx.lastVendor = p;
    // An organ accused in this sentence ("worked for China's MSS") is not the government that speaks next.
    const accusedHere = sig.some((x) => !x.negated && x.iso2 === iso);
    if (
      !govSet &&
      p.kind === 'government' &&
      !accusedHere &&
      (m.ref.type === 'party' ||
        m.ref.type === 'actor' ||
        GOV_NOUN.test(s.text.slice(m.end - s.start, m.end - s.start + 40)))
    ) {
      ctx.lastGov = p;
      ctx.lastGovAt = s.index;
      govSet = true;
    }
  }
  recentBySentence.push(sentenceParties);
  ctx.recent = recentBySentence.slice(-2).flat();
}

/**
 * Whether a retraction is about who did it: its cue says so ("has not attributed"), or what it withdraws names a
 * state, a group or the attack. ("The hackers read the files, but there is no evidence they listened to calls":
 * the words before the cue are not withdrawn.)
 */
function retractsAttribution(s: SentenceInfo, retract: RegExpExecArray): boolean {
  // What the retraction withdraws ends with its clause ("no evidence that code reached customers, but that the
  // attackers copied keys", "..., though the hackers copied keys").
  const clauseEnd = clauseAt(s.text, retract.index).to;
  const turn = TURN_AFTER_RE.exec(s.text.slice(retract.index, clauseEnd));
  const end = s.start + (turn ? retract.index + turn.index : clauseEnd);
  const at = s.start + retract.index;
  if (withdrawsOnlyDeed(retract[0], s.text.slice(retract.index + retract[0].length, end - s.start)))
    return false;
  return (
    /attribut|blam/i.test(retract[0]) ||
    s.mentions.some(
      (m) => (m.ref.type === 'actor' || m.ref.type === 'country') && m.end > at && m.start < end,
    ) ||
    RETRACTED_ATTRIBUTION_RE.test(s.text.slice(retract.index, end - s.start))
  );
}
/** Words that make what a retraction withdraws a matter of who did it, or of whether there was an attack at all. */
const RETRACTED_ATTRIBUTION_RE =
  /attribut|cyber ?-?attack|hack|behind|responsib|blame|malicious(?:\s+(?:activit|actor|cyber|intent|attack)|\s*(?:[.,;]|$))|\b(?:groups?|actors?|gangs?|culprits?|who|involve\w*|link\w*|tie[sd]?)\b/i;
