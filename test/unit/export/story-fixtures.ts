/** Stories written for the export tests (invented events, in the shape the store keeps them). */
import type { Story } from '../../../src/alerts/cluster.js';
import type { Attribution } from '../../../src/attribution/attribution.js';

export const ROUNDCUBE_ATTRIBUTION: Attribution = {
  id: 'item-1',
  is_attribution: true,
  actors: [
    { name: 'Fancy Bear', aliases: ['APT28', 'G0007'], country: 'Russia', stated: true },
    { name: 'GRU Unit 26165', aliases: ['Unit 26165'], country: 'Russia', stated: true },
  ],
  attributed_countries: ['Russia'],
  attributing_parties: ['United Kingdom', 'National Cyber Security Centre', 'Microsoft', 'unnamed sources'],
  products: ['Roundcube Webmail'],
  cves: ['CVE-2026-41002'],
  confidence: 0.9,
  confidence_reason: 'official attribution by a government',
  evidence: [
    'The National Cyber Security Centre said Fancy Bear, a unit of Russian military intelligence known as GRU Unit 26165, broke into the mail servers through the Roundcube flaw.',
  ],
  cve_details: [
    {
      cve: 'CVE-2026-41002',
      vendor: 'Roundcube',
      product: 'Webmail',
      knownExploited: true,
      ransomware: false,
    },
  ],
};

export function roundcubeStory(overrides: Partial<Story> = {}): Story {
  return {
    id: 7,
    createdAt: '2026-11-24T10:05:00.000Z',
    updatedAt: '2026-11-24T10:05:00.000Z',
    first: {
      attribution: ROUNDCUBE_ATTRIBUTION,
      title: 'UK blames Russian military hackers for raids on Roundcube mail servers',
      url: 'https://news.example.org/2026/11/24/uk-blames-gru-roundcube',
      sourceName: 'Example Security News',
      published: 'Tue, 24 Nov 2026 09:30:00 GMT',
    },
    attribution: ROUNDCUBE_ATTRIBUTION,
    sources: [],
    destinations: ['intel'],
    ...overrides,
  };
}

/** A mention without attribution, no URL and a partial date: the thin end of what stories hold. */
export function bareStory(): Story {
  const attribution: Attribution = {
    id: 'item-2',
    is_attribution: false,
    actors: [],
    attributed_countries: [],
    attributing_parties: [],
    products: ['Ivanti Connect Secure'],
    cves: [],
    confidence: 0.2,
    confidence_reason: '',
    evidence: [],
  };
  return {
    id: 8,
    createdAt: '2026-11-25T08:00:00.000Z',
    updatedAt: '2026-11-25T08:00:00.000Z',
    first: { attribution, title: null, sourceName: 'Vendor Blog', published: '2026-11' },
    attribution,
    sources: [],
    destinations: [],
  };
}
