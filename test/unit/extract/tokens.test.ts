import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyTokens, nameKey, type Token, tokenize } from '../../../src/extract/tokens.js';

/** The definition tokenize implements by hand: the matches of one Unicode regex. */
function tokenizeByRegex(text: string, offset = 0): Token[] {
  const alnum = (unit: string | undefined): boolean => /[\p{L}\p{N}]/u.test(unit ?? '');
  return [...text.matchAll(/\p{L}+|\p{N}+|[&$]/gu)].map((m) => {
    const raw = m[0];
    const start = m.index;
    const end = start + raw.length;
    const sign = raw === '&' || raw === '$';
    return {
      raw,
      norm: raw.toLowerCase(),
      start: start + offset,
      end: end + offset,
      wordStart: sign || !alnum(text[start - 1]),
      wordEnd: sign || !alnum(text[end]),
    };
  });
}

/** Deterministic strings over letters, digits and separators of several scripts, surrogate halves included. */
function fuzzTexts(count: number): string[] {
  const alphabet = [
    ...'aZ09 &$-.’\'"\n\t_@',
    'é',
    'ß',
    'İ',
    'ſ',
    'K',
    'Ω',
    'Ж',
    'ж',
    'α',
    '中',
    '文',
    'ا',
    '٣',
    '۴',
    '²',
    '½',
    'Ⅻ',
    '₂',
    '\u0301',
    '\u200b',
    '\u00a0',
    '—',
    '–',
    '“',
    '”',
    '𝐀',
    '𝟙',
    '😀',
    '𐐀',
    '\ud835',
    '\udc00',
  ];
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: count }, () =>
    Array.from(
      { length: 1 + Math.floor(random() * 40) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join(''),
  );
}

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

  it('finds exactly the tokens of /\\p{L}+|\\p{N}+|[&$]/gu, in any script and with broken surrogates', () => {
    for (const text of fuzzTexts(3000)) expect(tokenize(text, 7)).toEqual(tokenizeByRegex(text, 7));
  });

  it('finds exactly the regex tokens in the project articles', () => {
    const file = new URL('../../fixtures/articles/articles.json', import.meta.url);
    const articles = JSON.parse(readFileSync(file, 'utf8')) as { title: string | null; text: string }[];
    for (const a of articles)
      expect(tokenize(`${a.title ?? ''}\n${a.text}`)).toEqual(tokenizeByRegex(`${a.title ?? ''}\n${a.text}`));
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

  it('gives ASCII names the same key as the full Unicode definition', () => {
    const byDefinition = (name: string): string[] =>
      name
        .normalize('NFKC')
        .toLowerCase()
        .match(/\p{L}+|\p{N}+|[&$]/gu) ?? [];
    const names = [
      'APT-28',
      'Cisco Systems, Inc.',
      'AT&T',
      'Lapsus$',
      "People's Army",
      '  ',
      'x_y~z',
      'v2.1b',
    ];
    for (const name of [...names, ...fuzzTexts(2000).filter((t) => !/[\u0080-\uffff]/.test(t))])
      expect(keyTokens(name)).toEqual(byDefinition(name));
  });

  it('keeps & and $ as tokens', () => {
    expect(keyTokens('Lapsus$')).toEqual(['lapsus', '$']);
    expect(keyTokens('AT&T')).toEqual(['at', '&', 't']);
  });
});
