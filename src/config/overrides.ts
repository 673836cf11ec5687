/**
 * The layer slash commands write over the YAML config. Admins add watch entries (`/attribot watch
 * add`) and mute entries until a time (`/attribot mute`); they are kept in the database (see
 * store/overrides.ts), survive restarts and config reloads, and are applied here, purely, to produce
 * the effective config that routing, `check-config` and `explain` use.
 *
 * - Watch entries go into the watchlist named `discord`. When the YAML declares that watchlist the
 *   entries are added to it, and routes that name it decide where matches go. When no route names
 *   it, a route `discord` is added that sends its matches (attributions only) to every bot
 *   destination, the channels where the commands are used.
 * - A mute is added to the `exclude` of every route until it expires, so it suppresses matching
 *   stories everywhere (excludes win over matches).
 */
import { compileKeyword } from './keyword.js';
import {
  type Config,
  DISCORD_WATCHLIST,
  MATCH_KINDS,
  type Match,
  type MatchKind,
  parseDuration,
  Route,
  Watchlist,
} from './schema.js';

export interface WatchEntry {
  kind: MatchKind;
  value: string;
  /** Discord user id of the admin who added it; null when added otherwise. */
  addedBy: string | null;
  addedAt: string;
}

export interface MuteEntry extends WatchEntry {
  /** ISO time the mute ends. */
  until: string;
}

export interface Overrides {
  watches: WatchEntry[];
  mutes: MuteEntry[];
}

export const NO_OVERRIDES: Overrides = { watches: [], mutes: [] };

/** Longest mute accepted. */
export const MAX_MUTE_MS = 365 * 86_400_000;

/** Singular names people type (`actor`) and the config's list names (`actors`). */
const KIND_NAMES: Record<string, MatchKind> = {
  actor: 'actors',
  country: 'countries',
  product: 'products',
  cve: 'cves',
  keyword: 'keywords',
  actors: 'actors',
  countries: 'countries',
  products: 'products',
  cves: 'cves',
  keywords: 'keywords',
};

export function parseKind(value: string): MatchKind | null {
  return KIND_NAMES[value.trim().toLowerCase()] ?? null;
}

/** `actors` → `actor`, for people. */
export function kindLabel(kind: MatchKind): string {
  return kind === 'countries' ? 'country' : kind.slice(0, -1);
}

/**
 * Checks and normalises a value typed in a command: trimmed, CVE ids upper-cased, keywords compiled.
 * Returns the value to store or a message for the person who typed it.
 */
export function normalizeWatchValue(kind: MatchKind, raw: string): { value: string } | { error: string } {
  const value = raw.trim().replace(/\s+/g, ' ');
  if (value.length === 0) return { error: 'the value is empty' };
  if (value.length > 200) return { error: 'the value is longer than 200 characters' };
  if (kind === 'cves') {
    return /^CVE-\d{4}-\d{4,}$/i.test(value)
      ? { value: value.toUpperCase() }
      : { error: 'not a CVE id such as CVE-2021-26855' };
  }
  if (kind === 'keywords') {
    const compiled = compileKeyword(value);
    if (!compiled.ok) return { error: compiled.error };
  }
  return { value };
}

/** The identity of an entry: kind plus the value case-folded (`APT41` and `apt41` are one entry). */
export function entryKey(kind: MatchKind, value: string): string {
  return `${kind}:${value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()}`;
}

/** A mute's end from a duration such as `2h`, `3d` or `90m`, or a message. */
export function muteUntil(duration: string, now: Date): { until: string } | { error: string } {
  const ms = parseDuration(duration);
  if (ms === null || ms <= 0)
    return { error: `not a duration: "${duration.slice(0, 40)}" (use e.g. 90m, 12h, 7d)` };
  if (ms > MAX_MUTE_MS) return { error: 'a mute lasts at most 365 days' };
  return { until: new Date(now.getTime() + ms).toISOString() };
}

export function activeMutes(overrides: Overrides, now: Date): MuteEntry[] {
  return overrides.mutes.filter((mute) => Date.parse(mute.until) > now.getTime());
}

function withEntries(match: Match, entries: readonly WatchEntry[]): Match {
  const next: Match = { ...match };
  for (const kind of MATCH_KINDS) {
    const seen = new Set(match[kind].map((value) => entryKey(kind, value)));
    const added: string[] = [];
    for (const entry of entries) {
      const key = entryKey(kind, entry.value);
      if (entry.kind !== kind || seen.has(key)) continue;
      seen.add(key);
      added.push(entry.value);
    }
    next[kind] = [...match[kind], ...added];
  }
  return next;
}

/** The config routing runs with: YAML (with routes already filled in) plus the slash-command layer. Pure. */
export function applyOverrides(config: Config, overrides: Overrides, now: Date): Config {
  const mutes = activeMutes(overrides, now);
  if (overrides.watches.length === 0 && mutes.length === 0) return config;

  let watchlists = config.watchlists;
  let routes = config.routes;
  if (overrides.watches.length > 0) {
    const declared = watchlists.find((watchlist) => watchlist.name === DISCORD_WATCHLIST);
    const merged = declared
      ? { ...declared, ...withEntries(declared, overrides.watches) }
      : Watchlist.parse({
          name: DISCORD_WATCHLIST,
          ...withEntries(Watchlist.parse({ name: DISCORD_WATCHLIST }), overrides.watches),
        });
    watchlists = declared
      ? watchlists.map((watchlist) => (watchlist === declared ? merged : watchlist))
      : [...watchlists, merged];
    const bots = config.destinations.filter((target) => target.type === 'bot').map((target) => target.name);
    const named = routes.some((route) => route.watchlists.includes(DISCORD_WATCHLIST));
    if (!named && bots.length > 0) {
      routes = [
        ...routes,
        Route.parse({ name: DISCORD_WATCHLIST, destinations: bots, watchlists: [DISCORD_WATCHLIST] }),
      ];
    }
  }
  if (mutes.length > 0) {
    routes = routes.map((route) => ({ ...route, exclude: withEntries(route.exclude, mutes) }));
  }
  return { ...config, watchlists, routes };
}

function grouped(entries: readonly WatchEntry[]): string {
  return MATCH_KINDS.flatMap((kind) => {
    const values = entries.filter((entry) => entry.kind === kind).map((entry) => entry.value);
    return values.length > 0 ? [`${kind}: ${values.join(', ')}`] : [];
  }).join('; ');
}

/** The slash-command layer in words, for `check-config`, `explain` and `/attribot watch list`. */
export function describeOverrides(config: Config, overrides: Overrides, now: Date): string {
  const mutes = activeMutes(overrides, now);
  const lines = ['Slash-command overrides (stored in the database):'];
  if (overrides.watches.length === 0 && mutes.length === 0) {
    lines.push('  none');
    return lines.join('\n');
  }
  if (overrides.watches.length > 0) {
    lines.push(`  watchlist "${DISCORD_WATCHLIST}" adds ${grouped(overrides.watches)}`);
    const effective = applyOverrides(config, { watches: overrides.watches, mutes: [] }, now);
    const routes = effective.routes.filter((route) => route.watchlists.includes(DISCORD_WATCHLIST));
    lines.push(
      routes.length > 0
        ? `  routed by ${routes.map((route) => `"${route.name}" → ${route.destinations.join(', ')}`).join('; ')}`
        : `  not routed anywhere: no bot destination and no route names watchlist "${DISCORD_WATCHLIST}"`,
    );
  }
  for (const mute of [...mutes].sort((a, b) => a.until.localeCompare(b.until))) {
    lines.push(`  muted until ${mute.until}: ${kindLabel(mute.kind)} ${mute.value}`);
  }
  return lines.join('\n');
}
