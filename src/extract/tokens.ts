/** Word tokens with offsets: letter runs and digit runs are separate tokens ("APT28" → APT, 28). */
export interface Token {
  /** Surface as written. */
  raw: string;
  /** Lower case, typographic apostrophes folded. */
  norm: string;
  start: number;
  end: number;
  /** No letter or digit directly before / after this token (a word boundary). */
  wordStart: boolean;
  wordEnd: boolean;
}

// The character classes of /\p{L}+|\p{N}+|[&$]/gu, read one code point at a time without a regex match per
// token: ASCII by its code, other BMP characters through a table filled on first sight, astral ones (and
// the first sight of a BMP one) through the Unicode property regexes themselves.
const OTHER = 1;
const LETTER = 2;
const NUMBER = 3;
const SIGN = 4;
const LETTER_RE = /^\p{L}$/u;
const NUMBER_RE = /^\p{N}$/u;
const bmpClass = new Uint8Array(0x10000);

function classOf(char: string): number {
  return LETTER_RE.test(char) ? LETTER : NUMBER_RE.test(char) ? NUMBER : OTHER;
}

/** The class of one UTF-16 unit that is not a surrogate. */
function unitClass(code: number): number {
  if (code < 0x80) {
    const lower = code | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) return LETTER;
    if (code >= 0x30 && code <= 0x39) return NUMBER;
    return code === 0x26 || code === 0x24 ? SIGN : OTHER;
  }
  let cls = bmpClass[code] ?? 0;
  if (cls === 0) {
    cls = classOf(String.fromCharCode(code));
    bmpClass[code] = cls;
  }
  return cls;
}

const isSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdfff;

/** The class of the code point at `i`, times two, plus one when it takes two UTF-16 units. */
function classAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (!isSurrogate(code)) return unitClass(code) << 1;
  const low = code <= 0xdbff ? text.charCodeAt(i + 1) : 0;
  if (low >= 0xdc00 && low <= 0xdfff) return (classOf(text.slice(i, i + 2)) << 1) | 1;
  return OTHER << 1;
}

/** A letter or digit in the single UTF-16 unit at `index` (a surrogate half is neither). */
function alnumUnit(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (isSurrogate(code)) return false;
  const cls = unitClass(code);
  return cls === LETTER || cls === NUMBER;
}

/** Letter runs, digit runs, "&" and "$", with offsets: the matches of /\p{L}+|\p{N}+|[&$]/gu. */
export function tokenize(text: string, offset = 0): Token[] {
  const out: Token[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const first = classAt(text, i);
    const runClass = first >> 1;
    const start = i;
    i += (first & 1) + 1;
    if (runClass === OTHER) continue;
    if (runClass !== SIGN)
      while (i < length) {
        const next = classAt(text, i);
        if (next >> 1 !== runClass) break;
        i += (next & 1) + 1;
      }
    const raw = text.slice(start, i);
    const sign = runClass === SIGN;
    out.push({
      raw,
      norm: raw.toLowerCase(),
      start: start + offset,
      end: i + offset,
      wordStart: sign || !alnumUnit(text, start - 1),
      wordEnd: sign || !alnumUnit(text, i),
    });
  }
  return out;
}

const KEY_RE = /\p{L}+|\p{N}+|[&$]/gu;
/** ASCII is its own NFKC form, and its letters and digits are [a-z] and [0-9] once in lower case. */
const NON_ASCII_RE = /[\u0080-\uffff]/;
const ASCII_KEY_RE = /[a-z]+|[0-9]+|[&$]/g;

/** The normalised tokens of a name (what the matcher compares), without building Token objects. */
export function keyTokens(name: string): string[] {
  if (!NON_ASCII_RE.test(name)) return name.toLowerCase().match(ASCII_KEY_RE) ?? [];
  return name.normalize('NFKC').toLowerCase().match(KEY_RE) ?? [];
}

/** Keys of names already worked out: the same actor, vendor and alias names recur in every article. Bounded. */
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 20_000;

/** The normalised key of a name, the same form the matcher compares ("APT 28" = "apt28" = "APT-28"). */
export function nameKey(name: string): string {
  let key = keyCache.get(name);
  if (key === undefined) {
    key = keyTokens(name).join(' ');
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(name, key);
  }
  return key;
}
