import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../../src/extract/sentences.js';

describe('splitSentences', () => {
  it('does not split after abbreviations, initials or dotted acronyms', () => {
    const s = splitSentences('The U.S. Treasury said so. Mr. Smith and M. K. Narayanan agreed. It ended.');
    expect(s.map((x) => x.text)).toEqual([
      'The U.S. Treasury said so.',
      'Mr. Smith and M. K. Narayanan agreed.',
      'It ended.',
    ]);
  });

  it('splits paragraphs and keeps closing quotes with their sentence', () => {
    const s = splitSentences('"We blame them." Officials agreed.\nNew paragraph here');
    expect(s.map((x) => x.text)).toEqual(['"We blame them."', 'Officials agreed.', 'New paragraph here']);
  });

  it('records offsets into the text', () => {
    const text = 'First one. Second one.';
    const [, second] = splitSentences(text);
    expect(second && text.slice(second.start, second.end)).toBe('Second one.');
  });
});
