/**
 * Multi-pattern matcher over normalised tokens: a token trie walked from every word start, so the
 * cost is linear in the text times the (short) depth of the names, independent of the dictionary size.
 * Each node with children has one Map keyed by token: a text's word is looked up as it is, with no key
 * to build, and most words stop at the root.
 */
import type { Token } from './tokens.js';

export interface Trie<T> {
  /** Child node ids of each node by token; node 0 is the root, leaves have none. */
  children: (Map<string, number> | undefined)[];
  /** Values ending at each node. */
  out: (T[] | undefined)[];
}

export interface TrieMatch<T> {
  /** Token index range [from, to). */
  from: number;
  to: number;
  value: T;
}

export function createTrie<T>(): Trie<T> {
  return { children: [undefined], out: [undefined] };
}

export function trieInsert<T>(trie: Trie<T>, keys: readonly string[], value: T): void {
  if (keys.length === 0) return;
  let node = 0;
  for (const k of keys) {
    let edges = trie.children[node];
    if (!edges) {
      edges = new Map();
      trie.children[node] = edges;
    }
    let child = edges.get(k);
    if (child === undefined) {
      child = trie.out.length;
      edges.set(k, child);
      trie.children.push(undefined);
      trie.out.push(undefined);
    }
    node = child;
  }
  const list = trie.out[node];
  if (list) list.push(value);
  else trie.out[node] = [value];
}

/** The values stored under exactly these keys. */
export function trieLookup<T>(trie: Trie<T>, keys: readonly string[]): readonly T[] {
  let node: number | undefined = 0;
  for (const k of keys) {
    node = trie.children[node]?.get(k);
    if (node === undefined) return [];
  }
  return trie.out[node] ?? [];
}

/** Every dictionary match that starts and ends on word boundaries. */
export function trieMatchAll<T>(trie: Trie<T>, tokens: readonly Token[]): TrieMatch<T>[] {
  const found: TrieMatch<T>[] = [];
  const root = trie.children[0];
  if (!root) return found;
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i];
    if (!first?.wordStart) continue;
    let node = root.get(first.norm);
    for (let j = i; node !== undefined; ) {
      const out = trie.out[node];
      if (out && tokens[j]?.wordEnd) for (const value of out) found.push({ from: i, to: j + 1, value });
      const next = tokens[++j];
      if (!next) break;
      node = trie.children[node]?.get(next.norm);
    }
  }
  return found;
}
