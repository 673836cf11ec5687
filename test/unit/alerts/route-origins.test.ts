import { describe, expect, it } from 'vitest';
import type { ReportOrigin } from '../../../src/alerts/alert.js';
import { addReport, newStory, type StoryReport, storyOrigins } from '../../../src/alerts/cluster.js';
import { explainRouting, formatRouteVerdicts, routeAlert } from '../../../src/alerts/route.js';
import type { Attribution } from '../../../src/attribution/attribution.js';
import { Route, type RouteInput as RouteConfig } from '../../../src/config/schema.js';

const sandworm: Attribution = {
  id: 'grid',
  is_attribution: true,
  actors: [{ name: 'Sandworm', aliases: ['Seashell Blizzard'], country: 'Russia', stated: true }],
  attributed_countries: ['Russia'],
  attributing_parties: ['Poland'],
  products: [],
  cves: [],
  confidence: 0.8,
  confidence_reason: 'government attribution',
  evidence: [
    'Polish officials said Russian military hackers from Sandworm tried to switch off heating plants.',
  ],
};

const CISA: ReportOrigin = {
  feed: 'CISA Advisories',
  url: 'https://www.cisa.gov/news-events/cybersecurity-advisories/aa26-001a',
  feedUrl: 'https://www.cisa.gov/cybersecurity-advisories/all.xml',
};
const RECORD: ReportOrigin = {
  feed: 'The Record',
  url: 'https://therecord.media/poland-heating-plants-sandworm',
  feedUrl: 'https://therecord.media/feed',
};
const AGGREGATOR: ReportOrigin = {
  feed: 'news.example.net',
  url: 'https://www.cert.pl/en/posts/2026/12/heating/',
  feedUrl: 'https://news.example.net/security.rss',
};

function route(config: Omit<RouteConfig, 'destinations'> & { destinations?: string[] }): Route {
  return Route.parse({ destinations: ['gov'], ...config });
}

function routed(routeConfig: Parameters<typeof route>[0], origins: ReportOrigin[]): string[] {
  return routeAlert(
    { attribution: sandworm, title: 'Sandworm blamed', origins },
    [route(routeConfig)],
    [],
  ).map((decision) => decision.destination);
}

describe('routes by feed', () => {
  it.each([
    [['CISA Advisories'], [CISA], ['gov']],
    [['cisa advisories'], [CISA], ['gov']],
    [['  CISA   Advisories '], [CISA], ['gov']],
    [['CISA Advisories'], [RECORD], []],
    [['CISA Advisories', 'The Record'], [RECORD], ['gov']],
    [['CISA Advisories'], [RECORD, CISA], ['gov']],
    [['CISA Advisories'], [], []],
  ])('feeds %j with reports from %j → %j', (feeds, origins, expected) => {
    expect(routed({ name: 'gov-desk', feeds }, origins)).toEqual(expected);
  });
});

describe('routes by source host', () => {
  it.each([
    ['cisa.gov', [CISA], ['gov']],
    ['www.cisa.gov', [CISA], ['gov']],
    ['CISA.GOV', [CISA], ['gov']],
    ['gov', [CISA], ['gov']],
    ['isa.gov', [CISA], []],
    ['cisa.gov.example', [CISA], []],
    ['cert.pl', [AGGREGATOR], ['gov']],
    ['news.example.net', [AGGREGATOR], ['gov']],
    ['cisa.gov', [RECORD, AGGREGATOR], []],
  ])('sources [%s] with reports from %j → %j', (host, origins, expected) => {
    expect(routed({ name: 'gov-desk', sources: [host] }, origins)).toEqual(expected);
  });

  it('takes either a listed feed or a listed host', () => {
    const config = { name: 'gov-desk', feeds: ['CISA Advisories'], sources: ['cert.pl'] };
    expect(routed(config, [AGGREGATOR])).toEqual(['gov']);
    expect(routed(config, [CISA])).toEqual(['gov']);
    expect(routed(config, [RECORD])).toEqual([]);
  });

  it('is a restriction on top of the watch entries, not one of them', () => {
    const config = { name: 'gov-desk', sources: ['cisa.gov'], match: { actors: ['Volt Typhoon'] } };
    expect(routed(config, [CISA])).toEqual([]);
    expect(routed({ ...config, match: { actors: ['Seashell Blizzard'] } }, [CISA])).toEqual(['gov']);
  });

  it.each(['https://cisa.gov', 'cisa.gov/advisories', 'cisa.gov:443', '.cisa.gov', 'user@cisa.gov', ''])(
    'refuses %j as a host in the config',
    (host) => {
      const parsed = Route.safeParse({ name: 'r', destinations: ['gov'], sources: [host] });
      expect(parsed.success).toBe(false);
    },
  );

  it('reads hosts as URLs do: lower case, IDN as punycode', () => {
    expect(
      Route.parse({ name: 'r', destinations: ['gov'], sources: ['CERT.PL', 'bücher.example'] }).sources,
    ).toEqual(['cert.pl', 'xn--bcher-kva.example']);
  });
});

describe('explaining origins', () => {
  it('says which feed or host let the story in, and what was missing', () => {
    const routes = [
      route({ name: 'gov-desk', feeds: ['CISA Advisories'], sources: ['cert.pl'] }),
      route({ name: 'record-desk', feeds: ['The Record'] }),
      route({ name: 'pl-desk', sources: ['cert.pl'] }),
    ];
    const verdicts = explainRouting(
      { attribution: sandworm, title: 'Sandworm blamed', origins: [CISA] },
      routes,
      [],
    );
    expect(formatRouteVerdicts(verdicts)).toBe(
      [
        '✓ gov-desk (every story from feed "CISA Advisories")',
        '✗ record-desk (no report from feed "The Record")',
        '✗ pl-desk (no report from source cert.pl)',
      ].join('\n'),
    );
  });
});

describe('a story with reports from several feeds', () => {
  const report = (origin: ReportOrigin): StoryReport => ({
    attribution: sandworm,
    title: 'Sandworm blamed for heating plant intrusions',
    sourceName: origin.feed,
    ...(origin.url ? { url: origin.url } : {}),
    ...(origin.feedUrl ? { feedUrl: origin.feedUrl } : {}),
  });

  it('counts every report of the story, the one being routed included', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const first = newStory(report(RECORD), now);
    const cisa = report(CISA);
    const { story } = addReport(first, cisa, now);
    expect(storyOrigins(story, cisa)).toEqual([RECORD, CISA, CISA]);
    const gov = [route({ name: 'gov-desk', feeds: ['CISA Advisories'] })];
    // The Record's report alone does not reach the CISA-only route; once CISA reports it, it does.
    expect(
      routeAlert(
        { attribution: sandworm, title: null, origins: storyOrigins(first, report(RECORD)) },
        gov,
        [],
      ),
    ).toEqual([]);
    expect(
      routeAlert({ attribution: sandworm, title: null, origins: storyOrigins(story, cisa) }, gov, []).map(
        (decision) => decision.destination,
      ),
    ).toEqual(['gov']);
  });

  it('keeps the link of a later report from a feed already listed', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const first = newStory(report(AGGREGATOR), now);
    const again = report({ ...AGGREGATOR, url: 'https://www.cisa.gov/news/heating' });
    const { story } = addReport(first, again, now);
    expect(story.sources).toEqual([]);
    expect(
      routeAlert(
        { attribution: sandworm, title: null, origins: storyOrigins(story, again) },
        [route({ name: 'gov-desk', sources: ['cisa.gov'] })],
        [],
      ),
    ).toHaveLength(1);
  });
});
