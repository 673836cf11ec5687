/**
 * The attribution rules' view of the lexicon (config/dictionaries/lexicon.json): the word lists
 * compiled into the few patterns the rules share. Words live in the lexicon; only the grammar that
 * combines them (what comes before or after a country word, anchors, optional fillers) lives here.
 */
import { lexicon } from '../extract/lexicon.js';

const L = lexicon;

/** Words that turn a country word into a hacker description: "Chinese hackers", "Russian APT group". */
export const HACKER_NOUN = `(?:hacking(?!\\s+${L.alt('hackingNotPerpetrator')}\\b)(?:\\s+${L.alt('hackingQualifiers')})?|cyber[-\\s]?${L.alt('cyberCompoundHeads')}|${L.alt('perpetratorNouns')})`;

/** Hyphenated or adjectival state links after a country: "China-backed", "Iranian state-sponsored". */
export const STATE_LINK = `(?:${L.alt('stateLinkCompounds')}|${L.alt('stateLinkParticiples')})`;

/** Phrases before a country that make it the one behind the activity ("linked to China", "backed by Iran"). */
export const LINK_BEFORE = L.alt('linkPhrasesBefore');

/** Verbs of blaming whose object is the accused. */
export const BLAME_VERB = `(?:${L.alt('blameVerbs')}|point(?:s|ed|ing)?\\s+(?:the\\s+|a\\s+|his\\s+|her\\s+|their\\s+|its\\s+)?fingers?\\s+at)`;

/** Criminal descriptions: a gang's base or language is not a state attribution (eval 5.2). */
export const CRIMINAL_RE = L.re('criminalWords');
export const STATE_CUE_RE = L.re('stateWords');
/** Words that keep a state claim alive beside criminal words ("state-sponsored criminals"). */
export const STATE_OVERRIDES_CRIMINAL_RE = L.re('stateOverridesCriminal');

/** An anaphor for attackers named earlier: "the group", "these hackers". */
export const CONTINUATION_RE = new RegExp(`\\b(?:the|these|those) ${L.alt('continuationNouns')}\\b`, 'i');

/** Reporting verbs: the speaker of the sentence makes the claim. */
export const REPORT_VERBS = L.set('reportVerbs');
/** Blame verbs for list subjects: every party to the left is an attributor. */
export const LIST_BLAME_VERBS = L.set('listBlameVerbs');

/**
 * "linked the intrusions to", "traced the attack back to", "pinned the breach on": an incident, then its
 * author ("connected the controllers to the internet" joins no incident).
 */
const LINKED_OBJECT_TO = `${L.alt('linkVerbs')}\\s+(?:(?:it|them|this|these|those)\\s+|(?=(?:[\\w'’-]+\\s+){0,5}?${L.alt('linkedObjectNouns')}\\b)(?:[\\w'’-]+\\s+){1,8}?)(?:back\\s+)?(?:to|on)`;

/** Words that make a sentence about responsibility for an incident (for criminal groups too). */
export const RESPONSIBILITY_RE = new RegExp(
  `\\b(?:${L.alt('responsibilityWords')}|${L.alt('enforcementVerbs')}|${L.alt('incidentNounsBy')}\\s+(?:\\w+\\s+){0,2}by|${LINKED_OBJECT_TO})(?!\\w)`,
  'i',
);

/** Hedges lower confidence: estimative words, anonymous or unconfirmed claims. */
export const HEDGE_RE = L.re('hedges');
/** Removal: the claim is withdrawn, unsupported or the incident is not an attack. */
export const RETRACT_RE = L.re('retractions');
/**
 * Words one of which every retraction phrase holds: a cheap test before the long alternation. A test in
 * test/unit checks that each lexicon phrase passes it, so a new phrase cannot slip past.
 */
export const RETRACTION_HINT_RE =
  /\b(?:not|no|never|nothing|unable|cannot|can't|couldn't|don't|didn't|declined|refused|retract\w*|walked|withdr\w+|ruled|unclear|too)\b/i;
/** The retraction in a text, if any. */
export function retractionIn(text: string): RegExpExecArray | null {
  return RETRACTION_HINT_RE.test(text) ? RETRACT_RE.exec(text) : null;
}
/** "did not say whether", "declined to say who": no claim in that clause, and nothing withdrawn elsewhere. */
const WITHHELD_RE = L.re('withheldStatements');
/** Between two coordinated words of a list: ", ", " and ", ", or " ("German and British officials"). */
export const COORDINATION_GAP = String.raw`(?:\s*,\s*|\s+(?:and|or)\s+|\s*,\s*(?:and|or)\s+)`;
/**
 * Where a clause that contrasts with the one before it opens: "; ", ", but", ", while", ", whereas", "however",
 * and the comma that closes an opening concession ("While Acme has not attributed the attack, Mandiant said").
 */
const CONTRAST_CLAUSE_RE = /;|,\s*(?:but|while|whereas)\b|\s(?:but)\s|\bhowever\b/gi;
const OPENING_CONCESSION_RE = /^\s*(?:while|although|though|even though)\b[^,;]*,/i;
/** The bounds of the clause that holds offset `at` of a sentence. */
export function clauseAt(text: string, at: number): { from: number; to: number } {
  const concession = OPENING_CONCESSION_RE.exec(text);
  let from = 0;
  if (concession) {
    const end = concession[0].length;
    if (end - 1 > at) return { from: 0, to: end - 1 };
    from = end;
  }
  for (const m of text.matchAll(CONTRAST_CLAUSE_RE)) {
    if (m.index < from) continue;
    if (m.index > at) return { from, to: m.index };
    from = m.index + m[0].length;
  }
  return { from, to: text.length };
}
/** A concession ends what a withheld statement governs: "declined to say whether ..., though officials blamed". */
const CONCESSION_RE = /,\s*(?:though|although)\b/i;
/**
 * Whether a retraction holds at offset `at` of a sentence: one in the same clause, where clauses that contrast
 * part ("Acme declined to attribute the attack, but Mandiant said Chinese state hackers were responsible").
 */
export function retractedAt(text: string, at: number): boolean {
  if (retractionIn(text) === null && !withheld(text.slice(0, at), text.slice(at))) return false;
  const { from, to } = clauseAt(text, at);
  const clause = text.slice(from, to);
  const found = retractionIn(clause);
  // ("There is no sign that the hackers deployed ransomware, though ESET said Mustang Panda was behind it": the claim
  // after the concession stands.)
  const turn = found ? TURN_AFTER_RE.exec(clause.slice(found.index)) : null;
  const retraction = found && !(turn && found.index + turn.index < at - from) ? found : null;
  // ("Mandiant blamed APT29, but there is no sign that the Russian group stole any data": what the retraction
  // withdraws is a deed of the doers named before, not who they are.)
  const deedOfKnownDoers =
    retraction !== null &&
    withdrawsOnlyDeed(retraction[0], clause.slice(retraction.index + retraction[0].length));
  if ((retraction !== null && !deedOfKnownDoers) || withheldAt(text, at)) return true;
  // "Commentators speculated that Russian hackers could have been behind it, but authorities have not
  // attributed it": a later retraction answers the speculation before it.
  return SPECULATION_RE.test(clause) && retractionIn(text.slice(to)) !== null;
}
/** Whether a withheld statement governs offset `at` ("has not said whether the Rhysida gang was behind"). */
export function withheldAt(text: string, at: number): boolean {
  const { from, to } = clauseAt(text, at);
  return withheld(text.slice(from, Math.max(from, at)), text.slice(Math.max(from, at), to));
}
/**
 * Whether a withheld statement in `segment` (the sentence up to a claim) governs the claim. It governs what follows
 * it ("did not say whether the GRU was behind it"), not a claim made before it ("said the GRU hacked the grid and
 * declined to say whether arrests follow"), nor past a concession or a relative clause that makes its own claim
 * ("did not say whether the attack, which Mandiant linked to ..., disrupted services").
 */
function withheld(segment: string, after = ''): boolean {
  if (!RETRACTION_HINT_RE.test(segment)) return false;
  const w = WITHHELD_RE.exec(segment);
  if (!w) return false;
  const rest = segment.slice(w.index);
  // ("It is unclear whether the hackers of APT29 stole classified files": a later deed is withheld, not who.)
  return (
    !CONCESSION_RE.test(rest) &&
    !/,\s*(?:which|who|whom)\b/i.test(rest) &&
    !deedOnly(segment.slice(w.index + w[0].length) + after)
  );
}
/** Where a sentence turns after a retraction: ", though", ", but" (what the retraction withdraws ends there). */
export const TURN_AFTER_RE = /,\s*(?:though|although|but|while|whereas|yet)\b/i;
/** A retraction that withholds evidence: "no evidence that", "no sign that". */
const NO_EVIDENCE_CUE_RE = /^no\s+(?:evidence|sign|signs|indication)\b/i;
/** The doers of a withdrawn deed named as known: "that the Russian group", "the hackers". */
const DEFINITE_SUBJECT_RE =
  /^\s*(?:that\s+)?(?:the|these|those|this)\s+(?:[\w-]+\s+){0,2}?(?:group|groups|hackers|attackers|intruders|actors?|gang|operators|crew|spies)\b/i;
/** Words of authorship: a clause that holds one says who did it. */
const AUTHORSHIP_RE =
  /\b(?:behind|responsib\w*|involv\w*|link\w*|tie[sd]?|connect\w*|carried\s+out|conduct\w*|orchestrat\w*|perpetrat\w*|attribut\w*|blam\w*|sponsor\w*|backed|directed|directing|ordered|order(?:s|ing)?\s+(?:the|it|them|from|of)|on\s+(?:the\s+)?orders|at\s+the\s+behest|work(?:s|ed|ing)?\s+for|on\s+behalf|government|state-\w+|culprits?|origin\w*|malicious|(?:attackers|hackers|intruders|perpetrators)\s+(?:were|was)\s+(?!able|still|not|also|inside|in)\w)/i;
/**
 * Relative clauses, appositions and "as" asides, which make claims of their own ("the hackers, whom the NCSC linked to
 * the GRU, had ...", "Sandworm, the GRU unit behind the blackouts, still has access", "the intruders, as some reports
 * suggested, were ...").
 */
const RELATIVE_CLAUSE_RE = /,\s*(?:who|whom|which|whose|the|an?|as)\b[^,;]*(?:,|$)/gi;
/**
 * A retraction that withdraws only a deed of doers named before: "no sign that the Russian group stole any data".
 * `afterCue` is the text right after a retraction cue.
 */
export function withdrawsOnlyDeed(cue: string, afterCue: string): boolean {
  // (The withdrawn clause ends at its first comma past any relative clause: "..., the agency said, after it blamed".)
  const clause = afterCue.replace(RELATIVE_CLAUSE_RE, ' ').split(/[,;]/)[0] ?? '';
  return NO_EVIDENCE_CUE_RE.test(cue) && DEFINITE_SUBJECT_RE.test(afterCue) && deedOnly(clause);
}
/** Whether a text says who did it ("that the group was behind it", "of the intrusion's origin"). */
export function namesAuthorship(text: string): boolean {
  return AUTHORSHIP_RE.test(text);
}
/** What a retraction or a withheld statement governs says only what was done, not who did it. */
function deedOnly(governed: string): boolean {
  return !AUTHORSHIP_RE.test(governed.replace(RELATIVE_CLAUSE_RE, ' '));
}
/** Speculation, which a later "but no one has attributed it" answers. */
const SPECULATION_RE =
  /\b(?:speculat\w*|rumou?r\w*|could\s+have\s+been|might\s+have\s+been|may\s+have\s+been|theori[sz]\w*)\b/i;
/** Background: an earlier incident mentioned in passing (does not make the article an attribution story). */
export const BACKGROUND_RE = new RegExp(
  // "a previously unknown group" is new, not background.
  `\\b(?!previously\\s+un\\w+)(?:${L.alt('backgroundCues')}|in (?:19|20)\\d\\d)\\b`,
  'i',
);
/**
 * A reason given for a claim ("based on overlaps with previously reported operations", "code links between the
 * malware and tools previously used by") dates nothing.
 */
const REASON_CLAUSE_RE =
  /\b(?:based on|because|given|citing|owing to|due to|consistent with|in line with|overlap(?:s|ped)? with|(?:code\s+)?(?:links|similarities|overlaps)\s+(?:between|to|with))\b/i;
/** "tools previously used by", "infrastructure previously linked to": an earlier use that describes the evidence. */
const EARLIER_USE_RE =
  /\b(?:tools?|tooling|malware|code|infrastructure|servers?|techniques?|tactics|methods?|backdoors?|implants?|loaders?|wipers?|payloads?|samples?|families|domains?)\s+(?:\w+\s+)?previously\s+(?:used|seen|deployed|observed|associated|linked|attributed|documented|employed|tied)\b/gi;
const RELATIVE_AFTER_RE = /\s(?:that|which|who|whom)\s/i;
const INCIDENT_WORD_RE =
  /\b(?:attacks?|cyberattacks?|intrusions?|hacks?|breach(?:es)?|campaigns?|operations?|incidents?|heists?|thefts?)\b/i;
const EVENT_VERB_AFTER_RE = /^(?:\w+\s+)?(?:took place|happened|occurred|began|started)\b/i;
/** A sentence about an earlier incident: a background cue outside the claim's reasons. */
export function isBackground(text: string, at?: number): boolean {
  // Only the clause of the claim counts: "CERT-UA said the group works for the FSB; the SBU has previously ...".
  const clauseStart = at === undefined ? 0 : text.lastIndexOf(';', at) + 1;
  const semicolon = at === undefined ? -1 : text.indexOf(';', at);
  let clauseEnd = semicolon < 0 ? text.length : semicolon;
  // "... to rebuild the network that US authorities dismantled in 2024": a relative clause after the claim
  // dates the thing it describes, not the claim.
  // (Not one that dates the blamed incident itself: "blamed China for the router intrusions, which happened in
  // 2023", "attacks on routers that took place in 2023".)
  if (at !== undefined) {
    const tail = text.slice(at, clauseEnd);
    const relative = RELATIVE_AFTER_RE.exec(tail);
    if (
      relative &&
      !INCIDENT_WORD_RE.test(tail.slice(0, relative.index)) &&
      !EVENT_VERB_AFTER_RE.test(tail.slice(relative.index + relative[0].length))
    )
      clauseEnd = at + relative.index;
  }
  const clause = text.slice(clauseStart, clauseEnd);
  const reason = REASON_CLAUSE_RE.exec(clause);
  const told = reason ? clause.slice(0, reason.index) : clause;
  return BACKGROUND_RE.test(told.includes('previously') ? told.replace(EARLIER_USE_RE, '') : told);
}
/** A negation just before a word: "not", "never", "no", "n't" and up to two words. */
export const NEGATION_BEFORE_RE = /\b(?:not|never|no|n't|none\s+of)\s+(?:\w+\s+){0,2}$/i;
/** A general threat assessment names states as threats, not as the culprits of an incident. */
export const THREAT_ASSESSMENT_RE = L.re('threatAssessmentCues');
/** A claim inside a condition is not made: "should the inquiry find that Iran was responsible". */
export const CONDITIONAL_RE = L.re('conditionalCues');

/** Denials by the accused. */
export const DENY_RE = new RegExp(
  `\\b(?:${L.alt('denialVerbs')}|(?:called|calling|described|termed)\\b.{0,60}\\b${L.alt('denialAdjectives')})\\b|\\b(groundless|baseless|unfounded|unsubstantiated)\\b`,
  'i',
);

/**
 * Words after which a country is a government party: "Czech Foreign Ministry", "Australian government", and a
 * portfolio of two words ("the Polish digital affairs ministry", "the Czech industry and trade ministry").
 */
export const GOV_NOUN = new RegExp(
  `^\\.?\\s*(?:'s\\s+|’s\\s+)?(?:\\w+\\s+(?:affairs\\s+|and\\s+\\w+\\s+)?)?(${L.alt('governmentNouns')})\\b(?!-)`,
  'i',
);
/** Nouns after a demonym that make a state organ able to act ("the Russian military"). */
export const STATE_ACTOR_NOUN_RE = new RegExp(`^${L.alt('stateActorNouns')}$`, 'i');

/** Incident words that make a product mention count (exploited, breached, patched, affected). */
export const PRODUCT_CUE_RE = L.re('productCues');
/** In a vulnerability story, update notes name the affected products too. */
export const WEAK_PRODUCT_CUE_RE = L.re('weakProductCues');
/** Words after an online service that show its accounts or data were at stake ("Salesforce instances"). */
export const SERVICE_NOUNS = L.set('serviceNouns');
/** Incident words that name a product as the thing attacked, not just the setting ("exploited a flaw in ..."). */
export const STRONG_PRODUCT_CUE_RE = L.re('strongProductCues');
/** How intruders got in or what they reached: a product cue only in a sentence about an attack. */
const INTRUSION_ACCESS_RE = L.re('intrusionAccessCues');
/** The victim's people doing the access: "staff were told to log in", "a page asking victims to log in to". */
const VICTIM_PEOPLE_ACT_RE =
  /\b(?:victims|users|staff|employees|customers|clients|administrators|admins|members|patients|targets|recipients)\s+(?:were\s+|are\s+|have\s+been\s+)?(?:told|asked|urged|advised|instructed|prompted|required|should|must|need(?:ed)?|will|can)\s+to\s+(?:log|sign)\b|\b(?:asked|asking|prompted|prompting|urged|urging|tricked|tricking|lured|luring|persuaded|told|telling)\s+(?:\w+\s+){0,2}?(?:victims|users|staff|employees|customers|targets|recipients|people)\s+to\s+(?:log|sign)\b/i;

interface CuedSentence {
  text: string;
  security: boolean;
  continuesAttack: boolean;
}
/** Each sentence's product cues, worked out once (the product stages ask several times per sentence). */
const cueCache = new WeakMap<CuedSentence, { cued: boolean; strong: boolean }>();
function cuesOf(s: CuedSentence): { cued: boolean; strong: boolean } {
  let c = cueCache.get(s);
  if (!c) {
    // ("Staff were told to log in to the bank's GitLab with new passwords after the hack": the victim's people.)
    const access =
      (s.security || s.continuesAttack) &&
      INTRUSION_ACCESS_RE.test(s.text) &&
      !VICTIM_PEOPLE_ACT_RE.test(s.text);
    c = {
      cued: access || PRODUCT_CUE_RE.test(s.text),
      strong: access || STRONG_PRODUCT_CUE_RE.test(s.text),
    };
    cueCache.set(s, c);
  }
  return c;
}

/** A sentence that names a product as affected or reached (access counts only in a sentence about an attack). */
export function productCued(s: CuedSentence): boolean {
  return cuesOf(s).cued;
}

/** A sentence that names a product as the thing attacked (access counts only in a sentence about an attack). */
export function strongProductCued(s: CuedSentence): boolean {
  return cuesOf(s).strong;
}
/** A product after these words is where something happened, a channel ("on LinkedIn", "over Zoom", "to WhatsApp"). */
export const CHANNEL_PREPOSITIONS = L.set('channelPrepositions');
/** A legitimate tool counts only when intruders used it ("installed AnyDesk", "abused ScreenConnect"). */
export const TOOL_USE_RE = L.re('toolUseWords');
/** Sentences about markets or bans: products named there are not incident products. */
const PRODUCT_NEGATIVE_RE = L.re('productNegativeWords');
const negativeCache = new WeakMap<CuedSentence, boolean>();
/** A sentence of markets, bans or launches, worked out once (both product stages ask). */
export function productNegative(s: CuedSentence): boolean {
  let n = negativeCache.get(s);
  if (n === undefined) {
    n = PRODUCT_NEGATIVE_RE.test(s.text);
    negativeCache.set(s, n);
  }
  return n;
}

/** Claim families, as listed by `explain`. */
export type ClaimFamily =
  | 'state-link'
  | 'hacker-noun'
  | 'blame'
  | 'behind'
  | 'link'
  | 'organ'
  | 'possessive'
  | 'origin'
  | 'subject-hacked'
  | 'actor-tie'
  | 'responsibility';

/** Days and months: capitalised words that are never part of a product's or a party's name. */
export const CALENDAR_WORD =
  '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)';
