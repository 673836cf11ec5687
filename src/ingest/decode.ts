/**
 * Bytes → string for feed and page bodies. Publishers mislabel encodings often enough that the
 * declared charset is a hint, not a fact: the bytes get the last word when they are clearly UTF-8.
 */
import { isUtf8 } from 'node:buffer';

/** How many leading bytes to scan for an XML prolog or HTML meta charset (pages put it late). */
const SNIFF_BYTES = 8192;

interface Utf8Stats {
  /** Well-formed multibyte sequences. */
  multibyte: number;
  /** Bytes that cannot start or continue a well-formed sequence. */
  invalid: number;
}

/** Decodes a response body following BOM → Content-Type → in-document declaration → UTF-8. */
export function decodeBody(bytes: Uint8Array, contentType?: string): string {
  const bom = bomEncoding(bytes);
  if (bom) return stripBom(decodeAs(bom, bytes));

  const stats = quickUtf8Stats(bytes);
  const headerCharset = supportedEncoding(charsetFromContentType(contentType), bytes);
  const documentCharset = supportedEncoding(charsetFromDocument(bytes), bytes);
  const declared = headerCharset ?? documentCharset;

  let encoding: string;
  if (declared === undefined) {
    encoding = looksSingleByte(stats) ? 'windows-1252' : 'utf-8';
  } else if (declared === 'utf-8') {
    // A server default of utf-8 over a Latin-1 file: trust the document, then the bytes.
    if (!looksSingleByte(stats)) encoding = 'utf-8';
    else if (documentCharset !== undefined && documentCharset !== 'utf-8') encoding = documentCharset;
    else encoding = 'windows-1252';
  } else if (stats.invalid === 0 && stats.multibyte > 0) {
    // Declared a legacy charset, but the bytes are valid UTF-8 with real multibyte text: a lie.
    encoding = 'utf-8';
  } else {
    encoding = declared;
  }
  return stripBom(decodeAs(encoding, bytes));
}

/** windows-1252 code points for bytes 0x80–0x9F (the WHATWG index). */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Node 20's TextDecoder decodes windows-1252 as ISO-8859-1 (fixed in later Node); detect and patch. */
const WINDOWS_1252_IS_LATIN1 = new TextDecoder('windows-1252').decode(Uint8Array.of(0x80)) !== '\u20ac';

function decodeAs(encoding: string, bytes: Uint8Array): string {
  const text = new TextDecoder(encoding).decode(bytes);
  if (encoding !== 'windows-1252' || !WINDOWS_1252_IS_LATIN1) return text;
  return text.replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_C1[char.charCodeAt(0) - 0x80] ?? char);
}

/** The `charset` parameter of a Content-Type header, unquoted, or undefined. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return match?.[2];
}

/** The encoding named by an XML prolog or an HTML meta tag near the start of the bytes. */
export function charsetFromDocument(bytes: Uint8Array): string | undefined {
  // latin1 maps every byte to one char, so ASCII markup reads correctly whatever the encoding.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, SNIFF_BYTES)).toString(
    'latin1',
  );
  const prolog = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (prolog?.[1]) return prolog[1];
  const meta = /<meta\s[^>]*?charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return meta?.[1];
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

/**
 * Maps a declared label to the WHATWG encoding TextDecoder will use (gb2312 → gbk,
 * iso-8859-1 → windows-1252), or undefined when the label is unknown or cannot be right.
 */
function supportedEncoding(label: string | undefined, bytes: Uint8Array): string | undefined {
  if (!label) return undefined;
  let encoding: string;
  try {
    encoding = new TextDecoder(label.trim().toLowerCase()).encoding;
  } catch {
    return undefined;
  }
  // UTF-16 without a BOM and without NUL bytes is an 8-bit document claiming to be UTF-16.
  if (encoding.startsWith('utf-16') && !hasNulBytes(bytes)) return undefined;
  return encoding;
}

function hasNulBytes(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** Mostly-invalid UTF-8 means a single-byte legacy encoding; a stray bad byte does not. */
function looksSingleByte(stats: Utf8Stats): boolean {
  return stats.invalid > 0 && stats.invalid >= stats.multibyte;
}

/**
 * utf8Stats, but answered natively for the common case of valid UTF-8, where only "any multibyte
 * at all?" matters to the callers: a JS loop over every byte of every feed is a measurable cost.
 */
function quickUtf8Stats(bytes: Uint8Array): Utf8Stats {
  if (!isUtf8(bytes)) return utf8Stats(bytes);
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] ?? 0) >= 0x80) return { multibyte: 1, invalid: 0 };
  }
  return { multibyte: 0, invalid: 0 };
}

/** Counts well-formed multibyte sequences and invalid bytes (overlongs and surrogates count as invalid). */
export function utf8Stats(bytes: Uint8Array): Utf8Stats {
  let multibyte = 0;
  let invalid = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      invalid++;
      i++;
    } else {
      multibyte++;
      i += length;
    }
  }
  return { multibyte, invalid };
}

/** Length of the well-formed UTF-8 sequence starting at `i`, or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  const b1 = bytes[i + 1] ?? 0;
  const cont = (offset: number): boolean => ((bytes[i + offset] ?? 0) & 0xc0) === 0x80;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (b0 === 0xe0 && b1 < 0xa0) return 0;
    if (b0 === 0xed && b1 > 0x9f) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (b0 === 0xf0 && b1 < 0x90) return 0;
    if (b0 === 0xf4 && b1 > 0x8f) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
