import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../../../src/attribution/analyze.js';
import { renderExplanation } from '../../../src/attribution/explain.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';

const knowledge = loadKnowledge();

describe('renderExplanation', () => {
  it('shows entities, claims with their parts, hedges, confidence and the alert', () => {
    const analysis = analyzeArticle(
      {
        id: 'e1',
        title: 'Australia blames China for hack',
        text: 'The Australian government blamed APT40, a Chinese state-sponsored group, for exploiting Microsoft Exchange servers at a ministry. Beijing denied the accusation as groundless. Investigators said the group likely stole passwords.',
      },
      knowledge,
    );
    const text = renderExplanation(analysis);
    expect(text).toContain('APT40');
    expect(text).toMatch(/Claims:\n {2}#1 title \[blame, live\]/);
    expect(text).toMatch(/Australia .*→ .*China/);
    expect(text).toMatch(/denial \(reported\)/);
    expect(text).toMatch(/Confidence: 0\.\d\d — official government attribution/);
    expect(text).toContain('**China (APT40) blamed for Microsoft Exchange Server compromise**');
    expect(text).toContain('Attributed by: Australia');
  });

  it('says why there is no alert', () => {
    const text = renderExplanation(
      analyzeArticle({ id: 'e2', title: null, text: 'Shares rose 3% on strong earnings.' }, knowledge),
    );
    expect(text).toContain('(no alert: not an attribution story');
  });
});
