import { type CheerioAPI, load } from 'cheerio';

/** cheerio's node type, derived so we do not import its transitive dependency domhandler. */
export type DomNode = ReturnType<ReturnType<CheerioAPI['root']>['contents']>[number];

/** Elements whose content never reads as article text. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'canvas',
  'img',
  'picture',
  'video',
  'audio',
  'source',
  'head',
  'button',
  'form',
  'select',
  'input',
  'textarea',
]);

/** Elements that end a line of text before and after themselves. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'tfoot',
  'thead',
  'tr',
  'ul',
]);

/** FeedBurner flare bars, share widgets and tracking links appended to item bodies. */
const TRACKING_HREF = /feeds\.feedburner\.com\/~[fa]\/|feedads\./;

/** Cheap pre-check so most fragments skip the tracking test per element. */
const TRACKING_HINT = /feedflare|feedburner\.com\/~|feedads\./;

const BREAK = '\n';

const HTML_FRAGMENT = { xml: { xmlMode: false, decodeEntities: true } } as const;

/**
 * Converts an HTML fragment (an item's content or description) to readable plain text:
 * one line per block, entities decoded, scripts/styles/images/tracking removed.
 */
export function htmlToText(html: string): string {
  if (!html) return '';
  // Plain text (many descriptions): no parse needed.
  if (!/[<&]/.test(html)) return tidy(html.replace(/\s+/g, ' '));
  // htmlparser2 rather than parse5: several times faster on the thousands of fragments a poll
  // parses, and a fragment needs no HTML5 tree repair to yield its text. Its tag stack costs time
  // in proportion to the depth at every tag, so a hostile fragment is flattened first.
  const fragment = html.length > MAX_FRAGMENT_CHARS ? cutAtTag(html, MAX_FRAGMENT_CHARS) : html;
  const $ = load(capNesting(fragment, MAX_DEPTH), HTML_FRAGMENT, false);
  return nodesToText($.root().contents().toArray(), TRACKING_HINT.test(html));
}

/** An item body's HTML read at most (its text is cut to far less before analysis anyway). */
const MAX_FRAGMENT_CHARS = 1_000_000;

/** The first `length` characters, without a tag cut in half at the end. */
function cutAtTag(html: string, length: number): string {
  const cut = html.slice(0, length);
  const open = cut.lastIndexOf('<');
  return open > cut.lastIndexOf('>') ? cut.slice(0, open) : cut;
}

/** Nesting deeper than any prose (browsers stop nesting at 512): tags below it are dropped, their text kept. */
const MAX_DEPTH = 256;

const VOID_TAGS = new Set('area base br col embed hr img input link meta param source track wbr'.split(' '));
const TAG_NAME = /\/?([A-Za-z][^\s/>]*)/y;

/**
 * The fragment with every tag nested deeper than `maxDepth` removed (their text stays), in one
 * linear pass. Depth is counted from open and close tags as written, so a fragment full of
 * unclosed `<p>`s may lose some markup past the cap: only its line breaks, never its words.
 */
export function capNesting(html: string, maxDepth: number): string {
  let depth = 0;
  const kept: string[] = [];
  let copiedTo = 0;
  for (let at = html.indexOf('<'); at !== -1 && at < html.length; at = html.indexOf('<', at)) {
    if (html.startsWith('<!--', at)) {
      const end = html.indexOf('-->', at + 4);
      at = end === -1 ? html.length : end + 3;
      continue;
    }
    TAG_NAME.lastIndex = at + 1;
    const match = TAG_NAME.exec(html);
    const close = html.indexOf('>', at + 1);
    if (!match || close === -1) {
      at++;
      continue;
    }
    const closing = html[at + 1] === '/';
    const name = (match[1] as string).toLowerCase();
    const selfClosing = VOID_TAGS.has(name) || html[close - 1] === '/';
    const level = closing ? depth : depth + 1;
    if (closing) depth = Math.max(0, depth - 1);
    else if (!selfClosing) depth++;
    if (level > maxDepth && !selfClosing) {
      kept.push(html.slice(copiedTo, at));
      copiedTo = close + 1;
    }
    at = close + 1;
  }
  if (copiedTo === 0) return html;
  kept.push(html.slice(copiedTo));
  return kept.join('');
}

/**
 * The text of parsed nodes, one line per block. An explicit stack rather than recursion: a
 * document of 100,000 nested tags must not overflow the call stack.
 */
export function nodesToText(nodes: readonly DomNode[], dropTracking = true): string {
  const parts: string[] = [];
  // Entries are nodes to visit or strings to emit once a block's children are done.
  const stack: Array<{ node: DomNode; pre: boolean } | string> = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push({ node: nodes[i] as DomNode, pre: false });
  while (stack.length > 0) {
    const entry = stack.pop() as { node: DomNode; pre: boolean } | string;
    if (typeof entry === 'string') {
      parts.push(entry);
      continue;
    }
    const { node, pre } = entry;
    if (node.type === 'text') {
      parts.push(pre ? node.data : node.data.replace(/\s+/g, ' '));
      continue;
    }
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') continue;
    const name = node.name.toLowerCase();
    if (SKIPPED.has(name)) continue;
    if (name === 'br') {
      parts.push(BREAK);
      continue;
    }
    if (dropTracking && isTracking(name, node.attribs)) continue;
    const block = BLOCKS.has(name);
    if (block) parts.push(BREAK);
    // Cells of one table row stay on one line.
    const after = block ? BREAK : name === 'td' || name === 'th' ? ' ' : '';
    if (after) stack.push(after);
    const childPre = pre || name === 'pre';
    const { children } = node;
    for (let i = children.length - 1; i >= 0; i--)
      stack.push({ node: children[i] as DomNode, pre: childPre });
  }
  return tidy(parts.join(''));
}

function isTracking(name: string, attribs: Record<string, string>): boolean {
  const { class: className, href } = attribs;
  if (className !== undefined && /(?:^|\s)feedflare(?:\s|$)/.test(className)) return true;
  return name === 'a' && href !== undefined && TRACKING_HREF.test(href);
}

/** Longest title or label read as inline text; past it the rest is cut (a title is never this long). */
const INLINE_MAX = 2_000;

/** Plain text from a title that may carry inline markup or leftover entities (`&lt;i&gt;` titles). */
export function inlineText(value: string): string {
  const text = value.length > INLINE_MAX ? value.slice(0, INLINE_MAX) : value;
  const converted = hasMarkup(text) ? htmlToText(text) : text;
  return collapse(converted.replace(/\n+/g, ' '));
}

/**
 * A tag (`<b>`, `</i>`) or an entity. The same test as `/<\/?[a-z][^>]*>/i` without its
 * backtracking: a tag start counts when any `>` follows it.
 */
function hasMarkup(value: string): boolean {
  if (/&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i.test(value)) return true;
  const start = /<\/?[a-z]/i.exec(value);
  return start !== null && value.lastIndexOf('>') > start.index;
}

/** Trims each line, drops empty ones, and removes invisible characters. */
function tidy(text: string): string {
  return (
    text
      // Soft hyphens and zero-width spaces; ZWJ/ZWNJ stay, they carry meaning in emoji and Persian.
      .replace(/[\u00ad\u200b\u2060\ufeff]/g, '')
      .split(/\r?\n/)
      .map(collapse)
      .filter((line) => line !== '')
      .join('\n')
  );
}

function collapse(line: string): string {
  return line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim();
}
