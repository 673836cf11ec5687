/**
 * Lexical cues of how news writes attribution, hedging and denial. Every pattern is a general
 * construction of English news prose (see test/unit/attribution for one article per family).
 */

/** Words that turn a country word into a hacker description: "Chinese hackers", "Russian APT group". */
export const HACKER_NOUN =
  '(?:hackers?|hacking(?!\\s+(?:allegations?|accusations?|charges?|claims?|case|probe|scandal|laws?|investigation|inquiry|reports?|tools?|contests?|competitions?|conference))(?:\\s+(?:groups?|teams?|units?|collectives?|organi[sz]ations?|campaigns?|operations?|crews?|outfits?))?|hacker\\s+(?:groups?|teams?|collectives?)|cyber[- ]?(?:attacks?|attackers?|espionage|spies|spy|actors?|operations?|operatives?|units?|army|groups?|activit(?:y|ies)|intrusions?|campaigns?|offensive|warfare|threat actors?)|cyberattacks?|cyberspies|cyber-?espionage|spies|apts?|advanced persistent threats?|threat (?:actors?|groups?)|nation[- ]state (?:actors?|hackers?|groups?)|state (?:actors?|hackers?)|intrusions?|intrusion sets?|(?:threat |activity )?clusters?|adversar(?:y|ies)|espionage(?:\\s+(?:groups?|campaigns?|operations?))?|actors?|groups?|operatives?|intelligence officers?|military hackers?|government hackers?|attacks?|attackers?|campaigns?|operations?)';

/** Hyphenated or adjectival state links after a country: "China-backed", "Iranian state-sponsored". */
export const STATE_LINK =
  '(?:state[- ](?:sponsored|backed|linked|aligned|affiliated|directed|controlled|supported)|government[- ](?:sponsored|backed|linked|affiliated|directed|controlled|supported)|military[- ](?:linked|backed)|backed|sponsored|linked|nexus|aligned|affiliated|connected|tied|supported|directed|controlled|associated|allied|origin)';

/** Phrases before a country that make it the one behind the activity ("linked to China", "backed by Iran"). */
export const LINK_BEFORE =
  '(?:(?:hackers?|hacking groups?|hacker groups?|threat actors?|cyber actors?|operatives?|spies|intruders)\\s+from|(?:linked|tied|connected|attributed|attributable|traced(?: back)?|affiliated|associated|allied|pinned|blamed)\\s+(?:back\\s+)?(?:it\\s+)?(?:on|to)|(?:backed|sponsored|directed|funded|supported|controlled|run|employed|hired|tasked)\\s+by|on behalf of|working (?:for|with|on behalf of)|works? for|acting (?:for|on behalf of)|in the service of|at the behest of|originat\\w+ (?:from|in)|(?:operating|operated|acting)\\s+(?:out of|from)|with ties to|with links to|under the direction of)';

/** Verbs of blaming whose object is the accused. */
export const BLAME_VERB =
  '(?:blam(?:e|es|ed|ing)|accus(?:e|es|ed|ing)|attribut(?:e|es|ed|ing)|point(?:s|ed|ing)?\\s+(?:the\\s+|a\\s+|his\\s+|her\\s+|their\\s+|its\\s+)?fingers?\\s+at|implicat(?:e|es|ed|ing)|fault(?:s|ed)?|charg(?:e|es|ed|ing)|indict(?:s|ed|ing)?|sanction(?:s|ed|ing)?|condemn(?:s|ed|ing)?|criticiz(?:e|es|ed|ing)|criticis(?:e|es|ed|ing)|denounc(?:e|es|ed|ing)|call(?:s|ed|ing)? out|named|naming|exposed|exposing|identified|identifying|uncovered|linked|tied|traced)';

/** Criminal descriptions: a gang's base or language is not a state attribution (eval 5.2). */
export const CRIMINAL_RE =
  /\b(ransomware|gangs?|cyber-?criminals?|cybercrim\w*|criminals?|criminal|crooks?|extortion\w*|extortionists?|speaking|nationals?|citizens?|residents?|connections?|fraudsters?|scammers?|mafia)\b/i;
export const STATE_CUE_RE =
  /\b(state|nation-state|nation state|government|military|intelligence|espionage|spy|spies|regime|army|ministry|sponsored|backed)\b/i;

/** Reporting verbs: the speaker of the sentence makes the claim. */
export const REPORT_VERBS = new Set(
  'said says say told tells stated states confirmed confirms confirm revealed reveals announced announces reported reports alleged alleges claimed claims warned warns wrote writes noted notes added adds believes believe believed assessed assesses assess concluded concludes determined determines found finds identified identifies disclosed discloses accused accuses blamed blames attributed attributes attributing published publishes released releases issued issues uncovered uncovers exposed exposes outlined outlines tracked tracks observed observes linked links tied ties named names charged charges indicted indicts sanctioned sanctions condemned condemns criticized criticised criticize criticise pointed leveled levelled alleging accusing blaming explained explains suggests suggested suggesting thinks thought suspects suspected replied replies responded insisted maintained argued testified discovered discovers described describes'.split(
    ' ',
  ),
);
/** Blame verbs for list subjects: every party to the left is an attributor. */
export const LIST_BLAME_VERBS = new Set(
  'blamed blames blame blaming accused accuses accusing attributed attributes charging indicting sanctioning naming criticize criticise criticized criticised condemn condemns condemned denounced denounce sanctioned charged indicted exposed named identified uncovered pointed leveled levelled'.split(
    ' ',
  ),
);

/** Words that make a sentence about responsibility for an incident (for criminal groups too). */
export const RESPONSIBILITY_RE =
  /\b(behind|responsible|responsibility|attribut\w+|blam\w+|accus\w+|carried out|conducted|perpetrat\w+|orchestrat\w+|encrypt\w*|deployed|launched|identified (?:as|by)|tracked as|tracking as|known as|dubbed|linked to|tied to|connected to|was used by|used by|hacked by|breached by|targeted by|compromised by|attack(?:ed)? by|suspected|indict\w+|charg\w+|sanction\w+|stole|steal|(?:had|have|has) stolen|hacked|breached|infiltrated|exploited|abused|installed|exfiltrat\w+|broke into|breaking into|broken into|gained (?:initial )?access|targeted|targeting|compromised|the work of|(?:thefts?|heists?|attacks?|hacks?|intrusions?|campaigns?|operations?) (?:\w+ ){0,2}by)\b/i;

/** Hedges lower confidence: estimative words, anonymous or unconfirmed claims. */
export const HEDGE_RE =
  /\b(suspected|suspect|suspicion|likely|probabl[ey]|possibl[ey]|believed|believes|believe|may|might|could|allegedly|alleged|reportedly|appears? to|appeared to|seem(?:s|ed)? to|assess(?:ed|es|ment)?|moderate confidence|low confidence|thought to|purportedly|unconfirmed|could not (?:confirm|verify)|cannot confirm|apparently|potentially)\b/i;

/** Removal: the claim is withdrawn, unsupported or the incident is not an attack. */
export const RETRACT_RE =
  /\b(no evidence|not (?:yet )?(?:been )?attributed|(?:has|have|had) not (?:yet )?(?:publicly )?attributed|did not attribute|(?:declined|refused) to (?:attribute|blame|name)|retract\w*|walked back|withdr[ae]w (?:the|its|their) (?:attribution|accusation|claim)|no longer (?:attributes?|blames?|believes?)|not (?:a|related to a|the result of a|caused by a) (?:cyber ?attack|cyber-attack|hack|security incident)|not (?:related|linked) to (?:a |any )?(?:cyber|hack|security)|no (?:cyber ?-?attack|hack|breach|intrusion)s? (?:was|were|had been) (?:involved|detected|found)|not certain|not sure|no indication|ruled out|unclear who|not (?:known|clear) who|(?:don't|do not|did not) know who|no sign(?:s)? of)\b/i;

/** Background: an earlier incident mentioned in passing (does not make the article an attribution story). */
export const BACKGROUND_RE = /\b(previously|in (?:19|20)\d\d|years? ago|in the past|history of)\b/i;

/** A claim inside a condition is not made: "if it does determine Russia is to blame". */
export const CONDITIONAL_RE = /\b(if|whether|unless|would be|could be|in case|in the event)\b/i;

/** Denials by the accused. */
export const DENY_RE =
  /\b(denied|denies|deny|denying|rejected|rejects|reject|dismissed|dismisses|refuted|refutes|rebuffed|(?:called|calling|described|termed)\b.{0,60}\b(?:groundless|baseless|unfounded|unsubstantiated|slander\w*|smear\w*|fabricat\w*|false|absurd|lies|irresponsible|devoid))\b|\b(groundless|baseless|unfounded|unsubstantiated)\b/i;

/** Words after which a country is a government party: "Czech Foreign Ministry", "Australian government". */
export const GOV_NOUN =
  /^\.?\s*(?:'s\s+|’s\s+)?(?:\w+\s+)?(government|administration|ministry|foreign ministry|interior ministry|defen[cs]e ministry|police|authorities|officials|president|prime minister|minister|foreign minister|intelligence|intelligence agencies|cabinet|embassy|parliament|prosecutors|national police|security services?|intelligence services?|cyber agency|cybersecurity agency)\b/i;

/** Incident words that make a product mention count (exploited, breached, patched, affected). */
export const PRODUCT_CUE_RE =
  /\b(vulnerab\w+|flaws?|bugs?|exploit\w*|zero-?days?|0-?days?|patch\w*|cve|compromis\w*|breach\w*|hack\w*|attack\w*|affected|affects|impacted|crash\w*|outage|disrupt\w*|accessed|abus\w+|infiltrat\w+|intrusions?|backdoor\w*|security (?:update|fix|advisory|issue|hole|loophole)|remote code execution|authentication bypass|gain(?:ed)? access|phishing|malicious|hijack\w*|took over|taken over|takeovers?|break(?:ing)? into|broke into|broken into|encrypt(?:ed|ing|s)?|stolen|stole|unpatched|mitigations?|workarounds?)\b/i;
/** In a vulnerability story, update notes name the affected products too. */
export const WEAK_PRODUCT_CUE_RE =
  /\b(updates?|fix(?:es|ed)?|rolled out|running|versions?|users|install\w*|supported|unsupported)\b/i;
/** Words after an online service that show its accounts or data were at stake ("Salesforce instances"). */
export const SERVICE_NOUNS = new Set(
  'account accounts instance instances tenant tenants environment environments portal portals database databases mailbox mailboxes inbox inboxes workspace workspaces credentials logins login sso sign customer customers data storage repositories repository'.split(
    ' ',
  ),
);
/** Incident words that name a product as the thing attacked, not just the setting ("exploited a flaw in ..."). */
export const STRONG_PRODUCT_CUE_RE =
  /\b(vulnerab\w+|flaws?|bugs?|exploit\w*|zero-?days?|patch\w*|cve|compromis\w*|breach\w*|hijack\w*|took over|taken over|infiltrat\w+|backdoor\w*|accessed|abus\w+|stolen|stole|crash\w*|outage|encrypt\w*|break(?:ing)? into|broke into|broken into|account takeovers?)\b/i;
/** A product after these words is where something happened, a channel ("on LinkedIn", "over Zoom", "to WhatsApp"). */
export const CHANNEL_PREPOSITIONS = new Set(['on', 'over', 'via', 'to', 'through', 'across']);
/** A legitimate tool counts only when intruders used it ("installed AnyDesk", "abused ScreenConnect"). */
export const TOOL_USE_RE =
  /\b(?:used|using|uses|abus\w+|install\w*|deploy\w*|leverag\w+|dropped|relied on|turned to|legitimate|remote (?:access|management|monitoring)|exfiltrat\w+)\b/i;
/** Sentences about markets or bans: products named there are not incident products. */
export const PRODUCT_NEGATIVE_RE =
  /\b(ban(?:s|ned|ning)?|earnings|revenue|sales|shares|stock price|market share|tariffs?|prohibit\w*|runs? (?:exclusively |only )?on|available on|compatible with)\b/i;

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
