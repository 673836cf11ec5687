/**
 * `attribot replay`: the articles the worker stored over a period, analysed again and run through
 * the clustering and routing of the running config and of a candidate (alerts/replay.ts), compared
 * per destination (admin/replay-report.ts). Reads the ledger only: nothing is sent or written, and
 * a missing database is reported, never created.
 */

import { formatReplayReport, type ReplayReport, replayJson } from './admin/replay-report.js';
import { type AdminIo, effectiveConfig, type Outcome, openLedger } from './admin-cli.js';
import { diffReplays, Replay, type ReplayConfig, type ReplayResult } from './alerts/replay.js';
import type { Attribution } from './attribution/attribution.js';
import type { Config, Feed } from './config/schema.js';
import { feedName, formatDelay } from './ingest/poll-decisions.js';
import { errorMessage } from './shared/errors.js';
import type { StoredArticle } from './store/store.js';

export interface ReplayOptions {
  /** The period, as a duration ("7d"); default 7d. */
  since: string | undefined;
  /** The candidate config file (`--config`), if any. */
  candidate: string | undefined;
  /** The running config file (`--running`; default $ATTRIBOT_CONFIG, else the bundled one). */
  running: string | undefined;
  json: boolean;
}

const DEFAULT_PERIOD = '7d';

export async function runReplay(options: ReplayOptions, io: AdminIo): Promise<Outcome> {
  const [{ parseDuration }, { configPath }] = await Promise.all([
    import('./config/schema.js'),
    import('./config/env.js'),
  ]);
  const period = options.since ?? DEFAULT_PERIOD;
  const periodMs = parseDuration(period);
  if (periodMs === null || periodMs <= 0) {
    io.stderr.write(`attribot replay: --since needs a duration such as 7d, 24h or 90m, not "${period}"\n`);
    return 'usage';
  }
  const running = await effectiveConfig('replay', { config: options.running }, io, true);
  if (!running) return 'failure';
  // Read as the worker would read it, environment included (ATTRIBOT_FEEDS, DISCORD_WEBHOOK_URL for a
  // config without destinations); its secrets are not needed, since nothing is sent.
  let candidate: Config | null = null;
  if (options.candidate !== undefined) {
    const loaded = await effectiveConfig(
      'replay',
      { config: options.candidate },
      io,
      true,
      'candidate configuration',
    );
    if (!loaded) return 'failure';
    candidate = loaded.config;
  }
  const opened = await openLedger('replay', running, io);
  if (!opened) return 'failure';
  try {
    const now = new Date();
    // Both run as the worker would run them: with the slash-command watches and mutes of the database.
    const { applyOverrides } = await import('./config/overrides.js');
    const overrides = await opened.overrides.loadOverrides();
    const runningConfig = applyOverrides(running.config, overrides, now);
    const candidateConfig = candidate && applyOverrides(candidate, overrides, now);
    const since = new Date(now.getTime() - periodMs).toISOString();
    const replays = [runningConfig, candidateConfig].flatMap((config) =>
      config ? [new Replay(replayConfig(config, feedName), since)] : [],
    );
    // Stories opened shortly before the period are still open to its reports: their articles warm up.
    const warmUp = Math.max(runningConfig.settings.storyWindow, candidateConfig?.settings.storyWindow ?? 0);
    const analyze = await analysis();
    let articles = 0;
    let failed = 0;
    for await (const stored of opened.store.articlesSince(
      new Date(Date.parse(since) - warmUp).toISOString(),
    )) {
      const inPeriod = stored.analysedAt >= since;
      let attribution: Attribution;
      try {
        attribution = analyze(stored);
      } catch (error) {
        if (inPeriod) failed++;
        io.stderr.write(
          `attribot replay: article ${stored.key} could not be analysed: ${errorMessage(error)}\n`,
        );
        continue;
      }
      if (inPeriod) articles++;
      for (const replay of replays) replay.add(stored, attribution);
    }
    if (articles + failed === 0) {
      io.stderr.write(
        `attribot replay: no article analysed in the last ${period} is stored. The worker keeps the text of ` +
          `each article it analyses for settings.retention.articles (${formatDelay(runningConfig.settings.retention.articles)}), ` +
          "not the backlog it records unread on a feed's first poll, and kept none before this version.\n",
      );
      return 'failure';
    }
    const [runningResult, candidateResult] = replays.map((replay) => replay.result()) as [
      ReplayResult,
      ReplayResult | undefined,
    ];
    const report: ReplayReport = {
      period,
      since,
      articles,
      failed,
      running: { config: configPath(options.running, io.env), result: runningResult },
      candidate:
        candidateResult && options.candidate !== undefined
          ? {
              config: options.candidate,
              result: candidateResult,
              diff: diffReplays(runningResult, candidateResult),
            }
          : null,
    };
    io.stdout.write(
      options.json ? `${JSON.stringify(replayJson(report), null, 2)}\n` : formatReplayReport(report),
    );
    return 'ok';
  } finally {
    await opened.store.close();
  }
}

function replayConfig(config: Config, feedName: (feed: Feed) => string): ReplayConfig {
  const names = new Map(config.feeds.map((feed) => [feed.url, feedName(feed)]));
  return {
    settings: config.settings,
    routes: config.routes,
    watchlists: config.watchlists,
    sourceName: (feedUrl) => names.get(feedUrl) ?? feedName({ url: feedUrl }),
  };
}

/** The extractor, as the worker runs it on each article. */
async function analysis(): Promise<(article: StoredArticle) => Attribution> {
  const [{ analyzeArticle }, { loadKnowledge }] = await Promise.all([
    import('./attribution/analyze.js'),
    import('./extract/knowledge.js'),
  ]);
  const knowledge = loadKnowledge();
  return (stored) =>
    analyzeArticle(
      {
        id: stored.key,
        title: stored.title,
        text: stored.text,
        ...(stored.link !== null ? { url: stored.link } : {}),
        ...(stored.published !== null ? { published: stored.published } : {}),
      },
      knowledge,
    ).attribution;
}
