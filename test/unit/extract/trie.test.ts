import { describe, expect, it } from 'vitest';
import { keyTokens, tokenize } from '../../../src/extract/tokens.js';
import { createTrie, trieInsert, trieMatchAll } from '../../../src/extract/trie.js';

function matches(names: string[], text: string): string[] {
  const trie = createTrie<string>();
  for (const n of names) trieInsert(trie, keyTokens(n), n);
  const toks = tokenize(text);
  return trieMatchAll(trie, toks).map((m) => `${m.value}@${m.from}-${m.to}`);
}

describe('token trie', () => {
  it('finds multi-token names and every prefix that is a name', () => {
    expect(matches(['Volt Typhoon', 'Volt'], 'Volt Typhoon struck')).toEqual([
      'Volt@0-1',
      'Volt Typhoon@0-2',
    ]);
  });

  it('matches only on word boundaries', () => {
    expect(matches(['Log'], 'a Log4j bug')).toEqual([]);
    expect(matches(['Log4j'], 'a Log4j bug')).toEqual(['Log4j@1-4']);
  });

  it('is case-insensitive at this level (case rules come later)', () => {
    expect(matches(['LockBit'], 'the lockbit gang')).toEqual(['LockBit@1-2']);
  });
});
