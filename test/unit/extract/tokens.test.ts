import { describe, expect, it } from 'vitest';
import { keyTokens, nameKey, tokenize } from '../../../src/extract/tokens.js';

describe('tokenize', () => {
  it('splits letter and digit runs and keeps offsets', () => {
    const toks = tokenize('APT28 hit U.S. firms');
    expect(toks.map((t) => t.raw)).toEqual(['APT', '28', 'hit', 'U', 'S', 'firms']);
    expect(toks[0]).toMatchObject({ start: 0, end: 3, wordStart: true, wordEnd: false });
    expect(toks[1]).toMatchObject({ start: 3, end: 5, wordStart: false, wordEnd: true });
  });

  it('applies an offset', () => {
    expect(tokenize('Iran', 10)[0]).toMatchObject({ start: 10, end: 14, norm: 'iran' });
  });
});

describe('nameKey', () => {
  it.each([
    ['APT28', 'APT 28'],
    ['APT-28', 'apt28'],
    ['Storm-0558', 'Storm 0558'],
    ['UNC3944', 'UNC 3944'],
    ["People's Liberation Army", 'People’s Liberation Army'],
  ])('%s = %s', (a, b) => {
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it('keeps & and $ as tokens', () => {
    expect(keyTokens('Lapsus$')).toEqual(['lapsus', '$']);
    expect(keyTokens('AT&T')).toEqual(['at', '&', 't']);
  });
});
