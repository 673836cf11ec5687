import { describe, expect, it } from 'vitest';
import { parseCurated } from '../../../src/extract/curated.js';

const NEEDS_PROVENANCE = /needs a provenance: "source" \(https URL .*\) or "reason" \(one line .*\)/;

describe('parseCurated', () => {
  it('accepts entries that carry a source, a reason or both', () => {
    const curated = parseCurated({
      actors: [
        {
          name: 'Ember Lynx',
          kind: 'state',
          country: 'RU',
          source: 'https://attack.mitre.org/groups/G9999/',
        },
      ],
      commonWords: [{ name: 'Lantern', reason: 'common English word that is also a product name' }],
      countryAliases: [
        { iso2: 'US', name: 'Washington', source: 'https://www.usa.gov/', reason: 'capital for government' },
      ],
    });
    expect(curated.actors[0]).toMatchObject({ name: 'Ember Lynx', aliases: [], organ: false, cue: false });
    expect(curated.commonWords.map((w) => w.name)).toEqual(['Lantern']);
    expect(curated.countryAliases[0]?.iso2).toBe('US');
  });

  it.each([
    ['actors', { name: 'Ember Lynx', kind: 'state' }, 'Ember Lynx'],
    ['products', { name: 'Lantern Gateway', vendor: 'Lantern' }, 'Lantern Gateway'],
    ['parties', { name: 'Ministry of Lanterns', kind: 'agency' }, 'Ministry of Lanterns'],
    ['aliasExclusions', { name: 'Harbour' }, 'Harbour'],
    ['criminalKinds', { name: 'Velvet Otter' }, 'Velvet Otter'],
    ['commonWords', { name: 'Beacon' }, 'Beacon'],
    ['countryNames', { iso2: 'CZ', name: 'Czech Republic' }, 'Czech Republic'],
    ['countryAliases', { iso2: 'KR', name: 'Korea' }, 'Korea'],
  ])('refuses a %s entry without provenance and names it', (section, entry, name) => {
    const raw = { [section]: [entry] };
    expect(() => parseCurated(raw, 'curated.json')).toThrow(NEEDS_PROVENANCE);
    expect(() => parseCurated(raw, 'curated.json')).toThrow(`curated.json: ${section}[0] ("${name}"):`);
  });

  it('refuses a reason of more than one line and a source that is not an https URL', () => {
    expect(() =>
      parseCurated({ commonWords: [{ name: 'Beacon', reason: 'first line\nsecond line' }] }),
    ).toThrow(/commonWords\[0\] \("Beacon"\) reason: a reason is one line/);
    expect(() =>
      parseCurated({ commonWords: [{ name: 'Beacon', source: 'http://example.org/beacon' }] }),
    ).toThrow(/commonWords\[0\] \("Beacon"\) source/);
    expect(() => parseCurated({ commonWords: [{ name: 'Beacon', source: 'see the vendor' }] })).toThrow(
      /commonWords\[0\] \("Beacon"\) source/,
    );
  });

  it('refuses a misspelt provenance key instead of ignoring it', () => {
    expect(() =>
      parseCurated({ aliasExclusions: [{ name: 'Harbour', resaon: 'common English word' }] }),
    ).toThrow(/aliasExclusions\[0\] \("Harbour"\): Unrecognized key: "resaon"/);
  });
});
