/**
 * A route's scheduled summary: the stories of one period counted by attributed country and by
 * actor, the top stories, and the Discord message that carries them (the chart is attached by the
 * caller). Pure.
 *
 * Not the flood-control digest (digest.ts), which batches alerts held back from a busy channel: a
 * summary is sent on a schedule, besides the alerts, and reports the whole period.
 */
import type { Route, Summary, Watchlist } from '../config/schema.js';
import type { Embed, OutgoingMessage } from '../shared/message.js';
import type { Story } from './cluster.js';
import { DISCORD_LIMITS } from './format.js';
import { explainRouting } from './route.js';
import { localLabel, type SummaryPeriod } from './summary-period.js';
import { cleanText, fitItems, fitText, linkTarget, markdownSafe } from './text-safety.js';

export interface Tally {
  /** As first spelled in the period's stories (clean text, not yet made Discord-safe). */
  name: string;
  /** Stories that name it. */
  count: number;
}

export interface SummaryReport {
  /** Stories of the period the route matched. */
  stories: number;
  /** Most stories first, then by name. */
  countries: Tally[];
  actors: Tally[];
  /** The `top` stories with the most outlets, then the most confident, then the earliest. */
  top: Story[];
}

/** The stories of a period that `route` would send (its watchlists, match, excludes and thresholds). */
export function storiesForRoute(
  stories: readonly Story[],
  route: Route,
  watchlists: readonly Watchlist[],
): Story[] {
  return stories.filter(
    (story) =>
      explainRouting({ attribution: story.attribution, title: story.first.title }, [route], watchlists)[0]
        ?.matched === true,
  );
}

/** Counts each name once per story, case-insensitively; most stories first, ties by name. */
function tally(perStory: ReadonlyArray<readonly string[]>): Tally[] {
  const byKey = new Map<string, Tally>();
  for (const names of perStory) {
    const keys = new Set<string>();
    for (const raw of names) {
      const name = cleanText(raw);
      const key = name.toLowerCase();
      if (!name || keys.has(key)) continue;
      keys.add(key);
      const found = byKey.get(key);
      if (found) found.count++;
      else byKey.set(key, { name, count: 1 });
    }
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

const outlets = (story: Story): number => 1 + story.sources.length;

export function summarize(stories: readonly Story[], top: number): SummaryReport {
  const ranked = [...stories].sort(
    (a, b) =>
      outlets(b) - outlets(a) ||
      b.attribution.confidence - a.attribution.confidence ||
      a.createdAt.localeCompare(b.createdAt),
  );
  return {
    stories: stories.length,
    countries: tally(stories.map((story) => story.attribution.attributed_countries)),
    actors: tally(stories.map((story) => story.attribution.actors.map((actor) => actor.name))),
    top: ranked.slice(0, top),
  };
}

/**
 * The first `max - 1` tallies and the rest summed as one "Other" entry (when there is a rest), so a
 * list or a chart never grows with the data.
 */
export function withOther(tallies: readonly Tally[], max: number): Array<Tally & { other?: number }> {
  if (tallies.length <= max) return [...tallies];
  const shown = tallies.slice(0, max - 1);
  const rest = tallies.slice(max - 1);
  return [
    ...shown,
    {
      name: `Other (${rest.length})`,
      count: rest.reduce((sum, entry) => sum + entry.count, 0),
      other: rest.length,
    },
  ];
}

/** How many entries the text lists per tally (the chart shows fewer). */
const LISTED = 15;

export interface SummaryHeading {
  route: string;
  summary: Pick<Summary, 'every' | 'timezone'>;
  period: SummaryPeriod;
  /** The attached chart's file name, shown inside the embed. */
  chartFile?: string;
}

/** As many lines as fit in a field, the rest folded into "Other (n)" so the counts still add up. */
function tallyLines(tallies: readonly Tally[]): string {
  if (tallies.length === 0) return 'none';
  for (let shown = Math.min(LISTED, tallies.length); shown > 1; shown--) {
    const text = withOther(tallies, shown)
      .map((entry) => `${fitText(entry.name, 80, markdownSafe)} — ${entry.count}`)
      .join('\n');
    if (text.length <= DISCORD_LIMITS.fieldValue) return text;
  }
  return `Other (${tallies.length}) — ${tallies.reduce((sum, entry) => sum + entry.count, 0)}`;
}

function storyLine(story: Story, index: number): string {
  const title = fitText(cleanText(story.first.title) || 'Untitled story', 160, markdownSafe);
  const url = linkTarget(story.first.url);
  const linked = url ? `[${title}](<${url}>)` : title;
  const count = outlets(story);
  return `${index + 1}\\. ${linked}${count > 1 ? ` · ${count} outlets` : ''}`;
}

export function periodTitle(heading: Pick<SummaryHeading, 'route' | 'summary'>): string {
  const kind = heading.summary.every === 'daily' ? 'Daily' : 'Weekly';
  return fitText(`${kind} summary: ${cleanText(heading.route)}`, DISCORD_LIMITS.title, markdownSafe);
}

/** The summary as one message: counts and top stories in the embed, the chart (if any) as its image. */
export function formatSummary(report: SummaryReport, heading: SummaryHeading): OutgoingMessage {
  const { timezone } = heading.summary;
  const span = `${localLabel(heading.period.start, timezone)} to ${localLabel(heading.period.end, timezone)} (${timezone})`;
  const description =
    report.stories === 0
      ? `No stories matched this route from ${span}.`
      : `**${report.stories} ${report.stories === 1 ? 'story' : 'stories'}** from ${span}, counted once per story.`;
  const embed: Embed = {
    title: periodTitle(heading),
    description: fitText(description, DISCORD_LIMITS.description, (text) => text),
    timestamp: heading.period.end,
    color: 0x5865f2,
    fields: [],
  };
  if (report.stories > 0) {
    embed.fields = [
      { name: 'By country', value: tallyLines(report.countries), inline: true },
      { name: 'By actor', value: tallyLines(report.actors), inline: true },
      {
        name: 'Top stories',
        value: fitItems(report.top.map(storyLine), '\n', DISCORD_LIMITS.fieldValue),
      },
    ];
    if (heading.chartFile) embed.image = { url: `attachment://${heading.chartFile}` };
  }
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}
