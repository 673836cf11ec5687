/**
 * Routing: which destinations receive a story, and whom they may ping. Pure.
 *
 * Matching rules (see also `Match` in config/schema.ts):
 * - actors: a watched name equals, case-insensitively and ignoring spaces/hyphens/dots, the name or
 *   any alias of an actor in the attribution (`APT 28`, `apt28` and `APT-28` are one name);
 * - countries: equal to an attributed country or to the country of a named actor;
 * - products: the watched words appear as whole words in a product name (`Exchange` matches
 *   `Microsoft Exchange Server`, `Win` does not match `Windows`), or in the KEV vendor/product of
 *   one of the story's CVEs; the reverse does not hold, so watch the shortest distinctive name;
 * - cves: the same CVE id, case-insensitive;
 * - keywords: whole words or phrases, or `/regex/flags`, in the title, the evidence sentences and
 *   the article text when the caller passes it.
 * A route matches when it is not restricted away (attributionOnly, minConfidence, feeds/sources),
 * nothing in its `exclude` matches (excludes win), and one of its watchlists or its inline `match`
 * matches, or it names neither (a catch-all route). A watchlist matches when an entry matches and
 * none of its `excludes` does.
 *
 * Origins: a route with `feeds` and/or `sources` takes a story when any of its reports (the one
 * being routed included) came from a listed feed (by display name, any case) or has its article
 * link or its feed URL on a listed host or a subdomain of one. A story first reported elsewhere thus
 * reaches the route when a listed feed reports it too.
 */
import type { Attribution } from '../attribution/attribution.js';
import { compileKeyword, type KeywordMatcher } from '../config/keyword.js';
import {
  MATCH_KINDS,
  type Match,
  type MatchKind,
  normalizeFeedName,
  type Route,
  type Watchlist,
} from '../config/schema.js';
import { SNOWFLAKE } from '../shared/discord-ids.js';
import type { AllowedMentions, OutgoingMessage } from '../shared/message.js';
import type { ReportOrigin } from './alert.js';

export interface RouteInput {
  attribution: Attribution;
  title: string | null;
  /** Article text; keywords also search it when given. */
  text?: string;
  /** Where the story's reports came from; routes with `feeds` or `sources` take nothing without it. */
  origins?: readonly ReportOrigin[];
}

export interface RouteDecision {
  destination: string;
  /** The first route (in config order) that sends to this destination. */
  route: string;
  /** Union of the roles every matching route to this destination opts in to ping. */
  mentionRoleIds: string[];
  /** True only when every matching route to this destination asks for the digest. */
  digest: boolean;
}

/** One watch entry that matched: `{ kind: 'actors', value: 'APT41' }`. */
export interface MatchHit {
  kind: MatchKind;
  value: string;
}

export type RouteVerdict =
  | { route: string; matched: true; via: string; hit: MatchHit | null }
  | { route: string; matched: false; reason: string };

/** Discord accepts 100 role ids in allowed_mentions; 20 keeps the mention line far below 2000 characters. */
const MAX_ROLES = 20;

interface Facts {
  origins: readonly ReportOrigin[];
  actors: Set<string>;
  countries: Set<string>;
  /** Normalised product names padded with spaces, for whole-word containment. */
  products: string[];
  cves: Set<string>;
  text: string;
}

interface CompiledMatch {
  actors: string[];
  countries: string[];
  products: string[];
  cves: string[];
  /** Aligned with `raw.keywords`; null where a keyword does not compile. */
  keywords: Array<KeywordMatcher | null>;
  raw: Match;
}

const compiled = new WeakMap<Match, CompiledMatch>();

/** Lower case, compatibility forms folded, runs of spaces, hyphens, underscores and dots as one space. */
export function normalizeName(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.]+/g, ' ')
    .trim();
}

function compile(match: Match): CompiledMatch {
  const cached = compiled.get(match);
  if (cached) return cached;
  const result: CompiledMatch = {
    actors: match.actors.map(normalizeName),
    countries: match.countries.map(normalizeName),
    products: match.products.map((value) => ` ${productWords(value)} `),
    cves: match.cves.map((value) => value.trim().toUpperCase()),
    // A keyword that does not compile was refused by the config rules; here it never matches.
    keywords: match.keywords.map((value) => {
      const keyword = compileKeyword(value);
      return keyword.ok ? keyword.regex : null;
    }),
    raw: match,
  };
  compiled.set(match, result);
  return result;
}

function productWords(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}+#]+/gu, ' ')
    .trim();
}

function factsOf(input: RouteInput): Facts {
  const { attribution } = input;
  const actors = new Set(
    attribution.actors.flatMap((actor) => [actor.name, ...actor.aliases]).map(normalizeName),
  );
  const countries = new Set(
    [
      ...attribution.attributed_countries,
      ...attribution.actors.flatMap((actor) => (actor.country ? [actor.country] : [])),
    ].map(normalizeName),
  );
  const products = [
    ...attribution.products,
    ...(attribution.cve_details ?? []).map((detail) => `${detail.vendor} ${detail.product}`),
  ].map((value) => ` ${productWords(value)} `);
  const cves = new Set(attribution.cves.map((value) => value.trim().toUpperCase()));
  const text = [input.title ?? '', ...attribution.evidence, input.text ?? ''].join('\n');
  return { origins: input.origins ?? [], actors, countries, products, cves, text };
}

/**
 * The first listed feed or host one of the origins matches (`feed "CISA"`, `source cisa.gov`),
 * '' for a route without feeds or sources (nothing to satisfy), or null when none matches.
 */
function originHit(route: Route, origins: readonly ReportOrigin[]): string | null {
  if (route.feeds.length === 0 && route.sources.length === 0) return '';
  const feeds = new Set(origins.map((origin) => normalizeFeedName(origin.feed)));
  const feed = route.feeds.find((name) => feeds.has(normalizeFeedName(name)));
  if (feed !== undefined) return `feed "${feed}"`;
  const hosts = origins.flatMap((origin) => [hostOf(origin.url), hostOf(origin.feedUrl)]);
  const source = route.sources.find((listed) => hosts.some((host) => host !== null && onHost(host, listed)));
  return source === undefined ? null : `source ${source}`;
}

function listedOrigins(route: Route): string {
  return [
    ...route.feeds.map((name) => `feed "${name}"`),
    ...route.sources.map((host) => `source ${host}`),
  ].join(' or ');
}

function hostOf(url: string | undefined): string | null {
  if (url === undefined || !URL.canParse(url)) return null;
  return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
}

/** `www.cisa.gov` is on `cisa.gov`; `notcisa.gov` is not. */
function onHost(host: string, listed: string): boolean {
  return host === listed || host.endsWith(`.${listed}`);
}

/** The first entry of `match` the story hits, or null. */
function firstHit(match: CompiledMatch, facts: Facts): MatchHit | null {
  for (const kind of MATCH_KINDS) {
    const values = match.raw[kind];
    for (let i = 0; i < values.length; i++) {
      if (entryHits(match, kind, i, facts)) return { kind, value: values[i] ?? '' };
    }
  }
  return null;
}

function entryHits(match: CompiledMatch, kind: MatchKind, index: number, facts: Facts): boolean {
  switch (kind) {
    case 'actors':
      return facts.actors.has(match.actors[index] ?? '');
    case 'countries':
      return facts.countries.has(match.countries[index] ?? '');
    case 'products': {
      const words = match.products[index] ?? '';
      return words.trim() !== '' && facts.products.some((product) => product.includes(words));
    }
    case 'cves':
      return facts.cves.has(match.cves[index] ?? '');
    case 'keywords':
      return match.keywords[index]?.test(facts.text) ?? false;
  }
}

function watchlistHit(watchlist: Watchlist, facts: Facts): MatchHit | null {
  const hit = firstHit(compile(watchlist), facts);
  if (hit === null) return null;
  return firstHit(compile(watchlist.excludes), facts) === null ? hit : null;
}

function isEmpty(match: Match): boolean {
  return MATCH_KINDS.every((kind) => match[kind].length === 0);
}

function verdict(
  route: Route,
  facts: Facts,
  attribution: Attribution,
  watchlists: ReadonlyMap<string, Watchlist>,
): RouteVerdict {
  const no = (reason: string): RouteVerdict => ({ route: route.name, matched: false, reason });
  if (route.attributionOnly && !attribution.is_attribution) return no('not an attribution (attributionOnly)');
  if (attribution.confidence < route.minConfidence) {
    return no(`confidence ${attribution.confidence} below ${route.minConfidence}`);
  }
  const origin = originHit(route, facts.origins);
  if (origin === null) return no(`no report from ${listedOrigins(route)}`);
  const excluded = firstHit(compile(route.exclude), facts);
  if (excluded) return no(`excluded by ${excluded.kind}: ${excluded.value}`);
  if (route.watchlists.length === 0 && isEmpty(route.match)) {
    return {
      route: route.name,
      matched: true,
      via: origin ? `every story from ${origin}` : 'every story',
      hit: null,
    };
  }
  for (const name of route.watchlists) {
    const watchlist = watchlists.get(name);
    const hit = watchlist ? watchlistHit(watchlist, facts) : null;
    if (hit) return { route: route.name, matched: true, via: `watchlist ${name}`, hit };
  }
  const inline = firstHit(compile(route.match), facts);
  if (inline) return { route: route.name, matched: true, via: 'match', hit: inline };
  return no('no watched entity');
}

/** Why each route does or does not take the story, in config order (for `explain`). */
export function explainRouting(
  input: RouteInput,
  routes: readonly Route[],
  watchlists: readonly Watchlist[],
): RouteVerdict[] {
  const facts = factsOf(input);
  const byName = new Map(watchlists.map((watchlist) => [watchlist.name, watchlist]));
  return routes.map((route) => verdict(route, facts, input.attribution, byName));
}

/** Route verdicts as lines for `explain`: `✓ intel-route (watchlist russia: actors APT28)`. */
export function formatRouteVerdicts(verdicts: readonly RouteVerdict[]): string {
  if (verdicts.length === 0) return 'no routes';
  return verdicts
    .map((verdict) =>
      verdict.matched
        ? `✓ ${verdict.route} (${verdict.via}${verdict.hit ? `: ${verdict.hit.kind} ${verdict.hit.value}` : ''})`
        : `✗ ${verdict.route} (${verdict.reason})`,
    )
    .join('\n');
}

/** One decision per destination, merged across the routes that match; [] when none does. */
export function routeAlert(
  input: RouteInput,
  routes: readonly Route[],
  watchlists: readonly Watchlist[],
): RouteDecision[] {
  const verdicts = explainRouting(input, routes, watchlists);
  const decisions = new Map<string, RouteDecision>();
  routes.forEach((route, index) => {
    if (!verdicts[index]?.matched) return;
    for (const destination of route.destinations) {
      const earlier = decisions.get(destination);
      if (!earlier) {
        decisions.set(destination, {
          destination,
          route: route.name,
          mentionRoleIds: [...new Set(route.mentionRoles)],
          digest: route.digest,
        });
        continue;
      }
      earlier.mentionRoleIds = [...new Set([...earlier.mentionRoleIds, ...route.mentionRoles])];
      earlier.digest = earlier.digest && route.digest;
    }
  });
  return [...decisions.values()];
}

/** Only the route's opted-in roles may ping; `@everyone`, users and other roles in any text never do. */
export function allowedMentionsFor(decision: Pick<RouteDecision, 'mentionRoleIds'>): AllowedMentions {
  return { parse: [], roles: pingedRoles(decision) };
}

function pingedRoles(decision: Pick<RouteDecision, 'mentionRoleIds'>): string[] {
  return [...new Set(decision.mentionRoleIds.filter((id) => SNOWFLAKE.test(id)))].slice(0, MAX_ROLES);
}

/** The content line that pings the opted-in roles, or null when the route pings nobody. */
export function mentionLine(decision: Pick<RouteDecision, 'mentionRoleIds'>): string | null {
  const roles = pingedRoles(decision);
  return roles.length === 0 ? null : roles.map((id) => `<@&${id}>`).join(' ');
}

/** `message` as sent to the decision's destination: the mention line first in `content`, pings restricted. */
/** Discord's limit on message content. */
const CONTENT_MAX = 2000;

export function withMentions(
  message: OutgoingMessage,
  decision: Pick<RouteDecision, 'mentionRoleIds'>,
): OutgoingMessage {
  const line = mentionLine(decision);
  let content = [line, message.content].filter((part): part is string => Boolean(part)).join('\n');
  // The mention line is what must survive; the rest (an update's lead line) is cut to Discord's limit.
  if (content.length > CONTENT_MAX)
    content = `${content.slice(0, CONTENT_MAX - 1).replace(/[\s[(<]+$/u, '')}…`;
  const result: OutgoingMessage = { ...message, allowed_mentions: allowedMentionsFor(decision) };
  if (content) result.content = content;
  return result;
}
