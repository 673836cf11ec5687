import { describe, expect, it } from 'vitest';
import { addReport } from '../../../src/alerts/cluster.js';
import { exportReference } from '../../../src/export/reference.js';
import { mergeBundles, REFERENCE_TIME, type StixObject, storyToStix } from '../../../src/export/stix.js';
import { uuidV5 } from '../../../src/export/uuid.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';
import { bundleIntegrityErrors, stixBundleErrors, stixObjectErrors } from '../../helpers/stix-schemas.js';
import { bareStory, ROUNDCUBE_ATTRIBUTION, roundcubeStory } from './story-fixtures.js';

const reference = exportReference(loadKnowledge());

function only(objects: readonly StixObject[], type: string): StixObject[] {
  return objects.filter((object) => object.type === type);
}

function byName(objects: readonly StixObject[], name: string): StixObject {
  const found = objects.find((object) => object.name === name);
  if (!found) throw new Error(`no object named ${name}`);
  return found;
}

describe('uuidV5', () => {
  it('matches RFC 9562 name-based UUIDs (the values Python uuid.uuid5 gives)', () => {
    expect(uuidV5('00abedb4-aa42-466c-9c01-fed23315a9b7', '{"name":"Microsoft Exchange Server"}')).toBe(
      '0203c250-060f-50f3-bedf-8ee018ca3f76',
    );
    // The DNS namespace example of RFC 9562 appendix A.4.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('storyToStix', () => {
  const story = roundcubeStory();
  const bundle = storyToStix(story, reference);

  it('passes the official STIX 2.1 schemas, object by object and as a bundle', () => {
    for (const object of bundle.objects) expect(stixObjectErrors(object), object.id).toEqual([]);
    expect(stixBundleErrors(bundle)).toEqual([]);
    const bare = storyToStix(bareStory(), reference);
    for (const object of bare.objects) expect(stixObjectErrors(object), object.id).toEqual([]);
    expect(stixBundleErrors(bare)).toEqual([]);
  });

  it('resolves every reference inside the bundle', () => {
    expect(bundleIntegrityErrors(bundle.objects)).toEqual([]);
    expect(bundleIntegrityErrors(storyToStix(bareStory(), reference).objects)).toEqual([]);
  });

  it('makes the story one report with its title, publication time, sources, evidence and confidence', () => {
    const [report] = only(bundle.objects, 'report');
    expect(report).toMatchObject({
      name: 'UK blames Russian military hackers for raids on Roundcube mail servers',
      published: '2026-11-24T09:30:00.000Z',
      confidence: 90,
      labels: ['attribution'],
      external_references: [
        {
          source_name: 'Example Security News',
          url: 'https://news.example.org/2026/11/24/uk-blames-gru-roundcube',
        },
      ],
      x_attribot_evidence: ROUNDCUBE_ATTRIBUTION.evidence,
    });
    expect(report?.description).toContain('Evidence: "The National Cyber Security Centre said Fancy Bear');
    expect(report?.description).toContain('Attributed by: United Kingdom, National Cyber Security Centre');
    const others = bundle.objects.filter(
      (object) => object.type !== 'report' && object.id !== report?.created_by_ref,
    );
    expect(new Set(report?.object_refs as string[])).toEqual(new Set(others.map((object) => object.id)));
  });

  it('files a group as an intrusion-set under its dictionary name, with its ATT&CK id, and a state body as a threat-actor', () => {
    const group = byName(bundle.objects, 'APT28');
    expect(group.type).toBe('intrusion-set');
    expect(group.aliases).toContain('Fancy Bear'.toUpperCase());
    expect(group.aliases).not.toContain('G0007');
    expect(group.external_references).toEqual([
      { source_name: 'mitre-attack', external_id: 'G0007', url: 'https://attack.mitre.org/groups/G0007/' },
    ]);
    const unit = byName(bundle.objects, 'GRU Unit 26165');
    expect(unit).toMatchObject({
      type: 'threat-actor',
      threat_actor_types: ['nation-state'],
      resource_level: 'government',
    });
  });

  it('gives countries their ISO 3166-1 alpha-2 code and parties their identity class', () => {
    expect(only(bundle.objects, 'location')).toEqual([
      expect.objectContaining({ name: 'Russia', country: 'RU' }),
    ]);
    expect(byName(bundle.objects, 'United Kingdom')).toMatchObject({
      identity_class: 'organization',
      sectors: ['government-national'],
    });
    expect(byName(bundle.objects, 'National Cyber Security Centre')).toMatchObject({
      identity_class: 'organization',
      sectors: ['government-national'],
    });
    expect(byName(bundle.objects, 'Microsoft')).toMatchObject({
      identity_class: 'organization',
      sectors: ['technology'],
    });
    expect(byName(bundle.objects, 'unnamed sources')).toMatchObject({ identity_class: 'unknown' });
    const [report] = only(bundle.objects, 'report');
    expect(report?.x_attribot_attributing_party_refs).toHaveLength(4);
  });

  it('names CVEs as vulnerabilities with a cve reference, and products as software with STIX ids', () => {
    expect(only(bundle.objects, 'vulnerability')).toEqual([
      expect.objectContaining({
        name: 'CVE-2026-41002',
        external_references: [expect.objectContaining({ source_name: 'cve', external_id: 'CVE-2026-41002' })],
      }),
    ]);
    const [software] = only(bundle.objects, 'software');
    expect(software).toMatchObject({ name: 'Roundcube Webmail', vendor: 'Roundcube' });
    // STIX 2.1 section 2.9: UUIDv5 in the SCO namespace over the canonical JSON of name and vendor.
    expect(software?.id).toBe(
      `software--${uuidV5('00abedb4-aa42-466c-9c01-fed23315a9b7', '{"name":"Roundcube Webmail","vendor":"Roundcube"}')}`,
    );
  });

  it('relates what the story states: origin, location, the one state body, the exploited CVE', () => {
    const group = byName(bundle.objects, 'APT28').id;
    const unit = byName(bundle.objects, 'GRU Unit 26165').id;
    const russia = only(bundle.objects, 'location')[0]?.id;
    const cve = only(bundle.objects, 'vulnerability')[0]?.id;
    const edges = only(bundle.objects, 'relationship').map((r) => [
      r.source_ref,
      r.relationship_type,
      r.target_ref,
    ]);
    expect(edges).toEqual(
      expect.arrayContaining([
        [group, 'originates-from', russia],
        [unit, 'located-at', russia],
        [group, 'attributed-to', unit],
        [group, 'targets', cve],
        [unit, 'targets', cve],
      ]),
    );
    expect(edges).toHaveLength(5);
    for (const relationship of only(bundle.objects, 'relationship')) expect(relationship.confidence).toBe(90);
  });

  it('does not attribute a group to one of two state bodies of its country', () => {
    const attribution = {
      ...ROUNDCUBE_ATTRIBUTION,
      actors: [
        ...ROUNDCUBE_ATTRIBUTION.actors,
        { name: 'SVR', aliases: [], country: 'Russia', stated: true },
      ],
    };
    const objects = storyToStix(roundcubeStory({ attribution }), reference).objects;
    expect(only(objects, 'relationship').some((r) => r.relationship_type === 'attributed-to')).toBe(false);
  });

  it('keeps a country from reference data alone out of the relationships', () => {
    const attribution = {
      ...ROUNDCUBE_ATTRIBUTION,
      actors: [{ name: 'Volt Typhoon', aliases: [], country: 'China', stated: false }],
      attributed_countries: [],
    };
    const objects = storyToStix(roundcubeStory({ attribution }), reference).objects;
    expect(only(objects, 'location')).toEqual([]);
    expect(only(objects, 'relationship').map((r) => r.relationship_type)).toEqual(['targets']);
  });

  it('gives identical ids and content when the same story is exported again', () => {
    expect(storyToStix(roundcubeStory(), reference)).toEqual(bundle);
    expect(JSON.stringify(storyToStix(roundcubeStory(), reference))).toBe(JSON.stringify(bundle));
  });

  it('calls a known actor by one id whatever name the article used', () => {
    const renamed = {
      ...ROUNDCUBE_ATTRIBUTION,
      actors: [{ name: 'APT28', aliases: ['Sednit'], country: 'Russia', stated: true }],
    };
    const other = storyToStix(roundcubeStory({ attribution: renamed }), reference);
    expect(byName(other.objects, 'APT28')).toEqual(byName(bundle.objects, 'APT28'));
  });

  it('moves modified only for what the story changed when a report joins; shared objects stay one version', () => {
    const joined = addReport(
      story,
      {
        attribution: { ...ROUNDCUBE_ATTRIBUTION, attributing_parties: ['United States'] },
        title: 'US joins UK in blaming GRU for Roundcube intrusions',
        url: 'https://wire.example.com/gru-roundcube-us',
        sourceName: 'Example Wire',
      },
      new Date('2026-11-24T15:00:00.000Z'),
    ).story;
    const later = storyToStix(joined, reference);
    const [before] = only(bundle.objects, 'report');
    const [after] = only(later.objects, 'report');
    expect(after?.id).toBe(before?.id);
    expect(after?.created).toBe(before?.created);
    expect(after?.modified).toBe('2026-11-24T15:00:00.000Z');
    expect(after?.external_references).toHaveLength(2);
    for (const type of ['intrusion-set', 'threat-actor', 'location', 'vulnerability'])
      expect(only(later.objects, type)).toEqual(only(bundle.objects, type));
    for (const object of [...only(later.objects, 'intrusion-set'), ...only(later.objects, 'location')])
      expect(object.modified).toBe(REFERENCE_TIME);
    expect(byName(later.objects, 'United States')).toMatchObject({ sectors: ['government-national'] });
  });

  it('dates a report without a full publication date from its partial date, and names it without a title', () => {
    const [report] = only(storyToStix(bareStory(), reference).objects, 'report');
    expect(report).toMatchObject({
      published: '2026-11-01T00:00:00.000Z',
      name: 'Attribution reported by Vendor Blog',
      labels: ['mention'],
      external_references: [{ source_name: 'Vendor Blog', description: 'first report' }],
    });
  });

  it('merges several stories into one valid bundle with shared objects once', () => {
    const russiaAgain = roundcubeStory({
      first: { ...roundcubeStory().first, url: 'https://news.example.org/2026/11/30/another-gru-story' },
    });
    const merged = mergeBundles([
      bundle,
      storyToStix(russiaAgain, reference),
      storyToStix(bareStory(), reference),
    ]);
    expect(stixBundleErrors(merged)).toEqual([]);
    expect(bundleIntegrityErrors(merged.objects)).toEqual([]);
    expect(only(merged.objects, 'report')).toHaveLength(3);
    expect(only(merged.objects, 'location')).toHaveLength(1);
  });
});
