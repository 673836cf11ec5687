/**
 * Scheduled route summaries, from the store to the outbox: for each route with a `summary`, once its
 * period has ended, the period's stories are read, filtered by the route, counted, charted (SVG →
 * PNG with resvg, no browser) and queued for the route's destinations under the key (route, period
 * end), so whichever worker gets there first queues it and nobody queues it twice. Runs in every
 * cycle of the scheduler; a summary whose time passed while no worker ran is sent on the next start
 * when it is at most `grace` late, and skipped (logged) otherwise.
 */

import { formatSummary, storiesForRoute, summarize } from './alerts/summary.js';
import { renderSummaryChart } from './alerts/summary-chart.js';
import { latestPeriod, localLabel, type SummaryPeriod, withinGrace } from './alerts/summary-period.js';
import { ADMIN_DESTINATION, type Config, type Route, type Summary } from './config/schema.js';
import type { Clock } from './shared/clock.js';
import { errorMessage } from './shared/errors.js';
import type { Logger } from './shared/logger.js';
import type { MessageFile, OutgoingMessage } from './shared/message.js';
import type { Store } from './store/store.js';

export interface SummaryDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Destinations with a sender: a route's summary goes to those of its destinations. */
  destinations: ReadonlySet<string>;
  /** SVG → PNG bytes (resvg by default). */
  renderPng?: (svg: string) => Promise<Buffer>;
  /**
   * Periods this process already settled (queued, found queued, or skipped as too late), so a
   * cycle asks the store about a period once.
   */
  settled: Set<string>;
}

export type SummaryOutcome =
  | { route: string; periodEnd: string; status: 'queued'; stories: number; destinations: string[] }
  | { route: string; periodEnd: string; status: 'already-queued' | 'too-late' | 'failed' };

/** Renders the chart without a browser; fonts come from the system (the Docker image installs DejaVu). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'original' },
  });
  return resvg.render().asPng();
}

/** A file name Discord keeps as it is, dated by the period's last day where it is read: `summary-state-actors-2026-12-07.png`. */
export function chartFileName(route: string, period: SummaryPeriod, timeZone: string): string {
  const slug =
    route
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'route';
  // en-CA writes dates as YYYY-MM-DD.
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return `summary-${slug}-${day.format(new Date(period.end))}.png`;
}

/** Queues every route summary that is due and not yet queued; one route's failure does not stop the others. */
export async function queueDueSummaries(
  config: Pick<Config, 'routes' | 'watchlists'>,
  deps: SummaryDeps,
): Promise<SummaryOutcome[]> {
  const outcomes: SummaryOutcome[] = [];
  for (const route of config.routes) {
    if (!route.summary) continue;
    const outcome = await queueRouteSummary(route, route.summary, config, deps);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}

async function queueRouteSummary(
  route: Route,
  summary: Summary,
  config: Pick<Config, 'watchlists'>,
  deps: SummaryDeps,
): Promise<SummaryOutcome | null> {
  const now = deps.clock.now();
  const period = latestPeriod(summary, now);
  const key = { route: route.name, periodEnd: period.end };
  const memo = `${route.name}\n${period.end}`;
  if (deps.settled.has(memo)) return null;
  try {
    if (await deps.store.summaryQueued(key)) {
      deps.settled.add(memo);
      return { ...key, status: 'already-queued' };
    }
    if (!withinGrace(period, now, summary.grace)) {
      deps.settled.add(memo);
      deps.log.info(
        { route: route.name, periodEnd: period.end, graceMs: summary.grace },
        'Summary skipped: its time passed longer ago than its grace period',
      );
      return { ...key, status: 'too-late' };
    }
    const { message, stories } = await buildSummary(route, summary, period, config, deps);
    const destinations = route.destinations.filter(
      (destination) => destination !== ADMIN_DESTINATION && deps.destinations.has(destination),
    );
    const queued = await deps.store.queueSummary(
      key,
      destinations.map((destination) => ({ destination, message, kind: 'summary' as const })),
      now.toISOString(),
    );
    deps.settled.add(memo);
    if (!queued) return { ...key, status: 'already-queued' };
    deps.log.info({ route: route.name, periodEnd: period.end, stories, destinations }, 'Summary queued');
    return { ...key, status: 'queued', stories, destinations };
  } catch (error) {
    deps.log.warn(
      { route: route.name, periodEnd: period.end, err: errorMessage(error) },
      'Summary not queued; tried again next cycle',
    );
    return { ...key, status: 'failed' };
  }
}

/**
 * The summary message of one route and period, its chart attached (the worker queues it;
 * `attribot summary` prints it).
 */
export async function buildSummary(
  route: Route,
  summary: Summary,
  period: SummaryPeriod,
  config: Pick<Config, 'watchlists'>,
  deps: Pick<SummaryDeps, 'store' | 'log' | 'renderPng'>,
): Promise<{ message: OutgoingMessage; stories: number }> {
  const stories = storiesForRoute(
    await deps.store.storiesCreatedBetween(period.start, period.end),
    route,
    config.watchlists,
  );
  const report = summarize(stories, summary.top);
  const chart = report.stories > 0 ? await renderChart(route, summary, period, report, deps) : null;
  const message = formatSummary(report, {
    route: route.name,
    summary,
    period,
    ...(chart ? { chartFile: chart.name } : {}),
  });
  if (chart) message.files = [chart];
  return { message, stories: report.stories };
}

/** The chart as an attachment, or null (logged) when it cannot be rendered: the text goes out anyway. */
async function renderChart(
  route: Route,
  summary: Summary,
  period: SummaryPeriod,
  report: ReturnType<typeof summarize>,
  deps: Pick<SummaryDeps, 'log' | 'renderPng'>,
): Promise<MessageFile | null> {
  const svg = renderSummaryChart({
    title: `${summary.every === 'daily' ? 'Daily' : 'Weekly'} summary: ${route.name}`,
    subtitle: `${report.stories} ${report.stories === 1 ? 'story' : 'stories'}, ${localLabel(period.start, summary.timezone)} to ${localLabel(period.end, summary.timezone)} (${summary.timezone})`,
    countries: report.countries,
    actors: report.actors,
  });
  try {
    const png = await (deps.renderPng ?? svgToPng)(svg);
    return {
      name: chartFileName(route.name, period, summary.timezone),
      contentType: 'image/png',
      data: png.toString('base64'),
      description: 'Bar charts: stories by attributed country and by actor',
    };
  } catch (error) {
    deps.log.warn(
      { route: route.name, err: errorMessage(error) },
      'Summary chart not rendered; sent without it',
    );
    return null;
  }
}
