/**
 * `attribot replay`, the pure part: stored articles, oldest first, each with its analysis, placed
 * into stories and routed by one config exactly as the pipeline places a report (placement.ts), in
 * memory; the result is, per destination, the alerts that config would have sent. `diffReplays`
 * compares the results of two configs. No store, no clock: times come with the articles.
 */
import type { Attribution } from '../attribution/attribution.js';
import type { Route, Settings, Watchlist } from '../config/schema.js';
import { placeReport, type StoryEntry, worthRouting } from './placement.js';
import { routeAlert } from './route.js';

/** One stored article, as the pipeline analysed it. */
export interface ReplayArticle {
  key: string;
  feedUrl: string;
  title: string | null;
  link: string | null;
  published: string | null;
  text: string;
  /** When the pipeline analysed it: the time its report is clustered at. */
  analysedAt: string;
}

/** What of a config decides which alerts go out. */
export interface ReplayConfig {
  settings: Pick<Settings, 'minConfidence' | 'storyWindow' | 'storyThreshold'>;
  routes: readonly Route[];
  watchlists: readonly Watchlist[];
  /** A feed's name in alerts, as the pipeline names it (`name`, else the host). */
  sourceName(feedUrl: string): string;
}

/** One story's alert on one destination, as the config would have sent it. */
export interface ReplayedAlert {
  destination: string;
  /** The headline of the story's first report, which the alert shows and links to. */
  title: string | null;
  url: string | null;
  source: string;
  /** When it would have been queued: the analysis time of the report that routed the story there. */
  at: string;
  /** The first route (in config order) that sends it there. */
  route: string;
  mentionRoleIds: string[];
  /** Held for the digest rather than sent as a message of its own. */
  digest: boolean;
  /** Later messages there announcing a new actor or country in the story. */
  updates: number;
  /** Later edits of the alert there (more outlets, more attributing parties). */
  edits: number;
  /** The keys of the story's articles, the one that opened it first. */
  articles: string[];
  /** Every destination the story went to. */
  destinations: string[];
  actors: string[];
  countries: string[];
}

/** A story of the period, with every destination it went to. */
export type ReplayedStory = Pick<
  ReplayedAlert,
  'title' | 'url' | 'source' | 'at' | 'articles' | 'destinations' | 'actors' | 'countries'
>;

export interface ReplayResult {
  /** The destinations the config's routes send to, in config order. */
  destinations: string[];
  /** Per destination, its alerts in the order they would have been queued. */
  alerts: ReadonlyMap<string, readonly ReplayedAlert[]>;
  /** The stories that sent an alert in the period, in the order of their first one. */
  stories: ReplayedStory[];
}

/** An alert as it accumulates; the story's own fields are read from its entry at the end. */
interface Pending {
  entry: StoryEntry;
  destination: string;
  at: string;
  route: string;
  mentionRoleIds: string[];
  digest: boolean;
  updates: number;
  edits: number;
}

/**
 * One config's replay. Articles come in oldest first through `add`; those analysed before `from`
 * only warm the stories up (an incident reported just before the period is a known story in it, as
 * it was for the worker), and their messages are not counted.
 */
export class Replay {
  readonly #config: ReplayConfig;
  readonly #from: string;
  /** The stories still open to new reports (created within storyWindow of the latest article). */
  #entries: StoryEntry[] = [];
  readonly #articles = new Map<StoryEntry, string[]>();
  readonly #pending = new Map<StoryEntry, Map<string, Pending>>();
  readonly #order: Pending[] = [];

  constructor(config: ReplayConfig, from: string) {
    this.#config = config;
    this.#from = from;
  }

  add(article: ReplayArticle, attribution: Attribution): void {
    const { settings, routes, watchlists } = this.#config;
    if (!worthRouting(attribution, settings)) return;
    const now = new Date(article.analysedAt);
    const oldest = now.getTime() - settings.storyWindow;
    this.#entries = this.#entries.filter((entry) => Date.parse(entry.story.createdAt) >= oldest);
    const report = {
      attribution,
      title: article.title,
      sourceName: this.#config.sourceName(article.feedUrl),
      ...(article.link !== null ? { url: article.link } : {}),
      ...(article.published !== null ? { published: article.published } : {}),
    };
    const placed = placeReport(this.#entries, report, article.text, now, `new:${article.key}`, {
      cluster: { windowMs: settings.storyWindow, threshold: settings.storyThreshold },
      route: (input) => routeAlert(input, routes, watchlists),
    });
    if (!placed) return;
    const { entry } = placed;
    this.#articles.set(entry, [...(this.#articles.get(entry) ?? []), article.key]);
    if (article.analysedAt < this.#from) return;
    const sent = this.#pending.get(entry) ?? new Map<string, Pending>();
    this.#pending.set(entry, sent);
    for (const row of placed.alerts) {
      const known = sent.get(row.destination);
      if (row.kind === 'alert') {
        const decision = placed.decisions.find((each) => each.destination === row.destination);
        const alert: Pending = {
          entry,
          destination: row.destination,
          at: article.analysedAt,
          route: decision?.route ?? '',
          mentionRoleIds: decision?.mentionRoleIds ?? [],
          digest: row.hold === true,
          updates: 0,
          edits: 0,
        };
        sent.set(row.destination, alert);
        this.#order.push(alert);
      } else if (known && row.kind === 'update') {
        known.updates++;
      } else if (known && row.kind === 'edit') {
        known.edits++;
      }
    }
  }

  result(): ReplayResult {
    const destinations = [...new Set(this.#config.routes.flatMap((route) => route.destinations))];
    const alerts = new Map<string, ReplayedAlert[]>(destinations.map((destination) => [destination, []]));
    const stories = new Map<StoryEntry, ReplayedStory>();
    for (const pending of this.#order) {
      const { story } = pending.entry;
      let replayed = stories.get(pending.entry);
      if (!replayed) {
        replayed = {
          title: story.first.title,
          url: story.first.url ?? null,
          source: story.first.sourceName,
          at: pending.at,
          articles: this.#articles.get(pending.entry) ?? [],
          destinations: story.destinations,
          actors: story.attribution.actors.map((actor) => actor.name),
          countries: story.attribution.attributed_countries,
        };
        stories.set(pending.entry, replayed);
      }
      const list = alerts.get(pending.destination) ?? [];
      alerts.set(pending.destination, list);
      list.push({
        destination: pending.destination,
        ...replayed,
        at: pending.at,
        route: pending.route,
        mentionRoleIds: pending.mentionRoleIds,
        digest: pending.digest,
        updates: pending.updates,
        edits: pending.edits,
      });
    }
    return { destinations: [...alerts.keys()], alerts, stories: [...stories.values()] };
  }
}

/** The same story's alert on one destination under both configs, and what differs, for people. */
export interface AlertChange {
  running: ReplayedAlert;
  candidate: ReplayedAlert;
  changes: string[];
}

export interface DestinationDiff {
  destination: string;
  running: readonly ReplayedAlert[];
  candidate: readonly ReplayedAlert[];
  added: ReplayedAlert[];
  removed: ReplayedAlert[];
  changed: AlertChange[];
}

/** A story that goes to other destinations with the candidate (none: it is not sent at all). */
export interface StoryMove {
  story: ReplayedStory;
  running: string[];
  candidate: string[];
}

export interface ReplayDiff {
  destinations: DestinationDiff[];
  /** The stories whose set of destinations differs, in the order of their first alert. */
  moved: StoryMove[];
}

/** Two configs' alerts or stories are the same story when they share an article (they may open it on different reports). */
function sameStory(a: Pick<ReplayedStory, 'articles'>, b: Pick<ReplayedStory, 'articles'>): boolean {
  return a.articles.some((key) => b.articles.includes(key));
}

/** Pairs each of `before` with the first unpaired of `after` that `same` accepts. */
function pair<T>(
  before: readonly T[],
  after: readonly T[],
  same: (a: T, b: T) => boolean,
): { pairs: Array<[T, T]>; onlyBefore: T[]; onlyAfter: T[] } {
  const unmatched = new Set(after);
  const pairs: Array<[T, T]> = [];
  const onlyBefore: T[] = [];
  for (const item of before) {
    const match = [...unmatched].find((other) => same(item, other));
    if (match === undefined) {
      onlyBefore.push(item);
      continue;
    }
    unmatched.delete(match);
    pairs.push([item, match]);
  }
  return { pairs, onlyBefore, onlyAfter: [...unmatched] };
}

function roles(ids: readonly string[]): string {
  return ids.length === 0 ? 'none' : `role ${[...ids].sort().join(', ')}`;
}

function updates(n: number): string {
  return `${n} update${n === 1 ? '' : 's'}`;
}

/** What differs between two alerts of one story on one destination, in words; [] when nothing does. */
export function alertChanges(running: ReplayedAlert, candidate: ReplayedAlert): string[] {
  const changes: string[] = [];
  if (running.articles[0] !== candidate.articles[0])
    changes.push(
      `opened by "${candidate.title ?? '(untitled)'}" instead of "${running.title ?? '(untitled)'}"`,
    );
  if (running.digest !== candidate.digest)
    changes.push(running.digest ? 'digest → own message' : 'own message → digest');
  if (roles(running.mentionRoleIds) !== roles(candidate.mentionRoleIds))
    changes.push(`pings ${roles(running.mentionRoleIds)} → ${roles(candidate.mentionRoleIds)}`);
  if (running.route !== candidate.route) changes.push(`route ${running.route} → ${candidate.route}`);
  if (running.updates !== candidate.updates)
    changes.push(`${updates(running.updates)} → ${updates(candidate.updates)}`);
  return changes;
}

/**
 * Per destination (the running config's first, then the candidate's new ones): the alerts only the
 * candidate sends (added), only the running config sends (removed), and those both send differently
 * (changed); and the stories that go to another set of destinations.
 */
export function diffReplays(running: ReplayResult, candidate: ReplayResult): ReplayDiff {
  const destinations = [...new Set([...running.destinations, ...candidate.destinations])].map(
    (destination): DestinationDiff => {
      const before = running.alerts.get(destination) ?? [];
      const after = candidate.alerts.get(destination) ?? [];
      const { pairs, onlyBefore, onlyAfter } = pair(before, after, sameStory);
      const changed = pairs.flatMap(([was, now]) => {
        const changes = alertChanges(was, now);
        return changes.length > 0 ? [{ running: was, candidate: now, changes }] : [];
      });
      return {
        destination,
        running: before,
        candidate: after,
        added: onlyAfter,
        removed: onlyBefore,
        changed,
      };
    },
  );
  const stories = pair(running.stories, candidate.stories, sameStory);
  const sorted = (names: readonly string[]): string[] => [...names].sort();
  const moved: StoryMove[] = [
    ...stories.pairs.map(([was, now]) => ({
      story: now,
      running: sorted(was.destinations),
      candidate: sorted(now.destinations),
    })),
    ...stories.onlyBefore.map((story) => ({ story, running: sorted(story.destinations), candidate: [] })),
    ...stories.onlyAfter.map((story) => ({ story, running: [], candidate: sorted(story.destinations) })),
  ]
    .filter((move) => move.running.join() !== move.candidate.join())
    .sort((a, b) => a.story.at.localeCompare(b.story.at));
  return { destinations, moved };
}
