import cron from 'node-cron';
import { formatPath } from './key-path.js';
import { compileKeyword } from './keyword.js';
import {
  ADMIN_DESTINATION,
  type Config,
  DISCORD_WATCHLIST,
  EXPORT_DESTINATION_TYPES,
  type Feed,
  feedName,
  type Match,
  normalizeFeedName,
} from './schema.js';
import { didYouMean } from './suggest.js';

export interface RuleProblem {
  path: Array<string | number>;
  message: string;
}

export interface RuleOptions {
  /**
   * Destinations and watchlists the schema refused in whole or in part: a route naming one is
   * neither "unknown" nor judged on what is left of it.
   */
  rejected?: { destinations: readonly string[]; watchlists: readonly string[]; feeds?: readonly string[] };
  /** How a message names another place of the config (load.ts maps it back to the file's indexes). */
  refer?: (path: Array<string | number>) => string;
}

/** Cross-key checks the schema cannot express. Pure. */
export function checkRules(
  config: Config,
  options: RuleOptions = {},
): { errors: RuleProblem[]; warnings: RuleProblem[] } {
  const rejected = options.rejected ?? { destinations: [], watchlists: [] };
  const refer = options.refer ?? formatPath;
  const errors: RuleProblem[] = [];
  const warnings: RuleProblem[] = [];

  if (!cron.validate(config.settings.schedule)) {
    errors.push({
      path: ['settings', 'schedule'],
      message: `not a valid cron expression: "${config.settings.schedule}"`,
    });
  }

  if (config.settings.minInterval > config.settings.maxInterval) {
    // The adaptive interval is clamped to maxInterval last, so a longer minInterval would be ignored.
    errors.push({
      path: ['settings', 'minInterval'],
      message:
        'is longer than settings.maxInterval; the shortest adaptive interval must not exceed the longest',
    });
  }

  const seenFeeds = new Map<string, number>();
  const seenFeedNames = new Map<string, number>();
  config.feeds.forEach((feed, index) => {
    const key = new URL(feed.url).href;
    const first = seenFeeds.get(key);
    if (first !== undefined) {
      warnings.push({
        path: ['feeds', index, 'url'],
        message: `duplicate of ${refer(['feeds', first])}; polled once`,
      });
      return;
    }
    seenFeeds.set(key, index);
    // Routes' `feeds`, `explain --feed`, `attribot feeds` and the per-feed metric know a feed by its name.
    const name = feedName(feed);
    const named = seenFeedNames.get(normalizeFeedName(name));
    if (named !== undefined) {
      warnings.push({
        path: ['feeds', index, feed.name === undefined ? 'url' : 'name'],
        message: `feed name "${name}" is also ${refer(['feeds', named])}'s${feed.name === undefined ? ' (a feed without a name is named by its host)' : ''}: routes' feeds, explain --feed and the per-feed metric cannot tell them apart; give each a name of its own`,
      });
    } else {
      seenFeedNames.set(normalizeFeedName(name), index);
    }
  });

  const seenTargets = new Map<string, number>();
  config.destinations.forEach((target, index) => {
    const first = seenTargets.get(target.name);
    if (first !== undefined) {
      errors.push({
        path: ['destinations', index, 'name'],
        message: `name "${target.name}" already used by ${refer(['destinations', first])}`,
      });
    } else {
      seenTargets.set(target.name, index);
    }
  });

  config.destinations.forEach((target, index) => {
    const secret =
      target.type === 'webhook'
        ? (['webhookUrlEnv', 'webhookUrlFile'] as const)
        : target.type === 'bot'
          ? (['tokenEnv', 'tokenFile'] as const)
          : target.type === 'taxii'
            ? (['secretEnv', 'secretFile'] as const)
            : target.type === 'misp'
              ? (['keyEnv', 'keyFile'] as const)
              : null;
    if (!secret) return;
    const given = secret.filter(
      (key) => (target as Partial<Record<(typeof secret)[number], string>>)[key] !== undefined,
    );
    if (given.length !== 1) {
      errors.push({
        path: ['destinations', index],
        message: `${target.type} destination "${target.name}" needs exactly one of ${secret.join(', ')}`,
      });
    }
  });

  checkUniqueNames(config.watchlists, 'watchlists', errors, refer);
  checkUniqueNames(config.routes, 'routes', errors, refer);

  config.watchlists.forEach((watchlist, index) => {
    checkKeywords(watchlist, ['watchlists', index], errors);
    checkKeywords(watchlist.excludes, ['watchlists', index, 'excludes'], errors);
  });

  // With no destinations configured, the environment supplies one named "default".
  const destinations = new Set(
    config.destinations.length + rejected.destinations.length > 0
      ? config.destinations.map((d) => d.name)
      : ['default'],
  );
  const watchlists = new Map(config.watchlists.map((watchlist) => [watchlist.name, watchlist]));
  const used = new Set<string>();
  // A route's feeds name configured feeds, by the name they show (their host without one).
  const feedNames = new Map(config.feeds.map((feed) => [normalizeFeedName(feedName(feed)), feedName(feed)]));
  config.routes.forEach((route, index) => {
    route.destinations.forEach((name, position) => {
      if (!destinations.has(name) && !rejected.destinations.includes(name)) {
        errors.push({
          path: ['routes', index, 'destinations', position],
          message: `unknown destination "${name}"${didYouMean(name, [...destinations]) || ` (known: ${[...destinations].join(', ')})`}`,
        });
      }
    });
    route.watchlists.forEach((name, position) => {
      used.add(name);
      if (!watchlists.has(name) && name !== DISCORD_WATCHLIST && !rejected.watchlists.includes(name)) {
        errors.push({
          path: ['routes', index, 'watchlists', position],
          message: `unknown watchlist "${name}"${didYouMean(name, [...watchlists.keys()]) || ` (known: ${[...watchlists.keys()].join(', ') || 'none'})`}`,
        });
      }
    });
    route.feeds.forEach((name, position) => {
      const refused = rejected.feeds ?? [];
      if (
        !feedNames.has(normalizeFeedName(name)) &&
        !refused.includes('*') &&
        !refused.some((known) => normalizeFeedName(known) === normalizeFeedName(name))
      ) {
        errors.push({
          path: ['routes', index, 'feeds', position],
          message: `unknown feed "${name}"${unknownFeedHint(name, [...feedNames.values()])}`,
        });
      }
    });
    checkKeywords(route.match, ['routes', index, 'match'], errors);
    checkKeywords(route.exclude, ['routes', index, 'exclude'], errors);
    const listed = route.watchlists.map((name) => watchlists.get(name));
    // The watchlist slash commands fill, or one the schema refused: its entries are not known here.
    const canFill = route.watchlists.some(
      (name) => name === DISCORD_WATCHLIST || rejected.watchlists.includes(name),
    );
    if (
      route.watchlists.length > 0 &&
      !canFill &&
      isEmptyMatch(route.match) &&
      listed.every((w) => !w || isEmptyMatch(w))
    ) {
      warnings.push({
        path: ['routes', index, 'watchlists'],
        message: `route "${route.name}" can never match: its watchlists are empty and it has no match entries`,
      });
    }
  });
  const exportTypes: readonly string[] = EXPORT_DESTINATION_TYPES;
  const takesSummaries = (name: string): boolean =>
    name !== ADMIN_DESTINATION &&
    !config.destinations.some((target) => target.name === name && exportTypes.includes(target.type));
  config.routes.forEach((route, index) => {
    const periodMs = route.summary ? (route.summary.every === 'daily' ? 1 : 7) * 86_400_000 : 0;
    if (periodMs > config.settings.retention.stories)
      warnings.push({
        path: ['routes', index, 'summary', 'every'],
        message: `a ${route.summary?.every} summary covers more than settings.retention.stories keeps (${config.settings.retention.stories / 86_400_000} days): it will miss the period's earliest stories`,
      });
    if (route.summary && route.destinations.every((name) => !takesSummaries(name)))
      warnings.push({
        path: ['routes', index, 'summary'],
        message: `summaries go to Discord and console destinations other than "${ADMIN_DESTINATION}"; this route has none, so its summary goes nowhere`,
      });
  });
  config.watchlists.forEach((watchlist, index) => {
    if (!used.has(watchlist.name) && watchlist.name !== DISCORD_WATCHLIST) {
      warnings.push({
        path: ['watchlists', index, 'name'],
        message: `watchlist "${watchlist.name}" is not used by any route`,
      });
    }
  });

  return { errors, warnings };
}

function checkUniqueNames(
  items: ReadonlyArray<{ name: string }>,
  key: string,
  errors: RuleProblem[],
  refer: (path: Array<string | number>) => string,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const first = seen.get(item.name);
    if (first !== undefined) {
      errors.push({
        path: [key, index, 'name'],
        message: `name "${item.name}" already used by ${refer([key, first])}`,
      });
    } else {
      seen.set(item.name, index);
    }
  });
}

function checkKeywords(match: Match, path: Array<string | number>, errors: RuleProblem[]): void {
  match.keywords.forEach((keyword, index) => {
    const compiled = compileKeyword(keyword);
    if (!compiled.ok) errors.push({ path: [...path, 'keywords', index], message: compiled.error });
  });
}

/** True when a match (or watchlist) has no entries at all. */
export function isEmptyMatch(match: Match): boolean {
  return (
    match.actors.length +
      match.countries.length +
      match.products.length +
      match.cves.length +
      match.keywords.length ===
    0
  );
}

/** The configured feed a name refers to (name or host, any case), or why none does, with a "did you mean". */
export function findFeed(
  name: string,
  feeds: readonly Feed[],
): { feed: Feed; name: string } | { error: string } {
  const feed = feeds.find((candidate) => normalizeFeedName(feedName(candidate)) === normalizeFeedName(name));
  if (feed) return { feed, name: feedName(feed) };
  return { error: `unknown feed "${name}"${unknownFeedHint(name, feeds.map(feedName))}` };
}

function unknownFeedHint(name: string, known: readonly string[]): string {
  const listed = known.slice(0, 10).join(', ') || 'none configured';
  return (
    didYouMean(name, known) ||
    ` (feeds are named by their name, or their host without one: ${listed}${known.length > 10 ? ', …' : ''})`
  );
}
