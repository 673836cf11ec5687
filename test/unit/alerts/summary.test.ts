import { describe, expect, it } from 'vitest';
import type { Story } from '../../../src/alerts/cluster.js';
import { DISCORD_LIMITS, embedLength } from '../../../src/alerts/format.js';
import { formatSummary, storiesForRoute, summarize, withOther } from '../../../src/alerts/summary.js';
import { CHART, escapeXml, renderSummaryChart } from '../../../src/alerts/summary-chart.js';
import { latestPeriod, nextPeriodEnd, withinGrace } from '../../../src/alerts/summary-period.js';
import type { Attribution } from '../../../src/attribution/attribution.js';
import { Route } from '../../../src/config/schema.js';
import { chartFileName } from '../../../src/summaries.js';

function attribution(actors: Array<[string, string]>, countries: string[], confidence = 0.8): Attribution {
  return {
    id: actors[0]?.[0] ?? 'none',
    is_attribution: countries.length > 0 || actors.length > 0,
    actors: actors.map(([name, country]) => ({ name, aliases: [], country, stated: true })),
    attributed_countries: countries,
    attributing_parties: ['CISA'],
    products: [],
    cves: [],
    confidence,
    confidence_reason: 'government attribution',
    evidence: [],
  };
}

let nextId = 1;
function story(
  title: string,
  actors: Array<[string, string]>,
  countries: string[],
  options: { outlets?: number; confidence?: number; createdAt?: string; url?: string } = {},
): Story {
  const data = attribution(actors, countries, options.confidence);
  return {
    id: nextId++,
    createdAt: options.createdAt ?? '2026-12-06T10:00:00.000Z',
    updatedAt: options.createdAt ?? '2026-12-06T10:00:00.000Z',
    first: {
      attribution: data,
      title,
      url: options.url ?? `https://news.example/${nextId}`,
      sourceName: 'The Record',
    },
    attribution: data,
    sources: Array.from({ length: (options.outlets ?? 1) - 1 }, (_, n) => ({ name: `Outlet ${n}` })),
    destinations: ['soc'],
  };
}

const week: Story[] = [
  story(
    'CISA ties Volt Typhoon to intrusions at US water utilities',
    [['Volt Typhoon', 'China']],
    ['China'],
    {
      outlets: 4,
    },
  ),
  story('Sandworm wiper hits Ukrainian grid operator again', [['Sandworm', 'Russia']], ['Russia'], {
    outlets: 2,
  }),
  story(
    'Mandiant: APT28 and Sandworm shared infrastructure in Polish campaign',
    [
      ['APT28', 'Russia'],
      ['Sandworm', 'Russia'],
    ],
    ['Russia', 'russia'],
  ),
  story('Lazarus Group blamed for $40M exchange heist', [['Lazarus Group', 'North Korea']], ['North Korea'], {
    confidence: 0.9,
  }),
  story('Ransomware gang leaks hospital data', [['LockBit', '']], []),
];

describe('summarize', () => {
  it('counts each country and actor once per story, most stories first', () => {
    const report = summarize(week, 3);
    expect(report.stories).toBe(5);
    expect(report.countries).toEqual([
      { name: 'Russia', count: 2 },
      { name: 'China', count: 1 },
      { name: 'North Korea', count: 1 },
    ]);
    expect(report.actors).toEqual([
      { name: 'Sandworm', count: 2 },
      { name: 'APT28', count: 1 },
      { name: 'Lazarus Group', count: 1 },
      { name: 'LockBit', count: 1 },
      { name: 'Volt Typhoon', count: 1 },
    ]);
  });

  it('ranks top stories by outlets, then confidence', () => {
    const top = summarize(week, 3).top.map((entry) => entry.first.title);
    expect(top).toEqual([
      'CISA ties Volt Typhoon to intrusions at US water utilities',
      'Sandworm wiper hits Ukrainian grid operator again',
      'Lazarus Group blamed for $40M exchange heist',
    ]);
  });

  it('keeps only the stories the route matches', () => {
    const route = Route.parse({
      name: 'russia-watch',
      destinations: ['soc'],
      match: { countries: ['Russia'] },
    });
    expect(storiesForRoute(week, route, []).map((entry) => entry.id)).toEqual([week[1]!.id, week[2]!.id]);
    const everything = Route.parse({ name: 'all', destinations: ['soc'] });
    expect(storiesForRoute(week, everything, [])).toHaveLength(5);
  });
});

describe('withOther', () => {
  it('folds the tail into one "Other" entry that keeps the total', () => {
    const tallies = Array.from({ length: 12 }, (_, n) => ({ name: `Actor ${n}`, count: 12 - n }));
    const bounded = withOther(tallies, 8);
    expect(bounded).toHaveLength(8);
    expect(bounded.at(-1)).toEqual({ name: 'Other (5)', count: 5 + 4 + 3 + 2 + 1, other: 5 });
    expect(bounded.reduce((sum, entry) => sum + entry.count, 0)).toBe(78);
    expect(withOther(tallies.slice(0, 8), 8)).toHaveLength(8);
  });
});

describe('latestPeriod', () => {
  const daily = { every: 'daily', at: '09:00', day: 'monday', timezone: 'Europe/Paris' } as const;
  it('ends at the last local send time at or before now', () => {
    // 08:30 UTC on 6 Dec is 09:30 in Paris (UTC+1): today's period has just ended.
    expect(latestPeriod(daily, new Date('2026-12-06T08:30:00Z'))).toEqual({
      start: '2026-12-05T08:00:00.000Z',
      end: '2026-12-06T08:00:00.000Z',
    });
    // 07:59 UTC is 08:59 in Paris: still yesterday's.
    expect(latestPeriod(daily, new Date('2026-12-06T07:59:00Z')).end).toBe('2026-12-05T08:00:00.000Z');
  });

  it('is 23 hours long on the day clocks go forward', () => {
    const period = latestPeriod(daily, new Date('2026-03-29T12:00:00Z'));
    expect(period).toEqual({ start: '2026-03-28T08:00:00.000Z', end: '2026-03-29T07:00:00.000Z' });
  });

  it('ends weekly on the chosen weekday in the zone', () => {
    const weekly = { every: 'weekly', at: '18:30', day: 'friday', timezone: 'America/New_York' } as const;
    // Sunday 6 Dec 2026: the last Friday 18:30 in New York (UTC-5) was 4 Dec, 23:30 UTC.
    expect(latestPeriod(weekly, new Date('2026-12-06T12:00:00Z'))).toEqual({
      start: '2026-11-27T23:30:00.000Z',
      end: '2026-12-04T23:30:00.000Z',
    });
    // Friday 4 Dec at 18:00 local: that week's has not ended yet.
    expect(latestPeriod(weekly, new Date('2026-12-04T23:00:00Z')).end).toBe('2026-11-27T23:30:00.000Z');
  });

  it.each([
    ['just before', '2026-12-06T07:59:00Z', '2026-12-06T08:00:00.000Z'],
    ['just after', '2026-12-06T08:00:00Z', '2026-12-07T08:00:00.000Z'],
    ['the eve of the clock change', '2026-03-28T12:00:00Z', '2026-03-29T07:00:00.000Z'],
  ])('names the next daily send time %s it', (_when, now, next) => {
    expect(nextPeriodEnd(daily, new Date(now))).toBe(next);
  });

  it('names the next weekly send time', () => {
    const weekly = { every: 'weekly', at: '18:30', day: 'friday', timezone: 'America/New_York' } as const;
    expect(nextPeriodEnd(weekly, new Date('2026-12-06T12:00:00Z'))).toBe('2026-12-11T23:30:00.000Z');
    expect(nextPeriodEnd(weekly, new Date('2026-12-04T23:00:00Z'))).toBe('2026-12-04T23:30:00.000Z');
  });

  it('lets a late summary go out within the grace period only', () => {
    const period = { start: '2026-12-05T08:00:00.000Z', end: '2026-12-06T08:00:00.000Z' };
    expect(withinGrace(period, new Date('2026-12-06T19:59:00Z'), 12 * 3_600_000)).toBe(true);
    expect(withinGrace(period, new Date('2026-12-06T20:01:00Z'), 12 * 3_600_000)).toBe(false);
  });
});

describe('chartFileName', () => {
  it('names the chart by route and by the local date the period ends', () => {
    // 00:30 in Paris on 7 Dec is still 6 Dec in UTC.
    const period = { start: '2026-12-05T23:30:00.000Z', end: '2026-12-06T23:30:00.000Z' };
    expect(chartFileName('State Actors (EU)', period, 'Europe/Paris')).toBe(
      'summary-state-actors-eu-2026-12-07.png',
    );
    expect(chartFileName('État-major', period, 'UTC')).toBe('summary-etat-major-2026-12-06.png');
    expect(chartFileName('情報', period, 'UTC')).toBe('summary-route-2026-12-06.png');
  });
});

describe('formatSummary', () => {
  const heading = {
    route: 'state-actors',
    summary: { every: 'weekly', timezone: 'Europe/Paris' },
    period: { start: '2026-11-30T08:00:00.000Z', end: '2026-12-07T08:00:00.000Z' },
    chartFile: 'summary.png',
  } as const;

  it('states the counts, links the top stories safely and shows the chart', () => {
    const hostile = story(
      '**Click** here @everyone [now](https://evil.example)',
      [['APT41', 'China']],
      ['China'],
      {
        url: 'https://news.example/a)b [x](https://evil.example',
        outlets: 9,
      },
    );
    const message = formatSummary(summarize([...week, hostile], 5), heading);
    const [embed] = message.embeds;
    expect(embed?.title).toBe('Weekly summary: state-actors');
    expect(embed?.description).toBe(
      '**6 stories** from Mon, 30 Nov 2026, 09:00 to Mon, 7 Dec 2026, 09:00 (Europe/Paris), counted once per story.',
    );
    const fields = Object.fromEntries((embed?.fields ?? []).map((field) => [field.name, field.value]));
    expect(fields['By country']).toBe('China — 2\nRussia — 2\nNorth Korea — 1');
    expect(fields['By actor']?.split('\n')[0]).toBe('Sandworm — 2');
    const [first] = fields['Top stories']!.split('\n');
    expect(first).toBe(
      '1\\. [\\*\\*Click\\*\\* here @\u200beveryone \\[now\\]\\(https:\u200b//evil.example\\)](<https://news.example/a%29b%20%5Bx%5D%28https://evil.example>) · 9 outlets',
    );
    expect(embed?.image).toEqual({ url: 'attachment://summary.png' });
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(embedLength(embed!)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });

  it('says so when nothing matched, without a chart', () => {
    const message = formatSummary(summarize([], 5), heading);
    expect(message.embeds[0]?.description).toMatch(/^No stories matched this route from Mon, 30 Nov/);
    expect(message.embeds[0]?.image).toBeUndefined();
    expect(message.embeds[0]?.fields).toEqual([]);
  });

  it('stays within field limits with hundreds of actors', () => {
    const many = Array.from({ length: 300 }, (_, n) =>
      story(`Report ${n} ${'y'.repeat(150)}`, [[`Group ${n} ${'z'.repeat(60)}`, 'Iran']], ['Iran']),
    );
    const [embed] = formatSummary(summarize(many, 15), heading).embeds;
    for (const field of embed?.fields ?? [])
      expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    const byActor = embed?.fields?.[1]?.value.split('\n') ?? [];
    expect(byActor.length).toBeGreaterThan(5);
    expect(byActor.at(-1)).toBe(`Other \\(${300 - byActor.length + 1}\\) — ${300 - byActor.length + 1}`);
    expect(embedLength(embed!)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });
});

describe('renderSummaryChart', () => {
  it('escapes labels so feed text cannot become markup', () => {
    const svg = renderSummaryChart({
      title: 'Weekly summary: <script>',
      subtitle: 'a & b',
      countries: [{ name: 'China"/><image href="x', count: 2 }],
      actors: [{ name: "O'Brien <Team>", count: 1 }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<image');
    expect(svg).toContain(escapeXml('China"/><image href="x'));
    expect(svg).toContain('O&#39;Brien &#60;Team&#62;');
    expect(svg).toContain('a &#38; b');
  });

  it('draws at most MAX_BARS bars per panel, the rest as one grey "Other" bar, at a bounded size', () => {
    const tallies = Array.from({ length: 40 }, (_, n) => ({ name: `Actor ${n}`, count: 40 - n }));
    const svg = renderSummaryChart({ title: 't', subtitle: 's', countries: tallies, actors: tallies });
    expect(svg.match(/<rect x=/g)).toHaveLength(2 * CHART.maxBars);
    expect(svg).toContain('>Other (33)</text>');
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    const small = renderSummaryChart({
      title: 't',
      subtitle: 's',
      countries: tallies.slice(0, 8),
      actors: tallies,
    });
    expect(Number(/height="(\d+)"/.exec(small)?.[1])).toBe(height);
    expect(svg).toContain(`width="${CHART.width}"`);
  });

  it('scales bars to the largest count and says "none" for an empty panel', () => {
    const svg = renderSummaryChart({
      title: 't',
      subtitle: 's',
      countries: [
        { name: 'Russia', count: 4 },
        { name: 'China', count: 2 },
      ],
      actors: [],
    });
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]).toBe(2 * widths[1]!);
    expect(svg).toContain('none in this period');
  });
});
