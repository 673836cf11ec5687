/**
 * `attribot replay` through the real CLI on a real ledger: a week of news stored by the pipeline
 * (test/helpers/replay-corpus.ts) on SQLite, and on PostgreSQL through DATABASE_URL, replayed with
 * the running config and with candidates that add a watchlist, exclude a country or ping a role.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, postgresSkipNote, postgresUrl } from '../helpers/pg-database.js';
import {
  DESK,
  headline,
  INTEL_URL,
  RUNNING_CONFIG,
  SOC_URL,
  storeCorpus,
  WIRE,
} from '../helpers/replay-corpus.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ROLE = '112233445566778899';

/** The running config plus a China watchlist, routed to intel with a role ping. */
function withChinaWatchlist(): string {
  return RUNNING_CONFIG.replace(
    'routes:\n',
    ['  - name: china', '    countries: [China]', 'routes:', ''].join('\n'),
  ).concat(
    [
      '  - name: china-desk',
      '    destinations: [intel]',
      '    watchlists: [china]',
      `    mentionRoles: ["${ROLE}"]`,
      '',
    ].join('\n'),
  );
}

interface Replayed {
  destination: string;
  running: Array<{ title: string }>;
  candidate?: Array<{ title: string }>;
  added?: Array<{ title: string; mentionRoleIds: string[] }>;
  removed?: Array<{ title: string }>;
  changed?: Array<{ candidate: { title: string }; changes: string[] }>;
}

/** A headline inside a RegExp: `$40 million` and `(CVE…)` as text. */
const literal = (slug: string): string => headline(slug).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const titles = (alerts: ReadonlyArray<{ title: string }> | undefined) => alerts?.map((alert) => alert.title);

describe('attribot replay on a SQLite ledger', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let config: string;
  let database: string;
  const env = (extra: Record<string, string> = {}) => ({
    ATTRIBOT_DB: database,
    INTEL_WEBHOOK_URL: INTEL_URL,
    SOC_WEBHOOK_URL: SOC_URL,
    ...extra,
  });
  const replay = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['replay', '--running', config, ...args], env(extra));
  const candidate = (name: string, yaml: string): string => {
    const file = join(temp.dir, name);
    writeFileSync(file, yaml);
    return file;
  };

  beforeAll(async () => {
    temp = makeTempDir();
    config = join(temp.dir, 'attribot.yaml');
    database = join(temp.dir, 'data', 'attribot.db');
    const { store } = await openStore(database);
    try {
      await storeCorpus(store, config);
    } finally {
      await store.close();
    }
  }, 60_000);
  afterAll(() => temp.cleanup());

  it('without a candidate: what the running config would have sent this week, per destination', async () => {
    const result = await replay(['--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { articles: number; destinations: Replayed[] };
    // The Sandworm report of the week joins the story opened just before it: an edit, no alert.
    expect(report.articles).toBe(11);
    expect(report.destinations.map((entry) => [entry.destination, titles(entry.running)])).toEqual([
      ['intel', [headline('apt28-ministries')]],
      [
        'soc',
        [
          headline('volt-typhoon-water'),
          headline('apt41-shipping'),
          headline('lazarus-exchange'),
          headline('iran-water-israel'),
          headline('apt28-ministries'),
        ],
      ],
    ]);
    const text = await replay([]);
    expect(text.stdout).toMatch(/^Replay of 11 stored articles analysed since .* \(the last 7d\),$/m);
    expect(text.stdout).toMatch(/^intel: 1 alert$/m);
    expect(text.stdout).toMatch(/^soc: 5 alerts$/m);
    expect(text.stdout).toContain(`  • ${headline('lazarus-exchange')} · `);
  });

  it('a candidate that adds a watchlist: its stories are added where its route sends them', async () => {
    const file = candidate('adds-china.yaml', withChinaWatchlist());
    const result = await replay(['--config', file]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const intel = lines.indexOf('intel: 1 alert running, 3 with the candidate');
    expect(intel).toBeGreaterThan(0);
    expect(lines.slice(intel + 1, intel + 3)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^  \\+ ${literal('volt-typhoon-water')} · \\S+ \\S+ UTC · Desk \\(pings role ${ROLE}\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^  \\+ ${literal('apt41-shipping')} · .* · Wire \\(pings role ${ROLE}\\)$`),
      ),
    ]);
    expect(lines).toContain('soc: 5 alerts running, 5 with the candidate, no difference');
    // Seen from the stories: the two China stories now also go to intel.
    expect(result.stdout).toMatch(
      new RegExp(
        `^Stories sent to other destinations:\n  ${literal('volt-typhoon-water')} · .*: soc → intel, soc\n`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(/^The candidate: 2 added, 0 removed, 0 changed\.$/m);

    const json = JSON.parse((await replay(['--config', file, '--json'])).stdout) as {
      candidate: string;
      destinations: Replayed[];
    };
    expect(json.candidate).toBe(file);
    const [intelDiff, socDiff] = json.destinations;
    expect(titles(intelDiff?.added)).toEqual([headline('volt-typhoon-water'), headline('apt41-shipping')]);
    expect(intelDiff?.added?.[0]?.mentionRoleIds).toEqual([ROLE]);
    expect([
      intelDiff?.removed,
      intelDiff?.changed,
      socDiff?.added,
      socDiff?.removed,
      socDiff?.changed,
    ]).toEqual([[], [], [], [], []]);
  });

  it('a candidate that excludes a country: those stories are removed from that route’s destination', async () => {
    const file = candidate(
      'no-north-korea.yaml',
      RUNNING_CONFIG.replace(
        '    destinations: [soc]\n',
        '    destinations: [soc]\n    exclude: { countries: [North Korea] }\n',
      ),
    );
    const result = await replay(['--config', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('intel: 1 alert running, 1 with the candidate, no difference');
    expect(result.stdout).toMatch(
      new RegExp(
        `^soc: 5 alerts running, 4 with the candidate\\n  − ${literal('lazarus-exchange')} · .* · Desk$`,
        'm',
      ),
    );
    expect(result.stdout).toMatch(new RegExp(`^  ${literal('lazarus-exchange')} · .*: soc → nowhere$`, 'm'));
    expect(result.stdout).toMatch(/^The candidate: 0 added, 1 removed, 0 changed\.$/m);
  });

  it('reads the candidate with the environment the worker has: ATTRIBOT_FEEDS renames its feeds as the running config’s', async () => {
    const file = candidate(
      'desk-to-intel.yaml',
      `${RUNNING_CONFIG}  - name: desk-to-intel\n    destinations: [intel]\n    feeds: [Desk]\n`,
    );
    type Report = { destinations: Replayed[] };
    const intelOf = (report: Report) => report.destinations.find((each) => each.destination === 'intel');
    const named = JSON.parse((await replay(['--config', file, '--json'])).stdout) as Report;
    expect(intelOf(named)?.added?.length).toBeGreaterThan(0);

    // A worker given ATTRIBOT_FEEDS names those feeds by host, so a route listing "Desk" takes nothing from them.
    const fromEnvironment = await replay(['--config', file, '--json'], {
      ATTRIBOT_FEEDS: `${DESK.url},${WIRE.url}`,
    });
    expect(fromEnvironment.code).toBe(0);
    const hosted = JSON.parse(fromEnvironment.stdout) as Report;
    expect(intelOf(hosted)?.added).toEqual([]);
    expect(hosted.destinations.flatMap((each) => [...(each.removed ?? []), ...(each.changed ?? [])])).toEqual(
      [],
    );
  });

  it('a candidate that pings a role on an existing route: the alerts are changed, not added', async () => {
    const file = candidate(
      'pings.yaml',
      RUNNING_CONFIG.replace(
        '    watchlists: [russia]\n',
        `    watchlists: [russia]\n    mentionRoles: ["${ROLE}"]\n`,
      ).replace('    destinations: [soc]\n', '    destinations: [soc]\n    digest: true\n'),
    );
    const result = await replay(['--config', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^  ~ ${literal('apt28-ministries')} · .*: pings none → role ${ROLE}$`, 'm'),
    );
    expect(result.stdout).toMatch(
      new RegExp(`^  ~ ${literal('lazarus-exchange')} · .* \\(digest\\): own message → digest$`, 'm'),
    );
    expect(result.stdout).toMatch(/^The candidate: 0 added, 0 removed, 6 changed\.$/m);
    expect(result.stdout).not.toContain('Stories sent to other destinations');
  });

  it('sends nothing and writes nothing to the ledger', async () => {
    const snapshot = async () => {
      const { store } = await openStore({ location: database, mustExist: true });
      try {
        return await ledgerSnapshot(store);
      } finally {
        await store.close();
      }
    };
    const before = await snapshot();
    const file = candidate('adds-china-again.yaml', withChinaWatchlist());
    expect((await replay(['--config', file])).code).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('says what is wrong: an invalid candidate with file:line, no database, an empty period, a bad --since', async () => {
    const broken = candidate('broken.yaml', `${RUNNING_CONFIG}    digets: true\n`);
    const invalid = await replay(['--config', broken]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(`error: ${broken}:16: routes[1].digets:`);
    expect(invalid.stderr).toContain(`attribot replay: the candidate configuration ${broken} is invalid`);

    const absent = join(temp.dir, 'nowhere', 'attribot.db');
    const missing = await replay([], { ATTRIBOT_DB: absent });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no attribot database at .*nowhere\/attribot\.db: the worker creates it/);
    expect(existsSync(join(temp.dir, 'nowhere'))).toBe(false);

    const empty = await replay(['--since', '2h']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^attribot replay: no article analysed in the last 2h is stored\. /);
    expect(empty.stdout).toBe('');

    const bad = await replay(['--since', 'last week']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since needs a duration such as 7d/);
  });
});

/** What a replay must not change: outbox rows, stories, stored articles and feed states. */
async function ledgerSnapshot(store: Store): Promise<unknown> {
  const articles: string[] = [];
  for await (const article of store.articlesSince('2000-01-01T00:00:00.000Z')) articles.push(article.key);
  return {
    outbox: await store.pendingOutbox(1000),
    counts: await store.outboxCounts(),
    stories: await store.latestStories(1000),
    articles,
    feeds: await Promise.all(
      ['https://desk.example/feed.xml', 'https://wire.example/rss'].map((url) => store.getFeedState(url)),
    ),
  };
}

describe.skipIf(!postgresUrl())(`attribot replay on PostgreSQL (DATABASE_URL)${postgresSkipNote()}`, () => {
  let temp: ReturnType<typeof makeTempDir>;
  let config: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    temp = makeTempDir();
    config = join(temp.dir, 'attribot.yaml');
    database = await createTestDatabase();
    const { store } = await openStore(database.url);
    try {
      await storeCorpus(store, config);
    } finally {
      await store.close();
    }
  }, 60_000);
  afterAll(async () => {
    await database.drop();
    temp.cleanup();
  });

  it('replays the shared ledger with a candidate that adds a watchlist', async () => {
    const file = join(temp.dir, 'adds-china.yaml');
    writeFileSync(file, withChinaWatchlist());
    const result = await runCli(['replay', '--running', config, '--config', file, '--json'], {
      DATABASE_URL: database.url,
      INTEL_WEBHOOK_URL: INTEL_URL,
      SOC_WEBHOOK_URL: SOC_URL,
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { articles: number; destinations: Replayed[] };
    expect(report.articles).toBe(11);
    expect(titles(report.destinations[0]?.added)).toEqual([
      headline('volt-typhoon-water'),
      headline('apt41-shipping'),
    ]);
    expect(report.destinations[1]?.candidate).toHaveLength(5);
  });
});
