import { describe, expect, it } from 'vitest';
import { applyEnvironment } from '../../../src/config/env.js';
import { formatProblem, parseConfigText } from '../../../src/config/load.js';
import { findFeed } from '../../../src/config/rules.js';

const FEEDS = [
  'feeds:',
  '  - { url: "https://www.cisa.gov/cybersecurity-advisories/all.xml", name: CISA Advisories }',
  '  - { url: "https://therecord.media/feed" }',
];

function check(routeLines: string[]): string[] {
  const yaml = [...FEEDS, 'routes:', ...routeLines, ''].join('\n');
  return parseConfigText(yaml, 'routes.yaml').errors.map(formatProblem);
}

describe('routes naming feeds and sources in the config', () => {
  it('accepts feeds by name or, without one, by host, in any case', () => {
    expect(
      check(['  - { name: gov, destinations: [default], feeds: [cisa advisories, therecord.media] }']),
    ).toEqual([]);
  });

  it('refuses an unknown feed at its line, with a "did you mean"', () => {
    expect(check(['  - name: gov', '    destinations: [default]', '    feeds: [CISA Advisory]'])).toEqual([
      'routes.yaml:7: routes[0].feeds[0]: unknown feed "CISA Advisory" (did you mean "CISA Advisories"?)',
    ]);
  });

  it('lists the names when nothing is close', () => {
    expect(check(['  - { name: gov, destinations: [default], feeds: [NCSC] }'])).toEqual([
      'routes.yaml:5: routes[0].feeds[0]: unknown feed "NCSC" (feeds are named by their name, or their host without one: CISA Advisories, therecord.media)',
    ]);
  });

  it('does not call a feed the schema refused unknown', () => {
    const yaml = [
      'feeds:',
      '  - { url: "ftp://ncsc.example/feed", name: NCSC }',
      'routes:',
      '  - { name: gov, destinations: [default], feeds: [NCSC] }',
      '',
    ].join('\n');
    expect(parseConfigText(yaml, 'r.yaml').errors.map(formatProblem)).toEqual([
      'r.yaml:2: feeds[0].url: must be an absolute http(s) URL',
    ]);
  });

  it('refuses a source that is not a host name', () => {
    expect(check(['  - { name: gov, destinations: [default], sources: ["https://cisa.gov/"] }'])).toEqual([
      'routes.yaml:5: routes[0].sources[0]: not a host name: "https://cisa.gov/" (write it as cisa.gov, or gov for every .gov site: no scheme, port or path; subdomains match too)',
    ]);
  });

  it('warns when ATTRIBOT_FEEDS replaces a feed a route names', () => {
    const yaml = [
      ...FEEDS,
      'routes:',
      '  - { name: gov, destinations: [default], feeds: [CISA Advisories] }',
      '',
    ];
    const loaded = parseConfigText(yaml.join('\n'), 'r.yaml');
    const applied = applyEnvironment(loaded.config!, { ATTRIBOT_FEEDS: 'https://www.cisa.gov/feed.xml' });
    expect(applied.warnings.map((warning) => warning.message)).toEqual([
      'route "gov" names feed "CISA Advisories", which ATTRIBOT_FEEDS does not list (feeds from it are named by host)',
    ]);
  });
});

describe('findFeed (explain --feed)', () => {
  const feeds = [
    { url: 'https://www.cisa.gov/all.xml', name: 'CISA Advisories' },
    { url: 'https://therecord.media/feed' },
  ];
  it('finds a feed by name or host', () => {
    expect(findFeed('cisa advisories', feeds)).toEqual({ feed: feeds[0], name: 'CISA Advisories' });
    expect(findFeed('TheRecord.media', feeds)).toEqual({ feed: feeds[1], name: 'therecord.media' });
  });
  it('says what was meant', () => {
    expect(findFeed('therecord.medai', feeds)).toEqual({
      error: 'unknown feed "therecord.medai" (did you mean "therecord.media"?)',
    });
  });
});
