import { describe, expect, it } from 'vitest';
import { ENDORSED_WORD_RE } from '../../../src/attribution/claims.js';
import { RETRACT_RE, RETRACTION_HINT_RE, retractionIn } from '../../../src/attribution/cues.js';
import { lexicon } from '../../../src/extract/lexicon.js';

describe('the retraction cue', () => {
  it('lets every retraction phrase of the lexicon through its cheap first test', () => {
    const missed = lexicon.words('retractions').filter((w) => !RETRACTION_HINT_RE.test(w.replace(/\*/g, '')));
    expect(missed).toEqual([]);
  });

  it('finds the same retraction as the full pattern', () => {
    const text = 'Officials said they could not link the intrusions at the port to any state.';
    expect(retractionIn(text)?.[0]).toBe(RETRACT_RE.exec(text)?.[0]);
    expect(retractionIn(text)?.[0]).toBe('could not link');
  });

  it('finds none in a sentence that withdraws nothing', () => {
    expect(retractionIn('The ministry said Russian military hackers were behind the attack.')).toBeNull();
  });
});

describe('the endorsement cue', () => {
  it('lets every agreement phrase of the lexicon through its cheap first test', () => {
    const missed = lexicon.words('agreementPhrases').filter((w) => !ENDORSED_WORD_RE.test(w));
    expect(missed).toEqual([]);
  });
});
