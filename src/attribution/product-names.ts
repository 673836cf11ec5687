/**
 * Products the dictionaries do not know, found by how news introduces them: the object of a flaw
 * ("a flaw in WebKit", "the bug lives in the Acme Render engine"), a name before a flaw noun
 * ("Backup Exec bugs"), what vulnerable machines run ("computers running Acme OS"), a component named
 * after a known product ("a vulnerability in Windows Installer"), a product-looking name before a
 * component noun ("the GlobalProtect gateway"), and a vendor's devices ("Zyxel firewalls"). A name must
 * look like a product and must not be a country, a party or an actor.
 */
import type { Knowledge } from '../extract/knowledge.js';
import { lexicon } from '../extract/lexicon.js';
import { BODY_NAME_WORD, type Extraction, type SentenceInfo } from '../extract/mentions.js';
import { keyTokens, nameKey } from '../extract/tokens.js';
import { trieLookup } from '../extract/trie.js';
import { CALENDAR_WORD, productCued, productNegative, strongProductCued } from './cues.js';
import { NOT_NAMES } from './parties.js';
import type { ProductHit } from './products.js';

const FLAW_NOUN = lexicon.alt('flawNouns');
/** Words of a count before attacked kit: "more than 1,000", "at least 40". */
const QUANTITY_WORDS = '(?:more than|over|about|around|nearly|almost|at least|some)';
/** The state of attacked kit before its name: "unpatched", "end-of-life". */
const KIT_STATE = lexicon.alt('kitStateWords');
/** A victim that owns what was attacked: "the company's", "the hospitals'" (what follows must be a maker's product). */
const OWNER_NOUNS =
  "(?:company|companies|firm|firms|bank|banks|hospital|hospitals|agency|agencies|ministry|city|county|council|university|victim|victims|organi[sz]ations?|government|department|school|utility|utilities|operator|provider|retailer|insurer|business|businesses|customer|customers|clinic|union)(?:['’]s|s?['’])";
const DETERMINERS = `(?:(?:[a-z][\\w-]*\\s+){0,3}(?:such as|like|including)\\s+)?(?:(?:the\\s+)?${OWNER_NOUNS}\\s+|the\\s+(?:[a-z][\\w-]*\\s+){0,2}[a-z][\\w-]*(?:['’]s|s['’])\\s+|the\\s+|its\\s+|their\\s+|an?\\s+|(?:${QUANTITY_WORDS}\\s+)?\\d[\\d,.]*\\s+|(?:(?:${KIT_STATE}|newer|several|multiple|some|all|popular|widely used|open-source|open source)\\s+)+)?(?:versions? of\\s+(?:the\\s+)?)?(?:(?:product|software|application|app|device|firmware|platform|tool|library|appliance|operating system)['’]s\\s+)?`;
/** A flaw noun and the word that introduces the flawed product: "a flaw in", "a bug affecting". */
const FLAW_IN_RE = new RegExp(
  `\\b${FLAW_NOUN}\\s+(?:\\([^()]{0,40}\\)\\s+)?(?:[\\w-]+\\s+){0,3}?(?:\\([^()]{0,40}\\)\\s+)?(?:in|across|affecting|affects|affected|impacting|impacts|within|inside|found in|discovered in|hitting)\\s+${DETERMINERS}`,
  'gi',
);
/** "The bug ... lies in the Acme Render library": where the flaw lives, in a sentence about a flaw. */
const RESIDES_IN_RE = new RegExp(
  `\\b(?:resides|resided|lies|lay|sits|sat|exists|existed|is located|was located|lurks|lurked)\\s+in\\s+${DETERMINERS}`,
  'gi',
);
const FLAW_WORD_RE = new RegExp(`\\b${FLAW_NOUN}\\b`, 'i');
/** A flaw noun right after a name: "Backup Exec bugs", "Chrome zero-day". */
const FLAW_AFTER_RE = new RegExp(`^\\s+(?:security\\s+)?${FLAW_NOUN}\\b`, 'i');
const FLAW_IN_AFTER_RE = new RegExp(
  `^\\s+(?:security\\s+)?${FLAW_NOUN}\\s+(?:\\([^()]{0,40}\\)\\s+)?(?:in|affecting|impacting|found in)\\b`,
  'i',
);
/** The object of an exploitation verb: "exploiting Acme Gate appliances", "abused the Acme Relay service". */
const EXPLOITED_RE = new RegExp(
  `\\b(?:exploit(?:s|ed|ing)?|abus(?:e|es|ed|ing)|weaponi[sz](?:e|es|ed|ing))\\s+(?:(?:CVE-\\d{4}-\\d{4,}|(?:an?\\s+|the\\s+|two\\s+|several\\s+)?(?:[\\w-]+\\s+){0,2}?${FLAW_NOUN})\\s+(?:\\([^()]{0,40}\\)\\s+)?(?:in|on|against|affecting)\\s+)?${DETERMINERS}`,
  'gi',
);
/** A CVE id and the product it is in: "CVE-2026-0001 in Acme Gate controllers". */
const CVE_IN_RE = new RegExp(
  `\\bCVE-\\d{4}-\\d{4,},?\\s+(?:\\([^()]{0,40}\\)\\s+)?(?:in|affecting|impacting|affects|impacts)\\s+${DETERMINERS}`,
  'gi',
);
/** A name as the subject of being affected: "Acme S7 CPUs running firmware before 3.1 are affected". */
const AFFECTED_AFTER_RE =
  /^(?:\s+[\w.-]+){0,8}?\s+(?:is|are|was|were|remains?|remained|may be|might be|could be)\s+(?:(?:also|still|probably|likely|potentially|equally)\s+)*(?:affected|vulnerable|impacted)\b/iu;
/**
 * A name written in lower case that is still a product's: a library ("libwebp"), a file ("ld.so",
 * "clfs.sys") or a name with digits ("log4j").
 */
const LOWER_NAME = String.raw`(?:lib[a-z\d]{2,}(?:[-.][a-z\d]+)*|[a-z][\w-]*\.(?:so|sys|dll|exe|js|ko|py)(?:\.\d+)*|[a-z]+\d[a-z\d]*(?:-[a-z\d]+)*)`;
const LOWER_NAME_RE = new RegExp(`^${LOWER_NAME}\\b`, 'u');
/** "the libarchive flaw", "an ld.so bug": a lower-case name before a flaw noun. */
const LOWER_NAME_BEFORE_FLAW_RE = new RegExp(`\\b(${LOWER_NAME})\\s+(?:security\\s+)?${FLAW_NOUN}\\b`, 'gu');
const EXPLOIT_VERB_RE = /\b(?:exploit|abus|weaponi)/i;
/** A maker written as the owner before a product's name (case-sensitive: names are capitalised). */
const MAKER_OWNER_RE = /^[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2}['’]s?\s+(?=[A-Z]|[a-z]+[A-Z])/;
/** Taking over accounts: the service the accounts belong to is what was breached. */
const ACCOUNT_TAKEOVER_RE =
  /\b(?:took over|taken over|take over|taking over|hijack\w*|compromis\w*|phish\w*|breach\w*|hacked|hacking into|accessed|broke into|stole|stolen|seized control)\b/i;
/** Cheap test first: the sentence speaks of accounts at all. */
const ACCOUNT_WORD_RE =
  /\b(?:accounts?|mailbox(?:es)?|inbox(?:es)?|tenants?|passwords?|credentials|logins?)\b/i;
/** What a service holds for its users ("Gmail accounts", "stolen Proton Mail passwords"). */
const ACCOUNT_NOUNS = `(?:(?:webmail|e-?mail|mail|cloud|social media)\\s+)?${lexicon.alt('serviceHoldingNouns')}\\b`;
const ACCOUNTS_AFTER_RE = new RegExp(`^\\s+${ACCOUNT_NOUNS}`, 'i');
/** Names of bodies and organisations: their accounts are the victim's, not a service's. */
const ACCOUNT_OWNER_NAME_RE = new RegExp(`\\b${BODY_NAME_WORD}(?![\\w])`, 'i');
/** "Twitter and Facebook accounts": the first name of a list whose last one owns the accounts. */
const LISTED_ACCOUNTS_AFTER_RE = new RegExp(
  `^(?:,\\s*|\\s+(?:and|or)\\s+)[\\p{Lu}][\\p{L}\\d.]*(?:\\s+[\\p{Lu}][\\p{L}\\d.]*)?\\s+${ACCOUNT_NOUNS}`,
  'u',
);
const MADE_BY_WORD_RE = /\b(?:made|built|manufactured|sold|supplied|produced)\s+by\b/i;
/** Kit named by its kind, then its maker: "a VPN device made by Acme", "routers sold by Acme". */
const MADE_BY_RE =
  /\b((?:VPN\s+|SSL-VPN\s+|network\s+|edge\s+|security\s+)?(?:devices?|appliances?|routers?|firewalls?|cameras?|gateways?|controllers?|PLCs?|modems?|switches|servers?))\s+(?:made|built|manufactured|sold|supplied|produced)\s+by\s+(?:the\s+)?/g;
/** Attacks on a maker's kit: "attacks on Zyxel devices", "hijacking MikroTik routers", "targeting unpatched Fortinet appliances". */
const ATTACKED_KIT_RE = new RegExp(
  `\\b(?:(?:attacks?|raids?|assaults?)\\s+(?:on|against)|target(?:s|ed|ing)?|hijack(?:s|ed|ing)?|compromis(?:e|es|ed|ing)|infect(?:s|ed|ing)?|hack(?:s|ed|ing)?(?:\\s+into)?|breach(?:es|ed|ing)?|scann(?:ed|ing)\\s+for)\\s+(?:the\\s+)?(?:${QUANTITY_WORDS}\\s+)?(?:\\d[\\d,.]*\\s+)?(?:(?:${KIT_STATE})\\s+)*`,
  'gi',
);
/** One of the verbs of ATTACKED_KIT_RE: a cheap test before it. */
const ATTACK_VERB_HINT_RE = /attack|raid|assault|target|hijack|compromis|infect|hack|breach|scann/i;
/** "an exploit for iMessage", "exploits for Acme Gate": what the exploit is written for. */
const EXPLOIT_FOR_RE = /\b(?:exploits?\s+for|(?:mass\s+)?exploitation\s+of)\s+(?:the\s+)?/gi;
/** Update notes: "shipped fixes for macOS, Safari and visionOS", "security updates for Acme Gate". */
const FIXES_FOR_RE =
  /\b(?:(?:security\s+)?(?:fix(?:es)?|patch(?:es)?|updates?))\s+for\s+(?:the\s+|its\s+)?/gi;
/** The owner of a flawed part: "the IKEv2 VPN component of Fireware OS", "the login module of Acme Portal". */
const PART_OF_RE =
  /\b(?:component|module|feature|daemon|service|driver|plugin|library|subsystem|interface)\s+(?:of|in|within)\s+(?:the\s+)?(?=\p{Lu}|[a-z]+\p{Lu}|[a-z]+\d)/gu;
/** A lower-case program named by what it is, after "in the" or "the": "the fgfmd daemon", "the sudo utility". */
const LOWER_PROGRAM_RE =
  /\bthe\s+([a-z][a-z\d_-]{2,})\s+(?:daemon|utility|binary|executable|command-line tool)\b/g;
/** Lower-case words that say what a program does, not what it is called ("the login utility"). */
const LOWER_PROGRAM_MODIFIERS = lexicon.set('programRoleWords');
/** A further name of a list: "Acme Harmony, Acme Trader and Acme Link". */
const LIST_NEXT_RE = /^(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?/u;
const MAX_LIST_NAMES = 8;
/** What vulnerable or infected machines run. */
const RUNNING_RE =
  /\b(?:running|powered by|based on|built on|that run|which run|that runs|which runs|versions? of)\s+(?:the\s+|an?\s+|older\s+|unpatched\s+|outdated\s+|vulnerable\s+)?/giu;
/** Product nouns written after a product name: "the GlobalProtect gateway", "Acme Edge appliances". */
const PRODUCT_NOUNS = `${lexicon.alt('deploymentNouns')}|${lexicon.alt('softwarePartNouns')}`;
const PRODUCT_NOUN_RE = new RegExp(`^\\s+(?:${PRODUCT_NOUNS})\\b`, 'i');
/** The same after a few modifiers: "Moxa NPort serial-to-Ethernet converters". */
const PRODUCT_NOUN_NEAR_RE = new RegExp(`^\\s+(?:[a-z][\\w-]*\\s+){0,2}(?:${PRODUCT_NOUNS})\\b`, 'i');
/** "Jenkins automation server", "Roundcube webmail software": a flaw's object described by what it is. */
const DESCRIBED_PRODUCT_AFTER_RE = new RegExp(
  `^(?:\\s+(?:[a-z][\\w-]*\\s+){0,2}|,\\s+(?:the|an?)\\s+(?:[\\w-]+\\s+){0,3})(?:${PRODUCT_NOUNS}|${lexicon.alt('productDescriptorWords')})\\b`,
);
/** A product noun ahead in the same phrase: "Harmony, VLTrader and LTrader file transfer products". */
const PRODUCT_NOUN_AHEAD_RE = new RegExp(`^[^.;:()]{0,60}?\\b(?:${PRODUCT_NOUNS})\\b`, 'i');
/** The stems of an attack's deeds. */
const DEED_STEMS = 'exploit|hack|breach|compromis|infect|attack';
/** No deed of an attack starts here (a clearance never reaches past one). */
const NO_DEED = `(?!(?<!\\bnot\\s|n't\\s|never\\s)\\b(?:${DEED_STEMS})\\w*)`;
/** A relative clause or an apposition after a name: ", which hosts the app,", ", the cloud offering,". */
const APPOSITION_HEAD = '(?:which|that|the|an?|its)';
/**
 * Words after a name that clear it: "Exchange Online was not affected", past a relative clause or an apposition
 * ("its Azure tenant, which hosts the booking app, had not been compromised", "Neurons for MDM, the cloud offering,
 * is not affected"), but not past a deed, a turn or another comma ("FortiGate devices were exploited", "while
 * others were not affected", "X, said calls were not affected").
 */
const NOT_AFFECTED_AFTER_RE = new RegExp(
  `^(?:(?:\\s+[\\p{L}-]+){0,2}\\s*,\\s*${APPOSITION_HEAD}\\b(?:${NO_DEED}[^.;:,]){0,80},)?(?:${NO_DEED}(?!\\b(?:whose|where|which|while|whereas|but|although|though|however|yet|as|with)\\b)[^.;:,]){0,50}?\\b${lexicon.alt('notAffectedPhrases')}\\b`,
  'iu',
);
/** A word every clearance phrase holds. */
const CLEARANCE_WORD_RE = /\b(?:not|unaffected|untouched|spared|no)\b|n't\b/i;
/**
 * A new clause inside the words before a clearance, after a name that was the object of a deed: "exploited
 * ShareFile and the city's services were unaffected" (not a list of cleared names: "MOVEit Transfer and its cloud
 * version were not affected").
 */
const NEW_CLAUSE_RE = /\b(?:and|or)\s+[a-z]/;
const DEED_BEFORE_RE = new RegExp(
  String.raw`\b(?:${DEED_STEMS}|encrypt)\w*\b(?:(?!\b(?:said|says)\b|,\s+(?:and|but)\b)[^.;:])*$`,
  'i',
);
/** The relative clause or apposition a clearance may pass, taken out before looking for a new clause. */
const APPOSITION_RE = new RegExp(String.raw`,\s*${APPOSITION_HEAD}\b[^,]*,`);
/** The words after a name clear it (see NOT_AFFECTED_AFTER_RE), within the name's own clause. */
export function clearedByWordsAfter(after: string, before = ''): boolean {
  // (Most names have no clearance near them: one cheap look first.)
  if (!CLEARANCE_WORD_RE.test(after.slice(0, 160))) return false;
  const m = NOT_AFFECTED_AFTER_RE.exec(after);
  if (m === null) return false;
  const own = m[0].replace(APPOSITION_RE, '');
  return !(NEW_CLAUSE_RE.test(own) && DEED_BEFORE_RE.test(before));
}
/** Owners whose parts are a product's components: "the product's License Servlet", "the app's updater". */
const PRODUCT_OWNER_WORDS = new Set([
  'product',
  'software',
  'application',
  'app',
  'device',
  'firmware',
  'platform',
  'tool',
  'library',
  'appliance',
  'system',
  'browser',
  'server',
]);
/** What software runs as, after its name: "mail servers", "automation server", "installations". */
const SOFTWARE_AFTER_RE =
  /^\s+(?:[a-z][\w-]*\s+){0,2}(?:servers?|installations?|instances?|deployments?|software|platforms?|apps?|clients?)\b/;
/** "the WordPress plugin WPForms", "the npm package ua-parser-js": the name after the kind of software. */
const KIND_BEFORE_NAME_RE =
  /\b(?:(?:plugin|plug-in|extension|add-on|addon|theme|module|package|library|app|application|firmware|program|utility|client)|(?:plugins|plug-ins|extensions|add-ons|themes|modules|packages|libraries|apps|applications|frameworks|browsers|products|tools)\s+(?:such as|like|including))\s+(?=[\p{Lu}\d]|[a-z]+\p{Lu}|[a-z][a-z\d]*(?:[-.][a-z\d]+)+\b)/gu;
const HYPHENATED_LOWER_RE = /^[a-z][a-z\d]*(?:[-.][a-z\d]+)+\b/;
/** Nouns of a component or a device (not "systems" or "servers", which companies have too). */
const COMPONENT_NOUN_RE = new RegExp(`^\\s+${lexicon.alt('componentNouns')}\\b`, 'i');
const COMPONENT_ANYWHERE_RE = new RegExp(`\\s${lexicon.alt('componentNouns')}\\b`, 'i');
/** A vendor's devices or core software, written in lower case after its name: "Zyxel firewalls", "the Linux kernel". */
const VENDOR_DEVICE_RE = new RegExp(`^\\s+((?:VPN\\s+)?${lexicon.alt('vendorDeviceNouns')})\\b`, 'u');
/** A kind of software after a description: " system", " software", " platform". */
const KIND_OF_SOFTWARE_AFTER_RE =
  /^\s+(?:system|systems|software|platform|application|app|suite|service|tool|framework|plugin|library)\b/i;
/** A version right after a name: "Drupal 8", "Exim versions before 4.92". */
const VERSION_AFTER_RE = /^\s+(?:v?\d|versions?\b|before\b|prior\b|through\b|up to\b)/i;
/** Generic technology words shaped like names. */
const GENERIC_TECH = lexicon.exact('genericTechAbbreviations');

/** A name followed by what it is inside the code: a function, method, parameter, variable or class. */
const CODE_PART_AFTER_RE = /^\s+(?:function|method|parameter|variable|field|class|call|struct|macro)s?\b/i;
/** A release of a product that attackers altered: "a trojanised installer of", "a tampered update to the". */
const TAMPERED_RELEASE_RE =
  /\b(?:tampered(?:-with)?|trojani[sz]ed|poisoned|malicious|booby-trapped|rigged|hijacked)\s+(?:software\s+)?(?:update|updates|version|versions|installer|installers|build|builds|release|releases)\s+(?:of|for|to)\s+(?:the\s+|its\s+|their\s+)?(?:(?:(?:\p{Lu}\p{Ll}+|\p{Ll}[\w-]*)\s+){0,3}?(?:software|program|application|app|client|tool)\s+(?=\p{Lu}))?/gu;
const AFFECTED_WORD_RE = /\b(?:affected|vulnerable|impacted)\b/i;
/**
 * How intruders got in, up to what they got in through: "broke in through an unpatched", "got into the
 * network via the", "gained initial access through a", with the state of the kit ("end-of-life", "exposed").
 */
const GOT_IN_BEFORE_RE =
  /\b(?:(?:broke|broken|breaking|break|got|gotten|getting|get|gets|came|come|coming)\s+in|(?:gained|gaining|gain|gains|obtained|obtaining|got|gotten)\s+(?:initial\s+)?(?:access|entry|a\s+foothold)|entered|(?:broke|broken|breaking|got|gotten|getting)\s+into\s+(?:the\s+|its\s+|their\s+)?(?:\p{Ll}+\s+){0,2}?(?:network|networks|systems?|environment))\s+$/iu;
/** The words THROUGH_KIT_RE starts with: a cheap test before the long pattern. */
const THROUGH_WORD_RE = /\b(?:through|via|by way of)\b/i;
/** What follows the way in, up to the kit's name (searched first: "through" and "via" are rare). */
const THROUGH_KIT_RE = new RegExp(
  `\\b(?:through|via|by\\s+way\\s+of)\\s+(?:(?:[A-Z][\\w&.-]*\\s+){0,3}[A-Z][\\w&.-]*['’]s\\s+)?${DETERMINERS}(?:(?:${KIT_STATE}|old|forgotten|remote)\\s+)*`,
  'giu',
);
/**
 * The text after a name says the name is affected, with no clause break before the verb. A list of names and a
 * relative clause may stand between: ", Brave and Opera, which are built on X, are also affected".
 */
function affectedSubject(after: string): boolean {
  const tail = after
    .slice(0, 200)
    .replace(/,\s*(?:which|that|who)\s+[^,;:.]{1,80},/i, '')
    .replace(/,\s*(?:and\s+|or\s+)?(?=\p{Lu})/gu, ' and ');
  if (!AFFECTED_AFTER_RE.test(tail)) return false;
  const beforeVerb = tail.slice(0, tail.search(/\b(?:is|are|was|were|remains?|remained|may|might|could)\b/i));
  return !/[,;:]/.test(beforeVerb);
}
/** Capitalised names and list separators only, back to a known product: "Microsoft Edge, Brave and ". */
const LIST_BACK_TO_PRODUCT_RE =
  /^(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:\p{Lu}[\w.-]*(?:\s+\p{Lu}[\w.-]*)*(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+))*$/u;
/** The name at `start` is listed after a product the dictionaries know: it is named as a product too. */
function listedAfterProduct(s: SentenceInfo, start: number): boolean {
  return s.mentions.some(
    (m) =>
      m.ref.type === 'product' &&
      m.end <= start &&
      LIST_BACK_TO_PRODUCT_RE.test(s.text.slice(m.end - s.start, start - s.start)),
  );
}
/** What a name is, in apposition after it: ", an open-source extension", ", the npm package" (the comma first: a cheap scan). */
const APPOSITIVE_KIND_RE = new RegExp(
  `,\\s+(?:the|an?)\\s+(?:[\\w-]+\\s+){0,3}?(?:${PRODUCT_NOUNS}|package|extension|plugin|plug-in|add-on|library|module)\\b`,
  'g',
);
/** A hyphenated lower-case name right before that comma: "verilog-lint-pro". */
const LOWER_NAME_AT_END_RE = /(?:^|[^\w.-])([a-z][a-z\d]*(?:[-.][a-z\d]+)+)$/;
/** Kinds of malicious code written after its name. */
const MALWARE_AFTER_RE =
  /^\s+(?:malware|backdoor|trojan|remote access trojan|RAT|ransomware|wiper|implant|loader|dropper|spyware|stealer|infostealer|botnet|worm|rootkit)s?\b/i;
/** Calendar words: "Patch Tuesday bugs" is not a product. */
const CALENDAR_RE = new RegExp(`\\b${CALENDAR_WORD}\\b`);
/** One word of a product name: capitalised, CamelCase, an acronym, a version or model code; never a bare number. */
const NAME_WORD = String.raw`(?:\p{Lu}[\p{L}\d]*(?:[-.+/][\p{L}\d]+)*|i\p{Lu}[\p{L}\d]+|[a-z]+\p{Lu}[\p{L}\d]*|\d+[\p{L}][\p{L}\d]*)`;
/** Sticky: read at a position of the sentence without copying the rest of it. */
const NAME_RE = new RegExp(
  String.raw`(${NAME_WORD}(?:\s+(?:(?:of|for|of the)\s+)?(?:${NAME_WORD}|\d+(?:\.\d+)*))*)`,
  'uy',
);
/** Words that end a name without belonging to it. */
/** A release named after a product: R2, a cumulative update, a service pack, a feature update ("CU14", "SP1", "22H2"). */
export const RELEASE_WORD = String.raw`(?:R\d|CU\d+|SP\d+|\d\dH\d)`;
const TRAILING_NOISE = new RegExp(
  String.raw`\s+(?:\d+(?:\.\d+)*|[vV]\d+(?:\.\d+)*|${RELEASE_WORD}|and|or|of|for|of the|The|A|An|In|On|Before|After|Versions?|Version)$`,
  'u',
);
/** A company's suffix after its short name ("Juniper Networks", "Acme Systems Inc."). */
const COMPANY_SUFFIX_RE =
  /\s+(?:Networks|Systems|Technologies|Technology|Software|Inc\.?|Corp\.?|Corporation|Ltd\.?|Limited|LLC|plc|Co\.?)$/u;
/** An edition at the end of a name ("SharePoint Server Subscription Edition"): the family is the product. */
export const EDITION_SUFFIX_RE = new RegExp(`\\s+(?:${lexicon.alt('editionWords')})\\s+Edition$`, 'u');
const LOOKS_LIKE_PRODUCT = /\p{Ll}\p{Lu}|^i\p{Lu}|\d|^\p{Lu}{2,}[\p{L}]*-/u;
const MAX_NAME_WORDS = 6;

interface Candidate {
  sentence: SentenceInfo;
  start: number;
  end: number;
  name: string;
  /** Introduced as the thing with the flaw (strong) or only as what something runs or a noun phrase (weak). */
  strong: boolean;
  /** The vendor of the first name of the list this one continues ("Acme Gate and Relay appliances"). */
  listVendor?: string;
  /** Introduced by its kind of software ("the plugin WPForms"): a product whatever its shape. */
  byKind?: boolean;
  /** A maker's kit named by its kind before the maker ("a VPN device made by Acme"): the kind. */
  madeKind?: string;
  /** A service named by its accounts ("the ministry's Twitter accounts"): owned by the victim, made by a vendor. */
  accounts?: boolean;
}

const excludedCache = new WeakMap<Knowledge, ReadonlySet<string>>();
/** Names the dictionaries mark as no product ("Cobalt Strike"), worked out once per dictionary. */
function excludedNamesOf(knowledge: Knowledge): ReadonlySet<string> {
  let e = excludedCache.get(knowledge);
  if (!e) {
    e = new Set(knowledge.products.filter((p) => p.exclude).map((p) => nameKey(p.name)));
    excludedCache.set(knowledge, e);
  }
  return e;
}

const vendorCache = new WeakMap<Knowledge, Map<string, string>>();
/** Known vendors by their name key ("palo alto networks" → "Palo Alto Networks"). */
function vendorsOf(knowledge: Knowledge): Map<string, string> {
  let v = vendorCache.get(knowledge);
  if (!v) {
    v = new Map();
    for (const p of knowledge.products) v.set(nameKey(p.vendor), p.vendor);
    vendorCache.set(knowledge, v);
  }
  return v;
}

/** The name that starts at `at` in the sentence text, cleaned of trailing versions and connectives. */
function readNameAt(s: SentenceInfo, at: number): { name: string; start: number; end: number } | null {
  NAME_RE.lastIndex = at;
  const m = NAME_RE.exec(s.text);
  if (!m?.[1]) return null;
  let name = m[1].split(/\s+/).slice(0, MAX_NAME_WORDS).join(' ');
  for (let prev = ''; prev !== name; ) {
    prev = name;
    name = name.replace(TRAILING_NOISE, '');
  }
  name = name.replace(/['’]s?$/, '').replace(EDITION_SUFFIX_RE, '');
  if (!name || NOT_NAMES.has(name.split(/\s+/)[0] ?? '')) return null;
  return { name, start: s.start + at, end: s.start + at + name.length };
}

function overlapsMention(s: SentenceInfo, start: number, end: number, types: string[]): boolean {
  return s.mentions.some((m) => types.includes(m.ref.type) && m.start < end && m.end > start);
}

/** Token starts where a name may begin (a capital, or "iOS"-style), not inside another word. */
function nameStarts(s: SentenceInfo): number[] {
  const out: number[] = [];
  for (const t of s.tokens) {
    if (!t.wordStart) continue;
    // (A lower-case ASCII letter other than the "i" of "iPhone" starts no name: one char test first.)
    const c = t.raw.charCodeAt(0);
    if (c >= 97 && c <= 122 && c !== 105) continue;
    if (!/^(?:\p{Lu}|i\p{Lu})/u.test(t.raw + (s.text[t.end - s.start] ?? ''))) continue;
    const prev = s.text.slice(Math.max(0, t.start - s.start - 1), t.start - s.start);
    if (/[\p{L}\d.-]/u.test(prev)) continue;
    out.push(t.start - s.start);
  }
  return out;
}

function candidates(
  s: SentenceInfo,
  vulnStory: boolean,
  vendors: Map<string, string>,
  knowledge: Knowledge,
): Candidate[] {
  const out: Candidate[] = [];
  const names = new Map<number, ReturnType<typeof readNameAt>>();
  const nameAt = (sentence: SentenceInfo, at: number): ReturnType<typeof readNameAt> => {
    if (!names.has(at)) names.set(at, readNameAt(sentence, at));
    return names.get(at) ?? null;
  };
  const push = (at: number, strong: boolean): void => {
    const n = nameAt(s, at);
    if (n) out.push({ sentence: s, ...n, strong });
  };
  // A name read from the text at a sentence offset ("ld.so", "log4j-core"), the object of a flaw.
  const pushSpan = (at: number, name: string, byKind = false): void => {
    if (name)
      out.push({
        sentence: s,
        name,
        start: s.start + at,
        end: s.start + at + name.length,
        strong: true,
        ...(byKind ? { byKind } : {}),
      });
  };
  // The object of a flaw or of exploitation, with the names listed after it.
  const pushList = (from: number, strong: boolean, byKind = false): void => {
    // "a bug in Samsung's Exynos chips": past the maker written as the owner, when a name follows
    // ("OpenSSH's sshd" keeps OpenSSH).
    const maker = MAKER_OWNER_RE.exec(s.text.slice(from, from + 80));
    const makerName = maker?.[0].replace(/['’]s?\s+$/, '') ?? '';
    // An unknown maker counts when what follows is described as a product ("Cleo's Harmony software").
    // (A known product written as owner is not a maker: "NetWeaver's Java message server" names its part.)
    const described =
      maker !== null &&
      !overlapsMention(s, s.start + from, s.start + from + maker[0].length, ['product']) &&
      PRODUCT_NOUN_AHEAD_RE.test(s.text.slice(from + maker[0].length, from + maker[0].length + 80));
    const at = from + (maker && (vendors.has(nameKey(makerName)) || described) ? maker[0].length : 0);
    let n = nameAt(s, at);
    // The list's vendor: the first name's own ("Acme Gate, Relay and Vault") or its product's
    // ("flaws in Windows, Office and Azure": Microsoft's).
    const known = n ? s.mentions.find((m) => m.ref.type === 'product' && m.start === n?.start) : undefined;
    // ("Cleo's Harmony, VLTrader and LTrader": the maker written as the owner.)
    const head =
      vendors.get(nameKey(n?.name.split(/\s+/)[0] ?? '')) ??
      (known?.ref.type === 'product' ? knowledge.products[known.ref.id]?.vendor : undefined) ??
      (at > from ? (vendors.get(nameKey(makerName)) ?? makerName) : undefined);
    let sharesVendor = true;
    // "Modicon M340 and M580 controllers": a bare model later in the list belongs to the first name's family.
    const family = n ? familyOfModel(n.name) : null;
    // "Confluence Data Center and Server": an edition alone later in the list is the first name's family's.
    const editionFamily = n?.name.replace(DEPLOYMENT_EDITION_END_RE, '') ?? '';
    const endsInEdition = n !== null && editionFamily !== n.name;
    const listStart = out.length;
    for (let i = 0; n && i < MAX_LIST_NAMES; i++) {
      const name =
        i > 0 && family && MODEL_CODE_RE.test(n.name)
          ? `${family} ${n.name}`
          : i > 0 && endsInEdition && DEPLOYMENT_EDITIONS.has(n.name)
            ? `${editionFamily} ${n.name}`
            : n.name;
      out.push({
        sentence: s,
        ...n,
        name,
        strong,
        ...(byKind || described ? { byKind: true } : {}),
        ...(head && (i > 0 || described) && sharesVendor ? { listVendor: head } : {}),
      });
      // A model number the name leaves out ("Acme Logix 5580") still comes before the next name; so does
      // what the name is ("Acme Gate appliances and the Relay server"), which ends its noun phrase: the
      // next name is a phrase of its own, without the first one's vendor.
      const rest = s.text.slice(n.end - s.start);
      const model = /^\s+\d[\w.-]*/.exec(rest)?.[0].length ?? 0;
      const noun = PRODUCT_NOUN_RE.exec(rest.slice(model))?.[0].length ?? 0;
      if (noun > 0) sharesVendor = false;
      const next = LIST_NEXT_RE.exec(rest.slice(model + noun));
      // "exploiting Cleo Harmony and LexiCom servers": the kind after the last name is every name's kind.
      if (noun > 0 && !next && !strong)
        for (let k = listStart; k < out.length; k++) {
          const c = out[k];
          if (c) out[k] = { ...c, strong: true };
        }
      n = next ? nameAt(s, n.end - s.start + model + noun + next[0].length) : null;
    }
  };
  // Cheap tests first: these scans are most of the cost on articles that name no flaw.
  const flawWord = FLAW_WORD_RE.test(s.text);
  if (flawWord)
    for (const m of s.text.matchAll(FLAW_IN_RE)) {
      pushList(m.index + m[0].length, true);
      // "a bug in ld.so", "a flaw in libwebp": a lower-case name shaped like software.
      const lower = LOWER_NAME_RE.exec(s.text.slice(m.index + m[0].length));
      if (lower) pushSpan(m.index + m[0].length, lower[0]);
    }
  if (flawWord)
    for (const m of s.text.matchAll(LOWER_NAME_BEFORE_FLAW_RE)) {
      pushSpan(m.index, m[1] ?? '');
    }
  if (s.cves.length > 0) for (const m of s.text.matchAll(CVE_IN_RE)) pushList(m.index + m[0].length, true);
  if (vulnStory) for (const m of s.text.matchAll(FIXES_FOR_RE)) pushList(m.index + m[0].length, false);
  if (s.text.includes('xploit'))
    for (const m of s.text.matchAll(EXPLOIT_FOR_RE)) pushList(m.index + m[0].length, true);
  // "a flaw in a VPN device made by Pulse Secure": the maker's kit, named by its kind.
  const strongCue = strongProductCued(s);
  if ((flawWord || strongCue) && MADE_BY_WORD_RE.test(s.text))
    for (const m of s.text.matchAll(MADE_BY_RE)) {
      const n = nameAt(s, m.index + m[0].length);
      // The maker: a vendor, or the brand a known product is named after ("Pulse Secure").
      const key = n ? nameKey(n.name) : '';
      if (n && (vendors.has(key) || knowledge.products.some((p) => nameKey(p.name).startsWith(`${key} `))))
        out.push({ sentence: s, ...n, strong: true, madeKind: (m[1] ?? '').trim() });
    }
  // "took over the Naver Mail accounts", "the town hall's Twitter and Facebook accounts were hijacked": a
  // service whose accounts were taken.
  if (
    ACCOUNT_WORD_RE.test(s.text) &&
    (ACCOUNT_TAKEOVER_RE.test(s.text) || (s.security && /\baccess\b/i.test(s.text)))
  )
    for (const at of nameStarts(s)) {
      const n = nameAt(s, at);
      if (!n) continue;
      const after = s.text.slice(n.end - s.start, n.end - s.start + 80);
      if (!ACCOUNTS_AFTER_RE.test(after) && !LISTED_ACCOUNTS_AFTER_RE.test(after)) continue;
      // Not "Email accounts", "Four accounts" at a sentence's start, nor a body's own ("Coast Guard accounts").
      const plainOpener =
        /^[\s"“‘'(]*$/u.test(s.text.slice(0, n.start - s.start)) && /^\p{Lu}\p{Ll}+$/u.test(n.name);
      if (plainOpener || GENERIC_PRODUCT_WORDS.has(nameKey(n.name)) || ACCOUNT_OWNER_NAME_RE.test(n.name))
        continue;
      out.push({ sentence: s, ...n, strong: true, byKind: true, accounts: true });
    }
  // Only a maker's name here: "targeting Acme Bank" names a victim, "targeting Zyxel devices" a product.
  for (const m of ATTACK_VERB_HINT_RE.test(s.text) ? s.text.matchAll(ATTACKED_KIT_RE) : []) {
    const n = nameAt(s, m.index + m[0].length);
    if (n && leadingVendor(n.name, vendors) !== null) out.push({ sentence: s, ...n, strong: true });
  }
  // "a bug in the WordPress plugin WPForms", "the npm package ua-parser-js was hijacked".
  if (
    flawWord ||
    s.cves.length > 0 ||
    EXPLOIT_VERB_RE.test(s.text) ||
    /\b(?:hijack|compromis|backdoor|trojani[sz])/i.test(s.text)
  )
    for (const m of s.text.matchAll(KIND_BEFORE_NAME_RE)) {
      const at = m.index + m[0].length;
      const lower = HYPHENATED_LOWER_RE.exec(s.text.slice(at, at + 60));
      if (lower) pushSpan(at, lower[0], true);
      else pushList(at, true, true);
    }
  // "a tampered update of the M.E.Doc accounting software": the product a supply-chain attack went through.
  if (/tamper|trojani|poison|malicious|booby|rigged|hijacked/i.test(s.text))
    for (const m of s.text.matchAll(TAMPERED_RELEASE_RE))
      pushList(
        m.index + m[0].length,
        true,
        /(?:software|program|application|app|client|tool)\s+$/i.test(m[0]),
      );
  // "the developer of verilog-lint-pro, an open-source extension": a package named in lower case and said
  // what it is, in a sentence about a compromise.
  if (strongCue || /\b(?:malicious|trojani[sz]ed|backdoored|poisoned)\b/i.test(s.text))
    for (const m of s.text.matchAll(APPOSITIVE_KIND_RE)) {
      const lower = LOWER_NAME_AT_END_RE.exec(s.text.slice(Math.max(0, m.index - 60), m.index));
      if (lower?.[1]) pushSpan(m.index - lower[1].length, lower[1], true);
    }
  // "broke in through an outdated Synology DiskStation storage device": the kit the intruders came through,
  // a product when it is written as one (a device noun after it or ending it, a product's shape, a vendor).
  if (s.security && THROUGH_WORD_RE.test(s.text))
    for (const m of s.text.matchAll(THROUGH_KIT_RE)) {
      if (!GOT_IN_BEFORE_RE.test(s.text.slice(Math.max(0, m.index - 80), m.index))) continue;
      const at = m.index + m[0].length;
      const n = nameAt(s, at);
      if (!n) continue;
      const after = s.text.slice(n.end - s.start, n.end - s.start + 60);
      const lastWord = n.name.split(/\s+/).pop() ?? '';
      const kit =
        PRODUCT_NOUN_NEAR_RE.test(after) ||
        (n.name.includes(' ') && PRODUCT_NOUN_RE.test(` ${lastWord}`)) ||
        LOOKS_LIKE_PRODUCT.test(n.name) ||
        leadingVendor(n.name, vendors) !== null;
      if (kit) pushList(at, true);
    }
  // Victims are exploited too ("exploited the bank"): the object must look like a product by itself.
  if (EXPLOIT_VERB_RE.test(s.text))
    for (const m of s.text.matchAll(EXPLOITED_RE)) pushList(m.index + m[0].length, false);
  // "Log4j on Acme Horizon servers": a vendor-led name before a deployment noun, where something was exploited.
  if (strongCue)
    for (const at of nameStarts(s)) {
      const n = nameAt(s, at);
      const next = s.text.slice((n?.end ?? 0) - s.start, (n?.end ?? 0) - s.start + 60);
      if (
        n &&
        leadingVendor(n.name, vendors) !== null &&
        ((n.name.includes(' ') ? PRODUCT_NOUN_NEAR_RE : SOFTWARE_AFTER_RE).test(next) ||
          VENDOR_DEVICE_RE.test(next))
      )
        out.push({ sentence: s, ...n, strong: false });
    }
  if (flawWord || s.cves.length > 0) {
    for (const m of s.text.matchAll(RESIDES_IN_RE)) push(m.index + m[0].length, true);
    // "the IKEv2 VPN component of Fireware OS": the product that owns the flawed part.
    for (const m of s.text.matchAll(PART_OF_RE)) {
      const at = m.index + m[0].length;
      // "the JNDI lookup feature of log4j-core": a lower-case owner shaped like software.
      const lower = LOWER_NAME_RE.exec(s.text.slice(at, at + 60));
      if (lower) pushSpan(at, lower[0]);
      else pushList(at, true);
    }
    // "the fgfmd daemon", "the sudo utility": a lower-case program named by what it is.
    for (const m of s.text.matchAll(LOWER_PROGRAM_RE)) {
      const name = m[1] ?? '';
      if (GENERIC_PRODUCT_WORDS.has(name) || LOWER_PROGRAM_MODIFIERS.has(name)) continue;
      pushSpan(m.index + m[0].indexOf(name), name, true);
    }
  }
  if (
    vulnStory ||
    s.cves.length > 0 ||
    /\b(infect\w*|compromis\w*|hack\w*|exploit\w*|encrypt\w*)\b/i.test(s.text)
  )
    for (const m of s.text.matchAll(RUNNING_RE)) push(m.index + m[0].length, false);
  const cued = vulnStory || s.cves.length > 0 || productCued(s);
  // Both anchors need a flaw noun or a component noun somewhere in the sentence, or "affected" in a story
  // about a flaw ("Edge, Brave and Opera, which are built on Chromium, are also affected").
  const affectedInVulnStory = vulnStory && AFFECTED_WORD_RE.test(s.text);
  if (!flawWord && !(cued && COMPONENT_ANYWHERE_RE.test(s.text)) && !affectedInVulnStory) return out;
  for (const at of nameStarts(s)) {
    const n = nameAt(s, at);
    if (!n) continue;
    const after = s.text.slice(n.end - s.start, n.end - s.start + 200);
    // "Backup Exec bugs", "Chrome zero-day": a name before a flaw noun.
    // "the MailMirage flaw in Roundcube": a flaw's own name, the product follows.
    if (FLAW_IN_AFTER_RE.test(after)) continue;
    if (FLAW_AFTER_RE.test(after) && (n.name.includes(' ') || LOOKS_LIKE_PRODUCT.test(n.name)))
      out.push({ sentence: s, ...n, strong: true });
    // "Acme S7 CPUs running firmware before 3.1 are affected": needs a product's shape by itself.
    else if (affectedSubject(after))
      out.push({
        sentence: s,
        ...n,
        strong: false,
        ...(listedAfterProduct(s, n.start) ? { byKind: true } : {}),
      });
    // "the GlobalProtect gateway", "FortiWifi devices": a product-shaped name before a component noun.
    else if (cued && LOOKS_LIKE_PRODUCT.test(n.name) && COMPONENT_NOUN_RE.test(after))
      out.push({ sentence: s, ...n, strong: false });
  }
  return out;
}

/** A model code: letters, then digits ("M580", "S7-1500", "5580", "SRX345"). */
const MODEL_CODE_RE = /^[A-Z]{0,4}\d[\w-]*$/;
const DEPLOYMENT_EDITIONS: ReadonlySet<string> = new Set(lexicon.words('deploymentEditionNames'));
/** A deployment edition ending a product's name ("Confluence Data Center" → "Confluence"). */
const DEPLOYMENT_EDITION_END_RE = new RegExp(`\\s+(?:${lexicon.alt('deploymentEditionNames')})$`);
/** The family words before a name's final model code ("Modicon M340" → "Modicon"), or null. */
function familyOfModel(name: string): string | null {
  const words = name.split(/\s+/);
  const last = words[words.length - 1] ?? '';
  return words.length >= 2 && MODEL_CODE_RE.test(last) ? words.slice(0, -1).join(' ') : null;
}

const firstWordsOf = new WeakMap<ReadonlyMap<string, string>, Set<string>>();
/** The first word of every vendor key. */
function vendorFirstWords(vendors: ReadonlyMap<string, string>): Set<string> {
  let words = firstWordsOf.get(vendors);
  if (!words) {
    words = new Set([...vendors.keys()].map((k) => k.split(' ')[0] ?? ''));
    firstWordsOf.set(vendors, words);
  }
  return words;
}

/** "Zyxel firewalls" names a product only when the text names no product of that vendor. */
function vendorProductNamed(vendor: string, knowledge: Knowledge, text: string): boolean {
  return (productWordsByVendor(knowledge).get(vendor) ?? []).some((name) => text.includes(name));
}
const productWordsCache = new WeakMap<Knowledge, Map<string, string[]>>();
/** Each vendor's product names without the vendor ("Cisco IOS XE" → "IOS XE"), indexed once per dictionary. */
function productWordsByVendor(knowledge: Knowledge): Map<string, string[]> {
  let m = productWordsCache.get(knowledge);
  if (!m) {
    m = new Map();
    for (const p of knowledge.products) {
      const bare = p.name.slice(p.vendor.length).trim();
      if (!bare) continue;
      const list = m.get(p.vendor) ?? [];
      list.push(bare);
      m.set(p.vendor, list);
    }
    productWordsCache.set(knowledge, m);
  }
  return m;
}

/** The vendor a name starts with, in one to three words ("Zyxel USG", "Schneider Electric Modicon"), or null. */
function leadingVendor(name: string, vendors: ReadonlyMap<string, string>): string | null {
  const words = name.split(/\s+/);
  // Most names start with no vendor's first word: one lookup settles them.
  if (!vendorFirstWords(vendors).has(nameKey(words[0] ?? '').split(' ')[0] ?? '')) return null;
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const vendor = vendors.get(nameKey(words.slice(0, n).join(' ')));
    if (vendor !== undefined) return vendor;
  }
  return null;
}

/** Words that close a vendor-led name written partly in lower case ("Acme remote desktop cloud service"). */
const OFFERING_NOUN_RE =
  /^(?:platform|software|service|suite|product|tool|application|app|portal|system|solution)$/i;
const FUNCTION_WORDS = new Set(
  'a an the and or of for to in on at by with from its their his her this that these those is are was were has have had be been it as said says patches patch fix fixes update updates users customers'.split(
    ' ',
  ),
);

/**
 * "got into the Acme remote desktop cloud service": a known vendor followed by up to four words
 * and an offering noun names the vendor's product, in a sentence that says it was attacked.
 */
function vendorLedNames(s: SentenceInfo, vendors: Map<string, string>): Candidate[] {
  const out: Candidate[] = [];
  if (!strongProductCued(s)) return out;
  for (let i = 0; i < s.tokens.length; i++) {
    const t = s.tokens[i];
    if (!t?.wordStart || !/^\p{Lu}/u.test(t.raw) || !vendorFirstWords(vendors).has(t.norm)) continue;
    // The vendor may be several tokens ("N-able", "Palo Alto Networks").
    let vendorEnd = -1;
    let key = '';
    for (let k = i; k < Math.min(s.tokens.length, i + 3); k++) {
      key = k === i ? t.norm : `${key} ${s.tokens[k]?.norm ?? ''}`;
      if (vendors.has(key)) vendorEnd = k;
    }
    if (vendorEnd < 0) continue;
    for (let j = vendorEnd + 2; j <= Math.min(s.tokens.length - 1, vendorEnd + 5); j++) {
      const head = s.tokens[j];
      if (!head) break;
      if (!OFFERING_NOUN_RE.test(head.raw)) continue;
      const last = s.tokens[j - 1];
      if (!last) break;
      const span = s.text.slice(t.start - s.start, last.end - s.start);
      if (/[,;:()"“”'’]/.test(span)) break;
      // The words between are a name ("remote support SaaS"), not a clause ("released patches for").
      const inner = s.tokens.slice(vendorEnd + 1, j);
      if (inner.some((w) => /(?:ed|ly)$/.test(w.norm) || FUNCTION_WORDS.has(w.norm))) break;
      out.push({ sentence: s, name: span, start: t.start, end: last.end, strong: true });
      break;
    }
  }
  return out;
}

/** Kinds of vulnerability written in title case inside advisory names ("... Kernel TOCTOU Race Condition Vulnerability"). */
const VULN_KIND_RE =
  /\s+(?:(?:Remote|Local|Arbitrary|Unauthenticated|Authenticated|Critical|Multiple|Improper|Incorrect|Insecure|Missing|Unspecified|Unrestricted|Hardcoded|Hard-coded|Static|Default)\b.*|(?:Code|Command|SQL|OS Command|Template|Object|XML)\s+(?:Execution|Injection)\b.*|(?:Race Condition|Privilege|Elevation|Escalation|Injection|Execution|Traversal|Overflow|Underflow|Bypass|Deserialization|Disclosure|Corruption|Confusion|Forgery|Scripting|Credential|Credentials|Authentication|Use-After-Free|Out-of-Bounds|Denial|TOCTOU|RCE|XSS|SSRF|CSRF|LPE|DoS|SQLi)\b.*)$/u;
/** Words that open a headline before a name: "New Drupal RCE vulnerability". */
const LEADING_NOISE =
  /^(?:New|Critical|Major|Severe|Serious|Latest|Another|Old|Unpatched|Zero-Day|Exploited|First|Second|Third|Fourth|Fifth|Fresh|Recent)\s+/u;

/** The text names it as a vulnerability nickname: "dubbed Dirty COW", "the “ProxyNotShell” flaws". */
const NAMING_VERB_RE = /\b(?:dubbed|nicknamed|called|named|known as|tracked as|codenamed)\s+["“'‘]?/gi;
/** The names an article gives a flaw: after "dubbed", "called", "tracked as" ..., or in quotes. Read once per article. */
interface Nicknames {
  afterNaming: string[];
  quoted: Set<string>;
}

function nicknamesIn(text: string): Nicknames {
  const afterNaming = [...text.matchAll(NAMING_VERB_RE)].map((m) =>
    text.slice(m.index + m[0].length, m.index + m[0].length + 80).toLowerCase(),
  );
  const quoted = new Set([...text.matchAll(/["“‘]([^"“”‘’]{1,60})["”’]/g)].map((m) => m[1] ?? ''));
  return { afterNaming, quoted };
}

function isNickname(name: string, nicknames: Nicknames): boolean {
  const lower = name.toLowerCase();
  return (
    nicknames.quoted.has(name) ||
    nicknames.afterNaming.some((a) => a.startsWith(lower) && !/^[\p{L}\d_]/u.test(a.slice(lower.length)))
  );
}

const GENERIC_PRODUCT_WORDS = lexicon.set('genericProductWords');
/** Words that describe a product rather than name a component of it ("Struts Web Framework"). */
const DESCRIPTOR_WORDS = lexicon.set('productDescriptorWords');
const NICKNAMES = new Set(lexicon.words('vulnerabilityNicknames').map(nameKey));

/** A candidate judged: its output name and vendor, or null when it is not a product. */
function judge(
  c: Candidate,
  s: SentenceInfo,
  knowledge: Knowledge,
  vendors: Map<string, string>,
  text: string,
  nicknames: Nicknames,
  excluded: ReadonlySet<string>,
  actorLabels: ReadonlySet<string>,
  namedVendors: ReadonlySet<string> = new Set(),
): { name: string; vendor: string; baseId: number } | null {
  const cleaned = c.name.replace(LEADING_NOISE, '').replace(VULN_KIND_RE, '').trim();
  if (!cleaned || cleaned !== c.name) {
    // A title-case advisory name: keep only the product before the kind of flaw.
    if (!cleaned) return null;
    return judge(
      {
        ...c,
        name: cleaned,
        end: c.start + c.name.indexOf(cleaned) + cleaned.length,
        start: c.start + c.name.indexOf(cleaned),
      },
      s,
      knowledge,
      vendors,
      text,
      nicknames,
      excluded,
      actorLabels,
      namedVendors,
    );
  }
  // "the Known Exploited Vulnerabilities catalog": no product is named after flaws.
  if (GENERIC_TECH.has(c.name) || CALENDAR_RE.test(c.name) || /\bCVE\b|\bVulnerabilit|\bKEV\b/i.test(c.name))
    return null;
  // "the storeRawNames function": a part of the code, not a product or a component.
  if (CODE_PART_AFTER_RE.test(s.text.slice(c.end - s.start))) return null;
  // "a modified version of the PlugX malware": a tool of the attackers, not a product they attacked.
  if (MALWARE_AFTER_RE.test(s.text.slice(c.end - s.start, c.end - s.start + 40))) return null;
  if (excluded.has(nameKey(c.name)) || NICKNAMES.has(nameKey(c.name)) || isNickname(c.name, nicknames))
    return null;
  if (overlapsMention(s, c.start, c.end, ['country', 'actor'])) return null;
  // A vendor's name for a cluster ("UNC5807", "Storm-0558") is an actor wherever the article uses it.
  if (actorLabels.has(nameKey(c.name))) return null;
  // "a VPN device made by Fortinet": the maker's kit, named by its kind (a maker may be a party too).
  if (c.madeKind) {
    const vendor = vendors.get(nameKey(c.name)) ?? c.name;
    return { name: `${vendor} ${c.madeKind}`, vendor, baseId: -1 };
  }
  // "got in through a Palo Alto Networks firewall", "exploited Zyxel firewalls": a vendor named with its kind of
  // device, where the sentence says it was attacked and the text names no product of that vendor.
  // "Juniper Networks": the vendor written with its company suffix is the company too.
  const vendorAsName =
    vendors.get(nameKey(c.name)) ?? vendors.get(nameKey(c.name.replace(COMPANY_SUFFIX_RE, '')));
  if (vendorAsName !== undefined) {
    const rest = s.text.slice(c.end - s.start);
    const device = VENDOR_DEVICE_RE.exec(rest);
    if (
      device?.[1] &&
      (c.strong || strongProductCued(s)) &&
      !clearedByWordsAfter(rest, s.text.slice(0, c.start - s.start)) &&
      !namedVendors.has(vendorAsName) &&
      !vendorProductNamed(vendorAsName, knowledge, text)
    )
      return { name: `${c.name} ${device[1]}`, vendor: vendorAsName, baseId: -1 };
  }
  // A vendor party may lead a product name ("Microsoft Support Diagnostic Tool"); other parties may not.
  const party = s.mentions.find((m) => m.ref.type === 'party' && m.start < c.end && m.end > c.start);
  if (party?.ref.type === 'party' && !c.accounts) {
    const kind = knowledge.parties[party.ref.id]?.kind;
    if (kind !== 'vendor' || party.start !== c.start || party.end >= c.end) return null;
  }
  const after = s.text.slice(c.end - s.start);
  const firstKey = nameKey(c.name.split(/\s+/)[0] ?? '');
  // "the plugin FormPilot is not affected": cleared, not named.
  if (clearedByWordsAfter(after, s.text.slice(0, c.start - s.start))) return null;
  // "a flaw in the company's Horizon portal": a thing an organisation owns is its own platform, not a product
  // (the product's own parts stay: "the product's License Servlet").
  const owner = /\b(\p{Ll}[\w-]*)['’]s?\s+$/u.exec(
    s.text.slice(Math.max(0, c.start - s.start - 40), c.start - s.start),
  );
  // A vendor's product kept by a victim stays a product ("the company's SysAid On-Premise server").
  if (
    owner &&
    !c.accounts &&
    !PRODUCT_OWNER_WORDS.has(owner[1] ?? '') &&
    !(vendors.has(firstKey) && c.name.includes(' ')) &&
    // ("the company's Array Networks AG gateway", "the firms' AhnLab V3 server": a maker's product they run.)
    leadingVendor(c.name, vendors) === null &&
    !(LOOKS_LIKE_PRODUCT.test(c.name) && c.name.includes(' '))
  )
    return null;
  // "a flaw in Acme Bank's payment portal": the owner of a thing in lower case is a company, not a product.
  if (/^['’]s?\s+\p{Ll}/u.test(after) && !vendors.has(firstKey) && !LOOKS_LIKE_PRODUCT.test(c.name))
    return null;
  // A vendor's own name is the company; with its devices or a version it names the product.
  if (vendorAsName !== undefined) {
    const vendor = vendorAsName;
    const named = vendorProductNamed(vendor, knowledge, text);
    if (c.strong && VERSION_AFTER_RE.test(after)) return { name: c.name, vendor, baseId: -1 };
    // "the Exim mail server", "vulnerable Jenkins installations": a maker whose name is its software
    // (a name no company party goes by) named with what it runs as.
    const company = trieLookup(knowledge.trie, keyTokens(vendor)).some(
      (r) => r.type === 'party' && nameKey(knowledge.parties[r.id]?.name ?? '') === nameKey(vendor),
    );
    if (!named && !company && SOFTWARE_AFTER_RE.test(after)) return { name: c.name, vendor, baseId: -1 };
    return null;
  }
  // A known product with a component after it: "Windows Installer", "BIG-IP Traffic Management User Interface".
  const base = s.mentions.find((m) => m.ref.type === 'product' && m.start === c.start && m.end < c.end);
  if (base?.ref.type === 'product') {
    // The words added must name a component ("Installer"), not a device or protocol ("VPN appliances").
    const added = s.text
      .slice(base.end - s.start, c.end - s.start)
      .trim()
      .split(/\s+/);
    if (
      !c.strong ||
      added.every(
        (w) => GENERIC_TECH.has(w) || DESCRIPTOR_WORDS.has(nameKey(w)) || VENDOR_DEVICE_RE.test(` ${w}`),
      ) ||
      // "the Craft CMS content management system": lower-case words before a kind of software say what it is.
      (added.every((w) => /^\p{Ll}/u.test(w)) && KIND_OF_SOFTWARE_AFTER_RE.test(after))
    )
      return null;
    const entry = knowledge.products[base.ref.id];
    if (!entry) return null;
    // "Acme Neurons for ZTA": an edition named after the product, written whole.
    if (/^(?:for|of)$/i.test(added[0] ?? ''))
      return { name: withVendorFirst(c.name, entry.vendor), vendor: entry.vendor, baseId: entry.id };
    // One name however the text writes it: a component is named after its product family, without the
    // vendor ("Windows Installer" for "Microsoft Windows Installer" too), unless the family is the vendor's own
    // name ("GitHub Action", "Okta Verify").
    const own = nameKey(base.surface) === nameKey(entry.vendor);
    return {
      name: own ? c.name : withoutVendor(c.name, entry.vendor),
      vendor: entry.vendor,
      baseId: entry.id,
    };
  }
  if (overlapsMention(s, c.start, c.end, ['product']) && !(vendors.has(firstKey) && c.name.includes(' ')))
    return null;
  const shaped =
    c.listVendor !== undefined ||
    // "a bug in Samsung's Exynos chips": its maker written as the owner.
    ownerVendor(s, c.start, vendors) !== null ||
    c.byKind === true ||
    LOWER_NAME_RE.test(c.name) ||
    HYPHENATED_LOWER_RE.test(c.name) ||
    (vendors.has(firstKey) && c.name.includes(' ')) ||
    LOOKS_LIKE_PRODUCT.test(c.name) ||
    PRODUCT_NOUN_RE.test(after) ||
    (c.strong &&
      (c.name.includes(' ') || VERSION_AFTER_RE.test(after) || DESCRIBED_PRODUCT_AFTER_RE.test(after)));
  if (!shaped) return null;
  // "Windows Installer": a component named after a known product family takes that product's vendor.
  const family =
    c.name.includes(' ') && !GENERIC_PRODUCT_WORDS.has(firstKey)
      ? knowledge.productIndex.get(firstKey)
      : undefined;
  const familyVendor = family !== undefined ? knowledge.products[family]?.vendor : undefined;
  const vendor =
    vendors.get(firstKey) ?? familyVendor ?? ownerVendor(s, c.start, vendors) ?? c.listVendor ?? '';
  if (family !== undefined) return { name: c.name, vendor, baseId: family };
  const oneWord = !nameKey(vendor).includes(' ');
  const prefixed =
    vendor && oneWord && !vendors.has(firstKey) && !` ${nameKey(c.name)} `.includes(` ${nameKey(vendor)} `);
  return { name: prefixed ? `${vendor} ${c.name}` : c.name, vendor, baseId: -1 };
}

/** "Neurons for ZTA" → "Ivanti Neurons for ZTA". */
function withVendorFirst(name: string, vendor: string): string {
  return nameKey(name).startsWith(`${nameKey(vendor)} `) ? name : `${vendor} ${name}`;
}

/** "Microsoft Windows Installer" → "Windows Installer". */
function withoutVendor(name: string, vendor: string): string {
  const v = nameKey(vendor);
  const k = nameKey(name);
  return v && k.startsWith(`${v} `) ? name.split(/\s+/).slice(v.split(' ').length).join(' ') : name;
}

/**
 * Products named in the text but not in the dictionaries. `known` are the dictionary hits, so that a
 * name already reported is not added twice.
 */
export function unknownProductHits(
  extraction: Extraction,
  knowledge: Knowledge,
  known: readonly ProductHit[],
  vulnStory: boolean,
): ProductHit[] {
  const vendors = vendorsOf(knowledge);
  const excluded = excludedNamesOf(knowledge);
  const text = extraction.sentences.map((x) => x.text).join('\n');
  const nicknames = nicknamesIn(text);
  const actorLabels = new Set(
    extraction.sentences.flatMap((x) => [
      ...x.schemeMentions.map((m) => nameKey(m.name)),
      ...x.mentions.filter((m) => m.ref.type === 'actor').map((m) => nameKey(m.surface)),
    ]),
  );
  // Vendors whose products the article names: "Cisco devices" beside "Cisco RV320" adds nothing.
  const namedVendors = new Set(known.flatMap((h) => (h.vendor ? [h.vendor] : [])));
  const out: ProductHit[] = [];
  for (const s of extraction.sentences) {
    if (productNegative(s)) continue;
    for (const c of [...candidates(s, vulnStory, vendors, knowledge), ...vendorLedNames(s, vendors)]) {
      // Inside a name already found (a model after its vendor), unless it extends that name.
      if (
        known.some(
          (h) =>
            h.sentence === s.index &&
            h.start < c.end &&
            h.end > c.start &&
            !(h.start === c.start && h.end < c.end),
        )
      )
        continue;
      const j = judge(c, s, knowledge, vendors, text, nicknames, excluded, actorLabels, namedVendors);
      if (!j) continue;
      // A service's dictionary name found again as a candidate ("a compromised GitHub Action") is that service,
      // named as the dictionary names it.
      const same = s.mentions.find(
        (m) =>
          m.ref.type === 'product' &&
          m.start === c.start &&
          m.end === c.end &&
          knowledge.products[m.ref.id]?.role === 'service',
      );
      if (same?.ref.type === 'product') {
        out.push({ id: same.ref.id, sentence: s.index, start: c.start, end: c.end, surface: c.name });
        continue;
      }
      const key = nameKey(j.name);
      // One name per product: "Microsoft Support Diagnostic" inside "Microsoft Support Diagnostic Tool".
      const longer = out.findIndex((h) => ` ${nameKey(h.name ?? '')} `.includes(` ${key} `));
      if (longer >= 0) continue;
      const shorter = out.findIndex((h) => ` ${key} `.includes(` ${nameKey(h.name ?? '')} `));
      if (shorter >= 0) out.splice(shorter, 1);
      out.push({
        id: j.baseId,
        sentence: s.index,
        start: c.start,
        end: c.end,
        surface: c.name,
        name: j.name,
        vendor: j.vendor,
      });
    }
  }
  return out;
}

/** "Palo Alto Networks' PAN-OS", "Apple's WebKit": the vendor written as the owner right before the name. */
function ownerVendor(s: SentenceInfo, start: number, vendors: Map<string, string>): string | null {
  const before = s.text.slice(Math.max(0, start - s.start - 40), start - s.start);
  const m = /((?:\p{Lu}[\p{L}\d&.-]*\s+){0,2}\p{Lu}[\p{L}\d&.-]*)['’]s?\s+$/u.exec(before);
  return m?.[1] ? (vendors.get(nameKey(m[1])) ?? null) : null;
}
