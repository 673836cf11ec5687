import { describe, expect, it } from 'vitest';
import { compileKeyword } from '../../../src/config/keyword.js';
import { formatProblem, parseConfigText } from '../../../src/config/load.js';

const CHANNEL = '123456789012345678';
const ROLE = '876543210987654321';

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

describe('destinations, watchlists and routes in YAML', () => {
  it('parses every destination type, watchlists and routes with their defaults', () => {
    const result = parseConfigText(
      lines(
        'destinations:',
        '  - { name: intel, type: webhook, webhookUrlEnv: INTEL_HOOK }',
        '  - { name: files, type: webhook, webhookUrlFile: /run/secrets/hook }',
        `  - { name: soc, type: bot, tokenEnv: BOT_TOKEN, channelId: "${CHANNEL}", guildId: "${CHANNEL}", adminRoleIds: ["${ROLE}"] }`,
        '  - { name: log, type: console }',
        'watchlists:',
        '  - name: russia',
        '    countries: [Russia]',
        '    actors: [Sandworm]',
        '    excludes: { keywords: [exercise] }',
        'routes:',
        '  - name: russia-to-soc',
        '    destinations: [soc, intel]',
        '    watchlists: [russia]',
        `    mentionRoles: ["${ROLE}"]`,
      ),
      'ok.yaml',
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.config?.destinations[2]).toEqual({
      name: 'soc',
      type: 'bot',
      tokenEnv: 'BOT_TOKEN',
      channelId: CHANNEL,
      guildId: CHANNEL,
      adminRoleIds: [ROLE],
    });
    expect(result.config?.watchlists[0]).toEqual({
      name: 'russia',
      actors: ['Sandworm'],
      countries: ['Russia'],
      products: [],
      cves: [],
      keywords: [],
      excludes: { actors: [], countries: [], products: [], cves: [], keywords: ['exercise'] },
    });
    expect(result.config?.routes[0]).toMatchObject({
      name: 'russia-to-soc',
      destinations: ['soc', 'intel'],
      watchlists: ['russia'],
      attributionOnly: true,
      minConfidence: 0,
      mentionRoles: [ROLE],
      digest: false,
    });
  });

  it('reports every cross-reference problem at its own line', () => {
    const result = parseConfigText(
      lines(
        'destinations:',
        '  - { name: intel, type: webhook }',
        '  - { name: soc, type: bot, tokenEnv: A, tokenFile: /x, channelId: "123456789012345678" }',
        'watchlists:',
        '  - { name: w, keywords: ["/(unclosed/i", "/ok/g"] }',
        '  - { name: w, actors: [x] }',
        'routes:',
        '  - name: r',
        '    destinations: [intel, nowhere]',
        '    watchlists: [missing]',
        '    exclude: { keywords: ["/[z-a]/"] }',
        '  - { name: r, destinations: [soc] }',
      ),
      'bad.yaml',
    );
    expect(result.config).toBeNull();
    expect(result.errors.map(formatProblem)).toEqual([
      'bad.yaml:2: destinations[0]: webhook destination "intel" needs exactly one of webhookUrlEnv, webhookUrlFile',
      'bad.yaml:3: destinations[1]: bot destination "soc" needs exactly one of tokenEnv, tokenFile',
      expect.stringMatching(/^bad\.yaml:5: watchlists\[0\]\.keywords\[0\]: regex does not compile: /),
      'bad.yaml:5: watchlists[0].keywords[1]: regex flag(s) "g" not allowed (use i, m, s, u)',
      'bad.yaml:6: watchlists[1].name: name "w" already used by watchlists[0]',
      'bad.yaml:9: routes[0].destinations[1]: unknown destination "nowhere" (known: intel, soc)',
      'bad.yaml:10: routes[0].watchlists[0]: unknown watchlist "missing" (known: w)',
      expect.stringMatching(/^bad\.yaml:11: routes\[0\]\.exclude\.keywords\[0\]: regex does not compile: /),
      'bad.yaml:12: routes[1].name: name "r" already used by routes[0]',
    ]);
  });

  it('refuses unquoted and malformed Discord ids', () => {
    const result = parseConfigText(
      lines(
        'destinations:',
        '  - { name: soc, type: bot, tokenEnv: T, channelId: 123456789012345678 }',
        'routes:',
        '  - { name: r, destinations: [soc], mentionRoles: ["@everyone"] }',
      ),
      'ids.yaml',
    );
    expect(result.errors.map(formatProblem)).toEqual([
      'ids.yaml:2: destinations[0].channelId: must be a quoted Discord id (YAML reads long unquoted numbers imprecisely)',
      'ids.yaml:4: routes[0].mentionRoles[0]: must be a Discord id (17 to 20 digits)',
    ]);
  });

  it('refuses a watch entry of an unknown kind and a bad CVE id', () => {
    const result = parseConfigText(
      lines('watchlists:', '  - name: w', '    people: [x]', '    cves: [CVE-21-1]'),
      'kinds.yaml',
    );
    expect(result.errors.map(formatProblem)).toEqual([
      'kinds.yaml:3: watchlists[0].people: Unrecognized key: "people"',
      'kinds.yaml:4: watchlists[0].cves[0]: must be a CVE id such as CVE-2021-26855',
    ]);
  });

  it('lets routes name the default destination and the slash-command watchlist without declaring them', () => {
    const result = parseConfigText(
      lines('routes:', '  - { name: r, destinations: [default], watchlists: [discord] }'),
      'd.yaml',
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('warns about a route that can never match and an unused watchlist', () => {
    const result = parseConfigText(
      lines(
        'watchlists:',
        '  - { name: empty }',
        '  - { name: spare, actors: [APT41] }',
        'routes:',
        '  - { name: dead, destinations: [default], watchlists: [empty] }',
      ),
      'w.yaml',
    );
    expect(result.config).not.toBeNull();
    expect(result.warnings.map(formatProblem)).toEqual([
      'w.yaml:3: watchlists[1].name: watchlist "spare" is not used by any route',
      'w.yaml:5: routes[0].watchlists: route "dead" can never match: its watchlists are empty and it has no match entries',
    ]);
  });
});

describe('route summaries in the config', () => {
  it('reads the defaults and refuses a bad time, zone or grace', () => {
    const good = parseConfigText(
      lines('routes:', '  - { name: r, destinations: [default], summary: { every: daily } }'),
      's.yaml',
    );
    expect(good.errors).toEqual([]);
    expect(good.config?.routes[0]?.summary).toEqual({
      every: 'daily',
      at: '09:00',
      day: 'monday',
      timezone: 'UTC',
      top: 8,
      grace: 12 * 3_600_000,
    });
    const bad = parseConfigText(
      lines(
        'routes:',
        '  - name: r',
        '    destinations: [default]',
        '    summary: { every: daily, at: "9am", timezone: Europe/Pariss, grace: 2d }',
      ),
      's.yaml',
    );
    expect(bad.errors.map(formatProblem)).toEqual([
      's.yaml:4: routes[0].summary.at: must be a 24-hour time such as 09:00',
      's.yaml:4: routes[0].summary.timezone: must be an IANA time zone such as Europe/Paris',
      's.yaml:4: routes[0].summary.grace: must be shorter than the period (1d)',
    ]);
  });

  it('warns when stories are not kept for a whole period, or only admin and TAXII/MISP would get it', () => {
    const result = parseConfigText(
      lines(
        'settings: { storyWindow: 24h, retention: { stories: 3d, outbox: 3d } }',
        'destinations:',
        '  - { name: admin, type: console }',
        '  - { name: cti, type: taxii, url: "https://taxii.example.org/api1/", collection: c1, secretEnv: TAXII_SECRET }',
        'routes:',
        '  - { name: r, destinations: [admin, cti], summary: { every: weekly } }',
      ),
      'w.yaml',
    );
    expect(result.warnings.map(formatProblem)).toEqual([
      "w.yaml:6: routes[0].summary.every: a weekly summary covers more than settings.retention.stories keeps (3 days): it will miss the period's earliest stories",
      'w.yaml:6: routes[0].summary: summaries go to Discord and console destinations other than "admin"; this route has none, so its summary goes nowhere',
    ]);
  });
});

describe('compileKeyword', () => {
  it.each([
    ['zero day', 'A new zero-day in Chrome', true],
    ['zero day', 'zeroday', false],
    ['arm', 'harm done', false],
    ['C++', 'written in C++ code', true],
    ['/apt\\s?\\d+/i', 'APT 41 again', true],
    ['/^exact$/m', 'line\nexact\nline', true],
  ] as const)('%s on %j → %s', (keyword, text, expected) => {
    const compiled = compileKeyword(keyword);
    if (!compiled.ok) throw new Error(compiled.error);
    expect(compiled.regex.test(text)).toBe(expected);
  });

  it.each([
    ['/a/g', 'regex flag(s) "g" not allowed (use i, m, s, u)'],
    ['/(/', expect.stringMatching(/^regex does not compile/)],
    ['   ', 'empty keyword'],
  ])('refuses %j', (keyword, error) => {
    expect(compileKeyword(keyword)).toEqual({ ok: false, error });
  });
});
