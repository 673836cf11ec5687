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

const TOKEN_RE = /\p{L}+|\p{N}+|[&$]/gu;
const ALNUM_RE = /[\p{L}\p{N}]/u;

export function tokenize(text: string, offset = 0): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const start = m.index;
    const raw = m[0];
    const end = start + raw.length;
    const before = start > 0 ? (text[start - 1] ?? '') : '';
    const after = text[end] ?? '';
    out.push({
      raw,
      norm: raw.toLowerCase(),
      start: start + offset,
      end: end + offset,
      wordStart: raw === '&' || raw === '$' || !ALNUM_RE.test(before),
      wordEnd: raw === '&' || raw === '$' || !ALNUM_RE.test(after),
    });
  }
  return out;
}

/** The normalised key of a name, the same form the matcher compares ("APT 28" = "apt28" = "APT-28"). */
const KEY_RE = /\p{L}+|\p{N}+|[&$]/gu;

/** The normalised tokens of a name (what the matcher compares), without building Token objects. */
export function keyTokens(name: string): string[] {
  return name.normalize('NFKC').toLowerCase().match(KEY_RE) ?? [];
}

/** The normalised key of a name, the same form the matcher compares ("APT 28" = "apt28" = "APT-28"). */
export function nameKey(name: string): string {
  return keyTokens(name).join(' ');
}
