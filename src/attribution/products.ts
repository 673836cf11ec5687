/**
 * Which named products the article says were exploited, vulnerable, breached, patched or abused
 * (eval rules 5.5). A product counts only in a sentence with an incident cue (or a CVE id, or an
 * update note inside a vulnerability story), never in a sentence about markets, earnings or bans.
 * Lists continue a product ("NetScaler ADC and Gateway", "Windows 10, 11 and Server"), online
 * services count through their accounts or instances, and legitimate tools only when intruders used them.
 */
import type { Knowledge } from '../extract/knowledge.js';
import { lexicon } from '../extract/lexicon.js';
import {
  componentExtension,
  type Extraction,
  isFlawObject,
  type Mention,
  reachedByIntruders,
  type SentenceInfo,
} from '../extract/mentions.js';
import { nameKey, type Token } from '../extract/tokens.js';
import {
  CHANNEL_PREPOSITIONS,
  productCued,
  productNegative,
  SERVICE_NOUNS,
  strongProductCued,
  TOOL_USE_RE,
  WEAK_PRODUCT_CUE_RE,
} from './cues.js';
import { clearedByWordsAfter, EDITION_SUFFIX_RE, RELEASE_WORD, unknownProductHits } from './product-names.js';

export interface ProductHit {
  id: number;
  sentence: number;
  start: number;
  end: number;
  surface: string;
  /** A component or model named after the product or vendor ("Microsoft Exchange Online", "Cisco RV320"). */
  name?: string;
  vendor?: string;
}

const VULN_WORDS_RE = lexicon.re('vulnerabilityWords');
/** "through LinkedIn and": names listed after a channel preposition. */
const CHANNEL_LIST_RE =
  /\b(?:on|over|via|through|across)\s+(?:\p{Lu}[\p{L}\d-]*(?:\s+\p{Lu}[\p{L}\d-]*)?\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+))+$/u;
/** A product's name as the first half of a modifier: "Chromium-based", "Android-powered". */
const MODIFIER_COMPOUND_AFTER_RE = /^-(?:based|powered|compatible|like|derived|style|certified)\b/i;
/** A kind of malicious code after a platform's name: "a macOS backdoor", "Android banking trojans". */
const MALWARE_KIND_AFTER_RE =
  /^\s+(?:[a-z-]+\s+)?(?:backdoors?|malware|trojans?|stealers?|infostealers?|spyware|rootkits?|implants?|wipers?|loaders?)(?![\w-])(?!\s+(?:protection|filter|scanner|detection|engine|removal|defen[cs]e))/i;
/** Someone's own machine: "the developer's macOS laptop", "her Windows PC". */
const OWNER_BEFORE_RE = /(?:\b[\p{L}-]+['’]s|\b(?:his|her|their|my|our))\s+$/iu;
const OWN_DEVICE_AFTER_RE =
  /^\s+(?:laptops?|workstations?|desktops?|notebooks?|PCs?|computers?|machines?)\b/i;
/** Desktop platforms, whose name a program's name may end with ("X for Windows and macOS"), and the others. */
const DESKTOP_PLATFORM = '(?:macOS|Mac|OS X|Windows|Linux)';
const PLATFORM_WORD = `(?:${DESKTOP_PLATFORM}|iOS|iPadOS|Android|ChromeOS)`;
/** What joins the items of a list: ", ", ", and ", " and ", " or ". */
const LIST_JOIN = String.raw`(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)`;
/** A word of a program's name, not of an update, a bulletin or a feature ("Patch Tuesday", "KB5034441"). */
const CAPITAL_NAME_WORD = String.raw`(?!(?:Updates?|Fix(?:es)?|Patch(?:es)?|Releases?|Hotfix(?:es)?|Hotpatch|Exploits?|Zero-Days?|Flaws?|Vulnerabilit(?:y|ies)|Bugs?|Mitigations?|Support|Advisor(?:y|ies)|Tuesday|Security|Response|Bulletins?|KB\d+|MS\d+-\d+)\b)\p{Lu}[\p{L}\d-]*`;
/**
 * A platform after what runs on it: "Chrome 131.0.6778.108 for Windows, Mac and Linux", "a fake trading app for
 * macOS". (Updates, fixes and patches "for iOS" name the platform as what was patched.)
 */
const RUNS_ON_BEFORE_RE = new RegExp(
  String.raw`(?:\b\d+(?:\.\d+)+|\b(?:apps?|applications?|versions?|builds?|clients?|editions?|installers?|variants?|ports?)|\b(?:${CAPITAL_NAME_WORD}\s+)+${CAPITAL_NAME_WORD})\s+for\s+(?:(?:Apple\s+|Microsoft\s+|Google\s+)?${PLATFORM_WORD}\s*${LIST_JOIN})*$`,
  'u',
);
/** "for" and the platforms listed after it, up to a platform's name. */
const FOR_LIST_END_RE = new RegExp(String.raw`\s+for\s+(?:[\p{L} ]+${LIST_JOIN})*$`, 'u');
/** What malware did to machines, right before their platform: "against", "infected", "encrypted", "wiped". */
const HIT_MACHINES_BEFORE_RE =
  /\b(?:against|targeting|targeted|infect(?:ed|ing|s)?|encrypt(?:ed|ing|s)?|wip(?:ed|ing|es)|hit|struck|on)\s+(?:(?:the|its|their|\d[\d,]*|hundreds\s+of|thousands\s+of|dozens\s+of|some|many|several|all)\s+)*$/i;
/** Machines after a platform's name: "Windows workstations", "Linux servers". */
const MACHINES_AFTER_RE =
  /^\s+(?:workstations|computers|machines|PCs|laptops|desktops|endpoints|hosts|servers|systems|devices)\b/i;
/** Operating systems: their name before a malware kind says where the malware runs ("a macOS backdoor"). */
const PLATFORM_NAME_RE =
  /^(?:Apple\s+)?(?:macOS|Mac|OS X|iOS|iPadOS)$|^(?:Microsoft\s+)?Windows$|^(?:Google\s+)?(?:Android|ChromeOS)$|^Linux(?:\s+Kernel)?$/i;
/** What a messaging service carries, then an impersonation: "calls posing as IT staff". */
const CHANNEL_USE_AFTER_RE =
  /^\s+(?:calls?|chats?|chat\s+requests?|messages?|meetings?|invitations?|invites?)\b[^.;]{0,60}?\b(?:pos(?:ing|ed)|masquerading|impersonating|pretending)\b/i;
/** A verb of reaching people shortly before a channel preposition: "contacted several employees via ". */
const CONTACT_BEFORE_RE = new RegExp(`\\b(?:${lexicon.alt('contactVerbs')})\\b[^.;]{0,60}$`, 'i');
/** A list after an attack noun and "on": what was attacked ("raids on X and Y"). */
const ATTACKS_ON_LIST_RE =
  /\b(?:attacks?|raids?|assaults?|campaigns?|intrusions?)\s+(?:on|against)\s+(?:\p{Lu}[\p{L}\d-]*(?:\s+\p{Lu}[\p{L}\d-]*)?\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+))+$/u;
/** Separators inside a list of products: ", ", " and ", ", and ", " or ", "/". */
const LIST_SEP_RE = /^\s*(?:,\s*(?:(?:and|or)\s+)?|(?:and|or)\s+|[/&]\s*)$/i;

/** Intruders reaching something right before the channel word: "to access user email through". */
const ACCESSED_BEFORE_RE =
  /\b(?:access(?:ed|ing)?|read(?:ing)?|stole|steal(?:ing)?|exfiltrat\w*|download(?:ed|ing)?)\s+(?:[\w'’-]+\s+){0,8}(?:through|via)\s+(?:the\s+|its\s+|their\s+|[\w-]+['’]s\s+)?$/i;
/** A service counts when the text speaks of its accounts, instances, tenants or data. */
function serviceUsed(s: SentenceInfo, to: number): boolean {
  // "Okta and Microsoft Entra ID tenants": a list shares the noun after its last name.
  const span = /^(?:and|or)$/.test(s.tokens[to]?.norm ?? '') ? 7 : 4;
  for (let i = to; i < Math.min(s.tokens.length, to + span); i++)
    if (SERVICE_NOUNS.has(s.tokens[i]?.norm ?? '')) return true;
  return false;
}

/**
 * List continuation after a product: "FortiOS, FortiProxy and FortiSwitchManager" (names of their own),
 * "NetScaler ADC and Gateway" (the family plus a bare item), "Windows 10, 11 and Server".
 */
function listContinuations(s: SentenceInfo, from: number, to: number, knowledge: Knowledge): ProductHit[] {
  const out: ProductHit[] = [];
  const head = s.tokens.slice(from, to);
  const family = head.slice(0, -1).map((t) => t.norm);
  if (family.length === 0) return out;
  let prevEnd = s.tokens[to - 1]?.end ?? 0;
  let i = to;
  for (;;) {
    while (s.tokens[i]?.norm === 'and' || s.tokens[i]?.norm === 'or') i++;
    const tok: Token | undefined = s.tokens[i];
    if (!tok) break;
    if (!LIST_SEP_RE.test(s.text.slice(prevEnd - s.start, tok.start - s.start))) break;
    if (!/^[\p{Lu}\p{N}]/u.test(tok.raw) || s.mentions.some((m) => m.start <= tok.start && m.end > tok.start))
      break;
    const item = tok.norm;
    const candidates = [[...family, item].join(' ')];
    const id = candidates.map((c) => knowledge.productIndex.get(c)).find((x) => x !== undefined);
    if (id === undefined) break;
    // The family distributes over the list: "NetScaler ADC and Gateway" names "NetScaler Gateway".
    const familyText = head
      .slice(0, -1)
      .map((t) => t.raw)
      .join(' ');
    out.push({ id, sentence: s.index, start: tok.start, end: tok.end, surface: `${familyText} ${tok.raw}` });
    prevEnd = tok.end;
    i++;
  }
  return out;
}

/**
 * An operating system named as where something runs, not as what was attacked: the platform of malware ("a macOS
 * backdoor"), someone's own machine ("the developer's macOS laptop"), or the platform of a program ("Flash Player
 * for Windows, Mac and Linux").
 */
function onlyThePlatform(s: SentenceInfo, m: Mention, knowledge: Knowledge): boolean {
  const before = s.text.slice(Math.max(0, m.start - s.start - 80), m.start - s.start);
  const after = s.text.slice(m.end - s.start, m.end - s.start + 40);
  if (MALWARE_KIND_AFTER_RE.test(after)) return true;
  // (Unless a flaw is named right before it: "exploited a flaw on the engineer's Windows laptop".)
  if (
    OWNER_BEFORE_RE.test(before) &&
    OWN_DEVICE_AFTER_RE.test(after) &&
    !EXPLOITED_FLAW_NEAR_RE.test(before.slice(-50))
  )
    return true;
  if (RUNS_ON_BEFORE_RE.test(before)) return true;
  // "a wiper against Windows workstations", "encrypted Linux servers": the victims' machines, by their platform,
  // unless a flaw is named beside them.
  if (
    HIT_MACHINES_BEFORE_RE.test(before) &&
    MACHINES_AFTER_RE.test(after) &&
    !EXPLOITED_FLAW_NEAR_RE.test(`${before.slice(-60)} ${after}`)
  )
    return true;
  // After a product of another kind: "Acrobat and Reader for Windows and macOS".
  const forAt = before.search(FOR_LIST_END_RE);
  if (forAt < 0) return false;
  const hostEnd = m.start - before.length + forAt;
  return s.mentions.some(
    (x) =>
      x.end === hostEnd &&
      x.ref.type === 'product' &&
      !PLATFORM_NAME_RE.test(x.surface) &&
      knowledge.products[x.ref.id] !== undefined,
  );
}

export function productHits(extraction: Extraction, knowledge: Knowledge): ProductHit[] {
  const out: ProductHit[] = [];
  const vulnStory =
    extraction.cves.length > 0 || extraction.sentences.filter((x) => VULN_WORDS_RE.test(x.text)).length >= 2;
  for (const s of extraction.sentences) {
    if (productNegative(s)) continue;
    const cue = productCued(s) || s.cves.length > 0 || (vulnStory && WEAK_PRODUCT_CUE_RE.test(s.text));
    const toolUse = s.security || TOOL_USE_RE.test(s.text);
    const strong = strongProductCued(s) || s.cves.length > 0;
    let mereEnd = -1;
    let channelEnd = -1;
    for (const m of s.mentions) {
      if (m.ref.type !== 'product') continue;
      const entry = knowledge.products[m.ref.id];
      if (!entry || entry.exclude) continue;
      // "other Chromium-based browsers": the name describes other products; it is not named as one.
      if (MODIFIER_COMPOUND_AFTER_RE.test(s.text.slice(m.end - s.start, m.end - s.start + 12))) continue;
      // "a macOS backdoor", "an Android banking trojan": the platform the malware runs on, not a product attacked.
      if (PLATFORM_NAME_RE.test(m.surface) && onlyThePlatform(s, m, knowledge)) continue;
      // "joined Teams calls posing as IT staff", "sent Teams chat requests posing as the help desk": a channel.
      if (CHANNEL_USE_AFTER_RE.test(s.text.slice(m.end - s.start, m.end - s.start + 100))) continue;
      // "contacted employees via Microsoft Teams, posing as IT support": how the intruders reached people.
      if (
        CHANNEL_PREPOSITIONS.has(s.tokens[m.from - 1]?.norm ?? '') &&
        CONTACT_BEFORE_RE.test(s.text.slice(Math.max(0, m.start - s.start - 80), m.start - s.start))
      )
        continue;
      // "contacted engineers on LinkedIn", "moved the chat to WhatsApp": a channel, unless the sentence says it was attacked.
      // "through LinkedIn and WhatsApp": a list after a channel preposition is all channels.
      // ("flaws across Windows, Office and Azure" and "raids on MOVEit Transfer and GoAnywhere MFT" list what
      // was flawed or attacked, not channels.)
      const listedAfterChannel =
        ((channelEnd >= 0 && LIST_SEP_RE.test(s.text.slice(channelEnd - s.start, m.start - s.start))) ||
          (CHANNEL_LIST_RE.test(s.text.slice(Math.max(0, m.start - s.start - 60), m.start - s.start)) &&
            !ATTACKS_ON_LIST_RE.test(
              s.text.slice(Math.max(0, m.start - s.start - 80), m.start - s.start),
            ))) &&
        !isFlawObject(s, m.start);
      // An online service after "through" is the channel even in a sentence about an attack, unless the
      // intruders reached something through it ("to access user email through Outlook Web Access").
      if (
        (!strong || entry.role === 'service' || listedAfterChannel) &&
        (CHANNEL_PREPOSITIONS.has(s.tokens[m.from - 1]?.norm ?? '') || listedAfterChannel) &&
        !(
          s.security &&
          ACCESSED_BEFORE_RE.test(s.text.slice(Math.max(0, m.start - s.start - 90), m.start - s.start))
        )
      ) {
        channelEnd = m.end;
        continue;
      }
      channelEnd = -1;
      const ok =
        entry.role === 'tool'
          ? (cue || toolUse) && TOOL_USE_RE.test(s.text)
          : entry.role === 'service'
            ? (cue && (serviceUsed(s, m.to) || isFlawObject(s, m.start))) || reachedByIntruders(s, m.start)
            : cue || reachedByIntruders(s, m.start);
      if (!ok) continue;
      // "enumerated Active Directory and Entra ID": a list goes with its first item.
      if (
        merelyMentioned(s, m.start, m.end) ||
        (mereEnd >= 0 && LIST_SEP_RE.test(s.text.slice(mereEnd - s.start, m.start - s.start)))
      ) {
        mereEnd = m.end;
        continue;
      }
      mereEnd = -1;
      // "Acme Secure Access Gateway (SAG)": the name in parentheses is the same product.
      if (
        out.some(
          (h) =>
            h.sentence === s.index && /^\s*\(\s*$/.test(s.text.slice(h.end - s.start, m.start - s.start)),
        )
      )
        continue;
      const ext = entry.role === 'product' ? extensionOf(s, m.end, entry.vendor) : null;
      if (ext) {
        const base = m.surface.replace(/['’]s\b/, '');
        const named = `${base} ${ext.words.join(' ')}`;
        const name = nameKey(named).startsWith(`${nameKey(entry.vendor)} `)
          ? named
          : `${entry.vendor} ${named}`;
        out.push({
          id: entry.id,
          sentence: s.index,
          start: m.start,
          end: ext.end,
          surface: named,
          name,
          vendor: entry.vendor,
        });
        continue;
      }
      out.push({ id: entry.id, sentence: s.index, start: m.start, end: m.end, surface: m.surface });
      if (cue) out.push(...listContinuations(s, m.from, m.to, knowledge));
    }
    if (cue) out.push(...vendorModels(s, knowledge));
  }
  out.push(...unknownProductHits(extraction, knowledge, out, vulnStory));
  // "failed to breach the firm's FortiGate firewall", "did not exploit a flaw in Connect Secure": denied.
  // ("a malicious Google Chrome extension", "a correction said ... FortiGate": whichever stage found the name.)
  return joinedBrandNames(out, extraction, knowledge).filter((h) => {
    const s = extraction.sentences[h.sentence];
    return (
      !s ||
      !(
        deedDeniedBefore(s, h.start) ||
        // (The host's name, not the add-on's own: "the Prettier Tailwind Sorter extension" is the product.)
        (isDictionaryName(h, knowledge) &&
          ADD_ON_AFTER_RE.test(s.text.slice(h.end - s.start, h.end - s.start + 30))) ||
        WITHDRAWN_BEFORE_RE.test(s.text.slice(0, h.start - s.start))
      )
    );
  });
}

/** A maker's brand that heads a family of products: "ManageEngine", "NetWeaver". */
const PRODUCT_BRAND_RE = new RegExp(`(?:^|\\s)${lexicon.alt('productBrands')}$`, 'i');

/** A hit that names a dictionary product as the dictionary does, whichever stage found it. */
function isDictionaryName(h: ProductHit, knowledge: Knowledge): boolean {
  const entry = knowledge.products[h.id];
  return entry !== undefined && (h.name === undefined || nameKey(h.name) === nameKey(entry.name));
}

/**
 * "ManageEngine Desktop Central": a maker's brand and one of its products written together are one product, named
 * as written with its maker.
 */
function joinedBrandNames(hits: ProductHit[], extraction: Extraction, knowledge: Knowledge): ProductHit[] {
  const vendorOf = (h: ProductHit): string | undefined =>
    h.name ? h.vendor : knowledge.products[h.id]?.vendor;
  const joined = new Set<ProductHit>();
  const out: ProductHit[] = [];
  for (const brand of hits) {
    const s = extraction.sentences[brand.sentence];
    const vendor = vendorOf(brand);
    // (A brand, not a product of its own: "PAN-OS GlobalProtect" and "iOS Safari" are two products.)
    if (!s || !vendor || brand.name || joined.has(brand) || !PRODUCT_BRAND_RE.test(brand.surface)) continue;
    // The member right after the brand, or a name found from the brand's own word ("NetWeaver Visual Composer").
    const member = hits.find(
      (h) =>
        h !== brand &&
        h.sentence === brand.sentence &&
        vendorOf(h) === vendor &&
        h.end > brand.end &&
        h.start >= brand.start &&
        (h.start < brand.end || /^ $/.test(s.text.slice(brand.end - s.start, h.start - s.start))),
    );
    if (!member) continue;
    const written = s.text.slice(brand.start - s.start, member.end - s.start);
    joined.add(brand).add(member);
    out.push({
      id: member.id,
      sentence: member.sentence,
      start: brand.start,
      end: member.end,
      surface: written,
      name: nameKey(written).startsWith(`${nameKey(vendor)} `) ? written : `${vendor} ${written}`,
      vendor,
    });
  }
  return [...hits.filter((h) => !joined.has(h)), ...out];
}

/**
 * Words before a product that name it beside the incident, not as its object: what intruders enumerated
 * ("enumerated Active Directory"), what the vendor also makes or where the product is sold ("part of its
 * Microsoft 365 suite"), contrasts ("unlike Exchange Online").
 */
const MERE_BEFORE_RE = new RegExp(
  `\\b${lexicon.alt('mereMentionBefore')}\\s+(?:(?:the|its|their|a|an|of|all|official|victim['’]s|victims['’]|[\\w-]+['’]s)\\s+){0,3}$`,
  'i',
);

/** The words between a name (and the rest of it: "Online") and one that only says where it runs or what it is part of. */
const PLACING_GAP_RE = /^(?:\s+\p{Lu}[\p{L}-]*){0,2}\s+(?:in|on|within|inside|for|of|from)\s+(?:the\s+)?$/u;

/** A denied deed before a product in its clause: "never reached the company's Salesforce instance". */
const DENIED_DEED_BEFORE_RE =
  /\b(?:(?:did|does|do|could|would)\s+not\s+encrypt|(?:didn't|couldn't|failed\s+to)\s+encrypt|(?:never|not|n't|no\s+sign\s+that\s+\w+|failed\s+to)\s+(?:\w+\s+){0,2}?(?:through|via|reach(?:ed)?|breach\w*|compromis\w*|exploit\w*|abus\w*|hack\w*|infect\w*|penetrat\w*|get\s+in(?:to)?|got\s+in(?:to)?|break\s+in(?:to)?|gain(?:ed)?\s+access|log(?:ged)?\s+in(?:to)?|sign(?:ed)?\s+in(?:to)?))\b(?:(?!\b(?:and|so|instead|then|which|that|who|after|before|but|while|though|although|until)\b)[^.;:,])*$/i;
function deedDeniedBefore(s: SentenceInfo, start: number): boolean {
  // (The pattern stops at a comma or a clause word: "had not seen attacks, but hackers exploited Exchange".)
  return DENIED_DEED_BEFORE_RE.test(s.text.slice(Math.max(0, start - s.start - 120), start - s.start));
}

function merelyMentioned(s: SentenceInfo, start: number, end: number): boolean {
  const before = s.text.slice(Math.max(0, start - s.start - 60), start - s.start);
  if (MERE_BEFORE_RE.test(before)) return true;
  const after = s.text.slice(end - s.start, end - s.start + 60);
  if (DETECTOR_AFTER_RE.test(after)) return true;

  // "the Quick Assist tool built into Windows", "booby-trapped Word documents": the host of a tool and the
  // program of a lure, unless the sentence says a flaw in them was exploited.
  // (The lure's words end in "for" or "of", or the host's in "into", "trapped", "rigged": one cheap look first.)
  if (HOST_OR_LURE_END_RE.test(before) && HOST_OR_LURE_BEFORE_RE.test(before)) {
    // (The flaw in the same stretch of the sentence: a conjunction or a comma ends it on either side.)
    // (", which exploited the Follina flaw" describes the lure itself.)
    const near = `${before.split(/\s(?:and|but)\s|[,;]/).pop() ?? ''} ${
      s.text
        .slice(end - s.start, end - s.start + 80)
        .split(/\s(?:and|but)\s|;|,(?!\s*(?:which|that)\b)/)[0] ?? ''
    }`;
    if (!EXPLOITED_FLAW_NEAR_RE.test(near)) return true;
  }
  // "listed in our GitHub repository": where the writer publishes, not what was hit.
  if (
    OWN_OUTLET_BEFORE_RE.test(before) &&
    OWN_OUTLET_AFTER_RE.test(s.text.slice(end - s.start, end - s.start + 20))
  )
    return true;
  // "neither SharePoint nor Outlook is affected" clears; "neither X nor Y escaped" does not.
  const cleared = CLEARED_BEFORE_RE.exec(before);
  if (
    cleared &&
    (!/^(?:neither|nor)\b/i.test(cleared[0]) ||
      /\b(?:neither|nor)\s+(?:are|is|were|was)\b/i.test(cleared[0]) ||
      NOT_HIT_AFTER_RE.test(s.text.slice(end - s.start, end - s.start + 80)))
  )
    return true;
  return clearedAfter(s, start, end);
}
/** A security product that finds the intruders' tools: "Microsoft Defender for Endpoint detects the backdoor". */
const DETECTOR_AFTER_RE =
  /^(?:\s+(?:for\s+)?\p{Lu}[\p{L}\d-]*){0,3}\s+(?:detects|detected|blocks|blocked|flags|flagged|quarantines|quarantined)\b/u;
/** A third party's add-on names its host, which was not hit: "a malicious Visual Studio Code extension". */
const ADD_ON_AFTER_RE = /^\s+(?:extensions?|add-ons?|addons?|marketplace)\b(?!\s+manager)/i;
/**
 * A correction's withdrawn words up to the product, in its clause ("An earlier version of this story said ... Cisco
 * IOS XE"), or a contrast right before it ("exploited PAN-OS, not FortiOS").
 */
const WITHDRAWN_BEFORE_RE =
  /\b(?:earlier|previous)\s+version\s+of\s+this\s+(?:story|article|report)\b(?:(?!,\s+but\b)[^;:])*$|,\s+(?:not|rather\s+than|instead\s+of)\s+(?:the\s+)?$/i;
/**
 * The host of a built-in tool or the program of a lure, right before the product: "built into", "booby-trapped",
 * "a fake browser update for", "a file disguised as an installer for".
 */
const HOST_OR_LURE_END_RE = /(?:for|of|to|in|trapped|rigged)\s+(?:the\s+)?$/i;
const HOST_OR_LURE_BEFORE_RE =
  /\b(?:built\s+in(?:to|\s+to)|booby-trapped|rigged|(?:fake|bogus|counterfeit|spoofed|fraudulent|trojani[sz]ed|posing\s+as|disguised\s+as|masquerading\s+as)\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}?(?:updates?|installers?|downloads?|setup\s+files?)\s+(?:for|of))\s+(?:the\s+)?$/i;
/** A flaw or its exploitation named beside a lure or a host: "rigged Word files exploiting CVE-...". */
const EXPLOITED_FLAW_NEAR_RE = /\b(?:exploit\w*|vulnerab\w*|flaws?|bugs?|zero-days?|CVE-\d)/i;
/** Where the writer publishes: "listed in our", "available on our" (then "GitHub repository", "blog"). */
const OWN_OUTLET_BEFORE_RE =
  /\b(?:found|listed|published|available|shared|uploaded|included|provided)\s+(?:\w+\s+){0,2}?(?:in|on|at|via)\s+our\s+$/i;
const OWN_OUTLET_AFTER_RE = /^\s+(?:repository|repo|page|blog|channel|site)\b/i;
/** The verb of a "neither ... nor" clearance: "neither X nor Y is affected". */
const NOT_HIT_AFTER_RE =
  /^[^.;:]{0,60}?\b(?:is|are|was|were|has\s+been|have\s+been)\s+(?:\w+\s+)?(?:affected|vulnerable|impacted|exposed)\b/i;
/**
 * A clearance that comes first: "... are not affected, and neither are Jira or Bitbucket", "neither SharePoint nor
 * Outlook is affected", "unaffected are X and Y".
 */
const CLEARED_BEFORE_RE =
  /\b(?:neither|nor)\s+(?:the\s+)?$|\b(?:neither|nor)\s+(?:are|is|were|was)\s+(?:(?:the\s+)?[\p{L}\d.-]+(?:\s+[\p{L}\d.-]+){0,3}\s*(?:,|\bor\b|\band\b)\s*)*(?:the\s+)?$|\b(?:not|un)affected\s+(?:are|were|products\s+(?:are|include))\s+(?:(?:the\s+)?[\p{L}\d.-]+(?:\s+[\p{L}\d.-]+){0,3}\s*(?:,|\band\b)\s*)*(?:the\s+)?$/iu;

/**
 * The clause after a name clears it ("Exchange Online was not affected"). It runs to the next name, past a name
 * that only places this one ("SharePoint Online in Microsoft 365"); a list shares its clearance ("its Okta and
 * Entra ID tenants were not affected").
 */
function clearedAfter(s: SentenceInfo, start: number, end: number): boolean {
  const next = s.mentions.find(
    (x) => x.start >= end && !PLACING_GAP_RE.test(s.text.slice(end - s.start, x.start - s.start)),
  );
  const after = s.text.slice(end - s.start, (next ? next.start : s.start + s.text.length) - s.start);
  if (clearedByWordsAfter(after, s.text.slice(0, start - s.start))) return true;
  return (
    next !== undefined &&
    (LIST_SEP_RE.test(after) || CLEARED_LIST_GAP_RE.test(after)) &&
    clearedAfter(s, start, next.end)
  );
}
/**
 * Between two names of a cleared list, the rest of the first name and an apposition may stand: "Ivanti Neurons for
 * MDM, the cloud-hosted product, and Ivanti Sentry are not affected".
 */
const CLEARED_LIST_GAP_RE =
  /^(?:\s+(?:for|on)\s+\p{Lu}[\p{L}\d-]*)?(?:\s*,\s+(?:the|a|an|its)\s+[^,.;]{1,40},)?(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)$/u;

/** The component or model after a product mention, unless another name starts inside it. */
function extensionOf(
  s: SentenceInfo,
  end: number,
  vendor: string,
): { words: string[]; end: number; model: boolean } | null {
  const ext = componentExtension(s.text, end - s.start);
  if (!ext) return null;
  // "FortiGate Firewalls", "Connect Secure VPN Gateway": a device noun or an acronym adds no product.
  if (ext.words.every((w) => DEVICE_WORD_RE.test(w) || /^\p{Lu}+$/u.test(w))) return null;
  // "SharePoint Server Subscription Edition", "Windows Server 2008 R2": an edition or a release is the product
  // family, as a version is.
  const words = ext.words.join(' ');
  if (EDITION_SUFFIX_RE.test(` ${words}`) || RELEASE_WORDS_RE.test(words)) return null;
  const stop = s.start + ext.end;
  if (s.mentions.some((x) => x.start >= end && x.start < stop)) return null;
  // "Cisco Cisco", "Microsoft Microsoft 365": the vendor is not its own component.
  if (nameKey(ext.words[0] ?? '') === nameKey(vendor)) return null;
  return ext;
}

/** Release names after a product: a year ("2019", "2008 R2"), a cumulative update, service pack or feature update ("CU14", "SP1", "22H2"). */
const RELEASE_WORDS_RE = new RegExp(String.raw`^(?:(?:19|20)\d\d|${RELEASE_WORD})(?:\s+${RELEASE_WORD})*$`);
const DEVICE_WORD_RE = new RegExp(`^${lexicon.alt('deviceWords')}$`);

const vendorCache = new WeakMap<Knowledge, Map<string, string[]>>();
/** Vendors of known products, by their first key token ("tp" → ["TP-Link"]). */
function vendorsByFirstToken(knowledge: Knowledge): Map<string, string[]> {
  let map = vendorCache.get(knowledge);
  if (map) return map;
  map = new Map();
  for (const p of knowledge.products) {
    const first = nameKey(p.vendor).split(' ')[0];
    if (!first || first.length < 2) continue;
    const list = map.get(first) ?? [];
    if (!list.includes(p.vendor)) list.push(p.vendor);
    map.set(first, list);
  }
  vendorCache.set(knowledge, map);
  return map;
}

const PRODUCT_LINE_RE = new RegExp(
  `^\\s+(\\p{Lu}\\p{Ll}*\\p{Lu}[\\p{L}]*)(?=\\s+${lexicon.alt('productLineNouns')}\\b)`,
  'u',
);

/** A vendor followed by a hardware model ("Cisco RV320 routers", "TP-Link Archer C7"), not in the dictionary. */
function vendorModels(s: SentenceInfo, knowledge: Knowledge): ProductHit[] {
  const out: ProductHit[] = [];
  const byFirst = vendorsByFirstToken(knowledge);
  for (let i = 0; i < s.tokens.length; i++) {
    const t = s.tokens[i];
    if (!t?.wordStart || !/^\p{Lu}/u.test(t.raw)) continue;
    for (const vendor of byFirst.get(t.norm) ?? []) {
      const n = nameKey(vendor).split(' ').length;
      const span = s.tokens.slice(i, i + n);
      if (span.map((x) => x.norm).join(' ') !== nameKey(vendor)) continue;
      const last = span[span.length - 1];
      if (!last?.wordEnd) continue;
      if (s.mentions.some((x) => x.ref.type === 'product' && x.start < last.end && x.end > t.start)) continue;
      const ext = extensionOf(s, last.end, vendor);
      // "Netgear ProSAFE devices", "HPE ProLiant servers": a coined line name before a device noun.
      const line = ext?.model ? null : PRODUCT_LINE_RE.exec(s.text.slice(last.end - s.start));
      if (!ext?.model && !line) continue;
      const written = s.text.slice(t.start - s.start, last.end - s.start);
      const named = `${written} ${ext?.model ? ext.words.join(' ') : (line?.[1] ?? '')}`;
      const stop = ext?.model ? s.start + ext.end : last.end + (line?.[0].length ?? 0);
      if (line && s.mentions.some((x) => x.start >= last.end && x.start < stop)) continue;
      if (merelyMentioned(s, t.start, stop)) continue;
      const anyId = knowledge.products.find((p) => p.vendor === vendor)?.id ?? 0;
      out.push({
        id: anyId,
        sentence: s.index,
        start: t.start,
        end: stop,
        surface: named,
        name: named,
        vendor,
      });
    }
  }
  return out;
}

/** Product names to report: one per product, a family dropped when a member of it is named ("Citrix NetScaler" beside "Citrix NetScaler ADC"). */
export function productNames(hits: ProductHit[], knowledge: Knowledge): string[] {
  return displayNames(canonicalProducts(hits, knowledge), hits, knowledge);
}

/**
 * Names to show: the canonical name of each product, except where the text calls it by another name
 * ("Office 365" for what is now "Microsoft 365"), and except where two products would read as one
 * ("Citrix NetScaler ADC" beside "Citrix NetScaler Gateway"; "Palo Alto Networks PAN-OS" beside
 * "Palo Alto Networks GlobalProtect"): then the text's own names tell them apart.
 */
function displayNames(canonical: string[], hits: ProductHit[], knowledge: Knowledge): string[] {
  const shown = canonical.map((name) => {
    const own = hits.filter((h) => !h.name && knowledge.products[h.id]?.name === name);
    const entry = own[0] ? knowledge.products[own[0].id] : undefined;
    if (!entry) return { name, vendor: hits.find((h) => h.name === name)?.vendor ?? '', text: name };
    const vendor = entry.vendor;
    const surfaces = own.map((h) => h.surface.replace(/['’]s?(?=\s)/gu, '').trim());
    const longest = surfaces.reduce((a, b) =>
      nameKey(b).split(' ').length > nameKey(a).split(' ').length ? b : a,
    );
    const text = withVendor(longest, vendor);
    const canonicalWords = new Set(bareWords(name, vendor));
    // The text's name has a word of its own that the current name lacks ("Pulse Connect Secure" for
    // what is now "Ivanti Connect Secure", "Office 365" for "Microsoft 365"): a former name, shown as written.
    // (A word in the singular is the same word: "a GitHub Action" of "GitHub Actions".)
    const distinct = bareWords(longest, vendor).filter(
      (w) => !canonicalWords.has(w) && !canonicalWords.has(`${w}s`) && !GENERIC_WORDS.has(w),
    );
    // ("Ivanti EPMM": an abbreviation written in capitals is the current name shortened, not a former one.)
    const abbreviated = distinct.every((w) =>
      longest.split(/\s+/).some((raw) => /^\p{Lu}{2,6}$/u.test(raw) && nameKey(raw) === w),
    );
    const renamed = canonicalWords.size > 0 && distinct.length > 0 && !abbreviated;
    // A product named after its maker ("Unitronics") is better shown as the text writes it ("Unitronics PLCs").
    const fuller = canonicalWords.size === 0 && bareWords(text, vendor).length > 0;
    // ("SonicWall SMA 100" for "SonicWall SMA100", "Joomla" for "Joomla!": the same name spaced or punctuated
    // otherwise is shown as the text writes it.)
    const respaced = text !== name && compacted(text) === compacted(name);
    return { name: respaced ? text : renamed ? longest : fuller ? text : name, vendor, text };
  });
  for (let i = 0; i < shown.length; i++)
    for (let j = i + 1; j < shown.length; j++) {
      const a = shown[i];
      const b = shown[j];
      if (!a || !b || !readAsOne(a.name, b.name)) continue;
      if (!readAsOne(a.text, b.text)) {
        a.name = a.text;
        b.name = b.text;
      }
    }
  const names = [...new Set(shown.flatMap((p) => splitList(p.name.replace(PLATFORM_TAIL_RE, ''), p.vendor)))];
  // ("Outlook for Windows" beside "Microsoft Outlook": one product once the platforms are gone.)
  return names.filter((n) => !names.some((other) => other !== n && other.endsWith(` ${n}`)));
}
/** "Brightwell Reader for Windows": the platforms it runs on are no part of a program's name. */
const PLATFORM_TAIL_RE = new RegExp(
  String.raw`(?<!\bSubsystem)\s+for\s+${DESKTOP_PLATFORM}(?:\s*${LIST_JOIN}${DESKTOP_PLATFORM})*$`,
);

/** A name's letters and digits only, case kept: names that differ only in spacing and punctuation compare equal. */
function compacted(name: string): string {
  return name.replace(/[^\p{L}\p{N}]/gu, '');
}

/** "Apple iOS, iPadOS, and macOS" (a catalogue's product line) is three products. */
function splitList(name: string, vendor: string): string[] {
  const bare = nameKey(name).startsWith(`${nameKey(vendor)} `) ? name.slice(vendor.length).trim() : name;
  if (!/,\s|\sand\s/.test(bare)) return [name];
  const parts = bare
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/)
    .map((x) => x.trim())
    .filter(Boolean);
  if (parts.length < 2 || parts.some((x) => !/\p{Lu}/u.test(x) || x.split(/\s+/).length > 3)) return [name];
  return parts.map((x) => withVendor(x, vendor));
}

/** A name with its vendor in front, when the vendor is one word and missing ("Exchange" → "Microsoft Exchange"). */
function withVendor(name: string, vendor: string): string {
  const v = nameKey(vendor);
  if (!v || v.includes(' ') || ` ${nameKey(name)} `.includes(` ${v} `)) return name;
  return `${vendor} ${name}`;
}

function bareWords(name: string, vendor: string): string[] {
  const v = new Set(nameKey(vendor).split(' '));
  return nameKey(name)
    .split(' ')
    .filter((w) => w && !v.has(w) && !/^\d+$/.test(w));
}

const GENERIC_WORDS = lexicon.set('genericProductWords');
const DEPLOYMENT_EDITION_KEYS: ReadonlySet<string> = new Set(
  lexicon.words('deploymentEditionNames').map(nameKey),
);

/** Two names that share most of their words read as one product (two words or more, half of the longer). */
function readAsOne(a: string, b: string): boolean {
  const x = new Set(nameKey(a).split(' '));
  const y = new Set(nameKey(b).split(' '));
  const shared = [...x].filter((w) => y.has(w)).length;
  return shared >= 2 && shared / Math.max(x.size, y.size) >= 0.5;
}

function canonicalProducts(hits: ProductHit[], knowledge: Knowledge): string[] {
  const nameOf = (h: ProductHit): string | undefined => h.name ?? knowledge.products[h.id]?.name;
  const names = [...new Set(hits.map(nameOf))].filter((n): n is string => Boolean(n));
  const vendorOf = new Map(hits.map((h) => [nameOf(h), h.vendor ?? knowledge.products[h.id]?.vendor]));
  const bare = (n: string): string => {
    const k = nameKey(n);
    const v = nameKey(vendorOf.get(n) ?? '');
    return v && k.startsWith(`${v} `) ? k.slice(v.length + 1) : k;
  };
  // "Windows" in a headline and "Windows Error Reporting Service" in the body: the component names the product.
  const extended = new Set(hits.filter((h) => h.name).map((h) => h.id));
  const plain = (n: string): boolean => hits.every((h) => nameOf(h) !== n || (!h.name && extended.has(h.id)));
  const keysAll = names.map(nameKey);
  const bareKeys = names.map(bare);
  // "Jira" read as the catalogue's "Atlassian Jira Software" and named in the text as its edition "Jira Data
  // Center": the edition is what the text means. (A component, "BIG-IP iControl REST", is listed beside it.)
  const editionOf = (j: number, i: number): boolean => {
    const base = names[i] ?? '';
    const edition = names[j] ?? '';
    const first = (bareKeys[i] ?? '').split(' ')[0] ?? '';
    const rest = (bareKeys[j] ?? '').slice(first.length + 1);
    return (
      first !== '' &&
      (bareKeys[j] ?? '').startsWith(`${first} `) &&
      DEPLOYMENT_EDITION_KEYS.has(rest) &&
      // Every mention of the base is the first word of an edition's mention ("Confluence Server and Data
      // Center" names the base as its server edition too).
      hits
        .filter((h) => nameOf(h) === base)
        .every((h) =>
          hits.some(
            (e) => e.name === edition && e.id === h.id && e.sentence === h.sentence && e.start === h.start,
          ),
        )
    );
  };
  const dropBase = names.map(
    (n, i) =>
      plain(n) &&
      names.some(
        (_o, j) => j !== i && ((keysAll[j] ?? '').startsWith(`${keysAll[i] ?? ''} `) || editionOf(j, i)),
      ),
  );
  const keys = keysAll;
  return names.filter((_n, i) => {
    if (dropBase[i]) return false;
    const k = keys[i] ?? '';
    const b = bareKeys[i] ?? '';
    // A release or edition adds one word ("Windows XP", "NetScaler ADC"); "Windows Server" and
    // components ("Windows Print Spooler") are products beside the family, not members of it.
    const member = (other: string, family: string): boolean =>
      other.startsWith(`${family} `) &&
      /^[^ ]+$/.test(other.slice(family.length + 1)) &&
      !other.endsWith(' server');
    if (names.some((_o, j) => j !== i && (member(keys[j] ?? '', k) || member(bareKeys[j] ?? '', b))))
      return false;
    // An acronym beside its spelled-out name is one product ("ASA" and "Adaptive Security Appliance", "Windows
    // CLFS" and "Windows Common Log File System").
    if (bareKeys.some((other, j) => j !== i && (isAcronymOf(b, other) || acronymPastSharedHead(b, other))))
      return false;
    // The vendor's name used as its product ("Unitronics") beside a named product of that vendor.
    if (
      k === nameKey(vendorOf.get(names[i] ?? '') ?? '') &&
      names.some((o, j) => j !== i && nameKey(vendorOf.get(o) ?? '') === k)
    )
      return false;
    // One product under two names: with and without a vendor or former brand ("Broadcom VMware vCenter
    // Server" and "VMware vCenter Server", "Ivanti Pulse Connect Secure"), or with "Server" ("SharePoint
    // Server"); the shorter name stays.
    return !names.some((_o, j) => {
      if (j === i) return false;
      const ok = keys[j] ?? '';
      const ob = bareKeys[j] ?? '';
      if (ok.length > k.length || (ok.length === k.length && j > i)) return false;
      const related =
        nameKey(vendorOf.get(names[j] ?? '') ?? '') === nameKey(vendorOf.get(names[i] ?? '') ?? '') ||
        ` ${k} `.includes(` ${nameKey(vendorOf.get(names[j] ?? '') ?? '')} `);
      if (!related || !ob) return false;
      return (
        (ob.includes(' ') && (k.endsWith(` ${ob}`) || b.endsWith(` ${ob}`))) ||
        (!/^windows\b/.test(ob) && (b === `${ob} server` || k === `${ok} server`))
      );
    });
  });
}

/** "windows clfs" beside "windows common log file system": the same first words, then an acronym of the rest. */
function acronymPastSharedHead(short: string, long: string): boolean {
  const a = short.split(' ');
  const b = long.split(' ');
  let head = 0;
  while (head < a.length - 1 && a[head] === b[head]) head++;
  return head > 0 && head === a.length - 1 && isAcronymOf(a[head] ?? '', b.slice(head).join(' '));
}

/** "asa" is the acronym of "adaptive security appliance" (initials of its words, three or more). */
export function isAcronymOf(short: string, long: string): boolean {
  if (short.includes(' ') || short.length < 2) return false;
  const words = long.split(' ').filter(Boolean);
  if (words.length < 2) return false;
  return words.map((word) => word[0]).join('') === short;
}
