/**
 * Article HTML → {title, text, published}. Pure: no network, no clock. Metadata comes from the
 * head and JSON-LD; the body is found by preferring the page's own markup for "the article"
 * (itemprop=articleBody, <article>, <main>) when it holds the densest text, and otherwise by
 * scoring text blocks by length, commas and link density and keeping the best container.
 */
import { type CheerioAPI, load } from 'cheerio';
import { htmlToText, inlineText, nodesToText } from './html-text.js';
import { jsonLdArticle, pageTitle, publishedDate } from './page-metadata.js';
import { capDepth, Pruner, removeComments, TextStats, textOf } from './text-stats.js';

export interface MainText {
  title: string | null;
  /** One paragraph a line. */
  text: string;
  /** ISO 8601, or a bare YYYY-MM-DD when the page gives only a date. */
  published?: string;
}

type DomNode = ReturnType<ReturnType<CheerioAPI['root']>['contents']>[number];
type DomElement = Extract<DomNode, { tagName: string }>;

/** Never article text, wherever they are. */
const JUNK =
  'script, style, noscript, template, iframe, svg, canvas, object, embed, link, meta, button, select, input, ' +
  'textarea, dialog, [hidden], [aria-hidden="true"], [style*="display:none"], [style*="display: none"], ' +
  '.hidden, .is-hidden, .visually-hidden, .sr-only, .screen-reader-text';

/** Page chrome by element or role. */
const CHROME =
  'nav, header, footer, aside, form, [role="navigation"], [role="banner"], [role="contentinfo"], ' +
  '[role="complementary"], [role="search"], [role="dialog"]';

/** class/id words of boilerplate blocks (English, Spanish, Portuguese, German, French). */
const NEGATIVE =
  /(?:^|[-_\s])(?:comments?|commentaire|kommentare?|disqus|respond|reply|share|sharing|sharebar|social|socials|related|relacionad[ao]s?|relacionadas|verwandte|weitere|aussi|recommend(?:ed|ations)?|newsletter|subscribe|subscription|signup|promo|promotions?|ad|ads|advert|adverts|advertisement|anzeige|publicidad|sponsor(?:ed)?|breadcrumbs?|pagination|pager|footer|header|masthead|sidebar|widget|popup|modal|cookie|consent|menu|navbar|nav|navigation|toolbar|tags|tagcloud|taglist|author-bio|outbrain|taboola|trending|popular|most-read|more-stories|read-more|readmore|leemas|teaser-list|gallery-nav|print|rating|banner|login)(?:$|[-_\s])/i;

/** class/id words of article containers. */
const POSITIVE =
  /(?:^|[-_\s])(?:article|articlebody|article-body|body|content|entry|entry-content|main|post|post-body|post-content|text|story|blog|news|hentry|artikel|nota|noticia)(?:$|[-_\s])/i;

/** "Read more: …" teasers inlined in article bodies, in the languages of the feeds we watch. */
const READ_MORE =
  /^\s*(?:read more|read also|see also|related|more on this|lea más|lee también|ver también|leia (?:mais|também)|veja também|lesen sie auch|mehr zum thema|lire aussi|à lire aussi|voir aussi)\s*:/i;

/** Never removed for a class or id alone: containers of everything, and headings (heise ids them `nav_…`). */
const KEEP_BY_TAG = new Set(['html', 'body', 'article', 'main', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** Photo credits: a caption that carries one is picture furniture, not article text. */
const CREDIT =
  /©|\(c\)|\b(?:foto|fotos|bild|photo|image|credit|crédito|quelle|source)\s*:|getty images|shutterstock|stock\.adobe|istock|picture alliance|\bdpa\b/i;

/** Elements that make up an article's body text. */
const TEXT_BLOCKS = 'p, pre, blockquote, td, li, h2, h3, div, section';

/** Extracts the main text, title and publication date of an article page. */
export function extractMainText(html: string, _url?: string): MainText {
  const $ = load(html);
  const root = $.root().get(0) as DomNode;
  // Browsers re-parent elements nested deeper than this; so do we, which bounds every walk up the tree.
  capDepth(root);
  const ld = jsonLdArticle($);
  const title = pageTitle($, ld);
  const published = publishedDate($, ld);

  if (unwrapNoscriptArticles($)) capDepth(root);
  const junk = new Pruner(null);
  for (const element of $(JUNK).toArray()) junk.remove(element);
  junk.flush();
  removeComments(root);
  // Text measures of every element, computed once and kept up to date as blocks are removed:
  // measuring each candidate afresh would re-walk nested subtrees (quadratic on hostile pages).
  const stats = new TextStats(root);
  const body = $('body').get(0) ?? root;
  const total = stats.paragraphText(body);
  removeChrome($, new Pruner(stats), total);

  const nodes = mainNodes($, stats);
  for (const node of nodes) cleanInside($, stats, node);
  let text = nodes
    .map((node) => nodesToText([node]))
    .filter((part) => part !== '')
    .join('\n');
  text = dropBoilerplateLines(text);

  const ldBody = ld.articleBody === undefined ? '' : ldText(ld.articleBody);
  if (ldBody.length >= 500 && text.length < ldBody.length * 0.6) text = ldBody;
  // A page that renders its body with JavaScript leaves little but its description.
  if (text.length < 200) {
    const description = inlineText(
      $('meta[property="og:description"]').attr('content') ??
        $('meta[name="description"]').attr('content') ??
        '',
    );
    if (description.length > text.length) text = description;
  }
  return { title, text, ...(published ? { published } : {}) };
}

/**
 * Blogger (and other templates that render the post with JavaScript) ships the article only in
 * <noscript>, which the parser keeps as raw text: put real prose back into the tree. True when
 * something was put back.
 */
function unwrapNoscriptArticles($: CheerioAPI): boolean {
  let unwrapped = false;
  $('noscript').each((_, element) => {
    const markup = textOf(element);
    if (markup.length < 200 || !/<p[\s>]/i.test(markup)) return;
    const fragment = load(markup, null, false);
    capDepth(fragment.root().get(0) as DomNode);
    const prose = fragment('p')
      .toArray()
      .reduce((sum, block) => sum + textOf(block).trim().length, 0);
    if (prose >= 200) {
      $(element).replaceWith(markup);
      unwrapped = true;
    }
  });
  return unwrapped;
}

/**
 * Removes navigation, sidebars, share bars, comment sections, ads and related-article lists,
 * except a block that holds most of the page's paragraph text (a layout wrapper with an unlucky
 * class name, or an ASP.NET page inside one <form>).
 */
function removeChrome($: CheerioAPI, pruner: Pruner, total: number): void {
  const stats = pruner.stats;
  const keeps = (element: DomNode): boolean => total > 0 && stats.paragraphText(element) >= total * 0.5;
  $(CHROME).each((_, element) => {
    if (pruner.attached(element) && !keeps(element)) pruner.remove(element);
  });
  $('[class], [id]').each((_, element) => {
    const name = element.tagName.toLowerCase();
    if (KEEP_BY_TAG.has(name)) return;
    const hints = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`;
    if (!NEGATIVE.test(hints)) return;
    if (POSITIVE.test(hints) && !/comment|share|social|related|relacionad/i.test(hints)) return;
    if (pruner.attached(element) && !keeps(element)) pruner.remove(element);
  });
  pruner.flush();
}

/** The node(s) holding the article, in document order. */
function mainNodes($: CheerioAPI, stats: TextStats): DomElement[] {
  const scored = bestScored($, stats);
  const semantic = bestSemantic($, stats);
  if (semantic && (scored.length === 0 || scored.every((node) => contains(semantic.node, node)))) {
    const scoredLength = scored.reduce((sum, node) => sum + stats.length(node), 0);
    const semanticLength = stats.length(semantic.node);
    // <main> often wraps more than the article; take it only when it adds little to the scored body.
    if (semantic.kind !== 'main' || scoredLength === 0 || semanticLength <= scoredLength * 1.6) {
      return [semantic.node];
    }
  }
  if (scored.length > 0) return scored;
  if (semantic) return [semantic.node];
  const body = $('body').get(0);
  return body ? [body] : [];
}

function contains(ancestor: DomElement, node: DomElement): boolean {
  for (let current: DomElement | null = node; current; current = parentElement(current)) {
    if (current === ancestor) return true;
  }
  return false;
}

function isElement(node: DomNode): node is DomElement {
  return node.type === 'tag';
}

function parentElement(node: DomNode): DomElement | null {
  const parent = node.parent;
  return parent && parent.type === 'tag' ? (parent as DomElement) : null;
}

/** The page's own article container, when it holds real prose. */
function bestSemantic(
  $: CheerioAPI,
  stats: TextStats,
): { node: DomElement; kind: 'body' | 'article' | 'main' } | undefined {
  const groups: Array<{ selector: string; kind: 'body' | 'article' | 'main' }> = [
    { selector: '[itemprop="articleBody"]', kind: 'body' },
    { selector: 'article', kind: 'article' },
    { selector: 'main, [role="main"]', kind: 'main' },
  ];
  for (const { selector, kind } of groups) {
    let best: DomElement | undefined;
    let bestLength = 0;
    $(selector).each((_, element) => {
      if (!isElement(element)) return;
      const length = stats.paragraphText(element);
      if (length > bestLength) {
        best = element;
        bestLength = length;
      }
    });
    if (best && bestLength >= 200 && stats.linkDensity(best) < 0.5) return { node: best, kind };
  }
  return undefined;
}

/**
 * Readability-style scoring, own rules: every text block adds 1 + its commas + up to 3 for its
 * length to its parent, half to its grandparent, a third above that; a container's class/id
 * shifts its score, and link-heavy containers lose in proportion. The best container wins,
 * joined by siblings that score well or read like paragraphs.
 */
function bestScored($: CheerioAPI, stats: TextStats): DomElement[] {
  const scores = new Map<DomElement, number>();
  const initial = (element: DomElement): number => {
    const hints = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`;
    let score = 0;
    if (POSITIVE.test(hints)) score += 25;
    if (NEGATIVE.test(hints)) score -= 25;
    const name = element.tagName.toLowerCase();
    if (name === 'article') score += 10;
    if (name === 'div' || name === 'section') score += 5;
    return score;
  };
  $(TEXT_BLOCKS).each((_, block) => {
    const name = block.tagName.toLowerCase();
    // A div or section counts as a text block only for text that sits directly inside it.
    const measure =
      name === 'div' || name === 'section' || name === 'li' ? stats.ownText(block) : stats.measure(block);
    if (measure.length < 25) return;
    const points = 1 + measure.commas + Math.min(Math.floor(measure.length / 100), 3);
    let ancestor = parentElement(block);
    for (let level = 0; ancestor && level < 3; level++) {
      const name2 = ancestor.tagName.toLowerCase();
      if (name2 === 'html') break;
      scores.set(
        ancestor,
        (scores.get(ancestor) ?? initial(ancestor)) + points / (level === 0 ? 1 : level + 1),
      );
      ancestor = parentElement(ancestor);
    }
  });
  let top: DomElement | undefined;
  let topScore = Number.NEGATIVE_INFINITY;
  const final = new Map<DomElement, number>();
  for (const [element, score] of scores) {
    const value = score * (1 - stats.linkDensity(element));
    final.set(element, value);
    if (value > topScore) {
      top = element;
      topScore = value;
    }
  }
  if (!top || topScore <= 0) return [];
  const parent = parentElement(top);
  if (!parent) return [top];
  const threshold = Math.max(10, topScore * 0.2);
  const picked: DomElement[] = [];
  for (const sibling of parent.children) {
    if (sibling.type !== 'tag') continue;
    const element = sibling as DomElement;
    if (element === top) {
      picked.push(element);
      continue;
    }
    const score = final.get(element) ?? 0;
    if (score >= threshold) {
      picked.push(element);
      continue;
    }
    if (element.tagName.toLowerCase() === 'p') {
      const length = stats.length(element);
      const density = stats.linkDensity(element);
      if (
        (length > 80 && density < 0.25) ||
        (length > 0 && length <= 80 && density === 0 && /[.!?。]$/.test(textOf(element).trim()))
      ) {
        picked.push(element);
      }
    }
  }
  return picked;
}

/** Inside the chosen body: link lists, read-more teasers and empty shells go. */
function cleanInside($: CheerioAPI, stats: TextStats, root: DomElement): void {
  const pruner = new Pruner(stats);
  $(root)
    .find('a, p, li, div, span, strong, b')
    .each((_, element) => {
      // Only short blocks can be a teaser; their text is read, never a long one's.
      const length = stats.length(element);
      if (length === 0 || length >= 300 || !pruner.attached(element)) return;
      const text = textOf(element);
      if (READ_MORE.test(text) && text.length < 300) pruner.remove(element);
    });
  pruner.flush();
  $(root)
    .find('figcaption')
    .each((_, element) => {
      if (pruner.attached(element) && CREDIT.test(textOf(element, 2_000))) pruner.remove(element);
    });
  pruner.flush();
  $(root)
    .find('ul, ol, dl, div, section, table, p')
    .each((_, element) => {
      const length = stats.length(element);
      if (length === 0 || !pruner.attached(element)) return;
      if (length < 400 && stats.linkDensity(element) > 0.6) pruner.remove(element);
    });
  pruner.flush();
  // Headings left with nothing after them (the title of a removed related-news block).
  $(root)
    .find('h2, h3, h4')
    .each((_, element) => {
      let next = element.next;
      while (next && next.type === 'text' && next.data.trim() === '') next = next.next;
      if (next === null && parentElement(element) !== root) pruner.remove(element);
    });
  pruner.flush();
}

/** Lines that are widget labels rather than prose. */
const BOILERPLATE_LINE =
  /^(?:share this( article| story)?:?|share|tweet|email|print|advertisement|anzeige|publicidad|werbung|comments?|write a comment|leave a (?:comment|reply))$/i;

function dropBoilerplateLines(text: string): string {
  const lines = text.split('\n').filter((line) => !BOILERPLATE_LINE.test(line.trim()));
  // Labels left dangling at the end once their link lists went ("Siehe auch:", "Related:").
  while (lines.length > 0 && /^.{0,40}:$/.test(lines[lines.length - 1] ?? '')) lines.pop();
  return lines.join('\n');
}

function ldText(body: string): string {
  return htmlToText(body.includes('<') ? body : body.replace(/\r?\n/g, '<br>'));
}
