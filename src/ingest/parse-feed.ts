/**
 * Feed document (already decoded to a string) → items. Pure apart from rss-parser: the bytes were
 * fetched and decoded elsewhere, so this never touches the network (parseString, never parseURL).
 */

import { load } from 'cheerio';
import Parser from 'rss-parser';
import { parseDateUtc } from './dates.js';
import {
  type FeedDocument,
  FeedParseError,
  type ParsedFeed,
  type RawFeedItem,
  withItemText,
} from './feed-document.js';
import type { FeedItem } from './feed-item.js';
import { htmlToText, inlineText } from './html-text.js';

export {
  type FeedDocument,
  FeedParseError,
  type FeedParseErrorKind,
  type ParsedFeed,
  type RawFeedItem,
} from './feed-document.js';

/** Raw item fields as rss-parser hands them over; any of them may be a non-string for odd XML. */
interface RawItem {
  title?: unknown;
  link?: unknown;
  guid?: unknown;
  id?: unknown;
  'rdf:about'?: unknown;
  guidElements?: unknown;
  origLink?: unknown;
  content?: unknown;
  'content:encoded'?: unknown;
  summary?: unknown;
  contentSnippet?: unknown;
  isoDate?: unknown;
  pubDate?: unknown;
  date?: unknown;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; matching them is the point.
const ILLEGAL_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
/** Unpaired UTF-16 surrogates, which no XML parser accepts. */
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; finding them is the point.
const ILLEGAL_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const SURROGATE = /[\uD800-\uDFFF]/;
/** An `&` that does not start one of XML's own entities or a character reference. */
const NEEDS_ENTITY_REPAIR = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/;
const ATOM_DATE_ELEMENTS = new Set(['published', 'updated', 'atom:published', 'atom:updated']);

export async function parseFeed(document: string, feedUrl: string): Promise<ParsedFeed> {
  return withItemText(await parseFeedDocument(document, feedUrl), htmlToText);
}

/** The parse proper: document → plain data. What a worker thread runs. */
export async function parseFeedDocument(document: string, feedUrl: string): Promise<FeedDocument> {
  const trimmed = document.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return parseJsonFeed(trimmed, feedUrl);

  const xml = locateFeedXml(sanitizeXml(trimmed), feedUrl);
  let output: Parser.Output<RawItem> & { title?: unknown; link?: unknown };
  try {
    output = await createParser().parseString(xml);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kind = /not recognized/i.test(message) ? 'not-a-feed' : 'malformed';
    throw new FeedParseError(kind, `Cannot parse feed: ${firstLine(message)}`, feedUrl, { cause: error });
  }

  const base = documentBase(xml, feedUrl);
  const items = dedupe(output.items.map((raw) => toFeedItem(raw, base)));
  const link = absoluteUrl(stringValue(output.link), base);
  return { title: textOrNull(stringValue(output.title)), ...(link ? { link } : {}), items };
}

/**
 * Repairs the faults real feeds ship with that a strict XML parser rejects: a bogus or misplaced
 * prolog, HTML-only entities such as `&nbsp;`, bare ampersands and control characters.
 */
export function sanitizeXml(xml: string): string {
  // Each pass copies the whole document, so passes with nothing to repair are skipped (feeds are
  // large strings and a poll parses hundreds of them).
  let text = xml.replace(/^\uFEFF/, '');
  if (ILLEGAL_XML_CHAR.test(text)) text = text.replace(ILLEGAL_XML_CHARS, '');
  if (SURROGATE.test(text)) text = text.replace(LONE_SURROGATES, '');
  // `<?phpxml ...?>` and friends; the encoding is moot once the text is decoded.
  text = text.trimStart().replace(/^<\?\w*xml(?:\s[^>]*)?\?>/i, '<?xml version="1.0" encoding="UTF-8"?>');
  if (!NEEDS_ENTITY_REPAIR.test(text)) return text;
  return repairEntities(text);
}

/** `&name;` (or a character reference) right after an `&`; sticky, so it only looks there. */
const ENTITY_AT = /(#\d+|#x[\da-fA-F]+|[A-Za-z][\w.-]*);/y;

/**
 * One left-to-right pass: CDATA sections and comments are copied as they are, XML's own entities
 * and character references kept, HTML entities turned numeric, bare `&` escaped. An unclosed
 * `<![CDATA[` or `<!--` is plain text (as a regex would treat it), and once one search for a
 * terminator fails no later search is made, so the pass stays linear on any input.
 */
function repairEntities(text: string): string {
  const out: string[] = [];
  let copied = 0;
  let cdataCloses = true;
  let commentCloses = true;
  let index = 0;
  // The next `&` is remembered, not searched again after every `<` (that would be quadratic).
  let amp = -1;
  while (index < text.length) {
    if (amp < index) amp = text.indexOf('&', index);
    if (amp === -1) break;
    const lt = cdataCloses || commentCloses ? text.indexOf('<', index) : -1;
    if (lt !== -1 && lt < amp) {
      index = skipMarkedSection(lt);
      continue;
    }
    ENTITY_AT.lastIndex = amp + 1;
    const match = ENTITY_AT.exec(text);
    const reference = match?.[1];
    let replacement: string | null;
    if (reference === undefined) replacement = '&amp;';
    else if (reference.startsWith('#') || XML_ENTITIES.has(reference)) replacement = null;
    else replacement = htmlEntityAsNumeric(reference);
    const end = match ? ENTITY_AT.lastIndex : amp + 1;
    if (replacement !== null) {
      out.push(text.slice(copied, amp), replacement);
      copied = end;
    }
    index = end;
  }
  out.push(text.slice(copied));
  return out.join('');

  /** Past a CDATA section or comment starting at `lt`, else just past the `<`. */
  function skipMarkedSection(lt: number): number {
    if (cdataCloses && text.startsWith('<![CDATA[', lt)) {
      const close = text.indexOf(']]>', lt + 9);
      if (close !== -1) return close + 3;
      cdataCloses = false;
    } else if (commentCloses && text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      if (close !== -1) return close + 3;
      commentCloses = false;
    }
    return lt + 1;
  }
}

const entityCache = new Map<string, string>();
/** HTML has about 2,200 named entities; longer or further names are not worth remembering. */
const ENTITY_CACHE_MAX = 4096;
const ENTITY_NAME_MAX = 40;

/** `&nbsp;` → `&#160;`; unknown names become literal text (`&amp;name;`). */
function htmlEntityAsNumeric(name: string): string {
  if (name.length > ENTITY_NAME_MAX) return `&amp;${name};`;
  const cached = entityCache.get(name);
  if (cached !== undefined) return cached;
  const decoded = load(`&${name};`, null, false).text();
  const result =
    decoded === `&${name};`
      ? `&amp;${name};`
      : [...decoded].map((char) => `&#${char.codePointAt(0) ?? 0};`).join('');
  if (entityCache.size < ENTITY_CACHE_MAX) entityCache.set(name, result);
  return result;
}

/**
 * The document's root element (name and offset of its `<`), skipping the prolog, processing
 * instructions, comments and the doctype. A scanner, not a regex: each step moves forward, so a
 * document of spaces and junk costs one pass.
 */
function rootElement(xml: string): { name: string; start: number } | undefined {
  let index = 0;
  for (;;) {
    while (index < xml.length && /\s/.test(xml.charAt(index))) index++;
    if (xml.charAt(index) !== '<') return undefined;
    let end: number;
    if (xml.startsWith('<?', index)) end = closeOf(xml.indexOf('?>', index + 2), 2);
    else if (xml.startsWith('<!--', index)) end = closeOf(xml.indexOf('-->', index + 4), 3);
    else if (xml.slice(index, index + 9).toUpperCase() === '<!DOCTYPE') end = doctypeEnd(xml, index + 9);
    else {
      ELEMENT_NAME.lastIndex = index + 1;
      const name = ELEMENT_NAME.exec(xml)?.[0];
      return name === undefined ? undefined : { name, start: index };
    }
    if (end === -1) return undefined;
    index = end;
  }
}

const ELEMENT_NAME = /[A-Za-z_][\w:.-]*/y;

function closeOf(found: number, length: number): number {
  return found === -1 ? -1 : found + length;
}

/** Past `<!DOCTYPE name [internal subset]>`; -1 when it never closes. */
function doctypeEnd(xml: string, from: number): number {
  const bracket = xml.indexOf('[', from);
  const gt = xml.indexOf('>', from);
  if (gt === -1) return -1;
  if (bracket === -1 || gt < bracket) return gt + 1;
  const subsetEnd = xml.indexOf(']', bracket);
  return subsetEnd === -1 ? -1 : closeOf(xml.indexOf('>', subsetEnd), 1);
}

/**
 * Returns the XML to hand to rss-parser, or throws not-a-feed for an HTML page. An Atom or RSS
 * document wrapped in an XHTML page (it happens) is cut out and used: from its first start tag to
 * the last matching end tag, found with indexOf searches rather than a backtracking regex.
 */
function locateFeedXml(xml: string, feedUrl: string): string {
  const root = rootElement(xml);
  if (root === undefined) {
    throw new FeedParseError('not-a-feed', 'Document has no XML root element', feedUrl);
  }
  if (root.name.toLowerCase() !== 'html') return xml;
  const start = /<(feed|rss)[\s>]/.exec(xml);
  if (start?.[1]) {
    const closing = `</${start[1]}`;
    for (let end = xml.lastIndexOf(closing); end > start.index; end = xml.lastIndexOf(closing, end - 1)) {
      const gt = /^\s*>/.exec(xml.slice(end + closing.length, end + closing.length + 64));
      if (gt) return xml.slice(start.index, end + closing.length + gt[0].length);
    }
  }
  throw new FeedParseError('not-a-feed', 'Document is an HTML page, not a feed', feedUrl);
}

function createParser(): Parser<Record<string, unknown>, RawItem> {
  return new Parser<Record<string, unknown>, RawItem>({
    // RSS without a version attribute is almost always RSS 2.0.
    defaultRSS: 2,
    xml2js: {
      trim: true,
      // rss-parser calls toISOString() on Atom dates and would throw on an unparseable one.
      valueProcessors: [
        (value: string, name: string) =>
          ATOM_DATE_ELEMENTS.has(name) && Number.isNaN(Date.parse(value)) ? '' : value,
      ],
    },
    customFields: {
      item: [
        ['feedburner:origLink', 'origLink'],
        ['guid', 'guidElements', { keepArray: true }],
      ],
    },
  });
}

/** `xml:base` on the root element, resolved against the feed URL. */
function documentBase(xml: string, feedUrl: string): string {
  const root = rootElement(xml);
  if (root === undefined) return feedUrl;
  const gt = xml.indexOf('>', root.start);
  // Only the root's own start tag is read, so the attribute search is bounded by one tag.
  const tag = xml.slice(root.start, gt === -1 ? root.start + 4096 : Math.min(gt, root.start + 65_536));
  const base = /\sxml:base\s*=\s*["']([^"']+)["']/.exec(tag);
  return (base?.[1] && absoluteUrl(base[1], feedUrl)) || feedUrl;
}

function toFeedItem(raw: RawItem, base: string): RawFeedItem {
  const guidElement = firstGuidElement(raw.guidElements);
  const guid =
    textOrUndefined(guidElement?.value) ??
    textOrUndefined(stringValue(raw.guid)) ??
    textOrUndefined(stringValue(raw.id)) ??
    textOrUndefined(stringValue(raw['rdf:about']));
  // FeedBurner rewrites links to its redirector; origLink is the article itself.
  let link = absoluteUrl(stringValue(raw.origLink), base) ?? absoluteUrl(stringValue(raw.link), base);
  if (link === undefined && guidElement?.isPermaLink && guid && /^https?:\/\//i.test(guid)) {
    link = absoluteUrl(guid, base);
  }
  const title = stringValue(raw.title);
  // The raw strings first: rss-parser's isoDate reads a zone-less date in the host's time zone.
  const published = firstDate([raw.pubDate, raw.date, raw.isoDate]);
  return {
    ...(guid ? { guid } : {}),
    ...(link ? { link } : {}),
    title: title === undefined ? null : textOrNull(title),
    ...(published ? { published } : {}),
    body: longest([raw['content:encoded'], raw.content, raw.summary, raw.contentSnippet]),
    bodyIsHtml: true,
  };
}

/** The first `<guid>` element (some feeds repeat it) with its isPermaLink flag. */
function firstGuidElement(
  elements: unknown,
): { value: string | undefined; isPermaLink: boolean } | undefined {
  if (!Array.isArray(elements) || elements.length === 0) return undefined;
  const first: unknown = elements[0];
  const value = stringValue(first);
  const attributes = isRecord(first) && isRecord(first.$) ? first.$ : {};
  return { value, isPermaLink: attributes.isPermaLink !== 'false' };
}

function dedupe<T extends Pick<FeedItem, 'guid' | 'link'>>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const id = item.guid ?? item.link;
    if (id === undefined) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Text of an XML node as xml2js gives it: a string, or an object whose `_` holds the text. */
function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value._ === 'string') return value._;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function textOrNull(value: string | undefined): string | null {
  const text = value === undefined ? '' : inlineText(value);
  return text === '' ? null : text;
}

function textOrUndefined(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

function longest(values: unknown[]): string {
  let best = '';
  for (const value of values) {
    if (typeof value === 'string' && value.length > best.length) best = value;
  }
  return best;
}

/** Absolute http(s) URL, or undefined for anything unusable. */
function absoluteUrl(value: string | undefined, base: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** First value that parses as a date, as ISO 8601 (V8 reads RFC 822 with 2-digit years, ISO, "2020/1/10"); no zone means UTC. */
function firstDate(values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    const time = parseFeedDate(value);
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  return undefined;
}

/** Localised month names (Portuguese, Spanish, French, German, Italian, Dutch) → English. */
const MONTHS = new Map<string, string>();
for (const [english, names] of [
  ['Jan', 'janeiro enero ene janvier janv januar jaenner janner gennaio gen januari'],
  ['Feb', 'fevereiro fev febrero fevrier fevr februar febbraio februari'],
  ['Mar', 'marco marzo mars marz maerz mrz maart mrt'],
  ['Apr', 'abril abr avril avr aprile'],
  ['May', 'maio mai mayo maggio mag mei'],
  ['Jun', 'junho junio juin juni giugno giu'],
  ['Jul', 'julho julio juillet juil juli luglio lug'],
  ['Aug', 'agosto ago aout augustus'],
  ['Sep', 'setembro set septiembre setiembre septembre sept settembre'],
  ['Oct', 'outubro out octubre octobre oktober okt ottobre ott'],
  ['Nov', 'novembro noviembre novembre'],
  ['Dec', 'dezembro dez diciembre dic decembre dezember dicembre'],
] as const) {
  for (const name of names.split(' ')) MONTHS.set(name, english);
}

/** Localised weekday names, dropped: the date alone says which day it was. */
const WEEKDAYS = new Set(
  (
    'seg ter qua qui sex sab dom segunda terca quarta quinta sexta sabado domingo ' +
    'lun mar mie jue vie lunes martes miercoles jueves viernes ' +
    'mer jeu ven sam dim lundi mardi mercredi jeudi vendredi samedi dimanche ' +
    'mo di mi do fr sa so montag dienstag mittwoch donnerstag freitag samstag sonntag ' +
    'gio lunedi martedi mercoledi giovedi venerdi sabato domenica ' +
    'ma wo vr za zo maandag dinsdag woensdag donderdag vrijdag zaterdag zondag'
  ).split(' '),
);

/** Filler words of long-form dates ("24 de setembro de 2018", "3. März 2020 um 10:00 Uhr"). */
const DATE_FILLER = new Set(['de', 'del', 'um', 'uhr', 'a', 'à', 'le', 'el', 'o', 'feira']);

/**
 * Date.parse, then, for what it cannot read, the same string with localised weekday and month
 * names turned into English ("Seg, 24 Set 2018 19:18:49 -0300" → "24 Sep 2018 19:18:49 -0300").
 */
export function parseFeedDate(value: string): number {
  const text = value.trim();
  if (text.length > 200) return Number.NaN;
  const direct = parseDateUtc(text);
  if (!Number.isNaN(direct)) return direct;
  const words = text.match(/[\p{L}]+\.?|\d+(?:er|\.)?|[^\p{L}\d\s]+|\s+/gu) ?? [];
  let seenNumber = false;
  let changed = false;
  const out: string[] = [];
  for (const word of words) {
    if (/^\d/.test(word)) {
      seenNumber = true;
      out.push(word.replace(/(?:er|\.)$/, ''));
      continue;
    }
    if (!/^\p{L}/u.test(word)) {
      out.push(word);
      continue;
    }
    const key = word
      .toLowerCase()
      .replace(/\.$/, '')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '');
    const month = MONTHS.get(key);
    if (!seenNumber && WEEKDAYS.has(key)) {
      changed = true;
      continue;
    }
    if (month !== undefined) {
      out.push(month);
      changed = true;
    } else if (DATE_FILLER.has(key)) {
      changed = true;
    } else {
      out.push(word);
    }
  }
  if (!changed) return Number.NaN;
  // A weekday's comma ("Seg,") is left at the start once the name is gone.
  const english = out
    .join('')
    .replace(/^[\s,]+/, '')
    .replace(/\s+/g, ' ');
  return parseDateUtc(english);
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

/** JSON Feed 1.x (https://jsonfeed.org/version/1.1), mapped by hand: rss-parser does not read it. */
function parseJsonFeed(document: string, feedUrl: string): FeedDocument {
  let data: unknown;
  try {
    data = JSON.parse(document);
  } catch (error) {
    throw new FeedParseError('malformed', 'Cannot parse JSON feed', feedUrl, { cause: error });
  }
  if (!isRecord(data) || typeof data.version !== 'string' || !data.version.includes('jsonfeed.org')) {
    throw new FeedParseError('not-a-feed', 'JSON document is not a JSON Feed', feedUrl);
  }
  const rawItems = Array.isArray(data.items) ? data.items : [];
  const items = dedupe(rawItems.filter(isRecord).map((raw) => jsonFeedItem(raw, feedUrl)));
  const link = absoluteUrl(typeof data.home_page_url === 'string' ? data.home_page_url : undefined, feedUrl);
  const title = typeof data.title === 'string' ? data.title : undefined;
  return { title: textOrNull(title), ...(link ? { link } : {}), items };
}

function jsonFeedItem(raw: Record<string, unknown>, feedUrl: string): RawFeedItem {
  const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const guid = textOrUndefined(asString(raw.id) ?? (typeof raw.id === 'number' ? String(raw.id) : undefined));
  const link = absoluteUrl(asString(raw.url) ?? asString(raw.external_url), feedUrl);
  const html = asString(raw.content_html);
  const plain = asString(raw.content_text) ?? asString(raw.summary) ?? '';
  const useHtml = html !== undefined && html.length >= plain.length;
  const published = firstDate([raw.date_published, raw.date_modified]);
  return {
    ...(guid ? { guid } : {}),
    ...(link ? { link } : {}),
    title: textOrNull(asString(raw.title)),
    ...(published ? { published } : {}),
    body: useHtml ? html : plain.trim(),
    bodyIsHtml: useHtml,
  };
}
