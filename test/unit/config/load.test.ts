import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfigText } from '../../../src/config/load.js';
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
      { file: 'typo.yaml', line: 3, path: 'feeds[0].intervall', message: 'Unrecognized key: "intervall"' },
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

  it('warns about a feed listed twice but keeps the config', () => {
    const text = 'feeds:\n  - url: https://a.example/feed\n  - url: https://A.example/feed\n';
    const result = parseConfigText(text, 'twice.yaml');
    expect(result.config).not.toBeNull();
    expect(result.warnings.map(formatProblem)).toEqual([
      'twice.yaml:3: feeds[1].url: duplicate of feeds[0]; polled once',
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
