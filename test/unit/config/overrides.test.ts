import { describe, expect, it } from 'vitest';
import { routeAlert } from '../../../src/alerts/route.js';
import type { Attribution } from '../../../src/attribution/attribution.js';
import {
  applyOverrides,
  describeOverrides,
  entryKey,
  muteUntil,
  normalizeWatchValue,
  type Overrides,
  parseKind,
} from '../../../src/config/overrides.js';
import { Config } from '../../../src/config/schema.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const CHANNEL = '123456789012345678';

const config = Config.parse({
  destinations: [
    { name: 'soc', type: 'bot', tokenEnv: 'T', channelId: CHANNEL },
    { name: 'intel', type: 'webhook', webhookUrlEnv: 'H' },
  ],
  routes: [{ name: 'everything', destinations: ['intel'] }],
});

const story: Attribution = {
  id: 's',
  is_attribution: true,
  actors: [{ name: 'Lazarus Group', aliases: ['Hidden Cobra'], country: 'North Korea', stated: true }],
  attributed_countries: ['North Korea'],
  attributing_parties: ['FBI'],
  products: ['3CX Desktop App'],
  cves: [],
  confidence: 0.7,
  confidence_reason: 'vendor attribution',
  evidence: ['Mandiant tied the 3CX supply chain compromise to North Korea.'],
};

function watch(kind: 'actors' | 'products' | 'keywords', value: string) {
  return { kind, value, addedBy: '1', addedAt: '2024-04-01T00:00:00Z' };
}

describe('applyOverrides', () => {
  it('returns the config unchanged without overrides or with only expired mutes', () => {
    expect(applyOverrides(config, { watches: [], mutes: [] }, NOW)).toBe(config);
    const expired: Overrides = {
      watches: [],
      mutes: [{ ...watch('actors', 'x'), until: '2024-05-01T11:59:59Z' }],
    };
    expect(applyOverrides(config, expired, NOW)).toBe(config);
  });

  it('adds watch entries to a "discord" watchlist routed to the bot destinations', () => {
    const effective = applyOverrides(
      config,
      {
        watches: [watch('actors', 'Hidden Cobra'), watch('actors', 'hidden cobra'), watch('products', '3CX')],
        mutes: [],
      },
      NOW,
    );
    expect(effective.watchlists).toEqual([
      {
        name: 'discord',
        actors: ['Hidden Cobra'],
        countries: [],
        products: ['3CX'],
        cves: [],
        keywords: [],
        excludes: { actors: [], countries: [], products: [], cves: [], keywords: [] },
      },
    ]);
    expect(effective.routes.map((route) => [route.name, route.destinations, route.watchlists])).toEqual([
      ['everything', ['intel'], []],
      ['discord', ['soc'], ['discord']],
    ]);
    expect(routeAlert({ attribution: story, title: null }, effective.routes, effective.watchlists)).toEqual([
      { destination: 'intel', route: 'everything', mentionRoleIds: [], digest: false },
      { destination: 'soc', route: 'discord', mentionRoleIds: [], digest: false },
    ]);
  });

  it('merges into a declared "discord" watchlist and leaves its routing to the YAML', () => {
    const declared = Config.parse({
      ...config,
      settings: {},
      watchlists: [{ name: 'discord', countries: ['Iran'] }],
      routes: [{ name: 'team', destinations: ['intel'], watchlists: ['discord'], mentionRoles: [CHANNEL] }],
    });
    const effective = applyOverrides(
      declared,
      { watches: [watch('actors', 'Lazarus Group')], mutes: [] },
      NOW,
    );
    expect(effective.watchlists[0]).toMatchObject({
      name: 'discord',
      countries: ['Iran'],
      actors: ['Lazarus Group'],
    });
    expect(effective.routes.map((route) => route.name)).toEqual(['team']);
  });

  it('suppresses a matching route decision while a mute lasts', () => {
    const mutes: Overrides = {
      watches: [],
      mutes: [{ ...watch('actors', 'hidden cobra'), until: '2024-05-01T14:00:00Z' }],
    };
    const route = (at: Date) => {
      const effective = applyOverrides(config, mutes, at);
      return routeAlert({ attribution: story, title: null }, effective.routes, effective.watchlists);
    };
    expect(route(NOW)).toEqual([]);
    expect(route(new Date('2024-05-01T14:00:00Z'))).toHaveLength(1);
  });
});

describe('describeOverrides', () => {
  it('says what the layer adds, where it goes and what is muted', () => {
    const overrides: Overrides = {
      watches: [watch('actors', 'APT41'), watch('keywords', 'wiper')],
      mutes: [
        { ...watch('products', 'Chrome'), until: '2024-05-02T00:00:00Z' },
        { ...watch('products', 'Old'), until: '2024-04-02T00:00:00Z' },
      ],
    };
    expect(describeOverrides(config, overrides, NOW)).toBe(
      [
        'Slash-command overrides (stored in the database):',
        '  watchlist "discord" adds actors: APT41; keywords: wiper',
        '  routed by "discord" → soc',
        '  muted until 2024-05-02T00:00:00Z: product Chrome',
      ].join('\n'),
    );
    expect(describeOverrides(config, { watches: [], mutes: [] }, NOW)).toBe(
      'Slash-command overrides (stored in the database):\n  none',
    );
  });
});

describe('command values', () => {
  it.each([
    ['actor', 'actors'],
    ['Countries', 'countries'],
    ['cve', 'cves'],
    ['person', null],
  ] as const)('kind %s → %s', (raw, kind) => {
    expect(parseKind(raw)).toBe(kind);
  });

  it.each([
    ['cves', ' cve-2024-3400 ', { value: 'CVE-2024-3400' }],
    ['cves', 'CVE-24-1', { error: 'not a CVE id such as CVE-2021-26855' }],
    ['keywords', '/(/', { error: expect.stringMatching(/^regex does not compile/) }],
    ['actors', '  Volt   Typhoon ', { value: 'Volt Typhoon' }],
    ['actors', '   ', { error: 'the value is empty' }],
  ] as const)('%s %j → %j', (kind, raw, expected) => {
    expect(normalizeWatchValue(kind, raw)).toEqual(expected);
  });

  it('computes mute ends and refuses bad durations', () => {
    expect(muteUntil('2h', NOW)).toEqual({ until: '2024-05-01T14:00:00.000Z' });
    expect(muteUntil('soon', NOW)).toEqual({ error: 'not a duration: "soon" (use e.g. 90m, 12h, 7d)' });
    expect(muteUntil('0', NOW)).toHaveProperty('error');
    expect(muteUntil('400d', NOW)).toEqual({ error: 'a mute lasts at most 365 days' });
  });

  it('identifies entries case-insensitively', () => {
    expect(entryKey('actors', 'APT  41')).toBe(entryKey('actors', 'apt 41'));
  });
});
