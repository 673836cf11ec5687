import { describe, expect, it } from 'vitest';
import {
  alertChanges,
  diffReplays,
  Replay,
  type ReplayArticle,
  type ReplayConfig,
  type ReplayedAlert,
} from '../../../src/alerts/replay.js';
import type { AttributedActor, Attribution } from '../../../src/attribution/attribution.js';
import { Config } from '../../../src/config/schema.js';

const HOUR = 3_600_000;
const START = Date.parse('2026-11-21T00:00:00.000Z');
/** The period replayed starts a day after START. */
const FROM = new Date(START + 24 * HOUR).toISOString();
const ROLE = '112233445566778899';

const sandworm: AttributedActor = { name: 'Sandworm', aliases: ['APT44'], country: 'Russia', stated: true };
const volt: AttributedActor = { name: 'Volt Typhoon', aliases: [], country: 'China', stated: true };
const lazarus: AttributedActor = { name: 'Lazarus Group', aliases: [], country: 'North Korea', stated: true };

function attribution(actors: AttributedActor[], overrides: Partial<Attribution> = {}): Attribution {
  return {
    id: 'x',
    is_attribution: true,
    actors,
    attributed_countries: [...new Set(actors.flatMap((actor) => (actor.country ? [actor.country] : [])))],
    attributing_parties: ['CISA'],
    products: [],
    cves: [],
    confidence: 0.85,
    confidence_reason: 'government attribution',
    evidence: [],
    ...overrides,
  };
}

function article(
  key: string,
  hours: number,
  title: string,
  feedUrl = 'https://desk.example/feed',
): ReplayArticle {
  return {
    key,
    feedUrl,
    title,
    link: `https://desk.example/${key}`,
    published: null,
    text: `${title}.`,
    analysedAt: new Date(START + hours * HOUR).toISOString(),
  };
}

function config(yaml: Record<string, unknown>): ReplayConfig {
  const parsed = Config.parse(yaml);
  return {
    settings: parsed.settings,
    routes: parsed.routes,
    watchlists: parsed.watchlists,
    sourceName: (url) => (url.includes('wire') ? 'Wire' : 'Desk'),
  };
}

const RUNNING = {
  watchlists: [{ name: 'russia', countries: ['Russia'] }],
  routes: [
    { name: 'russia-desk', destinations: ['intel'], watchlists: ['russia'] },
    { name: 'everything', destinations: ['soc'] },
  ],
};

/** Feeds each article, with its attribution, to a fresh replay of `yaml`. */
function replay(yaml: Record<string, unknown>, week: Array<[ReplayArticle, Attribution]>) {
  const run = new Replay(config(yaml), FROM);
  for (const [each, analysis] of week) run.add(each, analysis);
  return run.result();
}

const titles = (alerts: readonly ReplayedAlert[] | undefined) => alerts?.map((alert) => alert.title);

describe('Replay', () => {
  const week: Array<[ReplayArticle, Attribution]> = [
    // Before the period: opens the Sandworm story, which the period's second report joins.
    [article('sandworm-1', 20, 'Sandworm wiper hits Ukrainian grid'), attribution([sandworm])],
    [
      article('sandworm-2', 30, 'Ukrainian grid wiper was Sandworm', 'https://wire.example/rss'),
      attribution([sandworm]),
    ],
    [article('volt', 40, 'Volt Typhoon in water utilities'), attribution([volt])],
    [
      article('earnings', 50, 'Security vendor earnings beat'),
      attribution([], { is_attribution: false, confidence: 0 }),
    ],
    [article('lazarus', 60, 'Lazarus stole crypto'), attribution([lazarus])],
  ];

  it('routes the period’s stories per destination; a story opened before the period only warms up', () => {
    const result = replay(RUNNING, week);
    expect(result.destinations).toEqual(['intel', 'soc']);
    expect(titles(result.alerts.get('intel'))).toEqual([]);
    expect(titles(result.alerts.get('soc'))).toEqual([
      'Volt Typhoon in water utilities',
      'Lazarus stole crypto',
    ]);
    expect(result.alerts.get('soc')?.[0]).toMatchObject({
      destination: 'soc',
      url: 'https://desk.example/volt',
      source: 'Desk',
      at: '2026-11-22T16:00:00.000Z',
      route: 'everything',
      mentionRoleIds: [],
      digest: false,
      articles: ['volt'],
      actors: ['Volt Typhoon'],
      countries: ['China'],
    });
  });

  it('counts a later report as an edit, and as an update when it names a new actor', () => {
    const apt28: AttributedActor = { name: 'APT28', aliases: [], country: 'Russia', stated: true };
    const result = replay(RUNNING, [
      [article('a', 30, 'Sandworm wiper hits Ukrainian grid'), attribution([sandworm])],
      [
        article('b', 31, 'Sandworm wiper hits Ukrainian grid, Wire says', 'https://wire.example/rss'),
        attribution([sandworm]),
      ],
      [article('c', 32, 'Sandworm and APT28 behind Ukrainian grid wiper'), attribution([sandworm, apt28])],
    ]);
    expect(result.alerts.get('intel')).toEqual([
      expect.objectContaining({
        title: 'Sandworm wiper hits Ukrainian grid',
        articles: ['a', 'b', 'c'],
        edits: 2,
        updates: 1,
      }),
    ]);
    expect(result.stories).toHaveLength(1);
  });

  it('opens a new story once the story window has passed', () => {
    const result = replay(RUNNING, [
      [article('a', 30, 'Sandworm wiper hits Ukrainian grid'), attribution([sandworm])],
      [article('b', 30 + 73, 'Sandworm wiper hits Ukrainian grid again'), attribution([sandworm])],
    ]);
    expect(result.alerts.get('intel')?.map((alert) => alert.articles)).toEqual([['a'], ['b']]);
  });

  it('applies the config’s minConfidence before routing, as the pipeline does', () => {
    const result = replay({ ...RUNNING, settings: { minConfidence: 0.9 } }, week);
    expect(result.alerts.get('soc')).toEqual([]);
  });
});

describe('diffReplays', () => {
  const week: Array<[ReplayArticle, Attribution]> = [
    [article('volt', 30, 'Volt Typhoon in water utilities'), attribution([volt])],
    [article('sandworm', 40, 'Sandworm wiper hits Ukrainian grid'), attribution([sandworm])],
    [article('lazarus', 50, 'Lazarus stole crypto'), attribution([lazarus])],
  ];
  const running = replay(RUNNING, week);

  it('is empty for the same config', () => {
    const diff = diffReplays(running, replay(RUNNING, week));
    expect(diff.moved).toEqual([]);
    for (const entry of diff.destinations)
      expect([entry.added, entry.removed, entry.changed]).toEqual([[], [], []]);
  });

  it('adds, removes and changes per destination, and lists the stories that move', () => {
    const candidate = replay(
      {
        watchlists: [...RUNNING.watchlists, { name: 'china', countries: ['China'] }],
        routes: [
          { name: 'russia-desk', destinations: ['intel'], watchlists: ['russia'], mentionRoles: [ROLE] },
          { name: 'china-desk', destinations: ['intel'], watchlists: ['china'] },
          {
            name: 'everything',
            destinations: ['soc'],
            exclude: { countries: ['North Korea'] },
            digest: true,
          },
        ],
      },
      week,
    );
    const diff = diffReplays(running, candidate);
    const [intel, soc] = diff.destinations;
    expect(titles(intel?.added)).toEqual(['Volt Typhoon in water utilities']);
    expect(intel?.changed.map((change) => [change.candidate.title, change.changes])).toEqual([
      ['Sandworm wiper hits Ukrainian grid', [`pings none → role ${ROLE}`]],
    ]);
    expect(titles(soc?.removed)).toEqual(['Lazarus stole crypto']);
    expect(soc?.changed.map((change) => change.changes)).toEqual([
      ['own message → digest'],
      ['own message → digest'],
    ]);
    expect(diff.moved.map((move) => [move.story.title, move.running, move.candidate])).toEqual([
      ['Volt Typhoon in water utilities', ['soc'], ['intel', 'soc']],
      ['Lazarus stole crypto', ['soc'], []],
    ]);
  });

  it('takes two stories sharing an article for one, even when different reports opened them', () => {
    const opener = article('sandworm-a', 30, 'Energy company wiped, Sandworm suspected');
    const second = article('sandworm-b', 31, 'Sandworm wiper hits Ukrainian grid');
    const week: Array<[ReplayArticle, Attribution]> = [
      [opener, attribution([sandworm], { confidence: 0.5 })],
      [second, attribution([sandworm], { confidence: 0.95 })],
    ];
    // The candidate wants only confident attributions: the second report opens its story.
    const strict = {
      ...RUNNING,
      routes: [{ name: 'russia-desk', destinations: ['intel'], watchlists: ['russia'], minConfidence: 0.9 }],
    };
    const diff = diffReplays(replay(RUNNING, week), replay(strict, week));
    expect(diff.destinations[0]?.changed.map((change) => change.changes)).toEqual([
      [
        'opened by "Sandworm wiper hits Ukrainian grid" instead of "Energy company wiped, Sandworm suspected"',
      ],
    ]);
    expect(diff.destinations[0]?.removed).toEqual([]);
  });

  it('alertChanges names each difference in words', () => {
    const [alert] = running.alerts.get('intel') ?? [];
    expect(alertChanges(alert!, { ...alert!, digest: true, route: 'other', updates: 2 })).toEqual([
      'own message → digest',
      'route russia-desk → other',
      '0 updates → 2 updates',
    ]);
  });
});
