import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../../../src/attribution/analyze.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';

const knowledge = loadKnowledge();
const TITLE = 'Microsoft says Iranian group behind attacks on Israeli water utilities';
const BODY = [
  'Microsoft on Thursday attributed a series of intrusions into Israeli water utilities to an Iranian state-sponsored group it tracks as Mint Sandstorm, also known as APT35.',
  'The company said the attackers exploited weak passwords on internet-facing controllers.',
  'Utilities were urged to change default credentials.',
];

describe('the lead of an article page', () => {
  it('skips the repeated headline and the byline line before the first prose sentences', () => {
    const page = [TITLE, 'By Jane Smith | November 28, 2026', ...BODY].join('\n');
    const fromPage = analyzeArticle({ id: 'page', title: TITLE, text: page }, knowledge).attribution;
    const fromSummary = analyzeArticle(
      { id: 'summary', title: TITLE, text: BODY.join('\n') },
      knowledge,
    ).attribution;
    expect(fromSummary.is_attribution).toBe(true);
    expect(fromPage.is_attribution).toBe(true);
    expect(fromPage.confidence).toBe(fromSummary.confidence);
    expect(fromPage.attributed_countries).toEqual(['Iran']);
  });
});
