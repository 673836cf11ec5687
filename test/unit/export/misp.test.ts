import { describe, expect, it } from 'vitest';
import { addReport } from '../../../src/alerts/cluster.js';
import { storyToMisp } from '../../../src/export/misp.js';
import { exportReference } from '../../../src/export/reference.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';
import { bareStory, ROUNDCUBE_ATTRIBUTION, roundcubeStory } from './story-fixtures.js';

const reference = exportReference(loadKnowledge());
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('storyToMisp', () => {
  const { Event: event } = storyToMisp(roundcubeStory(), reference);

  it('fills the event header of MISP core format', () => {
    expect(event).toMatchObject({
      info: 'UK blames Russian military hackers for raids on Roundcube mail servers',
      date: '2026-11-24',
      threat_level_id: '4',
      analysis: '0',
      distribution: '0',
      published: false,
      timestamp: String(Date.parse('2026-11-24T10:05:00.000Z') / 1000),
    });
    expect(event.uuid).toMatch(UUID);
  });

  it('lists links, actors, parties, CVEs, products and evidence as attributes, none for IDS', () => {
    const summary = event.Attribute.map((a) => [a.type, a.category, a.value]);
    expect(summary).toEqual([
      ['link', 'External analysis', 'https://news.example.org/2026/11/24/uk-blames-gru-roundcube'],
      ['threat-actor', 'Attribution', 'APT28'],
      ['threat-actor', 'Attribution', 'GRU Unit 26165'],
      ['text', 'Attribution', 'United Kingdom'],
      ['text', 'Attribution', 'National Cyber Security Centre'],
      ['text', 'Attribution', 'Microsoft'],
      ['text', 'Attribution', 'unnamed sources'],
      ['vulnerability', 'External analysis', 'CVE-2026-41002'],
      ['text', 'External analysis', 'Roundcube Webmail'],
      ['text', 'External analysis', ROUNDCUBE_ATTRIBUTION.evidence[0]],
    ]);
    for (const attribute of event.Attribute) {
      expect(attribute.uuid).toMatch(UUID);
      expect(attribute.to_ids).toBe(false);
    }
    expect(new Set(event.Attribute.map((a) => a.uuid)).size).toBe(event.Attribute.length);
  });

  it('tags actors with the threat-actor galaxy, countries with the country galaxy, and the confidence', () => {
    expect(event.Tag.map((tag) => tag.name)).toEqual([
      'misp-galaxy:threat-actor="APT28"',
      'misp-galaxy:threat-actor="GRU Unit 26165"',
      'misp-galaxy:country="russia"',
      'estimative-language:confidence-in-analytic-judgment="high"',
    ]);
  });

  it('keeps the event uuid and every attribute uuid when the story grows, and adds the new outlet', () => {
    const joined = addReport(
      roundcubeStory(),
      {
        attribution: ROUNDCUBE_ATTRIBUTION,
        title: 'Roundcube raids: GRU named',
        url: 'https://wire.example.com/gru-roundcube',
        sourceName: 'Example Wire',
      },
      new Date('2026-11-24T18:00:00.000Z'),
    ).story;
    const later = storyToMisp(joined, reference).Event;
    expect(later.uuid).toBe(event.uuid);
    expect(later.timestamp).toBe(String(Date.parse('2026-11-24T18:00:00.000Z') / 1000));
    const before = new Map(event.Attribute.map((a) => [a.uuid, a]));
    const added = later.Attribute.filter((a) => !before.has(a.uuid));
    expect(added.map((a) => a.value)).toEqual(['https://wire.example.com/gru-roundcube']);
    expect(storyToMisp(roundcubeStory(), reference)).toEqual({ Event: event });
  });

  it('takes the distribution it is given and a partial date', () => {
    const bare = storyToMisp(bareStory(), reference, { distribution: '1' }).Event;
    expect(bare).toMatchObject({ distribution: '1', date: '2026-11-01' });
    expect(bare.info).toBe('Attribution reported by Vendor Blog (confidence 20)');
    expect(bare.Tag.map((tag) => tag.name)).toEqual([
      'estimative-language:confidence-in-analytic-judgment="low"',
    ]);
  });

  it('keeps a double quote in a name from breaking the tag', () => {
    const attribution = {
      ...ROUNDCUBE_ATTRIBUTION,
      actors: [{ name: 'Team "Zero"', aliases: [], country: null, stated: false }],
    };
    const tags = storyToMisp(roundcubeStory({ attribution }), reference).Event.Tag.map((tag) => tag.name);
    expect(tags[0]).toBe(`misp-galaxy:threat-actor="Team 'Zero'"`);
  });
});
