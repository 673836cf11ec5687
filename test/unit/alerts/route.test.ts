import { describe, expect, it } from 'vitest';
import {
  allowedMentionsFor,
  explainRouting,
  formatRouteVerdicts,
  mentionLine,
  type RouteInput,
  routeAlert,
  withMentions,
} from '../../../src/alerts/route.js';
import type { Attribution } from '../../../src/attribution/attribution.js';
import { Route, type RouteInput as RouteConfig, Watchlist } from '../../../src/config/schema.js';

const ROLE_A = '111111111111111111';
const ROLE_B = '222222222222222222';

function attribution(overrides: Partial<Attribution> = {}): Attribution {
  return {
    id: 'a1',
    is_attribution: true,
    actors: [
      {
        name: 'APT28',
        aliases: ['Fancy Bear', 'Sofacy', 'Forest Blizzard'],
        country: 'Russia',
        stated: true,
      },
    ],
    attributed_countries: ['Russia'],
    attributing_parties: ['United Kingdom'],
    products: ['Microsoft Exchange Server'],
    cves: ['CVE-2023-23397'],
    confidence: 0.8,
    confidence_reason: 'government attribution',
    evidence: ['The NCSC said Russian military intelligence exploited a supply-chain weakness in Outlook.'],
    ...overrides,
  };
}

function input(
  overrides: Partial<Attribution> = {},
  title: string | null = 'UK blames Russia for Outlook hacks',
): RouteInput {
  return { attribution: attribution(overrides), title };
}

function route(config: Omit<RouteConfig, 'destinations'> & { destinations?: string[] }): Route {
  return Route.parse({ destinations: ['intel'], ...config });
}

const noWatchlists: Watchlist[] = [];

describe('routeAlert: what matches', () => {
  it.each<[string, RouteConfig['match']]>([
    ['canonical actor name', { actors: ['APT28'] }],
    ['an alias, other case', { actors: ['fancy bear'] }],
    ['an alias spelled with a hyphen', { actors: ['Forest-Blizzard'] }],
    ['attributed country, case-insensitive', { countries: ['RUSSIA'] }],
    ['product as a whole word of the product name', { products: ['exchange'] }],
    ['product phrase', { products: ['Exchange Server'] }],
    ['CVE id, lower case', { cves: ['cve-2023-23397'] }],
    ['keyword in the title', { keywords: ['outlook hacks'] }],
    ['keyword phrase across a hyphen in evidence', { keywords: ['supply chain'] }],
    ['regex keyword over evidence', { keywords: ['/military\\s+intel+igence/i'] }],
  ])('matches on %s', (_, match) => {
    expect(routeAlert(input(), [route({ name: 'r', match })], noWatchlists)).toEqual([
      { destination: 'intel', route: 'r', mentionRoleIds: [], digest: false },
    ]);
  });

  it.each<[string, RouteConfig['match']]>([
    ['an unrelated actor', { actors: ['Lazarus Group'] }],
    ['a victim-only country', { countries: ['United Kingdom'] }],
    ['a product prefix that is not a whole word', { products: ['Exch'] }],
    ['a product the story does not name', { products: ['Ivanti Connect Secure'] }],
    ['another CVE', { cves: ['CVE-2021-26855'] }],
    ['a keyword inside a longer word', { keywords: ['look'] }],
    ['a case-sensitive regex', { keywords: ['/OUTLOOK/'] }],
  ])('does not match on %s', (_, match) => {
    expect(routeAlert(input(), [route({ name: 'r', match })], noWatchlists)).toEqual([]);
  });

  it('matches the country of a named actor even when the text does not attribute one', () => {
    const story = input({ attributed_countries: [] });
    expect(
      routeAlert(story, [route({ name: 'r', match: { countries: ['Russia'] } })], noWatchlists),
    ).toHaveLength(1);
  });

  it('matches a vendor through the KEV details of a CVE', () => {
    const story = input({
      products: [],
      cve_details: [
        {
          cve: 'CVE-2023-23397',
          vendor: 'Microsoft',
          product: 'Office Outlook',
          knownExploited: true,
          ransomware: false,
        },
      ],
    });
    expect(
      routeAlert(story, [route({ name: 'r', match: { products: ['Outlook'] } })], noWatchlists),
    ).toHaveLength(1);
  });

  it('searches the article text only when it is given', () => {
    const r = route({ name: 'r', match: { keywords: ['GooseEgg'] } });
    expect(routeAlert(input(), [r], noWatchlists)).toEqual([]);
    expect(
      routeAlert({ ...input(), text: 'The tool, GooseEgg, escalates privileges.' }, [r], noWatchlists),
    ).toHaveLength(1);
  });

  it('sends every attribution through a route with no watchlists and no match', () => {
    expect(routeAlert(input(), [route({ name: 'all' })], noWatchlists)).toHaveLength(1);
  });

  it('matches through a named watchlist and honours its excludes', () => {
    const watchlists = [
      Watchlist.parse({ name: 'russia', countries: ['Russia'], excludes: { keywords: ['exercise'] } }),
      Watchlist.parse({ name: 'empty' }),
    ];
    const r = route({ name: 'r', watchlists: ['empty', 'russia'] });
    expect(routeAlert(input(), [r], watchlists)).toEqual([
      { destination: 'intel', route: 'r', mentionRoleIds: [], digest: false },
    ]);
    expect(routeAlert(input({}, 'Russia blamed, says exercise report'), [r], watchlists)).toEqual([]);
  });
});

describe('routeAlert: restrictions', () => {
  it('lets excludes win over matches', () => {
    const r = route({ name: 'r', match: { countries: ['Russia'] }, exclude: { products: ['Exchange'] } });
    expect(routeAlert(input(), [r], noWatchlists)).toEqual([]);
  });

  it.each([
    [true, false, 0],
    [true, true, 1],
    [false, false, 1],
    [false, true, 1],
  ] as const)(
    'attributionOnly %s, is_attribution %s → %d decision(s)',
    (attributionOnly, isAttribution, count) => {
      const r = route({ name: 'r', attributionOnly, match: { actors: ['APT28'] } });
      expect(routeAlert(input({ is_attribution: isAttribution }), [r], noWatchlists)).toHaveLength(count);
    },
  );

  it.each([
    [0.5, 0.8, 1],
    [0.8, 0.8, 1],
    [0.9, 0.8, 0],
  ] as const)('minConfidence %d with confidence %d → %d decision(s)', (minConfidence, confidence, count) => {
    expect(
      routeAlert(input({ confidence }), [route({ name: 'r', minConfidence })], noWatchlists),
    ).toHaveLength(count);
  });

  it('returns nothing when no route matches', () => {
    expect(
      routeAlert(input(), [route({ name: 'r', match: { actors: ['Sandworm'] } })], noWatchlists),
    ).toEqual([]);
    expect(routeAlert(input(), [], noWatchlists)).toEqual([]);
  });
});

describe('routeAlert: merging', () => {
  it('merges several routes to one destination: union of roles, digest only if all say digest', () => {
    const routes = [
      route({
        name: 'russia',
        match: { countries: ['Russia'] },
        mentionRoles: [ROLE_A],
        digest: true,
        destinations: ['intel', 'soc'],
      }),
      route({
        name: 'outlook',
        match: { products: ['Exchange'] },
        mentionRoles: [ROLE_B, ROLE_A],
        destinations: ['intel'],
      }),
      route({ name: 'apt28', match: { actors: ['Sofacy'] }, digest: true, destinations: ['soc'] }),
      route({
        name: 'other',
        match: { actors: ['Sandworm'] },
        mentionRoles: [ROLE_B],
        destinations: ['soc'],
      }),
    ];
    expect(routeAlert(input(), routes, noWatchlists)).toEqual([
      { destination: 'intel', route: 'russia', mentionRoleIds: [ROLE_A, ROLE_B], digest: false },
      { destination: 'soc', route: 'russia', mentionRoleIds: [ROLE_A], digest: true },
    ]);
  });
});

describe('explainRouting', () => {
  it('says why each route takes the story or not', () => {
    const routes = [
      route({ name: 'ok', match: { actors: ['Fancy Bear'] } }),
      route({ name: 'excluded', exclude: { cves: ['CVE-2023-23397'] } }),
      route({ name: 'strict', minConfidence: 0.95 }),
      route({ name: 'other', match: { countries: ['Iran'] } }),
    ];
    expect(explainRouting(input(), routes, noWatchlists)).toEqual([
      { route: 'ok', matched: true, via: 'match', hit: { kind: 'actors', value: 'Fancy Bear' } },
      { route: 'excluded', matched: false, reason: 'excluded by cves: CVE-2023-23397' },
      { route: 'strict', matched: false, reason: 'confidence 0.8 below 0.95' },
      { route: 'other', matched: false, reason: 'no watched entity' },
    ]);
    expect(formatRouteVerdicts(explainRouting(input(), routes.slice(0, 2), noWatchlists))).toBe(
      '✓ ok (match: actors Fancy Bear)\n✗ excluded (excluded by cves: CVE-2023-23397)',
    );
  });
});

describe('mentions', () => {
  it('restricts pings to the opted-in roles', () => {
    expect(allowedMentionsFor({ mentionRoleIds: [ROLE_A, ROLE_A, 'everyone'] })).toEqual({
      parse: [],
      roles: [ROLE_A],
    });
    expect(allowedMentionsFor({ mentionRoleIds: [] })).toEqual({ parse: [], roles: [] });
  });

  it('writes a mention line only for opted-in roles', () => {
    expect(mentionLine({ mentionRoleIds: [ROLE_A, ROLE_B] })).toBe(`<@&${ROLE_A}> <@&${ROLE_B}>`);
    expect(mentionLine({ mentionRoleIds: [] })).toBeNull();
  });

  it('puts the mention line before any content and overrides allowed_mentions', () => {
    const message = {
      content: '@everyone from an article',
      embeds: [{ title: 't' }],
      allowed_mentions: { parse: [] },
    };
    expect(withMentions(message, { mentionRoleIds: [ROLE_A] })).toEqual({
      content: `<@&${ROLE_A}>\n@everyone from an article`,
      embeds: [{ title: 't' }],
      allowed_mentions: { parse: [], roles: [ROLE_A] },
    });
    expect(withMentions({ embeds: [], allowed_mentions: { parse: [] } }, { mentionRoleIds: [] })).toEqual({
      embeds: [],
      allowed_mentions: { parse: [], roles: [] },
    });
  });
});

describe('withMentions within Discord limits', () => {
  it('keeps the mention line and stays within 2000 characters', async () => {
    const { withMentions } = await import('../../../src/alerts/route.js');
    const roles = Array.from({ length: 20 }, (_, n) => `1${String(n).padStart(17, '0')}`);
    const message = withMentions(
      { content: `Update from Desk to ${'x'.repeat(2500)}`, embeds: [], allowed_mentions: { parse: [] } },
      { mentionRoleIds: roles },
    );
    expect(message.content!.length).toBeLessThanOrEqual(2000);
    expect(message.content!.startsWith(roles.map((id) => `<@&${id}>`).join(' '))).toBe(true);
    expect(message.allowed_mentions.roles).toEqual(roles);
  });
});
