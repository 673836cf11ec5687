/** Country words → state claims: the constructions news uses to say a state is behind cyber activity. */
import type { Knowledge } from '../extract/knowledge.js';
import { lexicon } from '../extract/lexicon.js';
import type { Mention, SentenceInfo } from '../extract/mentions.js';
import { nameKey } from '../extract/tokens.js';
import {
  BLAME_VERB,
  type ClaimFamily,
  CONDITIONAL_RE,
  CONTINUATION_RE,
  COORDINATION_GAP,
  CRIMINAL_RE,
  GOV_NOUN,
  HACKER_NOUN,
  LINK_BEFORE,
  NEGATION_BEFORE_RE,
  RESPONSIBILITY_RE,
  retractedAt,
  STATE_ACTOR_NOUN_RE,
  STATE_CUE_RE,
  STATE_LINK,
  STATE_OVERRIDES_CRIMINAL_RE,
  THREAT_ASSESSMENT_RE,
} from './cues.js';

/** A statement in one sentence that a state is behind cyber activity. */
export interface StateSignal {
  sentence: number;
  iso2: string;
  family: ClaimFamily;
  /** The words that carry the claim ("China-backed hacking group"). */
  cue: string;
  start: number;
  end: number;
  negated: boolean;
  conditional: boolean;
}

export const CYBER_RE = new RegExp(`\\b(?:${lexicon.alt('cyberWords')}|apts?\\d+)\\b`, 'i');

/** ("the US government linked to China's MSS": a verb with its object, not "US-linked".) */
const RE_STATE_LINK = new RegExp(
  `^(?:'s|’s)?\\s*[-–]?\\s*${STATE_LINK}\\b(?!\\s+(?:to|it|them|the|a|an|this|that)\\b)`,
  'i',
);
const RE_LINK_NOUN = new RegExp(
  `^(?:'s|’s)?\\s*[-–]?\\s*${STATE_LINK}(?:[\\s-]+[\\w$]+){0,4}?[\\s-]+${HACKER_NOUN}\\b`,
  'i',
);
/** "China-based hacking group"; not a company whose name starts with such a noun ("Singapore-based Group-IB"). */
const RE_BASED = new RegExp(`^\\s*[-–]\\s*based(?:[\\s-]+[\\w$]+){0,3}?[\\s-]+${HACKER_NOUN}\\b(?!-)`, 'i');
/** "a Russian military unit", "a Chinese army unit": a unit of a state organ (a bare "Chinese unit" may be a firm's). */
const ORGAN_UNIT = '(?:(?<=\\b(?:military|intelligence|government|state)\\s+)|army\\s+)units?';
/** "the email of a Ukrainian army unit", "phishing sent to military units": a unit that is hit. */
const UNIT_AS_TARGET_BEFORE_RE =
  /\b(?:of|at|on|against|into|to|from|targeted|targeting|targets|hit|hits|breached|hacked|compromised|attacked|infiltrated|penetrated)\s+(?:(?:an?|the|several|two|three|its|their)\s+)?$/i;
/** "members of a Chinese army unit", "belonged to an Iranian military unit": the unit's people did it. */
const UNIT_MEMBERSHIP_BEFORE_RE =
  /\b(?:members?|officers?|hackers|operatives|soldiers|personnel|part|belong(?:ed|s|ing)?|working|worked|works)\s+(?:of|to|for|in|with)\s+(?:(?:an?|the)\s+)?$/i;
/** "A Russian army unit shelled the town": a unit at war, not at a keyboard. */
const KINETIC_AFTER_RE =
  /^\s+(?:(?!(?:in|of|at|on|from|near|and)\b)\w+\s+)?(?:shelled|shells|bombed|advanced|stormed|invaded|(?:launched|fired)\s+(?:missiles|rockets|drones|shells|artillery))\b/i;
const RE_NOUN_AFTER = new RegExp(
  `^(?:\\s+(?:state|government|military|intelligence|nation-state(?:-level)?|[\\w]+-(?:sponsored|backed|linked|affiliated|aligned|controlled)|[A-Z][\\w$]*\\d[\\w$]*|[A-Z][A-Za-z]+ (?:Typhoon|Blizzard|Sandstorm|Sleet|Panda|Bear|Kitten|Chollima)|"[^"]{1,30}"|“[^”]{1,30}”)){0,3}\\s+(?:${HACKER_NOUN}|${ORGAN_UNIT})\\b`,
);
/** What a state is accused or blamed of or for, right after it: "accused Iran of hacking the grid". */
const ACCUSED_OF_RE = /^(?:['’]s?)?(?:\s+[\w-]+){0,3}?\s+(?:of|for)\s+([^.;:]{1,80})/i;
/** Deeds of cyber activity, for the clause after "accused X of". */
const CYBER_DEED_RE =
  /\b(?:attack\w*|hack\w*|cyber(?![-\s]?security)\w*|intru\w*|breach\w*|espionage|spy\w*|spies|steal\w*|stole|theft|thefts|infiltrat\w*|compromis\w*|target\w*|malware|ransomware|operations?|campaigns?|disrupt\w*|sabotag\w*|wip(?:e|ed|ing|er)\w*|leak\w*|surveil\w*|phishing|break(?:ing)? into|broke into|launch\w*|interfer\w*|incidents?|activit(?:y|ies)|outages?|outbreaks?|worms?|heists?)\b/i;
/** Who serves a state, right before "serving": "hackers serving", "a group serving", "a campaign that is likely serving". */
const SERVING_SUBJECT_RE = new RegExp(
  `\\b(?:${HACKER_NOUN}|apt\\s?\\d+|groups?|gangs?|crews?|units?|actors?)\\s*,?\\s*$|\\b(?:campaigns?|operations?|activity|activities)\\b[^,;.]{0,40}\\b(?:is|are|was|were)\\s+(?:\\w+\\s+)?$`,
  'i',
);
/** A perpetrator in the clause before a link phrase: "hackers ... working with", "APT41, which worked with". */
const PERPETRATOR_BEFORE_RE = new RegExp(
  `\\b(?:${HACKER_NOUN}|apt\\s?\\d+|group|gang|crew|unit)\\b[^.;]{0,60}$`,
  'i',
);
/**
 * A kind of company right after a capital, perhaps past one word of its trade: " crypto exchange", "-based firm"
 * ("Moscow hacked the exchange" has a verb and a determiner between: the capital is the state there).
 */
const PLACE_BEFORE_COMPANY_RE = new RegExp(
  `^(?:-based)?\\s+(?:[a-z][\\w-]*\\s+)?${lexicon.alt('organizationDescriptors')}\\b`,
);
const RE_LINK_BEFORE = new RegExp(`${LINK_BEFORE}\\s+(?:the\\s+)?$`, 'i');
/** The last words of the link phrases: one lookup rules out most country words before the long pattern. */
const LINK_LAST_WORDS = new Set(
  lexicon.words('linkPhrasesBefore').map((p) => p.split(/\s+/).pop()?.toLowerCase()),
);
const LAST_WORD_BEFORE_RE = /([\w-]+)\s+(?:the\s+)?$/;
function linkPhraseMayEnd(before: string): boolean {
  return LINK_LAST_WORDS.has(LAST_WORD_BEFORE_RE.exec(before)?.[1]?.toLowerCase());
}
const FILL = '(?:(?:[\\w\'’-]+|"[^"]*"|“[^”]*”)\\s+){0,6}?';
/**
 * "blamed the attack on X", "attributed the hack to X", "pointed the finger at X", "accused X": X is blamed; never
 * by a verb inside a hyphenated modifier ("internet-connected cameras at firms moving aid to X").
 */
/**
 * "attributed the operation to a customer in the Egyptian government", "to a Pegasus operator inside Mexico": a spyware
 * buyer inside a state (a "botnet operator in Brazil" is no state's; an operator "inside" or "within" one is).
 */
const SPYWARE_CUSTOMER =
  '(?:(?:an?|the)\\s+(?:(?:[\\w-]+\\s+)?(?:customers?|clients?)|(?:government|state|spyware|Pegasus|Predator)\\s+operators?|operators?(?=\\s+(?:within|inside)\\s))\\s+(?:in|of|within|inside)\\s+)?';
const RE_BLAME_BEFORE = new RegExp(
  `(?<![\\w-])(?:blam\\w*|pinn?(?:ed|ing|s)?)\\s+${FILL}on\\s+(?:the\\s+)?$|(?<![\\w-])(?:attribut\\w*|trac\\w+|link\\w*|tie[sd]?|connect\\w*)\\s+${FILL}to\\s+${SPYWARE_CUSTOMER}(?:the\\s+)?$|\\bpoint\\w*\\s+(?:\\w+\\s+)?fingers?\\s+at\\s+(?:the\\s+)?$|\\b${BLAME_VERB}\\s+(?:the\\s+)?$`,
  'i',
);
/** "an espionage crew operating from Iran": the base of the perpetrators, not of anyone else. */
const RE_BASED_BEFORE = new RegExp(
  `\\b${HACKER_NOUN}(?:\\s+[\\w-]+){0,3}?\\s+(?:based|headquartered|located|operating|operates|operate|operated|working|works|run)\\s+(?:out\\s+of|in|from)\\s+(?:the\\s+)?$`,
  'i',
);
/** "a government-backed group from North Korea", "a state-sponsored actor out of Iran": the state the backed group comes from. */
const RE_BACKED_FROM_BEFORE = new RegExp(
  `\\b(?:${lexicon.alt('stateLinkCompounds')}|nation[-\\s]state)\\s+(?:[\\w-]+\\s+){0,2}?${HACKER_NOUN}\\s+(?:from|out\\s+of|based\\s+in|in)\\s+(?:the\\s+)?$`,
  'i',
);
/** The preposition RE_BACKED_FROM_BEFORE ends with: a cheap test first. */
const FROM_BEFORE_RE = /\b(?:from|of|in)\s+(?:the\s+)?$/i;
const RE_BEHIND_AFTER =
  /^(?:'s|’s)?\s+(?:(?:is|was|were|are|has been|had been|may be|might be|could be|appears to be|seems to be|appears to have been|seems to have been|is believed to have been|may have been|might have been|could have been|must have been|is likely|was likely|likely|probably|is probably|was probably|is believed to be|was believed to be|is suspected of being)\s+)?["“]?(?:\w+["”]?\s+){0,3}?(?:(?<!\b(?:close|closely|far|just|trailing|lagging|left|fell|falling)\s)behind(?!\s+(?:on|schedule|the curve|rivals|competitors)\b)|responsible for|responsible|to blame)\b/i;
const SPEECH_BETWEEN_RE = lexicon.re('sayVerbs');
/** Link words that name a state's hand ("state-sponsored", "Kremlin-backed"), not a mere tie ("Russia-linked"). */
const STRONG_STATE_LINK_RE = lexicon.re('strongStateLink');
/** "an attack by Indian intelligence agencies", "the hack carried out by the Russian military": the state organ did it. */
const RE_AGENT_BEFORE =
  /\b(?:attacks?|cyberattacks?|cyber-attacks?|hacks?|hacking|intrusions?|campaigns?|operations?|activit(?:y|ies)|breach(?:es)?|espionage|theft)\s+(?:(?:\w+\s+){0,2}?|(?:[\w'’-]+,?\s+){1,8}?(?=(?:carried out|conducted|launched|mounted|orchestrated|perpetrated|staged)\s))(?:(?:carried out|conducted|launched|mounted|orchestrated|perpetrated|staged)\s+)?by\s+(?:the\s+)?$/i;
/** A verb of blaming or reporting between an incident and "by": its agent is the accuser or the reporter. */
const ACCUSER_VERB_IN_AGENT_RE =
  /\b(?:blamed|attributed|pinned|linked|tied|traced|condemned|reported|disclosed|confirmed|detected|discovered|investigated|analy[sz]ed|documented|claimed|denounced|exposed|uncovered)\b/i;
/** A deed in the passive with its agent next: "the phones were hacked by", "accounts compromised by". */
const RE_PASSIVE_DEED_BY_BEFORE =
  /\b(?:hacked|breached|infiltrated|compromised|penetrated|infected|hijacked|spied\s+on|wiretapped|surveilled|stolen|exfiltrated|wiped|encrypted)\s+(?:(?:allegedly|reportedly|likely|probably|apparently)\s+)?by\s+(?:the\s+)?$/i;
const RE_WORK_OF_BEFORE = /\bthe\s+(?:handi)?work\s+of\s+(?:the\s+)?["“]?$/i;
const RE_POINTED_TO_BEFORE =
  /\b(?:point(?:s|ed|ing)?\s+to|named|identified|singled\s+out|fingered)\s+(?:the\s+)?$/i;
const RE_AS_CULPRIT_AFTER =
  /^(?:['’]s\s+[\w-]+)?\s+as\s+(?:the\s+|a\s+)?(?:\w+\s+)?(?:culprit|perpetrator|attacker|source|origin|aggressor)\b/i;
/** Police actions: an organ that does them is the authority, not the attacker. */
const POLICE_AGENT_BEFORE_RE =
  /\b(?:detained|arrested|raided|raids|seized|charged|extradited|questioned)\b[^.;]{0,80}?\bby\s+(?:[\w'’]+\s+){0,2}$/i;
/** An organ named as a source, an investigator or the agent of a blame ("according to the FSB", "linked by US Cyber Command to"). */
const ORGAN_SOURCE_BEFORE_RE =
  /\b(?:according to|statement (?:from|by)|report (?:from|by)|request (?:of|from)|investigation (?:by|of)|inquiry by|in cooperation with|together with)\s+(?:[\w'’-]+\s+){0,4}$|\b(?:linked|tied|attributed|blamed|traced|connected)\s+(?:(?!to\b|on\s+(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b))[\w-]+\s+){0,3}?by\s+(?:the\s+)?(?:[\w'’.-]+\s+)?$/i;
/** An organ followed by speech or police action speaks; it does not attack. */
const ORGAN_SPEAKS_RE =
  /^\)?(?:\s*\([^)]{1,12}\))?(?:,[^,;]{3,60},)?(?:['’]s\s+(?:officers|agents|spokes\w+|director|chief|head))?\s+(?:(?:has|have|had|also|is|are|was|were|on \w+)\s+)*(?:said|says|say|told|announced|announcing|stated|reported|reporting|detained|arrested|raided|charged|confirmed|warned|warning|published|publishing|released|releasing)\b/i;
/** An organ that accuses a named other speaks: "the MSS accused the US National Security Agency of ...". */
const ORGAN_ACCUSES_RE =
  /^\s+(?:(?:has|have|had|also|on [A-Z]\w+)\s+)*(?:accused|accuses|accusing|blamed|blames|blaming)\s+(?:the\s+|an?\s+)?(?=\p{Lu})/u;
const RE_IT_WAS_BEFORE =
  /\b(?:it|this|that)(?:'s|’s|\s+is|\s+was|\s+were)\s+(?:likely\s+|probably\s+|definitely\s+|clearly\s+)?(?:the\s+)?$/i;
const RE_POSSESSIVE_AFTER =
  /^(?:'s|’s)\s+(?:[\w"“”-]+\s+){0,2}?(?:malicious\s+)?(?:cyber[- ]?(?:activit(?:y|ies)|attacks?|operations?|espionage|campaigns?|intrusions?|offensive|warfare|army|units?|actors?|spies|spying|operatives)|hack(?:ing|ers|s)\b|cyberattacks?|cyber-?espionage|state hackers|military hackers|intelligence (?:services?|agencies) hackers)/i;
/** A statement about the hacking right after it: "Seoul's hacking accusation", "Tokyo's cyberattack claims". */
const SAID_ABOUT_AFTER_RE =
  /^\s+(?:accusations?|allegations?|claims?|charges?|complaints?|reports?|warnings?|advisor(?:y|ies)|probes?|investigations?|inquiry|inquiries)\b/i;
const RE_SUBJECT_HACKED =
  /^\s+(?:(?:has|have|had|also|allegedly|reportedly|repeatedly|likely|probably)\s+)*(?:hacked|hack(?:ing)? into|breached|infiltrated|spied on|stole|attacked|compromised|br(?:oke|oken|eak|eaking) into|launched (?:a |the )?cyber|conducted (?:a |the )?(?:cyber|hack)|carried out (?:a |the )?(?:cyber|hack)|used hackers|deployed (?:malware|hackers|spyware)|used (?:[\w-]+\s+){0,3}?(?:spyware|malware|exploits?|hacking tools?|implants?|backdoors?)\s+to\s+(?:hack|spy|infect|break into|compromise|surveil|steal|target|access))/i;
/**
 * "Iran ordered the attacks", "the Kremlin authorised the intrusions": a state directing an incident.
 * Not a state ordering something about one ("ordered an inquiry into the attacks").
 */
const RE_SUBJECT_DIRECTED =
  /^\s+(?:(?:has|have|had|also|allegedly|reportedly|personally|likely|probably)\s+)*(?:directed|ordered|authori[sz]ed|orchestrated|masterminded|commissioned)\s+(?:(?!inquir|investigat|probe|review|report|stud|respons|retaliat|sanction|audit|protect|defen|(?:into|to|against|after|following|over|for|on)\b)[\w'’-]+\s+){0,4}?(?:cyber-?attacks?|attacks?|hacks?|hacking|compromises?|intrusions?|breach(?:es)?|cyber-?espionage|cyber (?:operations?|campaigns?|activit(?:y|ies)))\b/i;
/** A state's authorities or police, as the subject of a deed only ("Chinese police said" is no deed). */
const AUTHORITIES_AFTER_RE = /^\s*(?:authorities|security\s+forces)\b/i;
/** Law enforcement against criminals: "authorities hacked the drug gang's phones" is an operation, not an attack. */
const LAW_ENFORCEMENT_RE =
  /\b(?:seiz\w*|arrest\w*|takedown|took\s+down|dismantl\w*|drug\w*|criminals?|gangs?|darknet|dark\s+web|warrant|court\s+order)\b/i;
const STATE_ACTOR_AFTER_RE = new RegExp(`^\\s*${lexicon.alt('stateActorNouns')}\\b`, 'i');
/** An incident, then a relative clause whose verb blames it: "the NotPetya attack, which X and Y blamed on". */
const INCIDENT_ANTECEDENT_RE =
  /\b(?:attacks?|cyberattacks?|hacks?|intrusions?|breach(?:es)?|campaigns?|outbreaks?|operations?),?\s+(?:which|that)\s+[^.;]{0,80}\bblam\w*\s+on\s+(?:the\s+)?$/i;
/** A speech verb under a negation governs the clause after it: "officials have not said the group works for". */
const NEGATED_SPEECH_BEFORE_RE =
  /\b(?:not|never)\s+(?:publicly\s+|yet\s+|formally\s+)?(?:said|claimed|stated|alleged|concluded|determined|found|accused|blamed|attributed|suggested)\b[^.;:]*$/i;
/** A blame verb whose object is a name: "attributed NotPetya to", "blamed WannaCry on". */
const NAMED_OBJECT_RE =
  /^(?:attribut|blam|link|trac|pinn?|tie|connect)\w*\s+(?:the\s+)?\p{Lu}[\p{L}\d-]*\s+(?:on|to)\s+(?:the\s+)?$/u;
/** The deed in the clause before a link phrase: "the activity was conducted on behalf of", "operations in support of". */
const DEED_SUBJECT_BEFORE_RE =
  /\b(?:the|this|these|its|their)\s+(?:[\w-]+\s+)?(?:activity|activities|campaigns?|operations?|intrusions?|attacks?|theft|heist|hacks?|breach(?:es)?)\b[^.;]{0,60}$/i;
/** The response to an incident as the subject: "Recovery from the cyberattack", "The response to the attack". */
const RESPONSE_TO_INCIDENT_RE =
  /\b(?:recovery|recovering|response|responding|clean-?up|cleaning\s+up|investigation|investigating|probe|restoration|restoring|defen[cs]e|defending|mitigation|mitigating|containing|containment|analysis|analy[sz]ing|forensics?|handling|fighting|repelling|stopping|remediation|remediating)\b[^.;]{0,60}?\b(?:cyber-?)?attacks?\b/i;
/** A state's police, investigators or responders after its name: "'s cyber police", " National Police Agency". */
const ENFORCEMENT_AFTER_RE =
  /^(?:['’]s)?\s+(?:[\w-]+\s+){0,2}(?:police|investigators|prosecutors|courts?|regulators?|authorities|cert|csirt|responders)\b/i;
/** An incident (or a pronoun for it) as the subject of the link: "the theft was", "the heist had been", "this was". */
const INCIDENT_SUBJECT_BEFORE_RE =
  /(?:\b(?:theft|thefts|heist|heists|attacks?|incidents?|outages?|disruption|operations?|intrusions?|breach(?:es)?|hacks?|sabotage|campaigns?)\b[^.;]{0,60}|(?:^|[\s"“‘'])(?:this|it|that)\s+)\b(?:was|were|is|are|been)\s+(?:\w+\s+){0,2}$/i;
const INCIDENT_NOUN_RE =
  /\b(?:(?:cyber-?)?attacks?|operations?|campaigns?|incidents?|intrusions?|breach(?:es)?|hacks?|hacking|activity|activities)\b/i;

interface RuleContext {
  m: Mention;
  form: string;
  /** The country word names a state or its government (not just a nationality). */
  isGov: boolean;
  after: string;
  before: string;
  text: string;
  sentenceCyber: boolean;
  hasActor: boolean;
  articleCyber: boolean;
  /** In a cyber article, the words before the country refer back to attackers ("the group is linked to"). */
  anaphor: boolean;
  isTitle: boolean;
  /** Every mention of the sentence. */
  mentions: readonly Mention[];
  /** A non-criminal actor named right after the country word ("Russia's Sandworm"). */
  stateActorAfter: string | null;
  /** Whether a non-criminal actor's name starts at this offset of `after`. */
  stateActorAt: (offset: number) => boolean;
}

/** One general construction of attribution prose; `match` returns the cue words or null. */
interface StateRule {
  family: ClaimFamily;
  side: 'before' | 'after';
  match: (c: RuleContext) => string | null;
}

function hitOf(re: RegExp, s: string): string | null {
  return re.exec(s)?.[0] ?? null;
}

/** What an assessment says an operation does for a state: "supports", "aligned with", "in line with". */
const SERVES_VERBS = String.raw`(?:support(?:s|ed|ing)?|in\s+support\s+of|serv(?:e|es|ed|ing)|align(?:s|ed)?\s+(?:with|to)|aligning\s+with|consistent\s+with|in\s+line\s+with|advanc(?:e|es|ed|ing)|further(?:s|ed|ing)?|benefit(?:s|ed|ing)?)`;
const SERVES_BEFORE_RE = new RegExp(String.raw`\b${SERVES_VERBS}\s+(?:the\s+)?(?:[\w-]+\s+)?$`, 'i');
/** A state's interests after its demonym: " government interests", " state interests", " strategic interests". */
const STATE_INTERESTS_AFTER_RE =
  /^\s+(?:(?:state|government|national|strategic|geopolitical|political|economic|military|regime)\s+){0,2}interests\b/i;
/** "serves the interests of the", "consistent with the strategic interests of" before a state. */
const INTERESTS_OF_BEFORE_RE = new RegExp(
  String.raw`\b${SERVES_VERBS}\s+(?:the\s+)?(?:[\w-]+\s+){0,2}interests\s+of\s+(?:the\s+)?$`,
  'i',
);

/** Tried in order; the first that matches gives the claim family of a country word. */
const STATE_RULES: StateRule[] = [
  {
    // "China-backed hacking group", "Russian state-sponsored actor"
    family: 'state-link',
    side: 'after',
    match: (c) => {
      const h = hitOf(RE_LINK_NOUN, c.after);
      // "Mustang Panda, a China-aligned group": a bare "group" beside a named state actor is that actor.
      return h && !criminalPhrase(h) && (genericNounOk(h, c.text) || c.hasActor) ? h : null;
    },
  },
  {
    // "Kremlin-backed" without a noun; "Kremlin-backed criminals" is a state claim, "Russia-linked gang" is not.
    family: 'state-link',
    side: 'after',
    match: (c) => {
      const h = hitOf(RE_STATE_LINK, c.after);
      if (!h) return null;
      // "the China-aligned Mustang Panda": any link word right before a named state actor ties it.
      if (c.stateActorAt(h.length + (/^\s+/.exec(c.after.slice(h.length))?.[0].length ?? 0))) return h;
      // ("a threat actor we assess to be Russia-affiliated", "the group is China-linked": a judgement of the doers
      // ties them however weak the link word, unless they are a gang.)
      // (Said of the subject, not of a noun after it: "the victims were Russia-linked businesses" ties no doers.)
      // ("companies that were Russia-linked": in a relative clause, only of a doer noun.)
      const relative = /\b(?:that|which|who)\s+(?:\w+\s+){0,2}$/i.test(c.before);
      const judged =
        PREDICATE_LINK_BEFORE_RE.test(c.before) &&
        (!relative || DOER_RELATIVE_BEFORE_RE.test(c.before)) &&
        /^\s*(?:[,.;:)"”]|$|(?:and|but|or|according)\b)/.test(c.after.slice(h.length)) &&
        !criminalPhrase(c.text);
      if (!(c.hasActor || c.sentenceCyber) || !(STRONG_STATE_LINK_RE.test(h) || /nexus/i.test(h) || judged))
        return null;
      return STRONG_STATE_LINK_RE.test(h) || judged || !criminalPhrase(c.after.slice(0, 60)) ? h : null;
    },
  },
  {
    // "China-based hacking group" only with state words and no criminal words in the sentence
    family: 'origin',
    side: 'after',
    match: (c) => {
      const h = hitOf(RE_BASED, c.after);
      return h && STATE_CUE_RE.test(c.text) && !CRIMINAL_RE.test(c.text) ? h : null;
    },
  },
  {
    // "North Korean hackers", "Russian APT28 group", "Chinese cyber espionage"
    family: 'hacker-noun',
    side: 'after',
    match: (c) => {
      // Names only when written as an acronym adjective ("PRC hackers", "DPRK actors").
      // "US hackers", "PRC actors", "DPRK hackers": a state written as its acronym, used as an adjective.
      const acronym =
        c.form === 'name' && /^\p{Lu}{2,4}$/u.test(c.m.surface.replace(/\./g, '')) && c.m.surface !== 'USA';
      if (c.form !== 'demonym' && c.form !== 'organ' && c.form !== 'metonym' && !acronym) return null;
      const h = hitOf(RE_NOUN_AFTER, c.after);
      // ("the email of a Ukrainian army unit" is a target, "A Russian army unit shelled the town" a war: neither is a
      // cyber doer; "members of a Chinese army unit" and "a Russian military unit hacked" are.)
      if (
        h &&
        /\b(?:military|intelligence|government|state|army)\s+units?$/i.test(h) &&
        ((UNIT_AS_TARGET_BEFORE_RE.test(c.before) && !UNIT_MEMBERSHIP_BEFORE_RE.test(c.before)) ||
          KINETIC_AFTER_RE.test(c.after.slice(h.length)))
      )
        return null;
      // ("Famous Chollima, the company's name for a North Korean operation": beside a named state-linked
      // group, a generic noun is that group.)
      return h && !criminalPhrase(h) && (genericNounOk(h, c.text) || c.hasActor) ? h : null;
    },
  },
  {
    // "hackers linked to China's MSS", "working on behalf of Iran", "backed by the North Korean regime"
    family: 'link',
    side: 'before',
    match: (c) => {
      const h = c.isGov && linkPhraseMayEnd(c.before) ? hitOf(RE_LINK_BEFORE, c.before) : null;
      if (!h) return null;
      const head = c.before.slice(0, c.before.length - h.length);
      // In a cyber story, "the activity was conducted on behalf of China" needs no cyber word of its own.
      const deed = c.articleCyber && DEED_SUBJECT_BEFORE_RE.test(head);
      if (!(c.sentenceCyber || c.hasActor || c.anaphor || deed) || criminalPhrase(c.before.slice(-70)))
        return null;
      // "websites run by the government": the state owns the thing, it is not said to act.
      if (/\bby\s+(?:the\s+)?$/i.test(h) && OWNED_THING_BEFORE_RE.test(head)) return null;
      // "the company was working with the Indian government": cooperation with the state, unless hackers work with it;
      // "a defence centre staffed by officers of the Estonian military": who staffs the defenders is no culprit.
      if (
        /\b(?:work(?:s|ing|ed)?\s+with|staffed\s+by|manned\s+by|made\s+up\s+of)\b/i.test(h) &&
        !PERPETRATOR_BEFORE_RE.test(head)
      )
        return null;
      // "a mobile operator serving Myanmar": a market; "hackers serving the Chinese state" serve it.
      if (/^serving\b/i.test(h) && !SERVING_SUBJECT_RE.test(head)) return null;
      return h;
    },
  },
  {
    // "the operation supports Iranian government interests", "aligned with Chinese state interests": an
    // assessment that the activity serves a state.
    family: 'link',
    side: 'after',
    match: (c) => {
      // ("Iranian government interests": the demonym and its state noun are one organ mention.)
      if ((c.form !== 'demonym' && c.form !== 'organ') || !(c.sentenceCyber || c.articleCyber || c.hasActor))
        return null;
      const h = hitOf(STATE_INTERESTS_AFTER_RE, c.after);
      return h && SERVES_BEFORE_RE.test(c.before) ? h : null;
    },
  },
  {
    // "serves the interests of the North Korean regime", "consistent with the strategic interests of Russia"
    family: 'link',
    side: 'before',
    match: (c) =>
      c.isGov && (c.sentenceCyber || c.articleCyber || c.hasActor)
        ? hitOf(INTERESTS_OF_BEFORE_RE, c.before)
        : null,
  },
  {
    // "a government-backed group from North Korea": the link is the state's, the place names which state.
    family: 'link',
    side: 'before',
    match: (c) => (c.isGov && FROM_BEFORE_RE.test(c.before) ? hitOf(RE_BACKED_FROM_BEFORE, c.before) : null),
  },
  {
    // "an espionage crew operating from Iran"
    family: 'origin',
    side: 'before',
    match: (c) => {
      const h = c.isGov && FROM_BEFORE_RE.test(c.before) ? hitOf(RE_BASED_BEFORE, c.before) : null;
      return h && STATE_CUE_RE.test(c.text) && !CRIMINAL_RE.test(c.text) && (c.sentenceCyber || c.hasActor)
        ? h
        : null;
    },
  },
  {
    // "blamed the attack on Russia", "attributed the hack to China", "accused Iran"
    family: 'blame',
    side: 'before',
    match: (c) => {
      const h = c.isGov ? hitOf(RE_BLAME_BEFORE, c.before) : null;
      // "accused Washington of politicising cybersecurity": the accusation is of something else.
      const of = ACCUSED_OF_RE.exec(c.after);
      if (h && of && !CYBER_DEED_RE.test(of[1] ?? '')) return null;
      // In a cyber story, "attributed the attack to Russia" needs no cyber word of its own; nor does a named
      // incident or malware as the object ("attributed NotPetya to the Russian military").
      // ("blamed North Korea for a destructive attack": the incident may follow the state.)
      // ("the NotPetya attack, which Washington blamed on Russia": or the incident the clause is about.)
      const incident =
        c.articleCyber &&
        (INCIDENT_NOUN_RE.test(h ?? '') ||
          NAMED_OBJECT_RE.test(h ?? '') ||
          INCIDENT_NOUN_RE.test(of?.[1] ?? '') ||
          INCIDENT_ANTECEDENT_RE.test(c.before));
      return h && (c.sentenceCyber || (c.isTitle && c.articleCyber) || incident) ? h : null;
    },
  },
  {
    // "Charming Kitten (Iran)": the state written in parentheses right after a group's name.
    family: 'origin',
    side: 'before',
    match: (c) => {
      if (c.form !== 'name' || !/^\s*\)/.test(c.after)) return null;
      // A gang's base is no state claim ("LockBit (Russia)" in a ransomware story).
      if (CRIMINAL_RE.test(c.text) && !STATE_CUE_RE.test(c.text)) return null;
      const open = /\(\s*$/.exec(c.before);
      if (!open) return null;
      const at = c.m.start - (c.before.length - open.index);
      const group = c.mentions.some((x) => x.ref.type === 'actor' && x.end <= at && at - x.end <= 1);
      return group ? open[0] : null;
    },
  },
  {
    // "the work of Iran", "pointed to Russia as the likely culprit", "named China as the source"
    family: 'blame',
    side: 'before',
    match: (c) => {
      if (!c.isGov || !(c.sentenceCyber || c.articleCyber)) return null;
      // "the hack was the work of Iran": an incident must be what was done.
      const work = hitOf(RE_WORK_OF_BEFORE, c.before);
      // ("the theft was the work of North Korea", "this was the work of North Korea": the incident or a pronoun for it.)
      // (Not police or investigators named as doing "this": "This was the work of Korea's cyber police".)
      // ("Recovery from the cyberattack was the work of Ukraine's CERT-UA": the defenders' work, not the deed.)
      if (work)
        return (INCIDENT_NOUN_RE.test(c.before) ||
          INCIDENT_SUBJECT_BEFORE_RE.test(c.before.slice(0, c.before.length - work.length))) &&
          !ENFORCEMENT_AFTER_RE.test(c.after) &&
          !RESPONSE_TO_INCIDENT_RE.test(c.before)
          ? work
          : null;
      const pointed = hitOf(RE_POINTED_TO_BEFORE, c.before);
      return pointed && RE_AS_CULPRIT_AFTER.test(c.after) ? pointed : null;
    },
  },
  {
    // "an attack by Indian intelligence agencies", "a hack carried out by the Russian military"
    family: 'blame',
    side: 'before',
    match: (c) => {
      const state = c.form === 'name' || c.form === 'metonym' || STATE_ACTOR_AFTER_RE.test(c.after);
      if (!c.isGov || !state) return null;
      const h = hitOf(RE_AGENT_BEFORE, c.before);
      // ("the attack was blamed by U.S. officials on ...": the agent of a blame is the accuser.)
      if (h && ACCUSER_VERB_IN_AGENT_RE.test(h)) return null;
      if (h) return c.sentenceCyber || c.articleCyber ? h : null;
      const passive = hitOf(RE_PASSIVE_DEED_BY_BEFORE, c.before);
      return passive && c.sentenceCyber ? passive : null;
    },
  },
  {
    // "Iran is behind", "Russia was to blame"
    family: 'behind',
    side: 'after',
    match: (c) => {
      const h = c.isGov ? hitOf(RE_BEHIND_AFTER, c.after) : null;
      // "Estonia says Russian services behind ...": the words between are a speech and its subject.
      if (h && SPEECH_BETWEEN_RE.test(h)) return null;
      return h && (c.sentenceCyber || c.articleCyber) ? h : null;
    },
  },
  {
    // "it was Iran"
    family: 'behind',
    side: 'before',
    match: (c) => (c.articleCyber ? hitOf(RE_IT_WAS_BEFORE, c.before) : null),
  },
  {
    // "China's malicious cyber activities", "Pyongyang's hackers"
    family: 'possessive',
    side: 'after',
    match: (c) => {
      if (c.form !== 'name' && c.form !== 'metonym') return null;
      const h = hitOf(RE_POSSESSIVE_AFTER, c.after);
      // ("Seoul's hacking accusation": what the state said about hacking, not its hacking.)
      if (h && SAID_ABOUT_AFTER_RE.test(c.after.slice(h.length))) return null;
      return h && !/security|defen[cs]e/i.test(h) ? h : null;
    },
  },
  {
    // "Russia's Sandworm", "China's APT41", "the North Korean Lazarus Group": a state-linked actor owned by the
    // state, or described by its demonym.
    family: 'possessive',
    side: 'after',
    match: (c) => {
      if (!c.stateActorAfter) return null;
      if (/^['’]s\s/.test(c.after)) return c.after.slice(0, 3) + c.stateActorAfter;
      // The demonym right before the actor's name, not before another word ("Dutch government: Russian ...").
      const space = /^\s+/.exec(c.after)?.[0];
      return c.form === 'demonym' && space && c.after.startsWith(c.stateActorAfter, space.length)
        ? space + c.stateActorAfter
        : null;
    },
  },
  {
    // "Iran hacked the campaign"
    family: 'subject-hacked',
    side: 'after',
    match: (c) => {
      // "the Russian government hacked": a demonym counts with the state noun after it.
      // ("Saudi authorities used spyware to hack": the authorities of a state doing the deed are the state.)
      const organ =
        c.form === 'demonym'
          ? (STATE_ACTOR_AFTER_RE.exec(c.after) ??
            (LAW_ENFORCEMENT_RE.test(c.text) ? null : AUTHORITIES_AFTER_RE.exec(c.after)))
          : null;
      if (c.form !== 'name' && c.form !== 'metonym' && c.form !== 'organ' && !organ) return null;
      const rest = organ ? c.after.slice(organ[0].length) : c.after;
      const h =
        (c.sentenceCyber ? hitOf(RE_SUBJECT_HACKED, rest) : null) ??
        (c.sentenceCyber || c.articleCyber ? hitOf(RE_SUBJECT_DIRECTED, rest) : null);
      return h ? (organ?.[0] ?? '') + h : null;
    },
  },
];

/** A person's past in an organ ("founded by veterans of the Israel Defense Forces' Unit 8200"), unless a blame links them. */
const PAST_MEMBER_BEFORE_RE =
  /\b(?:veterans?|alumni|alumnus)\s+of\s+(?:the\s+)?(?:[\p{L}-]+(?:['’]s?)?\s+){0,4}$/iu;
/** A blame anywhere in the sentence keeps a past member's organ in the claim ("veterans of the GRU were blamed"). */
const BLAME_IN_SENTENCE_RE =
  /\b(?:tie[ds]?|tying|link\w*|attribut\w*|blam\w*|pinn\w*|accus\w*|behind|responsible|made\s+up\s+of|composed\s+of|staffed\s+by|run\s+by|formed\s+by)\b/i;
/** Handing something to someone: "passed documents to an ", "sold drawings to the ". */
const HANDED_TO = String.raw`\b(?:pass(?:ed|ing)?|hand(?:ed|ing)|sold|selling|leak(?:ed|ing)|gave|giving|provid(?:ed|ing))\s+[^.;]{0,80}\bto\s+(?:an?\s+|the\s+)?`;
/** Who runs a human spy. */
const HANDLER_NOUN = String.raw`(?:officers?|agents?|handlers?|contacts?|case\s+officers?)`;
/** A human spy's handler before an organ: "passing documents to an officer of", "spying for". */
const HUMAN_HANDLER_BEFORE_RE = new RegExp(
  String.raw`(?:${HANDED_TO}${HANDLER_NOUN}\s+(?:of|from|with)|\b(?:met|meeting|meetings)\s+(?:with\s+)?(?:[\w-]+\s+){0,2}${HANDLER_NOUN}\s+(?:of|from)|\b(?:spying|spied)\s+for|\bhandlers?\s+(?:of|from|with))\s+(?:the\s+)?(?:[\p{L}-]+['’]s\s+|[\p{Lu}][\p{L}-]*\s+)?$`,
  'iu',
);
/** Handing something to someone, just before the organ that names the officer ("passed them to an MSS officer"). */
const HANDED_TO_BEFORE_RE = new RegExp(`${HANDED_TO}$`, 'i');
/** The officer right after an organ: " officer", "'s intelligence officer". */
const OFFICER_AFTER_RE = new RegExp(
  String.raw`^(?:['’]s)?\s+(?:intelligence\s+|security\s+)?${HANDLER_NOUN}\b`,
  'i',
);
/** A demonym's intelligence service right after it: "Chinese intelligence", "Russian military intelligence". */
const INTELLIGENCE_AFTER_RE = /^\s+(?:military\s+)?intelligence\b/i;
/** Between two coordinated demonyms: ", ", " and ", " or ". */
const COORDINATED_GAP_RE = new RegExp(`^${COORDINATION_GAP}$`);
/**
 * A state or organ named as a human spy's handler, or as a person's past ("veterans of"): no cyber claim.
 * (Cheap tests first: the patterns run for every country word.)
 */
function humanSideOf(before: string, sentence: string, sentenceCyber: boolean, after = ''): boolean {
  const handler =
    !sentenceCyber &&
    (before.includes(' to ') || /spi|spy|handler|met|meeting/i.test(before)) &&
    (HUMAN_HANDLER_BEFORE_RE.test(before) ||
      // "passed them to an MSS officer", "handed files to a Chinese intelligence officer": the organ before the officer;
      // "passing drawings to Chinese intelligence": the intelligence service itself.
      (HANDED_TO_BEFORE_RE.test(before) &&
        (OFFICER_AFTER_RE.test(after) || INTELLIGENCE_AFTER_RE.test(after))));
  const pastMember =
    /veteran|alumn/i.test(before) &&
    PAST_MEMBER_BEFORE_RE.test(before) &&
    !BLAME_IN_SENTENCE_RE.test(sentence);
  return handler || pastMember;
}

/** A thing a state may own, just before a passive "run by", "controlled by". */
const OWNED_THING_BEFORE_RE = new RegExp(`\\b(?:${lexicon.alt('ownedThingNouns')})[\\s,]*$`, 'i');

/** "the government of", "the regime of": the state named next is its government. */
const GOV_OF_BEFORE_RE =
  /\b(?:the\s+)?(?:government|regime|military|leadership|intelligence\s+services?|security\s+services?)\s+of\s+(?:the\s+)?$/i;

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

/** The cyber-ness of a sentence for generic nouns ("Russian attacks" needs cyber words nearby). */
function genericNounOk(matched: string, sentence: string): boolean {
  // "a Chinese state-sponsored group": a state's hand makes any group a cyber actor.
  if (STRONG_STATE_LINK_RE.test(matched)) return true;
  const noun = matched.trim().split(/\s+/).slice(-2).join(' ');
  if (
    /hack|cyber|apt|espionage|intrusion|threat actor|threat group|nation[- ]state|state (actor|hacker)|advanced persistent/i.test(
      noun,
    )
  )
    return true;
  return CYBER_RE.test(sentence);
}

function criminalPhrase(phrase: string): boolean {
  return CRIMINAL_RE.test(phrase) && !STATE_OVERRIDES_CRIMINAL_RE.test(phrase);
}

/** A state link said of its subject: "we assess ... to be Russia-affiliated", "the group is China-linked". */
const PREDICATE_LINK_BEFORE_RE =
  /\b(?:(?:to\s+be|is|are|was|were|being|been)\s+(?:(?:likely|probably|possibly|almost\s+certainly)\s+)?)$/i;
const DOER_RELATIVE_BEFORE_RE =
  /\b(?:hackers|group|groups|actors?|attackers|operators|cluster|gang|crew|intruders|campaign|activity)\s*,?\s+(?:that|which|who)\s+(?:\w+\s+){0,2}$/i;
/** Every way the sentence puts a state behind the activity, one signal per country word. */
export function stateSignals(s: SentenceInfo, knowledge: Knowledge, articleCyber: boolean): StateSignal[] {
  const out: StateSignal[] = [];
  // Most sentences name no state and no actor: nothing below can match there.
  if (!s.mentions.some((m) => m.ref.type === 'country' || m.ref.type === 'actor')) return out;
  const text = s.text;
  const sentenceCyber = CYBER_RE.test(text);
  // A named state actor, or a vendor's cluster name ("Storm-0000 is a Chinese state-sponsored actor").
  const hasActor =
    s.schemeMentions.length > 0 ||
    s.mentions.some((m) => m.ref.type === 'actor' && knowledge.actors[m.ref.id]?.kind !== 'criminal');
  for (const m of s.mentions) {
    if (m.ref.type === 'actor') {
      const actor = knowledge.actors[m.ref.id];
      // An organ that speaks or acts as police ("the FSB said", "FSB officers detained") is no perpetrator.
      const speaks = organActsAsAuthority(m, s);
      const acts = !actor?.agentOnly || organIsAgent(m, s);
      // "passed documents to an officer of China's MSS": a human spy's handler, in a sentence that says no cyber
      // deed, is no claim about cyber activity.
      const handler = humanSideOf(
        text.slice(Math.max(0, m.start - s.start - 120), m.start - s.start),
        text,
        sentenceCyber,
        text.slice(m.end - s.start, m.end - s.start + 40),
      );
      if (
        actor?.organ &&
        actor.country &&
        !speaks &&
        acts &&
        !handler &&
        (sentenceCyber || hasActor || articleCyber)
      ) {
        const iso2 = organOwner(m, s) ?? organCountry(actor.country, actor.name, s, knowledge);
        out.push(signal(s, iso2, 'organ', m, m.surface, retractedAt(text, m.start - s.start)));
      }
      continue;
    }
    if (m.ref.type !== 'country') continue;
    let iso2 = m.ref.iso2;
    if (iso2 === '??') continue;
    const rs = m.start - s.start;
    const re = m.end - s.start;
    // "Australian and American state hackers": a demonym coordinated with the next one shares its noun.
    const coordinated =
      m.ref.form === 'demonym'
        ? s.mentions.find(
            (x) =>
              x.ref.type === 'country' &&
              x.ref.form === 'demonym' &&
              x.start > m.end &&
              COORDINATED_GAP_RE.test(text.slice(re, x.start - s.start)),
          )
        : undefined;
    const after = text.slice(
      coordinated ? coordinated.end - s.start : re,
      (coordinated ? coordinated.end - s.start : re) + 120,
    );
    const before = text.slice(Math.max(0, rs - 100), rs);
    const form = m.ref.form;
    // "pro-Russian hacktivists" sympathise with a state; they are not said to act for it.
    if (/\bpro[-\s]?$/i.test(before)) continue;
    // "passed documents to an officer of China's MSS": a human spy's handler, where no cyber deed is said.
    if (humanSideOf(before, text, sentenceCyber, after)) continue;
    // "a Moscow crypto exchange", "the Tehran firm": a capital before a company is where it is, not the state.
    if (
      PLACE_BEFORE_COMPANY_RE.test(after) &&
      (form === 'metonym' || knowledge.capitals.has(nameKey(m.surface)))
    )
      continue;
    const govAfter = GOV_NOUN.exec(after);
    // "linked to the government of Russia" reads as "linked to the Russian government".
    const govOf = GOV_OF_BEFORE_RE.exec(before);
    const isGov =
      govOf !== null ||
      form === 'organ' ||
      form === 'metonym' ||
      form === 'name' ||
      (govAfter !== null && STATE_ACTOR_NOUN_RE.test(govAfter[1] ?? '')) ||
      STATE_ACTOR_AFTER_RE.test(after);
    // ("Russia's notorious Sandworm", "North Korea's infamous Lazarus crew": one adjective may stand between.)
    const nextActor = s.mentions.find(
      (x) =>
        x.ref.type === 'actor' &&
        x.from >= m.to &&
        (x.from <= m.to + 1 ||
          (x.from === m.to + 2 && /^\p{Ll}+$/u.test(s.tokens[m.to + 1]?.raw ?? '') && /^['’]s/.test(after))),
    );
    const nextEntry = nextActor?.ref.type === 'actor' ? knowledge.actors[nextActor.ref.id] : undefined;
    const ctxRule: RuleContext = {
      m,
      stateActorAfter:
        nextActor && nextEntry && nextEntry.kind !== 'criminal' && !organActsAsAuthority(nextActor, s)
          ? nextActor.surface
          : null,
      form,
      isGov,
      after,
      before: govOf ? before.slice(0, govOf.index) : before,
      text,
      sentenceCyber,
      hasActor,
      articleCyber,
      anaphor: articleCyber && CONTINUATION_RE.test(before),
      mentions: s.mentions,
      isTitle: s.isTitle,
      stateActorAt: (offset) =>
        s.mentions.some(
          (x) =>
            x.ref.type === 'actor' &&
            x.start - s.start === re + offset &&
            knowledge.actors[x.ref.id]?.kind !== 'criminal',
        ),
    };
    let family: ClaimFamily | null = null;
    let cue = '';
    // The words before the cue's own phrase ("is not | run by the"), where a negation of the link stands.
    let beforeCue = before;
    for (const rule of STATE_RULES) {
      const hit = rule.match(ctxRule);
      if (!hit) continue;
      family = rule.family;
      cue = rule.side === 'after' ? m.surface + hit : hit + m.surface;
      if (rule.side === 'before') beforeCue = before.slice(0, Math.max(0, before.length - hit.length));
      break;
    }
    if (!family) continue;
    if (iso2 === 'KR' && /\bnorth\b/i.test(before.slice(-8))) iso2 = 'KP';
    const sig = signal(s, iso2, family, m, clip(cue, 120), retractedAt(text, m.start - s.start));
    if (
      NEGATION_BEFORE_RE.test(before.slice(-30)) ||
      (beforeCue !== before &&
        NEGATION_BEFORE_RE.test(beforeCue.slice(-30)) &&
        // ("is not only funded by the Iranian government but run by it": more, not less.)
        !/\bnot\s+(?:only|just|merely|simply)\b/i.test(beforeCue.slice(-40))) ||
      NEGATED_SPEECH_BEFORE_RE.test(before) ||
      /^(?:\s+[\w-]+){0,3}?\s+(?:is|was|were|are|has|have)\s+not\b/i.test(after)
    )
      sig.negated = true;
    const clause = before.split(/[,;:.]\s/).pop() ?? before;
    if (CONDITIONAL_RE.test(clause) && (family === 'behind' || family === 'blame')) sig.conditional = true;
    out.push(sig);
  }
  // "the threat from state actors, naming Russia and China": a list of threats, unless an incident is told.
  if (out.length === 0 || (THREAT_ASSESSMENT_RE.test(text) && !RESPONSIBILITY_RE.test(text))) return [];
  return withListedStates(out, s);
}

const LIST_JOINT_RE = /^\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)(?:the\s+)?$/i;
/** "hackers from the United States, Britain and Canada": a claim about the first state covers the list. */
function withListedStates(signals: StateSignal[], s: SentenceInfo): StateSignal[] {
  const out = [...signals];
  for (const sig of signals) {
    // "the United States, Britain and Israel were behind": the list ends at the state with the claim.
    if (sig.family === 'behind' || sig.family === 'subject-hacked') {
      let start = sig.start;
      for (const m of [...s.mentions].reverse()) {
        const ref = m.ref;
        if (m.end > start || ref.type !== 'country' || ref.form !== 'name' || ref.iso2 === '??') continue;
        if (!LIST_JOINT_RE.test(s.text.slice(m.end - s.start, start - s.start))) break;
        if (!out.some((x) => x.iso2 === ref.iso2 && x.sentence === sig.sentence))
          out.push({ ...sig, iso2: ref.iso2, start: m.start, end: m.end });
        start = m.start;
      }
      continue;
    }
    if (sig.family !== 'link' && sig.family !== 'origin' && sig.family !== 'blame') continue;
    let end = sig.end;
    for (const m of s.mentions) {
      const ref = m.ref;
      if (m.start < end || ref.type !== 'country' || ref.form !== 'name' || ref.iso2 === '??') continue;
      if (!LIST_JOINT_RE.test(s.text.slice(end - s.start, m.start - s.start))) break;
      if (!out.some((x) => x.iso2 === ref.iso2 && x.sentence === sig.sentence))
        out.push({ ...sig, iso2: ref.iso2, start: m.start, end: m.end });
      end = m.end;
    }
  }
  return out;
}

/**
 * A state organ named as the one that speaks, investigates or acts as police ("the FSB said its
 * officers detained", "according to a statement from the MSS", "detained ... by Russia's FSB"): not a perpetrator.
 */
export function organActsAsAuthority(m: Mention, s: SentenceInfo): boolean {
  const after = s.text.slice(m.end - s.start, m.end - s.start + 60);
  const before = s.text.slice(Math.max(0, m.start - s.start - 60), m.start - s.start);
  return (
    ORGAN_SPEAKS_RE.test(after) ||
    ORGAN_ACCUSES_RE.test(after) ||
    ORGAN_SOURCE_BEFORE_RE.test(before) ||
    // "detained in raids ... by Russia's Federal Security Service": the agent of a police action.
    POLICE_AGENT_BEFORE_RE.test(before)
  );
}

/** "hacked by the US' National Security Agency", "an operation by GCHQ", "accused the NSA of": the organ did it. */
const ORGAN_AGENT_BEFORE_RE =
  /\b(?:(?:hacked|breached|compromised|infiltrated|attacked|targeted|penetrated|carried out|conducted|launched|orchestrated|perpetrated|spied on|stolen)\s+by|(?:attacks?|operations?|campaigns?|intrusions?|hacks?|hacking|espionage|surveillance|infiltration)\s+(?:\w+\s+){0,2}?by|attributed\s+(?:[\w'’-]+\s+){0,5}?to|blamed\s+(?:[\w'’-]+\s+){0,5}?on|the work of|accus\w+|blam(?:e|es|ed|ing))\s+(?:the\s+)?(?:[\p{Lu}][\w.]*(?:['’]s?)?\s+)?$/iu;
/** "the NSA hacked", "GCHQ was behind", "the NSA of spying on": the organ did it. */
const ORGAN_AGENT_AFTER_RE =
  /^(?:\s*\([^)]{1,12}\))?(?:['’]s\s+(?:[\w-]+\s+){0,3}?(?:unit|office|division|team|hackers))?\s+(?:(?:has|have|had|also|allegedly|reportedly|repeatedly|likely|probably|was|were|is|had been|has been)\s+)*(?:hack(?:ed)?|breach(?:ed)?|infiltrated|penetrated|spied on|stole|attack(?:ed)?|target(?:ed)?|compromised|launched|conducted|carried out|deployed|behind|responsible for|br(?:oke|oken) into)\b|^\s+of\s+(?:\w+\s+)?(?:hacking|spying|launching|conducting|carrying out|breaching|infiltrating|attacking|stealing)\b/i;

/** An organ the news mostly quotes is an actor only as the agent of an attack. */
function organIsAgent(m: Mention, s: SentenceInfo): boolean {
  const after = s.text.slice(m.end - s.start, m.end - s.start + 80);
  const before = s.text.slice(Math.max(0, m.start - s.start - 80), m.start - s.start);
  return ORGAN_AGENT_BEFORE_RE.test(before) || ORGAN_AGENT_AFTER_RE.test(after);
}

function signal(
  s: SentenceInfo,
  iso2: string,
  family: ClaimFamily,
  m: Mention,
  cue: string,
  retract: boolean,
): StateSignal {
  return {
    sentence: s.index,
    iso2,
    family,
    cue,
    start: m.start,
    end: m.end,
    negated: retract,
    conditional: false,
  };
}

/**
 * The state written as the owner right before an organ's name: "Ukraine's Main Intelligence Directorate",
 * "the Ukrainian Main Intelligence Directorate". Organ names are shared across states (several have a
 * "Main Intelligence Directorate" or a "Ministry of State Security"); the text's owner wins.
 */
export function organOwner(m: Mention, s: SentenceInfo): string | null {
  const owner = [...s.mentions]
    .reverse()
    .find((x) => x.ref.type === 'country' && x.end <= m.start && m.start - x.end <= 4);
  if (owner?.ref.type !== 'country' || owner.ref.iso2 === '??') return null;
  const between = s.text.slice(owner.end - s.start, m.start - s.start);
  const possessive = /^['’]s?\s+$/.test(between);
  const adjective = owner.ref.form === 'demonym' && /^\s+$/.test(between);
  return possessive || adjective ? owner.ref.iso2 : null;
}

/** "Ministry of State Security" is an organ of both China and North Korea: the nearest state word decides. */
function organCountry(defaultIso: string, name: string, s: SentenceInfo, knowledge: Knowledge): string {
  if (!/ministry of state security|^mss$/i.test(name)) return defaultIso;
  const near = s.mentions.find(
    (m) => m.ref.type === 'country' && (m.ref.iso2 === 'KP' || m.ref.iso2 === 'CN'),
  );
  void knowledge;
  return near?.ref.type === 'country' ? near.ref.iso2 : defaultIso;
}
