/**
 * Which party speaks in a sentence: speakers of reporting verbs, subjects of blame verbs, "according
 * to" and "by" agents, possessive claim nouns ("Microsoft's attribution"), joint statements and lists
 * of states ("agencies from the US, Britain and Canada"), and anonymous sourcing.
 */
import { lexicon } from '../extract/lexicon.js';
import type { Mention, SentenceInfo } from '../extract/mentions.js';
import { LIST_BLAME_VERBS, REPORT_VERBS } from './cues.js';
import {
  type AttributingParty,
  capitalisedRun,
  GENERIC_WORDS,
  gapBreaks,
  generic,
  type PartyContext,
  POSSESSIVE_CLAIM_RE,
  partyFromMention,
  SKIP_LEFT,
  UNNAMED_WORDS,
} from './parties.js';

/** Generic nouns that name a government speaker ("U.S. officials said", "the Dutch ministry said"). */
const GOV_GENERIC = new Set([...lexicon.set('genericGovernmentNouns'), 'police', 'officials']);

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
  // "The country's computer emergency response team said": the state of the story so far.
  const vt = s.tokens[v];
  if (!left && vt && ctx.lastCountry && COUNTRYS_BODY_RE.test(s.text.slice(0, vt.start - s.start))) {
    const c = ctx.knowledge.countries.get(ctx.lastCountry);
    if (c)
      return {
        v,
        party: { name: c.name, body: 'the country', kind: 'government', role: 'speaker' },
        self: false,
        closing,
      };
  }
  // "U.S. officials said", "Japanese police said": the state word right before the generic noun decides.
  const genericWord = s.tokens[genericIdx]?.norm ?? '';
  const govGeneric = GOV_GENERIC.has(genericWord);
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
      AGENT_BEFORE_BY_RE.test(s.text.slice(Math.max(0, tok.start - s.start - 50), tok.start - s.start));
    if ((norm === 'according' && s.tokens[v + 1]?.norm === 'to') || by) {
      const from = by ? v + 1 : v + 2;
      const m = candidates.find((c) => c.from >= from && c.from <= from + 8);
      const actorFirst = actorMentions.find((c) => c.from >= from && c.from <= from + 2);
      if (actorFirst && (!m || actorFirst.from < m.from)) continue;
      if (m) {
        add(partyFromMention(m, s, ctx, by ? 'agent' : 'according to'));
        // "by CISA, the NSA and the FBI", "the UK's NCSC, Germany's BSI and Japan's police"
        for (const c of listAfter(m, candidates, s))
          add(partyFromMention(c, s, ctx, by ? 'agent' : 'according to'));
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
    // "a report published on Monday", "an advisory released Tuesday": the document is not the speaker.
    const participle =
      (norm.endsWith('ed') && /^(to|by|as|with)$/.test(s.tokens[v + 1]?.norm ?? '')) ||
      // "a company said by the government to work for the group": passive, the agent speaks.
      (norm === 'said' && /^(to|by)$/.test(s.tokens[v + 1]?.norm ?? '')) ||
      (/^(published|released|issued|posted|shared|filed)$/.test(norm) &&
        s.tokens[v + 1]?.norm !== 'that' &&
        DOCUMENT_NOUNS.has(s.tokens[v - 1]?.norm ?? ''));
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
  // "agencies from the United States, Britain and Canada issued ...": every state of the list speaks.
  if (triggers.length > 0)
    for (const m of candidates) {
      const before = s.text.slice(Math.max(0, m.start - s.start - 40), m.start - s.start);
      if (
        m.ref.type === 'country' &&
        LIST_OWNER_RE.test(before) &&
        m.start < (s.tokens[Math.max(...triggers)]?.start ?? 0)
      ) {
        add(partyFromMention(m, s, ctx, 'joint'));
        for (const c of listAfter(m, candidates, s)) add(partyFromMention(c, s, ctx, 'joint'));
        break;
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

const L = lexicon;
const AGENT_BEFORE_BY_RE = new RegExp(`\\b${L.alt('agentVerbsBeforeBy')}\\s+(?:\\w+\\s+){0,3}$`, 'i');
const DOCUMENT_NOUNS = L.set('documentNouns');
const COUNTRYS_BODY_RE = new RegExp(
  `\\b(?:the|that) (?:country|nation)['’]s\\s+(?:[\\w-]+\\s+){0,5}?${L.alt('countryBodyNouns')}\\s+(?:(?:has|have|had|also|on|this|\\w+day)\\s+)*$`,
  'i',
);
/** A list of states introduced as the speakers: "agencies from", "the governments of", "partners in". */
const LIST_OWNER_RE = new RegExp(`\\b${L.alt('listOwnerNouns')}\\s+(?:from|of|in)\\s+(?:the\\s+)?$`, 'i');
/** The parties listed right after `first`: "CISA, the NSA and the FBI", "the UK's NCSC, Germany's BSI". */
function listAfter(first: Mention, candidates: Mention[], s: SentenceInfo): Mention[] {
  const out: Mention[] = [];
  let prevEnd = first.to;
  for (const c of candidates) {
    if (c.from <= first.from || c.from < prevEnd) continue;
    const between = s.text.slice(
      (s.tokens[prevEnd - 1]?.end ?? 0) - s.start,
      (s.tokens[c.from]?.start ?? 0) - s.start,
    );
    if (c.from - prevEnd > 2 || !/^(?:[\s,]*(?:and\s+)?(?:the\s+)?|['’]s\s+)$/i.test(between)) break;
    out.push(c);
    prevEnd = c.to;
  }
  return out;
}

export const UNNAMED_RE = new RegExp(
  `\\b(?:${L.alt('anonymousSourceNouns')})\\s+(?:\\w+\\s+){0,2}?${L.alt('anonymousSourcePhrases')}|\\b(?:spoke|speaking|talked|talking)\\s+${L.alt('anonymousSourcePhrases')}`,
  'i',
);
export const CONTINUATION_RE = new RegExp(`\\b(?:the|these|those) ${L.alt('continuationNouns')}\\b`, 'i');
export const SUPPORT_RE = L.re('supportNouns');
export const JOINT_RE = L.re('jointPhrases');
