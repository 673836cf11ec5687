/**
 * Multi-pattern matcher over normalised tokens: a token trie walked from every word start, so the
 * cost is linear in the text times the (short) depth of the names, independent of the dictionary size.
 * The trie is flat (one Map of edges keyed "node:token") so that loading thousands of names is cheap.
 */
import type { Token } from './tokens.js';

export interface Trie<T> {
  /** "nodeId\u0001token" → child node id; node 0 is the root. */
  edges: Map<string, number>;
  /** Values ending at each node. */
  out: (T[] | undefined)[];
  size: number;
}

export interface TrieMatch<T> {
  /** Token index range [from, to). */
  from: number;
  to: number;
  value: T;
}

export function createTrie<T>(): Trie<T> {
  return { edges: new Map(), out: [undefined], size: 1 };
}

export function trieInsert<T>(trie: Trie<T>, keys: readonly string[], value: T): void {
  if (keys.length === 0) return;
  let node = 0;
  for (const k of keys) {
    const edge = `${node}\u0001${k}`;
    let child = trie.edges.get(edge);
    if (child === undefined) {
      child = trie.size++;
      trie.edges.set(edge, child);
      trie.out.push(undefined);
    }
    node = child;
  }
  const list = trie.out[node];
  if (list) list.push(value);
  else trie.out[node] = [value];
}

/** Every dictionary match that starts and ends on word boundaries. */
export function trieMatchAll<T>(trie: Trie<T>, tokens: readonly Token[]): TrieMatch<T>[] {
  const found: TrieMatch<T>[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i];
    if (!first?.wordStart) continue;
    let node = 0;
    for (let j = i; j < tokens.length; j++) {
      const tok = tokens[j];
      if (!tok) break;
      const next = trie.edges.get(`${node}\u0001${tok.norm}`);
      if (next === undefined) break;
      node = next;
      const out = trie.out[node];
      if (out && tok.wordEnd) for (const value of out) found.push({ from: i, to: j + 1, value });
    }
  }
  return found;
}
