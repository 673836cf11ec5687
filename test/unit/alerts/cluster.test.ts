import { describe, expect, it } from 'vitest';
import {
  addReport,
  findStory,
  isNewClaim,
  mergeAttributions,
  newStory,
  type StoryReport,
  similarity,
  titleTokens,
} from '../../../src/alerts/cluster.js';
import type { Attribution } from '../../../src/attribution/attribution.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const settings = { windowMs: 72 * 3_600_000, threshold: 0.6 };

function attribution(overrides: Partial<Attribution>): Attribution {
  return {
    id: 'x',
    is_attribution: true,
    actors: [],
    attributed_countries: [],
    attributing_parties: [],
    products: [],
    cves: [],
    confidence: 0.8,
    confidence_reason: 'vendor attribution',
    evidence: [],
    ...overrides,
  };
}

function report(title: string, overrides: Partial<Attribution>, sourceName = 'Desk'): StoryReport {
  return {
    title,
    sourceName,
    url: `https://${sourceName.toLowerCase().replace(/\s/g, '')}.example/a`,
    attribution: attribution(overrides),
  };
}

const mss = { name: 'Ministry of State Security', aliases: ['MSS'], country: 'China', stated: true };
const hafnium = { name: 'Silk Typhoon', aliases: ['HAFNIUM'], country: 'China', stated: false };

const exchangeStory = newStory(
  report('US and allies blame China for Microsoft Exchange hack', {
    actors: [mss],
    attributed_countries: ['China'],
    attributing_parties: ['United States'],
    products: ['Microsoft Exchange Server'],
  }),
  NOW,
);

describe('similarity and findStory', () => {
  it('joins another outlet reporting the same incident in other words', () => {
    const other = report(
      'Beijing accused over Exchange server breaches',
      {
        actors: [{ ...mss, aliases: [] }],
        attributed_countries: ['China'],
        products: ['Microsoft Exchange Server'],
      },
      'Wire',
    );
    expect(similarity(exchangeStory, other)).toBeGreaterThan(0.6);
    expect(findStory([exchangeStory], other, NOW, settings)).toBe(exchangeStory);
  });

  it('joins on a shared CVE alone', () => {
    const story = newStory(report('Ivanti flaw exploited', { cves: ['CVE-2024-21887'] }), NOW);
    expect(similarity(story, report('Chinese spies hit VPNs', { cves: ['CVE-2024-21887'] }))).toBe(1);
  });

  it('keeps apart a different incident blamed on the same country', () => {
    const other = report(
      'China-linked hackers breached telecom routers, FBI says',
      { attributed_countries: ['China'], products: ['Cisco IOS XE'], attributing_parties: ['FBI'] },
      'Wire',
    );
    expect(findStory([exchangeStory], other, NOW, settings)).toBeNull();
  });

  it('ignores stories older than the window', () => {
    const old = { ...exchangeStory, createdAt: '2026-11-20T00:00:00.000Z' };
    const same = report('Exchange hack blamed on China', {
      actors: [mss],
      products: ['Microsoft Exchange Server'],
    });
    expect(findStory([old], same, NOW, settings)).toBeNull();
  });

  it('drops stopwords and short words from headlines', () => {
    expect(titleTokens('US blames China for the Exchange hack')).toEqual(['china', 'exchange']);
  });
});

describe('merging reports', () => {
  it('a known actor under another name is not a new claim; a new actor or country is', () => {
    expect(
      isNewClaim(exchangeStory.attribution, attribution({ actors: [{ ...mss, name: 'MSS', aliases: [] }] })),
    ).toBe(false);
    expect(isNewClaim(exchangeStory.attribution, attribution({ actors: [hafnium] }))).toBe(true);
    expect(isNewClaim(exchangeStory.attribution, attribution({ attributed_countries: ['Russia'] }))).toBe(
      true,
    );
  });

  it('adds outlets once and merges claims', () => {
    const wire = report(
      'Exchange hack: allies point at Beijing',
      {
        actors: [hafnium],
        attributed_countries: ['China'],
        attributing_parties: ['United Kingdom', 'United States'],
        confidence: 0.9,
        confidence_reason: 'several governments',
      },
      'Wire',
    );
    const first = addReport(exchangeStory, wire, NOW);
    expect(first.change).toBe('new-claim');
    expect(first.story.sources).toEqual([{ name: 'Wire', url: 'https://wire.example/a' }]);
    expect(first.story.attribution.actors.map((actor) => actor.name)).toEqual([
      'Ministry of State Security',
      'Silk Typhoon',
    ]);
    expect(first.story.attribution.attributing_parties).toEqual(['United States', 'United Kingdom']);
    expect(first.story.attribution.confidence).toBe(0.9);

    const again = addReport(first.story, { ...wire, title: 'Follow-up' }, NOW);
    expect(again.change).toBe('new-source');
    expect(again.story.sources).toHaveLength(1);
  });

  it('merges aliases into the same actor and keeps denials', () => {
    const merged = mergeAttributions(
      attribution({ actors: [hafnium] }),
      attribution({
        actors: [
          { name: 'HAFNIUM', aliases: ['Silk Typhoon', 'Murky Panda'], country: 'China', stated: true },
        ],
        denials: ['Beijing denied it'],
      }),
    );
    expect(merged.actors).toEqual([
      { name: 'Silk Typhoon', aliases: ['HAFNIUM', 'Murky Panda'], country: 'China', stated: true },
    ]);
    expect(merged.denials).toEqual(['Beijing denied it']);
  });
});
