/**
 * Linear-time text measures over a parsed page, for main-text extraction. Every walk here uses an
 * explicit stack (no recursion, so no stack overflow on deep documents), and the per-element
 * measures are computed in one pass and kept current as blocks are removed, so deciding about N
 * nested candidates costs O(N · depth) instead of re-walking each subtree. Depth itself is capped
 * as browsers cap it.
 */
import type { CheerioAPI } from 'cheerio';

type DomNode = ReturnType<ReturnType<CheerioAPI['root']>['contents']>[number];
type ParentNode = DomNode & { children: DomNode[] };

/** Blink re-parents elements nested deeper than 512 into the element at that depth; so do we. */
export const MAX_TREE_DEPTH = 512;

/** Blocks whose text counts as prose (paragraphText). */
const PROSE_BLOCKS = new Set(['p', 'pre', 'blockquote']);
const INLINE = /^(?:a|b|i|em|strong|span|code|abbr|small|sup|sub|mark|q|cite|time|u|s)$/i;
const COMMA = /[,，、،]/g;

export interface TextMeasure {
  /** Characters of text, whitespace runs counted once and trimmed per text node. */
  length: number;
  commas: number;
}

interface ElementStats extends TextMeasure {
  /** Text inside links strictly below the element. */
  link: number;
  /** Text of prose blocks strictly below the element, links excluded. */
  prose: number;
}

function hasChildren(node: DomNode): node is ParentNode {
  return 'children' in node && Array.isArray((node as { children?: unknown }).children);
}

function tagName(node: DomNode): string | null {
  return 'name' in node && typeof node.name === 'string' && node.type !== 'directive'
    ? node.name.toLowerCase()
    : null;
}

/**
 * Flattens the tree below `maxDepth`: an element at that depth gets all its descendants as direct
 * children, in document order (so text and its order are kept, only the nesting goes).
 */
export function capDepth(root: DomNode, maxDepth = MAX_TREE_DEPTH): void {
  const stack: Array<[DomNode, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [DomNode, number];
    if (!hasChildren(node)) continue;
    if (depth >= maxDepth) {
      flatten(node);
      continue;
    }
    for (const child of node.children) stack.push([child, depth + 1]);
  }
}

function flatten(node: ParentNode): void {
  const flat: DomNode[] = [];
  const stack = [...node.children].reverse();
  while (stack.length > 0) {
    const current = stack.pop() as DomNode;
    flat.push(current);
    if (hasChildren(current) && current.children.length > 0) {
      for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i] as DomNode);
      current.children = [];
    }
  }
  if (flat.length !== node.children.length) relink(node, flat);
}

/**
 * Removes elements in batches: cheerio's remove() splices the parent's children array once per
 * element, which is quadratic for thousands of removed siblings. Marked elements are out of the
 * text measures at once and leave the tree at the next flush().
 */
export class Pruner {
  readonly #stats: TextStats | null;

  /** The measures this pruner keeps current (throws when it keeps none). */
  get stats(): TextStats {
    if (!this.#stats) throw new Error('Pruner without text stats');
    return this.#stats;
  }

  readonly #removed = new Set<DomNode>();
  readonly #parents = new Set<ParentNode>();

  constructor(stats: TextStats | null) {
    this.#stats = stats;
  }

  remove(node: DomNode): void {
    if (!this.attached(node)) return;
    this.#stats?.remove(node);
    this.#removed.add(node);
    if (node.parent) this.#parents.add(node.parent as ParentNode);
  }

  /** In the document: neither it nor an ancestor removed (or marked for removal). */
  attached(node: DomNode): boolean {
    let current: DomNode | null = node;
    for (;;) {
      if (this.#removed.has(current)) return false;
      const parent: DomNode | null = (current.parent as DomNode | null) ?? null;
      if (!parent) return current.type === 'root';
      current = parent;
    }
  }

  flush(): void {
    for (const parent of this.#parents) {
      const kept = parent.children.filter((child) => !this.#removed.has(child));
      relink(parent, kept);
    }
    for (const node of this.#removed) {
      const linked = node as { parent: unknown; prev: DomNode | null; next: DomNode | null };
      linked.parent = null;
      linked.prev = null;
      linked.next = null;
    }
    this.#removed.clear();
    this.#parents.clear();
  }
}

function relink(parent: ParentNode, children: DomNode[]): void {
  children.forEach((child, index) => {
    const linked = child as { parent: unknown; prev: DomNode | null; next: DomNode | null };
    linked.parent = parent;
    linked.prev = children[index - 1] ?? null;
    linked.next = children[index + 1] ?? null;
  });
  parent.children = children;
}

/** Drops every comment node, one pass over the tree. */
export function removeComments(root: DomNode): void {
  const stack: DomNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as DomNode;
    if (!hasChildren(node)) continue;
    if (node.children.some((child) => child.type === 'comment')) {
      relink(
        node,
        node.children.filter((child) => child.type !== 'comment'),
      );
    }
    for (const child of node.children) stack.push(child);
  }
}

/** cheerio's `.text()` without recursion; stops once `limit` characters are collected. */
export function textOf(node: DomNode, limit = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  let length = 0;
  const stack: DomNode[] = [node];
  while (stack.length > 0 && length < limit) {
    const current = stack.pop() as DomNode;
    if (current.type === 'text') {
      parts.push(current.data);
      length += current.data.length;
    } else if (current.type !== 'comment' && hasChildren(current)) {
      for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i] as DomNode);
    }
  }
  const text = parts.join('');
  return text.length > limit ? text.slice(0, limit) : text;
}

/** Length of `text.replace(/\s+/g, ' ').trim()` and its commas, without building it. */
function measureText(text: string): TextMeasure {
  const words = /\S+/g;
  let length = 0;
  let runs = 0;
  for (let match = words.exec(text); match !== null; match = words.exec(text)) {
    length += match[0].length;
    runs++;
  }
  return { length: runs === 0 ? 0 : length + runs - 1, commas: text.match(COMMA)?.length ?? 0 };
}

/** Per-element text, link and prose measures of a document, maintained under removal. */
export class TextStats {
  readonly #stats = new Map<DomNode, ElementStats>();

  constructor(root: DomNode) {
    // Pre-order with an explicit stack; text is added to its parent, then (in reverse pre-order,
    // which visits children before parents) each element's totals are added to its parent's.
    const order: DomNode[] = [];
    const stack: DomNode[] = [root];
    while (stack.length > 0) {
      const node = stack.pop() as DomNode;
      if (node.type === 'text') {
        const parent = node.parent as DomNode | null;
        if (parent) {
          const measure = measureText(node.data);
          const stats = this.#of(parent);
          stats.length += measure.length;
          stats.commas += measure.commas;
        }
        continue;
      }
      if (!hasChildren(node)) continue;
      order.push(node);
      this.#of(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as DomNode);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i] as DomNode;
      const parent = node.parent as DomNode | null;
      if (!parent) continue;
      const into = this.#of(parent);
      const contribution = this.#contribution(node);
      into.length += contribution.length;
      into.commas += contribution.commas;
      into.link += contribution.link;
      into.prose += contribution.prose;
    }
  }

  #of(node: DomNode): ElementStats {
    let stats = this.#stats.get(node);
    if (!stats) {
      stats = { length: 0, commas: 0, link: 0, prose: 0 };
      this.#stats.set(node, stats);
    }
    return stats;
  }

  /** What a child element adds to its parent's measures. */
  #contribution(node: DomNode): ElementStats {
    const stats = this.#of(node);
    const name = tagName(node);
    return {
      length: stats.length,
      commas: stats.commas,
      link: name === 'a' ? stats.length : stats.link,
      prose: name !== null && PROSE_BLOCKS.has(name) ? stats.length - stats.link : stats.prose,
    };
  }

  /** Text length (whitespace collapsed) and commas of an element. */
  measure(node: DomNode): TextMeasure {
    const { length, commas } = this.#of(node);
    return { length, commas };
  }

  length(node: DomNode): number {
    return this.#of(node).length;
  }

  /** Text inside `<p>`-like blocks, links excluded: a measure of prose, not of chrome. */
  paragraphText(node: DomNode): number {
    return this.#of(node).prose;
  }

  linkDensity(node: DomNode): number {
    const { length, link } = this.#of(node);
    return length === 0 ? 0 : Math.min(1, link / length);
  }

  /** Text directly inside an element or inside its inline children (a div's own prose). */
  ownText(node: DomNode): TextMeasure {
    const own = { ...this.measure(node) };
    if (!hasChildren(node)) return own;
    for (const child of node.children) {
      const name = tagName(child);
      if (name === null || INLINE.test(name)) continue;
      const measure = this.measure(child);
      own.length -= measure.length;
      own.commas -= measure.commas;
    }
    return own;
  }

  /** Takes an element's measures out of every ancestor; call before detaching it. */
  remove(node: DomNode): void {
    let delta = this.#contribution(node);
    for (let parent = node.parent as DomNode | null; parent; parent = parent.parent as DomNode | null) {
      const before = this.#contribution(parent);
      const stats = this.#of(parent);
      stats.length -= delta.length;
      stats.commas -= delta.commas;
      stats.link -= delta.link;
      stats.prose -= delta.prose;
      const after = this.#contribution(parent);
      delta = {
        length: before.length - after.length,
        commas: before.commas - after.commas,
        link: before.link - after.link,
        prose: before.prose - after.prose,
      };
    }
  }
}
