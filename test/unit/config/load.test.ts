import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfigText, problemLines } from '../../../src/config/load.js';
import { parseDuration } from '../../../src/config/schema.js';

describe('parseConfigText', () => {
  it('applies defaults to a minimal config', () => {
    const result = parseConfigText('feeds:\n  - url: https://example.com/feed\n', 'a.yaml');
    expect(result.errors).toEqual([]);
    expect(result.config?.feeds).toEqual([{ url: 'https://example.com/feed' }]);
    expect(result.config?.settings.interval).toBe(600_000);
    expect(result.config?.settings.firstSightWindow).toBe(86_400_000);
    expect(result.config?.destinations).toEqual([]);
  });

  it('treats an empty file as the defaults', () => {
    const result = parseConfigText('', 'empty.yaml');
    expect(result.errors).toEqual([]);
    expect(result.config?.feeds).toEqual([]);
  });

  it('reports schema errors with file, line and key path', () => {
    const text = [
      'settings:',
      '  interval: soon',
      'feeds:',
      '  - url: https://ok.example/rss',
      '  - url: ftp://nope',
      '',
    ].join('\n');
    const result = parseConfigText(text, 'bad.yaml');
    expect(result.config).toBeNull();
    expect(result.errors.map(formatProblem)).toEqual([
      'bad.yaml:2: settings.interval: not a duration: "soon" (give a unit: e.g. 90s, 10m, 2h, 1d; a bare number must be 0)',
      'bad.yaml:5: feeds[1].url: must be an absolute http(s) URL',
    ]);
  });

  it('names an unknown key at its own line', () => {
    const result = parseConfigText('feeds:\n  - url: https://a.example/\n    intervall: 5m\n', 'typo.yaml');
    expect(result.errors).toEqual([
      {
        file: 'typo.yaml',
        line: 3,
        path: 'feeds[0].intervall',
        message: 'Unrecognized key: "intervall" (did you mean "interval"?)',
      },
    ]);
  });

  it('suggests the closest allowed word for a misspelt destination type or summary period', () => {
    const text = [
      'destinations:',
      '  - { name: intel, type: webhok, webhookUrlEnv: INTEL_WEBHOOK_URL }',
      '  - { name: soc, webhookUrlEnv: SOC_WEBHOOK_URL }',
      '  - { name: log, type: Console }',
      '  - { name: desk, type: console }',
      'routes:',
      '  - name: weekly-desk',
      '    destinations: [desk]',
      '    summary: { every: weeky }',
      '',
    ].join('\n');
    const result = parseConfigText(text, 'types.yaml');
    const kinds = '"webhook", "bot", "console", "taxii", "misp"';
    expect(result.errors.map(formatProblem)).toEqual([
      `types.yaml:2: destinations[0].type: "webhok" is not one of ${kinds} (did you mean "webhook"?)`,
      `types.yaml:3: destinations[1].type: required key is missing: one of ${kinds}`,
      `types.yaml:4: destinations[2].type: "Console" is not one of ${kinds} (did you mean "console"?)`,
      'types.yaml:9: routes[0].summary.every: "weeky" is not one of "daily", "weekly" (did you mean "weekly"?)',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const result = parseConfigText('feeds:\n  - url: "https://a.example/\n  - url: x\n', 'syntax.yaml');
    expect(result.config).toBeNull();
    expect(result.errors[0]?.file).toBe('syntax.yaml');
    expect(result.errors[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects duplicate keys instead of silently keeping the last', () => {
    const result = parseConfigText('settings:\n  interval: 5m\n  interval: 6m\n', 'dup.yaml');
    expect(result.config).toBeNull();
    expect(result.errors[0]?.line).toBe(3);
  });

  it('rejects an invalid cron schedule and duplicate destination names', () => {
    const text = [
      'settings:',
      '  schedule: "every minute"',
      'destinations:',
      '  - { name: main, type: console }',
      '  - { name: main, type: webhook, webhookUrlEnv: MAIN_HOOK }',
    ].join('\n');
    const result = parseConfigText(text, 'rules.yaml');
    expect(result.errors.map(formatProblem)).toEqual([
      'rules.yaml:2: settings.schedule: not a valid cron expression: "every minute"',
      'rules.yaml:5: destinations[1].name: name "main" already used by destinations[0]',
    ]);
  });

  it('rejects a minInterval longer than maxInterval at the line that sets it', () => {
    const text = [
      'feeds:',
      '  - url: https://a.example/feed',
      'settings:',
      '  maxInterval: 30m',
      '  minInterval: 1h',
      '',
    ].join('\n');
    const result = parseConfigText(text, 'intervals.yaml');
    expect(result.config).toBeNull();
    expect(result.errors.map(formatProblem)).toEqual([
      'intervals.yaml:5: settings.minInterval: is longer than settings.maxInterval; the shortest adaptive interval must not exceed the longest',
    ]);
    // Only maxInterval set, below the default minInterval (2m): filed under settings.
    const below = parseConfigText('settings:\n  maxInterval: 1m\n', 'below.yaml');
    expect(below.errors.map(formatProblem)).toEqual([
      'below.yaml:1: settings.minInterval: is longer than settings.maxInterval; the shortest adaptive interval must not exceed the longest',
    ]);
    expect(
      parseConfigText('settings:\n  minInterval: 30m\n  maxInterval: 30m\n', 'equal.yaml').errors,
    ).toEqual([]);
  });

  it('warns about two feeds one name would mean, by name or by host, but keeps the config', () => {
    const text = [
      'feeds:',
      '  - { url: "https://vendor.example/research/feed", name: Vendor Research }',
      '  - { url: "https://vendor.example/news/feed", name: vendor research }',
      '  - { url: "https://www.cisa.gov/cybersecurity-advisories/all.xml" }',
      '  - { url: "https://www.cisa.gov/news.xml" }',
      '  - { url: "https://www.cisa.gov/ics.xml", name: CISA ICS }',
      '',
    ].join('\n');
    const result = parseConfigText(text, 'names.yaml');
    expect(result.errors).toEqual([]);
    expect(result.config?.feeds).toHaveLength(5);
    expect(result.warnings.map(formatProblem)).toEqual([
      `names.yaml:3: feeds[1].name: feed name "vendor research" is also feeds[0]'s: routes' feeds, explain --feed and the per-feed metric cannot tell them apart; give each a name of its own`,
      `names.yaml:5: feeds[3].url: feed name "www.cisa.gov" is also feeds[2]'s (a feed without a name is named by its host): routes' feeds, explain --feed and the per-feed metric cannot tell them apart; give each a name of its own`,
    ]);
  });

  it('warns about a feed listed twice but keeps the config', () => {
    const text = 'feeds:\n  - url: https://a.example/feed\n  - url: https://A.example/feed\n';
    const result = parseConfigText(text, 'twice.yaml');
    expect(result.config).not.toBeNull();
    expect(result.warnings.map(formatProblem)).toEqual([
      'twice.yaml:3: feeds[1].url: duplicate of feeds[0]; polled once',
    ]);
  });
});

describe('parseConfigText reports every problem in one pass', () => {
  it('gives schema, rule and YAML problems together, by line, each at its own line', () => {
    const text = [
      'settings:', // 1
      '  interval: soon', // 2
      '  schedule: "every minute"', // 3
      'destinations:', // 4
      '  - { name: intel, type: webhook, webhookUrlEnv: INTEL_HOOK }', // 5
      '  - { name: soc, type: bot, tokenEnv: BOT }', // 6: no channelId
      'watchlists:', // 7
      '  - name: china', // 8
      '    countries: [China]', // 9
      '    keywords: ["/(unclosed/"]', // 10
      '    countries: [Russia]', // 11: duplicate key
      'routes:', // 12
      '  - name: desk', // 13
      '    destinations: [intell, soc]', // 14
      '    watchlists: [china]', // 15
      '    mentionRole: ["112233445566778899"]', // 16
      'destinatons: []', // 17
    ].join('\n');
    const result = parseConfigText(text, 'all.yaml');
    expect(result.config).toBeNull();
    expect(result.errors.map(formatProblem)).toEqual([
      'all.yaml:2: settings.interval: not a duration: "soon" (give a unit: e.g. 90s, 10m, 2h, 1d; a bare number must be 0)',
      'all.yaml:3: settings.schedule: not a valid cron expression: "every minute"',
      'all.yaml:6: destinations[1].channelId: required key is missing',
      'all.yaml:10: watchlists[0].keywords[0]: regex does not compile: /(unclosed/: Unterminated group',
      'all.yaml:11: key "countries" appears twice in one mapping (each key may appear once)',
      'all.yaml:14: routes[0].destinations[0]: unknown destination "intell" (did you mean "intel"?)',
      'all.yaml:16: routes[0].mentionRole: Unrecognized key: "mentionRole" (did you mean "mentionRoles"?)',
      'all.yaml:17: destinatons: Unrecognized key: "destinatons" (did you mean "destinations"?)',
    ]);
    // What passed the schema, for the environment's checks in the same run.
    expect(result.partial?.destinations.map((target) => target.name)).toEqual(['intel']);
    expect(result.locate(['destinations', 0, 'webhookUrlEnv'])).toEqual({
      line: 5,
      path: 'destinations[0].webhookUrlEnv',
    });
  });

  it('stops at a YAML syntax error and says the rest was not checked', () => {
    const result = parseConfigText('feeds: [\n  - url: x\nsettings: { interval: soon }\n', 'broken.yaml');
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.partial).toBeNull();
    expect(result.warnings.map((warning) => warning.message)).toEqual([
      'nothing else was checked: the file is read once its YAML syntax is fixed',
    ]);
  });

  it('locates an entry of a list that lost entries before it at its line in the file', () => {
    const text = [
      'feeds:',
      '  - url: nope',
      '  - url: https://a.example/',
      '  - url: https://A.example/',
    ].join('\n');
    const result = parseConfigText(text, 'f.yaml');
    expect(result.errors.map(formatProblem)).toEqual([
      'f.yaml:2: feeds[0].url: must be an absolute http(s) URL',
    ]);
    expect(result.warnings.map(formatProblem)).toEqual([
      'f.yaml:4: feeds[2].url: duplicate of feeds[1]; polled once',
    ]);
  });
});

describe('problemLines', () => {
  it('puts errors and warnings together in the order of the file', () => {
    const at = (line: number | null, message: string) => ({ file: 'c.yaml', line, path: '', message });
    expect(problemLines([at(9, 'b'), at(null, 'd')], [at(3, 'a'), at(9, 'c')])).toEqual([
      'warning: c.yaml:3: a',
      'error: c.yaml:9: b',
      'warning: c.yaml:9: c',
      'error: c.yaml: d',
    ]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['0', 0],
    [0, 0],
    ['1.5h', 5_400_000],
    ['500ms', 500],
  ] as const)('%s → %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', 'ten minutes', '-5m', '5 weeks', '30', 15])('rejects %j', (input) => {
    expect(parseDuration(input)).toBeNull();
  });
});
