/**
 * Untrusted text (anything from a feed or an article) → safe Discord text. One path for every
 * string: strip invisible and control characters → escape markdown → neutralise mentions and links
 * → measure → cut at a word boundary.
 */

export const ELLIPSIS = '…';
const ZWSP = '\u200b';

/** Invisible characters a feed can use to hide or split text: format chars (\p{Cf}), fillers, blank braille. */
const INVISIBLE = /\p{Cf}|\u034f|[\u115f\u1160\u2800\u3164\uffa0]/gu;
const CONTROL_OR_SPACE = /[\p{Cc}\p{Z}\s]+/gu;

/** Untrusted text → one clean line: NFC, no invisible or control characters, single spaces. */
export function cleanText(value: string | null | undefined): string {
  if (!value) return '';
  return value.normalize('NFC').replace(INVISIBLE, '').replace(CONTROL_OR_SPACE, ' ').trim();
}

/** Backslash-escapes Discord markdown, including list markers at the start. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|>#[\]()]/g, '\\$&')
    .replace(/^([-+])/, '\\$1')
    .replace(/^(\d+)\.(?=\s)/, '$1\\.');
}

/** Breaks pings, `<…>` syntax (mentions, channels, timestamps, emoji), autolinks and invites. */
export function neutralise(text: string): string {
  return text
    .replace(/@(?=everyone|here)/gi, `@${ZWSP}`)
    .replace(/</g, `<${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/discord(?=(?:app)?\.(?:gg|com\/invite)\b)/gi, `discord${ZWSP}`);
}

export type Render = (clean: string) => string;

export function markdownSafe(clean: string): string {
  return neutralise(escapeMarkdown(clean));
}

/**
 * Renders `clean` and, when longer than `max`, cuts it at a word boundary (or a character when one
 * word is too long) so that the rendered prefix plus "…" fits.
 */
export function fitText(clean: string, max: number, render: Render): string {
  const full = render(clean);
  if (full.length <= max) return full;
  if (max < 1) return '';
  const chars = Array.from(clean);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (render(chars.slice(0, mid).join('')).length + ELLIPSIS.length <= max) lo = mid;
    else hi = mid - 1;
  }
  let cut = chars.slice(0, lo).join('');
  const atBoundary = chars[lo] === ' ';
  const space = cut.lastIndexOf(' ');
  if (!atBoundary && space > cut.length * 0.6) cut = cut.slice(0, space);
  cut = cut.replace(/[\s,;:.\-–—]+$/u, '');
  return `${render(cut)}${ELLIPSIS}`;
}

/** Joins rendered items while they fit; the rest become "+N more". */
export function fitItems(items: readonly string[], separator: string, max: number): string {
  const more = (n: number): string => `${separator === '\n' ? '\n' : ' '}+${n} more`;
  let out = '';
  for (const [index, item] of items.entries()) {
    const next = out ? `${out}${separator}${item}` : item;
    const left = items.length - index - 1;
    if (next.length + (left > 0 ? more(left).length : 0) > max) {
      const tail = more(items.length - index);
      return out ? `${out}${tail}` : tail.trimStart();
    }
    out = next;
  }
  return out;
}

/** Keeps only absolute http(s) URLs Discord will accept as an embed url. */
export function safeUrl(value: string | undefined): string | undefined {
  const clean = cleanText(value);
  if (!clean || clean.length > 2048 || !URL.canParse(clean)) return undefined;
  const url = new URL(clean);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.href;
}

/** Characters that could end or restyle a markdown link target; URL serialisation leaves these as they are. */
const LINK_BREAKERS = /[()[\]<>`\\\s]/g;

/**
 * A URL as the target of a markdown link (`[title](<target>)`): http(s) only, credentials dropped,
 * and every character that could close the link or open another percent-encoded, so no article
 * URL can inject a link of its own. The host is left alone (an IPv6 host keeps its brackets).
 */
export function linkTarget(value: string | undefined): string | undefined {
  const safe = safeUrl(value);
  if (!safe) return undefined;
  const url = new URL(safe);
  const rest = `${url.pathname}${url.search}${url.hash}`.replace(
    LINK_BREAKERS,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `${url.protocol}//${url.host}${rest}`;
}
