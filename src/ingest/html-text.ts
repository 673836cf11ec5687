import { type CheerioAPI, load } from 'cheerio';

/** cheerio's node type, derived so we do not import its transitive dependency domhandler. */
type DomNode = ReturnType<ReturnType<CheerioAPI['root']>['contents']>[number];

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
const TRACKING_SELECTOR = [
  '.feedflare',
  'a[href*="feeds.feedburner.com/~ff/"]',
  'a[href*="feeds.feedburner.com/~a/"]',
  'a[href*="feedads."]',
].join(', ');

/** Cheap pre-check so most fragments skip the selector query. */
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
  // parses, and a fragment needs no HTML5 tree repair to yield its text.
  const $ = load(html, HTML_FRAGMENT, false);
  if (TRACKING_HINT.test(html)) $(TRACKING_SELECTOR).remove();
  const parts: string[] = [];
  for (const node of $.root().contents()) collect(node, parts, false);
  return tidy(parts.join(''));
}

/** Plain text from a title that may carry inline markup or leftover entities (`&lt;i&gt;` titles). */
export function inlineText(value: string): string {
  const hasMarkup = /<\/?[a-z][^>]*>|&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i.test(value);
  const text = hasMarkup ? htmlToText(value) : value;
  return collapse(text.replace(/\n+/g, ' '));
}

function collect(node: DomNode, parts: string[], preformatted: boolean): void {
  if (node.type === 'text') {
    parts.push(preformatted ? node.data : node.data.replace(/\s+/g, ' '));
    return;
  }
  if (node.type !== 'tag') return;
  const name = node.name.toLowerCase();
  if (SKIPPED.has(name)) return;
  if (name === 'br') {
    parts.push(BREAK);
    return;
  }
  const block = BLOCKS.has(name);
  if (block) parts.push(BREAK);
  for (const child of node.children) collect(child, parts, preformatted || name === 'pre');
  if (block) parts.push(BREAK);
  // Cells of one table row stay on one line.
  else if (name === 'td' || name === 'th') parts.push(' ');
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
