/**
 * Which party speaks in a sentence: speakers of reporting verbs, subjects of blame verbs, "according
 * to" and "by" agents, possessive claim nouns ("Microsoft's attribution"), joint statements and lists
 * of states ("agencies from the US, Britain and Canada"), and anonymous sourcing.
 */
import { lexicon } from '../extract/lexicon.js';
import type { Mention, SentenceInfo } from '../extract/mentions.js';
import { nameKey } from '../extract/tokens.js';
import { clauseAt, LIST_BLAME_VERBS, REPORT_VERBS, STATE_LINK } from './cues.js';
import {
  type AttributingParty,
  appositionSpeaker,
  capitalisedRun,
  countryIso,
  describesFirm,
  GENERIC_WORDS,
  gapBreaks,
  generic,
  homeState,
  NOT_NAMES as NOT_NAMES_SET,
  nameAfter,
  nationalCertParty,
  type PartyContext,
  POSSESSIVE_CLAIM_RE,
  partyFromMention,
  SKIP_LEFT,
  tokenGap,
  UNNAMED_WORDS,
} from './parties.js';
import { organActsAsAuthority } from './state-signals.js';

/** Generic nouns that name a government speaker ("U.S. officials said", "the Dutch ministry said"). */
const GOV_GENERIC = new Set([...lexicon.set('genericGovernmentNouns'), 'police', 'officials']);

/** A party's name inside a hyphenated modifier of another name: "Google-owned Mandiant", "state-backed". */
const OWNER_MODIFIER_AFTER_RE = /^-(?:owned|backed|funded|run|operated|controlled)\b/i;
/** A country inside a hyphenated modifier ("the Russia-linked gang", "a China-based firm") describes; it never speaks. */
const COMPOUND_MODIFIER_AFTER_RE = new RegExp(`^-(?:${STATE_LINK}|based|speaking|born)\\b`, 'i');

const NAMED_BY_BEFORE_RE = /\b(?:tracked|called|dubbed|labell?ed|designated)\s+by\s+(?:the\s+)?$/i;
const INCIDENT_VICTIM_BEFORE_RE =
  /\b(?:hack|hacks|hacking|attacks?|cyberattacks?|cyber-attacks?|breach(?:es)?|intrusions?|compromise|theft|heist|infiltration)\s+(?:of|on|at|against|into)\s+(?:the\s+)?$/i;

/** The capitalised name before verb `v` as its speaker, unless it is the victim of an incident. */
function speakingRun(s: SentenceInfo, v: number, ctx: PartyContext): AttributingParty | null {
  const run = capitalisedRun(s, v, ctx, 'speaker');
  const verb = s.tokens[v];
  if (!run || !verb) return run;
  const at = s.text.lastIndexOf(run.name, verb.start - s.start);
  const before = at >= 0 ? s.text.slice(Math.max(0, at - 40), at) : '';
  // "the attack on Acme's systems ..., the company's CEO said": the victim's own things; Acme may speak.
  const owns = at >= 0 && /^['’]s?\s/.test(s.text.slice(at + run.name.length));
  // "prosecutors in New Jersey charged": a place after a preposition is where, not who.
  if ((INCIDENT_VICTIM_BEFORE_RE.test(before) && !owns) || /\b(?:in|at|near)\s+$/.test(before)) return null;
  // "The country's Information and Security Service (SIS) said": a body of the state of the story so far.
  // (The government that spoke last, else the last state named before, unless this sentence names that one, which is
  // mostly the accused: "Estonia summoned the Russian ambassador. The country's agency said Russian hackers ...".)
  if (/\b(?:the|that)\s+(?:country|nation)['’]s\s+$/i.test(before)) {
    const party = countrysState(s, ctx, run.name);
    if (party) return party;
  }
  return run;
}

/**
 * The state of "the country's" body: the government that spoke or acted last ("Estonia summoned the Russian
 * ambassador. The country's agency said"), else the state the sentence before opens with, else the last state named
 * before; never an accused one.
 */
function countrysState(s: SentenceInfo, ctx: PartyContext, body: string): AttributingParty | null {
  // (A state accused so far, in this sentence or before, is no speaker for the accusing country's body.)
  const named = (iso: string): boolean => ctx.accused.has(iso);
  const opener = ctx.extraction.sentences[s.index - 1]?.mentions.find(
    (m) => m.ref.type === 'country' && m.ref.form === 'name' && m.from <= 1,
  );
  const opened = opener?.ref.type === 'country' ? ctx.knowledge.countries.get(opener.ref.iso2) : undefined;
  const spoke = generic('government', ctx, 'speaker');
  if (spoke && spoke !== 'self' && !named(countryIso(spoke.name, ctx.knowledge))) return { ...spoke, body };
  if (opened && !named(opened.iso2)) return { name: opened.name, body, kind: 'government', role: 'speaker' };
  const home = ctx.lastCountry ? ctx.knowledge.countries.get(ctx.lastCountry) : undefined;
  return home && !named(home.iso2) ? { name: home.name, body, kind: 'government', role: 'speaker' } : null;
}

const GROUNDING_ASIDE_BEFORE_RE =
  /,\s*(?:on the basis of|based on|following|after|with (?:the )?help (?:of|from)|with assistance from)\b[^,;]*$/i;
/** Where a prepositional aside opens (", on the basis of ...", ", following an analysis by ..."). */
const ASIDE_OPENING_RE =
  /,\s*(?:on|in|with|after|following|according|based|under|from|through|upon|citing|quoting)\b/gi;
/** A relative clause with a subject of its own: ", which Berlin attributed", ", which the German government blamed". */
const OWN_SUBJECT_RELATIVE_RE =
  /,\s*(?:which|whom)\s+(?!(?:was|were|is|are|has|have|had|would|will|could|may|might|also|itself|it|they|he|she|we)\b)(?:the\s+)?[\p{L}.]+\s+(?:[\p{L}.-]+\s+){0,3}(?:attributed|blamed|blames|attributes|linked|tied|pinned)\b/u;
/** A relative pronoun and a capitalised name right before a verb: ", which Berlin " (the name is read separately). */
const RELATIVE_SUBJECT_BEFORE_RE =
  /\b(?:which|that|whom)\s+(?:the\s+)?\p{Lu}[\p{L}.&'’-]*(?:\s+\p{Lu}[\p{L}.&'’-]*){0,3}\s+(?:\p{Ll}+ly\s+)?$/u;
/** "..., state media reported.": the media relay the sentence's speaker, at its end. */
const MEDIA_CLOSES_RE = /,\s*(?:[\p{L}-]+\s+)?(?:media|press)\s+(?:reported|said|says|say|reports)\.?\s*$/iu;
/** A body named by its portfolio: "Ministry of ...", "Department for ...", "Office of ...". */
const BODY_OF_PORTFOLIO_RE =
  /^(?:\p{Lu}[\p{L}-]*\s+){0,2}(?:Ministry|Department|Office|Commission|Council|Committee|Institute|Centre|Center|Agency|Bureau|Directorate|Authority|Secretariat)\s+(?:of|for)\b/u;
/** A sourcing pattern (anonymous officials, the press) in the clause of the claim at token `t`. */
function inClauseOf(s: SentenceInfo, t: number, re: RegExp): boolean {
  const tok = s.tokens[t];
  if (!tok) return false;
  const { from, to } = clauseAt(s.text, tok.start - s.start);
  return re.test(s.text.slice(from, to));
}
/** "the national security adviser ", "the attorney general has ": a state's title alone right before the verb. */
const GOV_TITLE_BEFORE_VERB_RE = new RegExp(
  `\\b(?:the|a)\\s+(?:${lexicon.alt('titleModifiers')}\\s+)*(?:${lexicon.alt('stateOnlyTitles')})\\s+(?:(?:${lexicon.alt('speakerSkipWords')})\\s+)*$`,
  'i',
);
/** "Information and Security Service": words joined by "and" before a body noun that ends the one name. */
const BODY_NAME_AFTER_AND_RE =
  /^(?:\p{Lu}[\p{L}-]*\s+){1,2}and\s+(?:\p{Lu}[\p{L}-]*\s+){0,2}(?:Service|Agency|Office|Directorate|Bureau|Authority|Council|Commission|Committee|Department|Ministry|Centre|Center|Institute)$/u;
/** An aside citing sources between a subject and its verb: ", citing two officials familiar with the matter, ". */
const SOURCING_ASIDE_RE = /,\s*(?:citing|quoting)\s+[^,;:"“”]{3,140},\s*(?:\w+\s+){0,2}$/i;
/** An aside closes with a comma right before the verb (a date or an adverb may come between). */
const ASIDE_CLOSING_RE = /,\s*(?:\w+\s+){0,2}$/;

/**
 * The subject before a prepositional aside: "The Slovak government, on the basis of an investigation by the
 * NCSC, attributes ..." is the government speaking; a name inside the aside is not the subject.
 */
function subjectPastAside(
  s: SentenceInfo,
  v: number,
  left: Mention | undefined,
  candidates: Mention[],
): Mention | undefined {
  const verb = s.tokens[v];
  if (!verb) return left;
  // The closing comma sits just before the verb: a bounded slice finds it.
  const tail = textBefore(s, verb.start, 40);
  const closingAt = ASIDE_CLOSING_RE.exec(tail.text);
  if (!closingAt) return left;
  const closing = tail.offset + closingAt.index;
  const openings = [...s.text.slice(0, closing).matchAll(ASIDE_OPENING_RE)];
  const opening = openings[openings.length - 1];
  if (!opening || s.text.slice(opening.index, closing).includes(';')) return left;
  const asideStart = s.start + opening.index;
  if (left && left.end <= asideStart) return left;
  return [...candidates].reverse().find((m) => m.end <= asideStart && asideStart - m.end <= 12) ?? left;
}

/** "..., Europol said on Thursday.": a say verb whose short subject follows the sentence's last comma. */
function reportsSentence(s: SentenceInfo, v: number): boolean {
  const verb = s.tokens[v];
  return (
    verb !== undefined &&
    SAY_VERBS.has(verb.norm) &&
    /,\s*[^,;]{1,50}$/.test(s.text.slice(Math.max(0, verb.start - s.start - 60), verb.start - s.start))
  );
}

/**
 * A finite verb right after a name, or after the noun it qualifies: the name is a clause's subject ("said Russia
 * was behind", "said Iranian state hackers carried out").
 */
const CLAUSE_VERB_AFTER_RE =
  /^(?:['’]s\s+[\p{L}-]+|(?:\s+(?!(?:who|which|that)\b)\p{Ll}[\p{Ll}-]*){1,2}?)?\s+(?:(?:also|likely|probably|had|has|have)\s+)?(?:was|were|is|are|had|has|have|would|will|did|could|may|might|must|should|can|stood|carried|launched|conducted|hacked|attacked|stole|breached|orchestrated|ordered|directed|sponsored)\b/iu;

/** A verb near the sentence's end or in a parenthetical governs what comes before it. */
function closesSentence(s: SentenceInfo, v: number): boolean {
  return s.tokens.length - v <= 8 || parenthetical(s, v);
}

/** "..., said the ministry": a say verb right after a comma, its speaker after it. */
function invertedSay(s: SentenceInfo, v: number): boolean {
  const verb = s.tokens[v];
  return (
    verb !== undefined && SAY_VERBS.has(verb.norm) && /,["”’']?\s*$/.test(textBefore(s, verb.start, 8).text)
  );
}

interface Speaker {
  v: number;
  party: AttributingParty | null;
  self: boolean;
  /** "..., the ministry said on Friday." — the speaker closes the sentence and governs what precedes. */
  closing: boolean;
  /** Further parties of a coordinated subject. */
  also?: AttributingParty[];
  /** The verb acts on the accused (blames, charges, arrests) rather than reports. */
  acts?: boolean;
}

function speakerAt(
  s: SentenceInfo,
  v: number,
  ctx: PartyContext,
  candidates: Mention[],
  actorMentions: Mention[],
): Speaker {
  const closing = closesSentence(s, v);
  // "..., said the Dutch defence ministry late on Monday": the speaker follows the verb.
  const vt0 = s.tokens[v];
  if (vt0 && invertedSay(s, v)) {
    // "..., said Russia was behind": the name after the verb opens the reported clause, it does not speak.
    const right = candidates.find(
      (m) =>
        m.from > v &&
        m.from - v <= 2 &&
        !CLAUSE_VERB_AFTER_RE.test(s.text.slice(m.end - s.start, m.end - s.start + 40)),
    );
    // A word that cannot speak ("..., said Chinese hackers were") opens the reported clause: the verb's
    // subject is before it ("Jane Roe, the chief executive of Acme, said").
    const rightParty = right ? partyFromMention(right, s, ctx, 'speaker') : null;
    if (rightParty) return { v, party: rightParty, self: false, closing: true };
    const named = right ? null : nameAfter(s, v + 1, ctx, 'speaker', 1);
    if (named) return { v, party: named, self: false, closing: true };
  }
  // "..., which it said was the work of the GRU": the sentence's subject speaks.
  const relativeSubject = relativePronounSubject(s, v, candidates);
  const relativeParty = relativeSubject ? partyFromMention(relativeSubject, s, ctx, 'speaker') : null;
  if (relativeParty) return { v, party: relativeParty, self: false, closing };
  if (vt0) {
    const person = appositionSpeaker(s, vt0.start, ctx, 'speaker');
    if (person) return { v, party: person, self: false, closing };
    // "The BSI, Germany's federal cyber security agency, said": the subject before the apposition.
    const window = textBefore(s, vt0.start, 200);
    const apMatch = APPOSITIVE_RE.exec(window.text);
    const ap = apMatch ? { index: apMatch.index + window.offset, 0: apMatch[0] } : null;
    // An "apposition" that names further parties is the rest of a list of speakers, not an apposition.
    const listTail =
      ap !== null &&
      !/^,\s+(?:whose|which|who)\b/.test(ap[0]) &&
      candidates.some((m) => m.ref.type === 'party' && m.start >= s.start + ap.index && m.end <= vt0.start);
    if (ap && !listTail) {
      const end = s.start + ap.index;
      // "Rhysida, a ransomware group based in Russia, has claimed": the group speaks for itself.
      const groupBefore = actorMentions.find((m) => m.end === end);
      if (groupBefore) {
        // A state organ is its state speaking ("the FSB, Russia's security service, said").
        const organ = partyFromMention(groupBefore, s, ctx, 'speaker');
        return organ ? { v, party: organ, self: false, closing } : { v, party: null, self: true, closing };
      }
      // "Security firm Acme, which tracks the group as Storm-1111, said": a name outside the dictionaries.
      const before = s.tokens.findIndex((t) => t.start >= end);
      // "Researchers at Sygnia, which the company hired, said": the researchers' organisation; and
      // "A team of Sygnia researchers that investigated the breach at Acme, a retailer, linked it to ...":
      // the researchers open the sentence, and the apposition belongs to their relative clause.
      const near = s.tokens.findIndex((t, i) => i < before && i >= before - 4 && RESEARCHERS.has(t.norm));
      const opening = s.tokens.findIndex((t, i) => i < 6 && RESEARCHERS.has(t.norm));
      const relative =
        opening >= 0 &&
        /\b(?:that|who|which)\b/i.test(
          s.text.slice((s.tokens[opening]?.end ?? s.start) - s.start, end - s.start),
        );
      const researcher = near >= 0 ? near : relative ? opening : -1;
      const named =
        researcher >= 0
          ? researcherOwner(s, researcher, ctx)
          : before > 0
            ? capitalisedRun(s, before, ctx, 'speaker')
            : null;
      const subject = candidates.find(
        (m) =>
          m.end === end ||
          (m.end < end && /^(?:['’]s?|\))$/.test(s.text.slice(m.end - s.start, end - s.start))),
      );
      if (subject) return { v, party: partyFromMention(subject, s, ctx, 'speaker'), self: false, closing };
      if (named && !actorMentions.some((m) => named.name.includes(m.surface)))
        return { v, party: named, self: false, closing };
    }
  }
  const nearestActor = [...actorMentions].reverse().find((m) => m.to <= v && v - m.to <= 4);
  // ("told a conference in London on Wednesday, naming X": a place is where, not who; "police in Oslo said"
  // names the police of that place.)
  // ("targeted India's power grid, Acme says": the object of a deed is its victim, not the speaker.)
  const nearest = [...candidates]
    .reverse()
    .find(
      (m) =>
        m.to <= v &&
        v - m.to <= 10 &&
        !placeOnly(s, m) &&
        !DEED_OBJECT_NAME_BEFORE_RE.test(textBefore(s, m.start, 80).text),
    );
  // "Reuters, citing two people familiar with the matter, said": the outlet speaks; the sources it cites are
  // counted as unnamed sources by the sentence's anonymous-sourcing test, not as the verb's subject.
  const beforeVerb = vt0 ? textBefore(s, vt0.start, 200) : null;
  const citing = beforeVerb ? SOURCING_ASIDE_RE.exec(beforeVerb.text) : null;
  if (beforeVerb && citing) {
    const asideStart = s.start + beforeVerb.offset + citing.index;
    const cited = candidates.find((m) => m.end <= asideStart && asideStart - m.end <= 1);
    const party = cited ? partyFromMention(cited, s, ctx, 'speaker') : null;
    if (party) return { v, party, self: false, closing };
  }
  const left = subjectPastAside(s, v, nearest, candidates);
  // The subject before an aside speaks; the words inside the aside ("the National Cyber Security Centre")
  // are no generic subject either.
  if (left && left !== nearest) {
    const party = partyFromMention(left, s, ctx, 'speaker');
    if (party) return { v, party, self: false, closing };
  }
  let genericIdx = -1;
  for (let j = v - 1; j >= Math.max(0, v - 4); j--) {
    // A comma ends the subject: "..., a hacking group, the companies said" is not the group speaking.
    if (j < v - 1 && gapBreaks(s, j)) break;
    const prevNorm = s.tokens[j - 1]?.norm ?? '';
    if (
      GENERIC_WORDS.has(s.tokens[j]?.norm ?? '') &&
      !(UNNAMED_WORDS.has(s.tokens[j]?.norm ?? '') && (v - j > 2 || /^(by|foreign|from|of)$/.test(prevNorm)))
    ) {
      genericIdx = j;
      break;
    }
  }
  // "police officials said", "ministry officials told": the body named before the officials speaks.
  if (
    genericIdx > 0 &&
    UNNAMED_WORDS.has(s.tokens[genericIdx]?.norm ?? '') &&
    GOV_GENERIC.has(s.tokens[genericIdx - 1]?.norm ?? '')
  )
    genericIdx -= 1;
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
    !s.mentions.some((m) => m.from <= k && m.to > k) &&
    !DEED_OBJECT_NAME_BEFORE_RE.test(textBefore(s, adj.start, 80).text)
  ) {
    const run = speakingRun(s, v, ctx);
    // "Zscaler and Arctic Wolf both concluded": two organisations, not one name.
    // ("the Ministry of Electronics and Information Technology said": one body whose portfolio has an "and".)
    // ("the Information and Security Service said": one body whose name ends in a body noun the first part lacks.)
    if (
      run?.kind === 'organization' &&
      / and /.test(run.name) &&
      !BODY_OF_PORTFOLIO_RE.test(run.name) &&
      !BODY_NAME_AFTER_AND_RE.test(run.name)
    ) {
      const [first, ...rest] = run.name
        .split(/ and /)
        .map((name): AttributingParty => ({ ...run, name, body: name }));
      if (first) return { v, party: first, also: rest, self: false, closing };
    }
    if (run) return { v, party: run, self: false, closing };
  }
  // "TeamViewer said", "Okta confirmed": a company named like its product speaks as the company.
  const productSubject = s.mentions.find((m) => m.ref.type === 'product' && m.to - 1 === k && m.from <= k);
  if (adj && productSubject?.ref.type === 'product' && (!left || left.to <= productSubject.from)) {
    const vendor = ctx.knowledge.products[productSubject.ref.id]?.vendor;
    const name =
      vendor && nameKey(productSubject.surface).startsWith(nameKey(vendor)) ? vendor : productSubject.surface;
    return {
      v,
      party: { name, body: productSubject.surface, kind: 'organization', role: 'speaker' },
      self: false,
      closing,
    };
  }
  if (nearestActor && (!left || nearestActor.to > left.to) && nearestActor.to > genericIdx) {
    // "Russia's FSB said its officers detained ...": a state organ speaking is its state, not a self-claim.
    const organ = partyFromMention(nearestActor, s, ctx, 'speaker');
    return organ ? { v, party: organ, self: false, closing } : { v, party: null, self: true, closing };
  }
  // "The country's computer emergency response team said": the state of the story so far.
  const vt = s.tokens[v];
  if (!left && vt && COUNTRYS_BODY_RE.test(textBefore(s, vt.start, 160).text)) {
    const party = countrysState(s, ctx, 'the country');
    if (party) return { v, party, self: false, closing };
  }
  // "..., the tech major revealed": a common-noun subject; a party named before it is not the speaker.
  const det = determinerBefore(s, k);
  // "The Justice Department unsealed an indictment charging ...": a document speaks for whoever issued it.
  if (
    adj &&
    genericIdx < 0 &&
    det >= 0 &&
    /^\p{Ll}/u.test(adj.raw) &&
    (!left || left.to <= det) &&
    !(DOCUMENT_NOUNS.has(adj.norm) && left)
  ) {
    // "... by Mandiant and by Microsoft, the companies said": a plural noun for the parties just named.
    if (PLURAL_BODIES.has(adj.norm)) {
      const here = candidates
        .filter((m) => m.to <= det && !governedBy(s, m))
        .map((m) => partyFromMention(m, s, ctx, 'speaker'))
        .filter((p): p is AttributingParty => p !== null);
      // "Mandiant and Microsoft investigated. ... the two firms said": the parties of the sentence before.
      const named = here.length > 0 ? here : recentOfKind(ctx, adj.norm);
      const [first, ...rest] = named;
      if (first) return { v, party: first, also: rest, self: false, closing };
    }
    // "The national security adviser said": a state's office holder named by title alone speaks for the state
    // of the story.
    // (The government that spoke last comes first: '"..." aid to Ukraine," the foreign secretary said' after
    // "Britain's foreign secretary said".)
    if (GOV_TITLE_BEFORE_VERB_RE.test(textBefore(s, s.tokens[v]?.start ?? s.start, 60).text)) {
      const spoke = generic('government', ctx, 'speaker');
      if (spoke && spoke !== 'self') return { v, party: spoke, self: false, closing };
      const home = homeState(ctx, s);
      const c = home ? ctx.knowledge.countries.get(home) : undefined;
      if (c)
        return {
          v,
          party: { name: c.name, body: 'title', kind: 'government', role: 'speaker' },
          self: false,
          closing,
        };
    }
    return { v, party: null, self: false, closing };
  }
  // "U.S. officials said", "Japanese police said": the state word right before the generic noun decides.
  const genericWord = s.tokens[genericIdx]?.norm ?? '';
  const govGeneric = GOV_GENERIC.has(genericWord);
  // "Pakistan's national computer emergency response team has warned": a body its owner names in lower case.
  const ownedBody =
    left !== undefined &&
    genericIdx > left.to &&
    OWNED_LOWER_BODY_RE.test(
      s.text.slice(left.end - s.start, (s.tokens[genericIdx]?.start ?? left.end) - s.start),
    );
  if (left && (left.to >= genericIdx || (govGeneric && left.to >= genericIdx - 2) || ownedBody))
    return {
      v,
      party: partyFromMention(left, s, ctx, 'speaker'),
      // "Acme Labs and Northwind Security both concluded", "researchers at Mandiant and CrowdStrike,
      // working separately, have tied": every party of the subject speaks.
      also: [...listSubjects(s, v, candidates), ...listSubjects(s, left.to, candidates)]
        .filter((m) => m !== left)
        .map((m) => partyFromMention(m, s, ctx, 'speaker'))
        .filter((p): p is AttributingParty => p !== null),
      self: false,
      closing,
    };
  // "its chairman said", "the agency's director said": the office holder of the body just named.
  const officer = officerSpeaker(s, v, ctx);
  if (officer) return { v, party: officer, self: false, closing };
  if (genericIdx >= 0) {
    // "researchers at Acme said", "Acme researchers said": the researchers' organisation.
    const owner = RESEARCHERS.has(genericWord) ? researcherOwner(s, genericIdx, ctx) : null;
    if (owner)
      return {
        v,
        party: owner,
        also: researcherListTail(s, genericIdx, candidates, ctx),
        self: false,
        closing,
      };
    const at = s.tokens[genericIdx]?.start ?? s.start;
    const end = s.tokens[genericIdx]?.end ?? s.start;
    const g = generic(
      s.tokens[genericIdx]?.norm ?? '',
      ctx,
      'speaker',
      s.text.slice(Math.max(0, at - s.start - 40), at - s.start),
      s.text.slice(end - s.start, end - s.start + 40),
    );
    return g === 'self' ? { v, party: null, self: true, closing } : { v, party: g, self: false, closing };
  }
  const run = speakingRun(s, v, ctx);
  if (run && !actorMentions.some((m) => run.name.includes(m.surface)))
    return { v, party: run, self: false, closing };
  const norm = s.tokens[v]?.norm ?? '';
  if (norm === 'said' || norm === 'says') {
    const right = candidates.find((m) => m.from > v && m.from - v <= 2);
    if (right) return { v, party: partyFromMention(right, s, ctx, 'speaker'), self: false, closing: true };
  }
  // "Acme and the Northland Virus Centre, together with experts, on Tuesday released a report saying
  // that ...": a subject that opens the sentence, far from its verb, with no other verb between.
  const opening = openingSubjects(s, v, candidates, ctx);
  if (opening.length > 0)
    return { v, party: opening[0] ?? null, also: opening.slice(1), self: false, closing };
  return { v, party: null, self: false, closing };
}

/** Publishing verbs whose subject may stand far before them, behind an apposition and a date. */
const PUBLISH_VERBS = new Set(['released', 'published', 'issued', 'unveiled', 'presented']);
/** The parties of a subject that opens the sentence and runs, without a verb of its own, to `v`. */
function openingSubjects(
  s: SentenceInfo,
  v: number,
  candidates: Mention[],
  ctx: PartyContext,
): AttributingParty[] {
  if (!PUBLISH_VERBS.has(s.tokens[v]?.norm ?? '') || v > 40) return [];
  const head = s.text.slice(0, (s.tokens[v]?.start ?? s.start) - s.start);
  // A verb or a clause inside the subject makes it something else.
  if (/\b(?:said|says|that|which|who|after|when|while|because|is|are|was|were|has|have|had)\b/i.test(head))
    return [];
  const out: AttributingParty[] = [];
  for (const m of candidates)
    if (m.to <= v) {
      const p = partyFromMention(m, s, ctx, 'speaker');
      if (p && !out.some((x) => x.name === p.name)) out.push(p);
    }
  return out;
}

const GROUP_NOUNS = lexicon.set('groupCues');
/**
 * ", <the agency that ...>, said": an apposition (no clause of its own) right before the verb; or a place
 * written after its town (", Kansas,").
 */
const APPOSITIVE_RE = new RegExp(
  `,\\s+(?:(?:the|a|an|whose|which|who|[\\p{Lu}][\\p{L}.-]*['’]s)\\s+(?:[^,;:"“”()]|(?<=\\d),(?=\\d{3})){3,90}|[\\p{Lu}][\\p{L}.-]*(?:\\s+[\\p{Lu}][\\p{L}.-]*){0,2}),\\s*(?:(?:${lexicon.alt('speakerSkipWords')})\\s+)*$`,
  'u',
);
/** "seized", "took down", "shut down": police or courts acting against what follows. */
const ENFORCEMENT_RE = new RegExp(`^${lexicon.alt('enforcementVerbs')}\\b`, 'i');
/** "a report from Acme", "new findings from Acme", "Researchers from Acme": not "stole research from a lab". */
const DOCUMENT_FROM_RE = new RegExp(
  `(?:^\\s*|\\b(?:a|an|the|new|recent|latest|its|their|published|joint|separate|fresh)\\s+(?:[\\w-]+\\s+)?)(?:${lexicon.alt('documentNouns')}|${lexicon.alt('researcherNouns')})\\s+$`,
  'i',
);
const SAY_VERBS = lexicon.set('sayVerbs');
/** A place after "in", "at" or "near" that no state body or official word comes before. */
const PLACE_NAME = String.raw`\p{Lu}[\p{L}.-]*(?:\s+\p{Lu}[\p{L}.-]*)*`;
/** A list of places not yet closed: "in A, B and ", "in A, " (but not "in A and B, ", after which a new name starts). */
const OPEN_PLACE_LIST = String.raw`(?:the\s+)?(?:${PLACE_NAME}\s*,\s*)*(?:${PLACE_NAME}\s*,?\s+(?:and|or)\s+)?$`;
const PLACE_ONLY_BEFORE_RE = new RegExp(`\\b(?:[Ii]n|[Aa]t|[Nn]ear)\\s+${OPEN_PLACE_LIST}`, 'u');
/** A word whose first letter may be a capital, for patterns that must stay case-sensitive elsewhere. */
function eitherCase(word: string): string {
  const first = word.charAt(0);
  return `[${first.toUpperCase()}${first.toLowerCase()}]${word.slice(1)}`;
}
const BODY_IN_PLACE_BEFORE_RE = new RegExp(
  `\\b(?:${[...GOV_GENERIC, 'investigators'].map(eitherCase).join('|')})\\s+(?:in|at)\\s+${OPEN_PLACE_LIST}`,
  'u',
);
function placeOnly(s: SentenceInfo, m: Mention): boolean {
  if (m.ref.type !== 'country') return false;
  const before = textBefore(s, m.start, 80).text;
  if (!PLACE_ONLY_BEFORE_RE.test(before)) return false;
  // "police in Oslo said" names the police of that place; "spied on officials in Oslo" names no speaker.
  const body = BODY_IN_PLACE_BEFORE_RE.exec(before);
  return !body || OBJECT_BEFORE_RE.test(before.slice(0, body.index));
}
/** Whether token `v` stands inside a quotation that opened earlier in the sentence. */
function insideQuote(s: SentenceInfo, v: number): boolean {
  const before = textBefore(s, s.tokens[v]?.start ?? s.start, 1000).text;
  const straight = (before.match(/"/g) ?? []).length;
  const opened = (before.match(/“/g) ?? []).length - (before.match(/”/g) ?? []).length;
  return straight % 2 === 1 || opened > 0;
}
/** An auxiliary of the perfect right before a verb, perhaps past an adverb: "has linked", "have publicly tied". */
const PERFECT_BEFORE_RE = /\b(?:has|have|had)\s+(?:\w+ly\s+)?$/i;
const ADVERB_RE = /ly$/;
/** An owner's possessive and up to five lower-case words, before a generic noun ("'s national cyber response "). */
const OWNED_LOWER_BODY_RE = /^['’]s\s+(?:[a-z][\w-]*\s+){0,5}$/;
/** "In the assessment of", "in the view of", at the start of a sentence or a clause. */
const OPINION_OF_BEFORE_RE = new RegExp(
  `(?:^|[,;:]\\s+|\\band\\s+)in\\s+the\\s+${lexicon.alt('opinionNouns')}\\s+$`,
  'i',
);
/** ", the agency said in a statement, adding ...": a say-verb whose subject follows a comma closes the clause before it. */
function parenthetical(s: SentenceInfo, v: number): boolean {
  const t = s.tokens[v];
  if (!t || !(SAY_VERBS.has(t.norm) || REPORT_VERBS.has(t.norm))) return false;
  return /,\s*[^,;:"“”()]{1,60}$/.test(textBefore(s, t.start, 80).text);
}

const RESEARCHERS = lexicon.set('researcherNouns');
const RESEARCHER_QUALIFIERS = lexicon.exact('researcherQualifiers');
/** The organisation of "researchers at Acme" or "Acme researchers" (token `j` is the noun). */
function researcherOwner(s: SentenceInfo, j: number, ctx: PartyContext): AttributingParty | null {
  const next = s.tokens[j + 1];
  if (next && /^(at|from|with|of)$/.test(next.norm)) {
    const m = s.mentions.find(
      (x) => x.from === j + 2 || (x.from === j + 3 && s.tokens[j + 2]?.norm === 'the'),
    );
    if (m) {
      const p = partyFromMention(m, s, ctx, 'speaker');
      if (p) return p;
    }
    let end = j + 2;
    if (s.tokens[end]?.norm === 'the') end++;
    const first = end;
    // Capitalised words, and words glued to them ("Vx-underground", "Group-IB").
    while (s.tokens[end] && (/^[\p{Lu}\d]/u.test(s.tokens[end]?.raw ?? '') || glued(s, end))) {
      end++;
      if (gapBreaks(s, end - 1)) break;
    }
    const a = s.tokens[first];
    const b = s.tokens[end - 1];
    if (a && b && end > first && /^\p{Lu}/u.test(a.raw)) {
      const name = s.text.slice(a.start - s.start, b.end - s.start);
      return { name, body: `researchers at ${name}`, kind: 'organization', role: 'speaker' };
    }
  }
  const before = s.mentions.find((x) => x.to === j && x.ref.type === 'party');
  if (before) return partyFromMention(before, s, ctx, 'speaker');
  // "Sygnia researchers found": a name outside the dictionaries before the noun.
  const prev = s.tokens[j - 1];
  if (
    prev &&
    /^\p{Lu}/u.test(prev.raw) &&
    !RESEARCHER_QUALIFIERS.has(prev.raw) &&
    !s.mentions.some((x) => x.to === j)
  ) {
    const run = capitalisedRun(s, j, ctx, 'speaker');
    if (run) return run;
    // The whole of a hyphenated name ("our CERT-PH team"), not its last part.
    let first = j - 1;
    while (first > 0 && glued(s, first)) first--;
    const name = s.text.slice((s.tokens[first]?.start ?? prev.start) - s.start, prev.end - s.start);
    if (!NOT_NAMES_SET.has(name) && !gapBreaks(s, j - 1))
      return (
        nationalCertParty(name, ctx, 'speaker') ?? {
          name,
          body: `${name} researchers`,
          kind: 'organization',
          role: 'speaker',
        }
      );
  }
  return null;
}

/** "researchers at Mandiant and CrowdStrike": the further organisations listed after the first. */
function researcherListTail(
  s: SentenceInfo,
  j: number,
  candidates: Mention[],
  ctx: PartyContext,
): AttributingParty[] {
  const first = candidates.find((m) => m.from >= j + 2 && m.from <= j + 3);
  if (!first) return [];
  return listAfter(first, candidates, s)
    .map((m) => partyFromMention(m, s, ctx, 'speaker'))
    .filter((p): p is AttributingParty => p !== null);
}

/** Words before a blame verb that make it no statement ("declined to accuse", "would not attribute", "did blame"). */
const BARE_INFINITIVE_CONTEXT = new Set(
  'to not never would will could can may might should must did do does cannot'.split(' '),
);
/** Words of a time written between a subject and its verb ("on Thursday", "last week", "earlier this month"). */
const TIME_WORDS = new Set(
  'on in last this earlier later week month year monday tuesday wednesday thursday friday saturday sunday today yesterday january february march april may june july august september october november december'.split(
    ' ',
  ),
);
/** Words inside a list of subjects besides the parties: "Britain and its allies", "the US as well as". */
const LIST_GLUE = new Set([
  'and',
  'the',
  'as',
  'well',
  'its',
  'their',
  'along',
  'with',
  'together',
  'member',
  'states',
  'allies',
  'partners',
  'both',
  'all',
  's',
  'to',
  'joined',
  'jointly',
  'international',
  'other',
  'western',
  'allied',
  'several',
  'like',
  'minded',
  ...lexicon.set('governmentNouns'),
  ...lexicon.set('listOwnerNouns'),
  ...lexicon.set('speakerSkipWords'),
]);
const GOVERNING_WORDS = new Set(
  'against in on at of into from to with by for targeting target targets hit hits attack attacks hack hacks breach breaches include includes including'.split(
    ' ',
  ),
);
const CLAUSE_OPENERS = new Set([
  'that',
  'which',
  'who',
  'when',
  'while',
  'after',
  'as',
  'and',
  'but',
  'where',
]);

/**
 * The parties of the coordinated subject right before verb `v` ("The US, Britain and Canada accused
 * ..."). A list that does not open its clause ("before Russia attacked Ukraine, the EU accused") is
 * cut at the comma where the clause starts, so an object of an earlier verb never joins the subject.
 */
/** A preposition that opens a sentence's introductory phrase: "Unlike ", "Like ", "After ", "According to ". */
const INTRODUCTORY_BEFORE_RE =
  /^\s*(?:unlike|like|after|before|besides|with|according\s+to|as\s+with)\s+(?:the\s+)?$/i;
/**
 * "Estonia's foreign ministry summoned the ambassador over the attack, which it blamed on the GRU": a pronoun
 * after a relative pronoun stands for the sentence's subject, a party named at its start (not the last name
 * before the pronoun, "the Russian ambassador").
 */
function relativePronounSubject(s: SentenceInfo, v: number, candidates: Mention[]): Mention | undefined {
  if (!/^(it|they)$/.test(s.tokens[v - 1]?.norm ?? '') || !/^(which|that)$/.test(s.tokens[v - 2]?.norm ?? ''))
    return undefined;
  // ("Unlike Mandiant, the Dutch government named a culprit, which it blamed on ...": not the introductory phrase's.)
  return candidates.find(
    (m) => m.from <= 6 && m.to < v - 2 && !INTRODUCTORY_BEFORE_RE.test(textBefore(s, m.start, 30).text),
  );
}

function listSubjects(s: SentenceInfo, v: number, candidates: Mention[]): Mention[] {
  const items: Mention[] = [];
  let i = v - 1;
  // "The Australian Federal Police on Thursday charged", "the FBI in March tentatively attributed": a time, and an
  // adverb, between the subject and its verb.
  while (
    i > 0 &&
    (TIME_WORDS.has(s.tokens[i]?.norm ?? '') || /^\p{Ll}+ly$/u.test(s.tokens[i]?.raw ?? '')) &&
    !gapBreaks(s, i)
  )
    i--;
  while (i >= 0) {
    const m = candidates.find((c) => c.to - 1 === i && !placeOnly(s, c));
    if (m) {
      items.unshift(m);
      i = m.from - 1;
      continue;
    }
    const t = s.tokens[i];
    if (!t || !(LIST_GLUE.has(t.norm) || /ly$/.test(t.norm) || (/^\p{Lu}/u.test(t.raw) && items.length > 0)))
      break;
    i--;
  }
  if (items.length === 0) {
    // "Norway said that it firmly condemned ...": the pronoun stands for the party before it.
    const t = s.tokens[i];
    if (t && /^(it|they|we)$/.test(t.norm)) {
      const prev =
        relativePronounSubject(s, v, candidates) ?? [...candidates].reverse().find((c) => c.to <= i);
      return prev ? [prev] : [];
    }
    return items;
  }
  const before = s.tokens[i];
  const firstItem = items[0];
  const gapBefore = before && firstItem ? s.text.slice(before.end - s.start, firstItem.start - s.start) : '';
  // The list is the subject unless an earlier verb or preposition governs it ("attacked Ukraine, the EU").
  // "the governments of Japan, Italy and Norway said": an owner phrase opens the list.
  const ownerPhrase = LIST_OWNER_RE.test(textBefore(s, items[0]?.start ?? s.start, 60).text);
  const governed =
    !ownerPhrase &&
    before !== undefined &&
    !CLAUSE_OPENERS.has(before.norm) &&
    !/[,;:"“(]/.test(gapBefore) &&
    (/ed$/.test(before.norm) || GOVERNING_WORDS.has(before.norm));
  const opens = !governed;
  if (opens) return items;
  for (let k = 1; k < items.length; k++) {
    const a = items[k - 1];
    const b = items[k];
    if (a && b && /[,;:]/.test(s.text.slice(a.end - s.start, b.start - s.start))) return items.slice(k);
  }
  return [];
}

/** Token `i` is attached to the one before it by a hyphen, a dot or an ampersand, with no space. */
function glued(s: SentenceInfo, i: number): boolean {
  return /^[-.&]$/.test(tokenGap(s, i));
}

const OFFICER_RE = new RegExp(
  `\\b(?:(its|their|his|her)|the\\s+(?:[\\w-]+['’]s\\s+)?|([\\p{Lu}][\\p{L}&.-]*(?:\\s+[\\p{Lu}][\\p{L}&.-]*){0,3})['’]s\\s+)\\s*(?:${lexicon.alt('titleModifiers')}\\s+)*(${lexicon.alt('corporateTitles')}|${lexicon.alt('governmentTitles')})\\s+(?:(?:${lexicon.alt('speakerSkipWords')})\\s+)*$`,
  'iu',
);
/** "its chairman said", "Acme's chief executive said", "the ministry's spokesperson said". */
function officerSpeaker(s: SentenceInfo, v: number, ctx: PartyContext): AttributingParty | null {
  const t = s.tokens[v];
  if (!t) return null;
  const window = textBefore(s, t.start, 160);
  const before = window.text;
  const m = OFFICER_RE.exec(before);
  if (!m) return null;
  const title = m[3] ?? '';
  const body = m[0].trim();
  const owner = m[2];
  if (owner) {
    const at = window.offset + m.index + Math.max(0, m[0].indexOf(owner)) + s.start;
    const mention = s.mentions.find((x) => x.start >= at && x.end <= at + owner.length);
    if (mention) return partyFromMention(mention, s, ctx, 'speaker');
    if (!NOT_NAMES_SET.has(owner)) return { name: owner, body, kind: 'organization', role: 'speaker' };
    return null;
  }
  const corporate = new RegExp(`^${lexicon.alt('corporateTitles')}$`, 'i').test(title);
  // The body the sentence opens with, or the one the story is about.
  const opener = s.mentions.find((x) => x.ref.type === 'party' && x.from <= 3);
  if (opener) return partyFromMention(opener, s, ctx, 'speaker');
  const subject = leadingName(s);
  if (corporate && subject) return { name: subject, body, kind: 'organization', role: 'speaker' };
  const g = generic(corporate ? 'company' : 'government', ctx, 'speaker');
  return g && g !== 'self' ? { ...g, body } : null;
}

/** The capitalised name a sentence opens with, after a dateline and a descriptor ("British retailer Acme"). */
function leadingName(s: SentenceInfo): string | null {
  const text = s.text.replace(/^[A-Z][A-Z .'-]{2,30}(?:\([^)]{1,30}\))?\s*[-–—]+\s*/, '');
  const m =
    /^(?:(?:[\p{Ll}-]+\s+){0,3})?((?:\p{Lu}[\p{L}\d&.'’-]*)(?:\s+(?:&\s+)?\p{Lu}[\p{L}\d&.'’-]*){0,3})/u.exec(
      text,
    );
  const name = m?.[1]?.replace(/['’]s$/, '');
  return name && !NOT_NAMES_SET.has(name.split(' ')[0] ?? '') ? name : null;
}

const PLURAL_BODIES = lexicon.set('pluralBodies');

/** The index of "the", "a", "its" ... opening the common noun phrase that ends at token `k`, or -1. */
function determinerBefore(s: SentenceInfo, k: number): number {
  for (let j = k - 1; j >= Math.max(0, k - 3); j--) {
    const t = s.tokens[j];
    if (!t || gapBreaks(s, j)) return -1;
    const det = /^(the|a|an|its|their|this|that|these|those|both)$/.test(t.norm);
    // A capital ends the noun phrase, unless it is a determiner opening the sentence ("Both companies ...").
    if (/^\p{Lu}/u.test(t.raw) && !(det && j === 0)) return -1;
    if (det) return j;
  }
  return -1;
}

/** A mention governed by a verb or preposition of the sentence ("breached Acme", "against the EU"). */
function governedBy(s: SentenceInfo, m: Mention): boolean {
  const before = s.tokens[m.from - 1];
  return (
    before !== undefined &&
    before.norm !== 'by' &&
    (GOVERNING_WORDS.has(before.norm) || /ed$/.test(before.norm))
  );
}

/** The parties named in the last sentences that a plural noun can refer to ("the companies", "the governments"). */
function recentOfKind(ctx: PartyContext, noun: string): AttributingParty[] {
  const governments = /^(governments|countries|allies|agencies)$/.test(noun);
  return ctx.recent.filter((p) =>
    governments
      ? p.kind === 'government' || p.kind === 'bloc'
      : p.kind === 'vendor' || p.kind === 'organization',
  );
}

/**
 * The text of `s` before `pos`, at most `max` characters, and where it starts in the sentence: patterns
 * anchored at a verb need only the words before it, and scanning a long sentence's whole prefix for each
 * verb would cost the square of its length.
 */
function textBefore(s: SentenceInfo, pos: number, max: number): { text: string; offset: number } {
  const end = pos - s.start;
  const offset = Math.max(0, end - max);
  return { text: s.text.slice(offset, end), offset };
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
    (m) =>
      (m.ref.type === 'party' ||
        m.ref.type === 'country' ||
        // A state organ acting as the authority ("Officers of the FSB ... detained") can speak too.
        (m.ref.type === 'actor' &&
          ctx.knowledge.actors[m.ref.id]?.organ === true &&
          organActsAsAuthority(m, s))) &&
      m.start >= skipTo &&
      !(
        m.ref.type === 'country' &&
        COMPOUND_MODIFIER_AFTER_RE.test(s.text.slice(m.end - s.start, m.end - s.start + 20))
      ) &&
      // "according to Google-owned Mandiant": the owner describes the speaker.
      !OWNER_MODIFIER_AFTER_RE.test(s.text.slice(m.end - s.start, m.end - s.start + 20)) &&
      // "the 2014 hack of Sony Pictures, blaming it on": the victim of an incident never speaks; nor does a
      // vendor that only names a group ("Storm-0270, a cluster tracked by Microsoft").
      !INCIDENT_VICTIM_BEFORE_RE.test(s.text.slice(Math.max(0, m.start - s.start - 40), m.start - s.start)) &&
      !NAMED_BY_BEFORE_RE.test(s.text.slice(Math.max(0, m.start - s.start - 30), m.start - s.start)),
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
  // (Restored after the loop: the sentence's own speakers stand in for pronouns only inside it.)
  const speakerBefore = ctx.lastSpeaker;
  const lastTrigger = triggers.length > 0 ? Math.max(...triggers) : -1;
  for (let v = 0; v < s.tokens.length; v++) {
    const tok = s.tokens[v];
    if (!tok) continue;
    const norm = tok.norm;
    const by =
      norm === 'by' &&
      (AGENT_BEFORE_BY_RE.test(s.text.slice(Math.max(0, tok.start - s.start - 50), tok.start - s.start)) ||
        // "attributed to Chinese state hackers by", "attributed to OilRig, an Iran-linked group, by researchers at
        // ...": past the accused and its description.
        (BLAMED_ON_DESCRIBED_BEFORE_BY_RE.test(
          s.text.slice(Math.max(0, tok.start - s.start - 160), tok.start - s.start),
        ) &&
          !NOT_AN_AGENT_AFTER_BY_RE.test(s.text.slice(tok.end - s.start, tok.end - s.start + 20)))) &&
      // "on the basis of an investigation by the NCSC, the government attributes": the investigator grounds
      // the claim of the sentence's subject; it does not make it.
      !GROUNDING_ASIDE_BEFORE_RE.test(s.text.slice(0, tok.start - s.start));
    // "a report from Acme", "findings from Acme": the document's author.
    const fromAgent =
      norm === 'from' &&
      DOCUMENT_FROM_RE.test(s.text.slice(Math.max(0, tok.start - s.start - 40), tok.start - s.start));
    // "In the assessment of CERT-UA, the activity ...": a judgement's owner, like "according to".
    const opinionOf =
      norm === 'of' &&
      OPINION_OF_BEFORE_RE.test(s.text.slice(Math.max(0, tok.start - s.start - 40), tok.start - s.start));
    if ((norm === 'according' && s.tokens[v + 1]?.norm === 'to') || by || fromAgent || opinionOf) {
      const from = by || fromAgent || opinionOf ? v + 1 : v + 2;
      const found = candidates.find((c) => c.from >= from && c.from <= from + 8);
      // ("according to the US company Mandiant": the firm the state describes is the source.)
      const described = found !== undefined && describesFirm(found, s);
      const m = described
        ? (candidates.find((c) => c.ref.type === 'party' && c.from >= found.to && c.from <= found.to + 4) ??
          found)
        : found;
      const actorFirst = actorMentions.find((c) => c.from >= from && c.from <= from + 2);
      // The actor is the source only when no other name comes first ("according to Acme, the LockBit gang").
      const firstName = s.tokens.findIndex((x, j) => j >= from && /^\p{Lu}/u.test(x.raw));
      if (actorFirst && (!m || actorFirst.from < m.from) && (firstName < 0 || firstName >= actorFirst.from))
        continue;
      // The nearest name after the preposition is the source; a dictionary mention further on may be
      // something else ("findings from Forescout show that an Iranian group ...").
      const first = m ? partyFromMention(m, s, ctx, by ? 'agent' : 'according to') : null;
      const nameFirst = !m || m.from > from + 3 || !first;
      // ("according to the US security firm Halden Labs": the firm's name comes after the state and the trade.)
      const named = nameFirst
        ? nameAfter(s, described && m === found ? found.to : from, ctx, by ? 'agent' : 'according to', 3)
        : null;
      if (m && !named) {
        add(first);
        // "by CISA, the NSA and the FBI", "the UK's NCSC, Germany's BSI and Japan's police"
        for (const c of listAfter(m, candidates, s))
          add(partyFromMention(c, s, ctx, by ? 'agent' : 'according to'));
      } else {
        // "according to cyber security firm FireEye": a name outside the dictionaries.
        if (named && !actorMentions.some((x) => named.name.includes(x.surface))) add(named);
        else
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
    // A denial sentence reports the accuser only as "accusations by X" or "X's charge", or in the clause the
    // denial answers: "Moscow denied it after Britain's NCSC blamed the GRU".
    if (denial) {
      if (
        (LIST_BLAME_VERBS.has(norm) || REPORT_VERBS.has(norm)) &&
        ANSWERED_CLAUSE_BEFORE_RE.test(textBefore(s, tok.start, 80).text)
      )
        for (const m of listSubjects(s, v, candidates)) add(partyFromMention(m, s, ctx, 'subject'));
      continue;
    }
    // "the group blamed for last year's intrusions", "the ministry, criticised for its defences,": a verb that takes
    // an object, with "for" right after it, describes its subject; it neither speaks nor blames. ("the group that US
    // officials blamed for": in a relative clause, the object went before its subject.)
    const describing =
      PASSIVE_BLAME_VERB_RE.test(norm) &&
      s.tokens[v + 1]?.norm === 'for' &&
      !s.tokens.slice(Math.max(0, v - 5), v).some((t) => /^(?:that|which|whom)$/.test(t.norm));
    const isList =
      (LIST_BLAME_VERBS.has(norm) &&
        !BARE_INFINITIVE_CONTEXT.has(s.tokens[v - 1]?.norm ?? '') &&
        !describing) ||
      (actorMentions.some((m) => m.from > v) && ENFORCEMENT_RE.test(s.text.slice(tok.start - s.start))) ||
      (norm === 'pointing' && s.tokens[v + 1]?.norm.startsWith('finger') === true);
    if (isList && !triggers.some((t) => t > v)) {
      const rel = [...s.tokens.slice(Math.max(0, v - 7), v)]
        .reverse()
        .find((t) => /^(that|which|whom)$/.test(t.norm));
      if (rel) {
        const inClause = candidates.filter((m) => m.start > rel.start && m.to <= v);
        for (const m of inClause) add(partyFromMention(m, s, ctx, 'subject'));
        const opener = inClause.length === 0 ? relativePronounSubject(s, v, candidates) : undefined;
        if (opener) add(partyFromMention(opener, s, ctx, 'subject'));
      }
    }
    // "The EU condemned the attack, which Berlin attributed to the GRU": the claim is the relative clause's,
    // made by its own subject; the verb before it governs no claim.
    // (Only a verb that can speak or blame has a clause to look at: most tokens skip the scan.)
    const verbLike = isList || REPORT_VERBS.has(norm);
    const nextTrigger = verbLike ? s.tokens[Math.min(...triggers.filter((t) => t > v))] : undefined;
    const ownClause =
      nextTrigger !== undefined
        ? OWN_SUBJECT_RELATIVE_RE.exec(s.text.slice(tok.end - s.start, nextTrigger.start - s.start))
        : null;
    const claimInOwnClause = ownClause !== null;
    // "The Australian Federal Police charged two men, which the force linked to Scattered Spider": a common noun
    // in the relative clause stands for the subject of the verb before it.
    if (isList && ownClause && /^,\s*(?:which|whom)\s+the\s+\p{Ll}/u.test(ownClause[0]))
      for (const m of listSubjects(s, v, candidates)) add(partyFromMention(m, s, ctx, 'subject'));
    if (isList && nextTrigger !== undefined && !claimInOwnClause) {
      const subjects = listSubjects(s, v, candidates);
      for (const m of subjects) add(partyFromMention(m, s, ctx, 'subject'));
      // "..., which Berlin attributed to the GRU": a name outside the dictionaries (a capital, a company) right
      // before the verb, after the relative pronoun that opens its clause.
      if (subjects.length === 0 && RELATIVE_SUBJECT_BEFORE_RE.test(textBefore(s, tok.start, 60).text))
        add(speakingRun(s, v, ctx));
    }
    // "People familiar with the matter told The Washington Post that ...": the outlet reports it.
    // "Sources told Reuters", "two officials told the paper": a bare anonymous subject counts too.
    if (norm === 'told') {
      const toldBy = textBefore(s, tok.start, 200).text;
      const outlet = candidates.find(
        (m) =>
          m.from === v + 1 && m.ref.type === 'party' && ctx.knowledge.parties[m.ref.id]?.kind === 'media',
      );
      if (
        outlet &&
        (UNNAMED_RE.test(toldBy) ||
          /\b(?:sources|officials|people|insiders)\s+(?:\w+\s+){0,3}$/i.test(toldBy))
      )
        add(partyFromMention(outlet, s, ctx, 'speaker'));
    }
    // The rest of the loop finds speakers: only report and list verbs have one, and never the second half
    // of a hyphenated modifier ("internet-connected cameras", "state-linked").
    if ((!isList && !REPORT_VERBS.has(norm)) || s.text[tok.start - s.start - 1] === '-') continue;
    // Participles ("hackers linked to", "a group tracked as") are not speech.
    // "a report published on Monday", "an advisory released Tuesday": the document is not the speaker.
    const participle =
      (norm.endsWith('ed') &&
        // "Acme pointed to Iran as the culprit" is speech, never a participle.
        norm !== 'pointed' &&
        (/^(to|by|as|with|of)$/.test(s.tokens[v + 1]?.norm ?? '') || describing) &&
        // "assessed with high confidence" is a finding, not a participle.
        !/^\s*with\s+(?:\w+\s+)?confidence\b/i.test(s.text.slice(tok.end - s.start)) &&
        // "a group Ukraine's SBU has tied to the FSB", "which the agency linked to": a verb with its subject.
        !PERFECT_BEFORE_RE.test(textBefore(s, tok.start, 30).text) &&
        !candidates.some(
          (m) => m.to === v || (m.to === v - 1 && ADVERB_RE.test(s.tokens[v - 1]?.norm ?? '')),
        )) ||
      // "a company said by the government to work for the group": passive, the agent speaks.
      (norm === 'said' && /^(to|by)$/.test(s.tokens[v + 1]?.norm ?? '')) ||
      // "a ransomware group named ALPHV", "an actor tracked ...": a name given, not speech.
      (/^(named|called|dubbed|tracked|identified|labell?ed|described)$/.test(norm) &&
        GROUP_NOUNS.has(s.tokens[v - 1]?.norm ?? '')) ||
      (/^(published|released|issued|posted|shared|filed)$/.test(norm) &&
        s.tokens[v + 1]?.norm !== 'that' &&
        DOCUMENT_NOUNS.has(s.tokens[v - 1]?.norm ?? '')) ||
      // "several alleged hackers", "the suspected Chinese group": an adjective before a noun, not speech.
      (/^(alleged|suspected|reported|purported|accused|claimed)$/.test(norm) &&
        /^(a|an|the|several|some|many|two|three|four|five|of|its|their|his|her|these|those|other|\d+)$/.test(
          s.tokens[v - 1]?.norm ?? '',
        )) ||
      // "Scattered Spider, which Microsoft tracks as Octo Tempest": an alias given in passing, not a claim.
      (/^(tracks|tracked|track|calls|called|call|names|named|dubs|dubbed|labels|labelled|labeled|refers)$/.test(
        norm,
      ) &&
        /^(as|to)$/.test(s.tokens[v + 1]?.norm ?? '') &&
        s.tokens.slice(Math.max(0, v - 5), v).some((t) => /^(which|that|whom)$/.test(t.norm)));
    // A verb inside a name is no verb ("the United States", "Reports Inc").
    // "two Central Asian states has been attacked": a plural noun before an auxiliary is a subject, no verb.
    // ("the group the FBI said was behind": a verb stays a verb; only a plural-looking word is read as a noun.)
    const nounBeforeAuxiliary =
      /^(?:states|reports|claims|notes|documents|tracks|links|findings|charges)$/.test(norm) &&
      /^(?:has|have|had|is|are|was|were|will|would)$/.test(s.tokens[v + 1]?.norm ?? '');
    // "the freight forwarder Dunaj Cargo Link": a capitalised word inside a sentence is part of a name.
    const inName =
      s.mentions.some((m) => m.start <= tok.start && m.end >= tok.end) || (v > 0 && /^\p{Lu}/u.test(tok.raw));
    // A verb after every claim counts only when it closes the sentence ("..., the ministry said"): the others
    // govern no claim, so their speakers are not worked out.
    const governsClaim = v < lastTrigger || closesSentence(s, v) || invertedSay(s, v);
    if (!participle && !inName && !nounBeforeAuxiliary && governsClaim && !claimInOwnClause) {
      const found = speakerAt(s, v, ctx, candidates, actorMentions);
      speakers.push({ ...found, acts: isList });
      // "Microsoft said that it had ... attributed it to": a pronoun after a say verb is its speaker.
      if (found.party && found.party.kind !== 'unnamed' && SAY_VERBS.has(norm)) ctx.lastSpeaker = found.party;
    }
  }
  ctx.lastSpeaker = speakerBefore;
  // The speaker governing each claim: the last one before it, else a closing one after it.
  for (const t of triggers) {
    const forward = [...speakers].reverse().find((sp) => sp.v < t && (sp.party !== null || sp.self));
    const closing = speakers.find((sp) => sp.v > t && sp.closing && (sp.party !== null || sp.self));
    const gov = forward ?? closing;
    if (!gov) continue;
    if (gov.self) self = true;
    if (gov.party) {
      add(gov.party);
      speaker ??= gov.party;
    }
    for (const p of gov.also ?? []) add(p);
    // "Police in Germany arrested four people suspected of deploying Akira, Europol said": the closing
    // speaker reports the whole sentence, the acting subject's claim included.
    if (forward?.acts && closing?.party && !closing.self && reportsSentence(s, closing.v)) add(closing.party);
    // '"The FBI has confirmed to us that the group was responsible," said the hospital's CISO': the speaker
    // quoted and the one quoting both make the claim.
    if (
      forward &&
      closing?.party &&
      closing.party.kind !== 'person' &&
      !closing.self &&
      insideQuote(s, forward.v)
    )
      add(closing.party);
  }
  // "agencies from the United States, Britain and Canada issued ...": every state of the list speaks.
  if (triggers.length > 0)
    for (const m of candidates) {
      const before = s.text.slice(Math.max(0, m.start - s.start - 40), m.start - s.start);
      const owner = LIST_OWNER_RE.exec(before);
      if (
        m.ref.type === 'country' &&
        owner &&
        !OBJECT_BEFORE_RE.test(before.slice(0, owner.index)) &&
        m.start < (s.tokens[Math.max(...triggers)]?.start ?? 0)
      ) {
        add(partyFromMention(m, s, ctx, 'joint'));
        for (const c of listAfter(m, candidates, s)) add(partyFromMention(c, s, ctx, 'joint'));
        break;
      }
    }
  // Anonymous sourcing: "two officials familiar with the investigation said".
  // (In the clause of a claim: "Citing officials, Reuters reported the breach; Mandiant blamed APT41" sources the blame
  // to Mandiant alone. The same holds for the press below.)
  if (triggers.length > 0 && UNNAMED_RE.test(s.text) && triggers.some((t) => inClauseOf(s, t, UNNAMED_RE)))
    add({ name: 'unnamed sources', body: 'unnamed sources', kind: 'unnamed', role: 'according to' });
  // ("the minister accused Israel, state media reported": the media relay the named speaker's claim.)
  if (
    triggers.length > 0 &&
    MEDIA_WORD_RE.test(s.text) &&
    MEDIA_RE.test(s.text) &&
    !(MEDIA_CLOSES_RE.test(s.text) && parties.some((p) => p.kind !== 'unnamed')) &&
    triggers.some((t) => inClauseOf(s, t, MEDIA_RE))
  )
    add({ name: 'media', body: 'media reports', kind: 'media', role: 'according to' });
  // Joint action: "in collaboration with X and Y", "jointly with", "joined ... in attribution".
  const joint = JOINT_RE.exec(s.text);
  if (joint) {
    const at = joint.index + s.start;
    const countriesListed = candidates.filter((c) => c.ref.type === 'country').length >= 2;
    for (const m of candidates) {
      if (m.start < at && !/joined/i.test(joint[0])) continue;
      const p = partyFromMention(m, s, ctx, 'joint');
      // ("the UK joined the US, the EU and Nato in holding ... responsible": every member of the list joined.)
      if (p && (p.kind !== 'bloc' || !countriesListed || /^joined\b/i.test(joint[0]))) add(p);
    }
  }
  return { parties, self, speaker };
}

const L = lexicon;
/** Verbs of blame that take an object: with "for" right after them, they are passive participles. */
const PASSIVE_BLAME_VERB_RE = /^(?:blamed|critici[sz]ed|condemned|censured|faulted)$/;
/** "by contrast", "by early 2023": a "by" that names no agent. */
const NOT_AN_AGENT_AFTER_BY_RE =
  /^\s+(?:contrast|comparison|early|late|mid|the\s+time|then|now|far|mistake|chance|default|design|\d)/i;
/**
 * A passive blame up to its "by": the accused in a few words ("attributed to Chinese state hackers "), or named with a
 * description after a comma, in parentheses or between dashes ("attributed to OilRig, an Iran-linked group, ").
 */
const BLAMED_ON_DESCRIBED_BEFORE_BY_RE =
  /\b(?:attributed|blamed|pinned|linked|tied|traced)\s+(?:(?:with|at)\s+(?:\w+\s+){1,2}confidence\s+)?(?:on|to)\s+(?:(?:[\w-]+\s+){1,5}|[^.;,()—–]{1,60}(?:,\s+[^.;,]{1,80},|\s*\([^()]{1,80}\)|\s+[—–]\s+[^.;—–]{1,80}\s+[—–])\s+)$/i;
const AGENT_BEFORE_BY_RE = new RegExp(`\\b${L.alt('agentVerbsBeforeBy')}\\s+(?:\\w+\\s+){0,3}$`, 'i');
const DOCUMENT_NOUNS = L.set('documentNouns');
/**
 * A headline's source: a short span before a colon ("FBI: North Korea behind Sony hack") or after a
 * colon or dash ("... stolen funds: police", "... - researchers"), holding a party or a generic speaker.
 */
export function headlineSources(s: SentenceInfo, ctx: PartyContext): AttributingParty[] {
  const out: AttributingParty[] = [];
  const spans: [number, number][] = [];
  const head = /^([^:]{2,40}):\s/.exec(s.text);
  if (head?.[1] && head[1].split(/\s+/).length <= 5) spans.push([0, head[1].length]);
  const tail = /(?:[:\u2013\u2014]|\s-)\s*([^:\u2013\u2014]{2,40})$/.exec(s.text);
  if (tail?.[1] && tail[1].split(/\s+/).length <= 5) spans.push([tail.index, s.text.length]);
  for (const [from, to] of spans) {
    const inSpan = s.mentions.filter((m) => m.start - s.start >= from && m.end - s.start <= to);
    for (const m of inSpan) {
      const p = partyFromMention(m, s, ctx, 'title source');
      if (p) out.push(p);
    }
    if (inSpan.length > 0) continue;
    const words =
      s.text
        .slice(from, to)
        .toLowerCase()
        .match(/\p{L}+/gu) ?? [];
    const last = words[words.length - 1] ?? '';
    if (words.length <= 2 && GENERIC_WORDS.has(last)) {
      const g = generic(last, ctx, 'title source');
      if (g && g !== 'self') out.push(g);
    }
  }
  return out;
}

const COUNTRYS_BODY_RE = new RegExp(
  `\\b(?:the|that) (?:country|nation)['’]s\\s+(?:[\\w-]+\\s+){0,5}?${L.alt('countryBodyNouns')}\\s+(?:(?:has|have|had|also|on|this|\\w+day)\\s+)*$`,
  'i',
);
/** A deed's object, up to the capitalised words of its name: "against Moldova's Central Electoral ". */
const DEED_OBJECT_NAME_BEFORE_RE = new RegExp(
  `\\b${L.alt('deedObjectWords')}\\s+(?:(?:the|a|an)\\s+)?(?:\\p{Lu}[\\p{L}.&-]*(?:['’]s)?\\s+){0,5}$`,
  'u',
);
/** A clause on a time conjunction or a relative pronoun, up to its verb without a break: "after Britain's NCSC ", "which Canada ". */
const ANSWERED_CLAUSE_BEFORE_RE = /\b(?:after|when|since|following|once|which|that)\s+[^,;:.]{0,60}$/i;
/** A list of states introduced as the speakers: "agencies from", "the governments of", "partners in". */
const LIST_OWNER_RE = new RegExp(
  `\\b(?:${L.alt('listOwnerNouns')}\\s+(?:from|of|in)|${L.alt('researcherNouns')}\\s+(?:at|with|from))\\s+(?:the\\s+)?$`,
  'i',
);
/**
 * The words before "officials in X and Y" make them an object, not speakers: a preposition or a verb ("spied on
 * government officials in", "targeting senior officials in"), past a determiner and modifiers.
 */
const OBJECT_BEFORE_RE = new RegExp(
  `\\b(?:on|at|of|to|for|from|with|about|among|contacted|approached|spying|spied|surveilled|monitored|${L.alt('deedObjectWords')})\\s+(?:(?:the|some|several|many|senior|junior|top|local|foreign|government|state|federal|military|defen[cs]e|security|health|\\p{Lu}[\\p{L}-]*)\\s+){0,3}$`,
  'u',
);
/** The parties listed right after `first`: "CISA, the NSA and the FBI", "the UK's NCSC, Germany's BSI". */
/** What may stand between two items of a list of parties. */
const LIST_BETWEEN_RE =
  /^\.?(?:(?:['’]s\s+(?:[\p{Ll}-]+\s+){1,3}(?=,|and\b))?[\s,]*(?:and\s+)?(?:the\s+)?(?:(?:security\s+)?(?:researchers|analysts|experts|investigators)\s+(?:at|from|with)\s+|(?:cyber\s*)?security\s+(?:firm|company)\s+)?|['’]s\s+)$/iu;
function listAfter(first: Mention, candidates: Mention[], s: SentenceInfo): Mention[] {
  const out: Mention[] = [];
  let prevEnd = first.to;
  for (const c of candidates) {
    if (c.from <= first.from || c.from < prevEnd) continue;
    const between = s.text.slice(
      (s.tokens[prevEnd - 1]?.end ?? 0) - s.start,
      (s.tokens[c.from]?.start ?? 0) - s.start,
    );
    // "the U.S., U.K. and Canadian authorities": an abbreviation's period does not end the list.
    // ("according to Ukraine's cyber agency and researchers at Mandiant": the researchers' firm is listed.)
    if (c.from - prevEnd > 8 || !LIST_BETWEEN_RE.test(between)) break;
    out.push(c);
    prevEnd = c.to;
  }
  return out;
}

export const UNNAMED_RE = new RegExp(
  `\\b(?:${L.alt('anonymousSourceNouns')})\\s+(?:\\w+\\s+){0,2}?${L.alt('anonymousSourcePhrases')}|\\b(?:spoke|speaking|talked|talking)\\s+${L.alt('anonymousSourcePhrases')}|\\b(?:according to|citing|learned from|learnt from|told by|cited)\\s+(?:(?:two|three|several|various|multiple|unnamed|anonymous|people|its|their|his|her)\\s+){0,2}(?:sources|insiders)\\b|\\b(?:various|several|multiple|unnamed|anonymous)\\s+(?:sources|insiders)\\b|\\b(?:unnamed|anonymous)\\s+(?:[\\w.-]+\\s+){0,5}?(?:officials?|sources|people|diplomats|insiders)\\b|\\b(?:citing|cited)\\s+(?:(?:security|intelligence|government|senior|two|three|several|western|european)\\s+){0,2}officials\\b(?!\\s+(?:at|from|of|with|in)\\s+[A-Z])`,
  'i',
);
/** The words MEDIA_RE needs: a cheap test before the long pattern. */
const MEDIA_WORD_RE = /media|press|news|broadcaster/i;
/** A claim sourced to the press without naming an outlet: "blamed in the media", "according to media reports". */
export const MEDIA_RE =
  /\b(?:in|by|according to|citing)\s+(?:the\s+|local\s+|several\s+|multiple\s+)?(?:media|press|news)(?:\s+reports?)?\b|\bmedia reports?\s+(?:said|say|says|suggested|indicated)\b|\b(?:\p{L}+\s+)?(?:media|newspapers?|press|news\s+outlets?|broadcasters?)\s+(?:have\s+|has\s+|had\s+)?(?:reported|report|reports|said|say|cited)\b/iu;
export const SUPPORT_RE = L.re('supportNouns');
export const JOINT_RE = L.re('jointPhrases');
