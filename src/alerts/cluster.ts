/**
 * One story, one alert: decides whether a new attribution reports an incident already alerted on
 * (same actors, products, CVEs, a similar headline, within a window) and merges it. Pure.
 */
import type { AttributedActor, Attribution } from '../attribution/attribution.js';
import type { AlertSource, ReportOrigin } from './alert.js';

export interface StoryReport {
  attribution: Attribution;
  title: string | null;
  url?: string;
  sourceName: string;
  /** The URL of the feed it came from. */
  feedUrl?: string;
  published?: string;
}

export interface Story {
  /** Null until the store assigned one. */
  id: number | null;
  createdAt: string;
  updatedAt: string;
  /** The first report; the alert links to it. */
  first: StoryReport;
  /** Every report's claims merged. */
  attribution: Attribution;
  /** Later reports from other outlets, in arrival order. */
  sources: AlertSource[];
  /** Destinations that have been sent this story's alert (later reports edit it there). */
  destinations: string[];
}

export interface ClusterSettings {
  windowMs: number;
  threshold: number;
}

export type StoryChange = 'new-story' | 'new-source' | 'new-claim';

const STOPWORDS = new Set(
  'the a an and or of for to in on at by with from as is are was were be been has have had it its this that these those after over into says said say new report reports hackers hacker hack hacked attack attacks cyber cyberattack group groups state linked behind blames blamed accuse accuses accused'.split(
    ' ',
  ),
);

export function titleTokens(title: string | null): string[] {
  if (!title) return [];
  const words = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .split(/\s+/)
    .filter((word) => word.length >= 3 && !STOPWORDS.has(word));
  return [...new Set(words)];
}

function lowerSet(values: readonly string[]): Set<string> {
  return new Set(values.map((value) => value.trim().toLowerCase()).filter(Boolean));
}

function actorNames(actors: readonly AttributedActor[]): Set<string> {
  return lowerSet(actors.flatMap((actor) => [actor.name, ...actor.aliases]));
}

function overlaps(a: Set<string>, b: Set<string>): boolean {
  for (const value of a) if (b.has(value)) return true;
  return false;
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const right = new Set(b);
  const shared = a.filter((token) => right.has(token)).length;
  return shared / (new Set([...a, ...b]).size || 1);
}

/**
 * How alike a report is to a story, 0..1+. Shared CVEs are decisive when they are what both are
 * about (at least half of the longer CVE list); a roundup that lists dozens of CVEs shares one with
 * many unrelated incidents, so there a shared CVE only adds to the entities and the headline.
 */
export function similarity(story: Story, report: StoryReport): number {
  const a = story.attribution;
  const b = report.attribution;
  const cvesA = lowerSet(a.cves);
  const cvesB = lowerSet(b.cves);
  let sharedCves = 0;
  for (const cve of cvesA) if (cvesB.has(cve)) sharedCves++;
  if (sharedCves > 0 && sharedCves / Math.max(cvesA.size, cvesB.size) >= 0.5) return 1;
  const sharedActor = overlaps(actorNames(a.actors), actorNames(b.actors));
  const sharedProduct = overlaps(lowerSet(a.products), lowerSet(b.products));
  const sharedCountry = overlaps(lowerSet(a.attributed_countries), lowerSet(b.attributed_countries));
  const headline = jaccard(titleTokens(story.first.title), titleTokens(report.title));
  // A shared country alone is a different incident far more often than the same one.
  if (!sharedActor && !sharedProduct && sharedCves === 0 && headline < 0.35) return 0;
  return (
    (sharedActor ? 0.5 : 0) +
    (sharedProduct ? 0.3 : 0) +
    (sharedCountry ? 0.25 : 0) +
    (sharedCves > 0 ? 0.2 : 0) +
    0.6 * headline
  );
}

/** The best-matching recent story, or null. */
export function findStory(
  stories: readonly Story[],
  report: StoryReport,
  now: Date,
  settings: ClusterSettings,
): Story | null {
  let best: { story: Story; score: number } | null = null;
  for (const story of stories) {
    if (now.getTime() - Date.parse(story.createdAt) > settings.windowMs) continue;
    const score = similarity(story, report);
    if (score >= settings.threshold && (!best || score > best.score)) best = { story, score };
  }
  return best?.story ?? null;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const seen = new Set(a.map((value) => value.toLowerCase()));
  return [...a, ...b.filter((value) => !seen.has(value.toLowerCase()) && seen.add(value.toLowerCase()))];
}

function mergeActors(a: readonly AttributedActor[], b: readonly AttributedActor[]): AttributedActor[] {
  const merged = a.map((actor) => ({ ...actor, aliases: [...actor.aliases] }));
  for (const actor of b) {
    const names = actorNames([actor]);
    const same = merged.find((existing) => overlaps(actorNames([existing]), names));
    if (!same) {
      merged.push({ ...actor, aliases: [...actor.aliases] });
      continue;
    }
    same.aliases = union(
      same.aliases,
      [actor.name, ...actor.aliases].filter((name) => name !== same.name),
    );
    if (!same.country && actor.country) same.country = actor.country;
    same.stated ||= actor.stated && same.country === actor.country;
  }
  return merged;
}

export function mergeAttributions(a: Attribution, b: Attribution): Attribution {
  const stronger = b.confidence > a.confidence ? b : a;
  const merged: Attribution = {
    ...a,
    is_attribution: a.is_attribution || b.is_attribution,
    actors: mergeActors(a.actors, b.actors),
    attributed_countries: union(a.attributed_countries, b.attributed_countries),
    attributing_parties: union(a.attributing_parties, b.attributing_parties),
    products: union(a.products, b.products),
    cves: union(a.cves, b.cves),
    confidence: stronger.confidence,
    confidence_reason: stronger.confidence_reason,
    evidence: union(a.evidence, b.evidence),
  };
  const denials = union(a.denials ?? [], b.denials ?? []);
  if (denials.length > 0) merged.denials = denials;
  const details = [...(a.cve_details ?? []), ...(b.cve_details ?? [])];
  if (details.length > 0) {
    merged.cve_details = details.filter(
      (detail, index) => details.findIndex((d) => d.cve === detail.cve) === index,
    );
  }
  return merged;
}

/** A genuinely new claim names an actor or a country the story did not have yet. */
export function isNewClaim(story: Attribution, report: Attribution): boolean {
  const knownActors = actorNames(story.actors);
  const knownCountries = lowerSet(story.attributed_countries);
  return (
    report.actors.some((actor) => !overlaps(actorNames([actor]), knownActors)) ||
    report.attributed_countries.some((country) => !knownCountries.has(country.toLowerCase()))
  );
}

export function newStory(report: StoryReport, now: Date): Story {
  const at = now.toISOString();
  return {
    id: null,
    createdAt: at,
    updatedAt: at,
    first: report,
    attribution: report.attribution,
    sources: [],
    destinations: [],
  };
}

/** Adds a report to its story; the change says whether the alert is edited only or also announced as an update. */
export function addReport(
  story: Story,
  report: StoryReport,
  now: Date,
): { story: Story; change: StoryChange } {
  const change: StoryChange = isNewClaim(story.attribution, report.attribution) ? 'new-claim' : 'new-source';
  const source: AlertSource = {
    name: report.sourceName,
    ...(report.url ? { url: report.url } : {}),
    ...(report.feedUrl ? { feedUrl: report.feedUrl } : {}),
  };
  const alreadyListed =
    story.first.sourceName === report.sourceName ||
    story.sources.some((known) => known.name === report.sourceName);
  return {
    story: {
      ...story,
      updatedAt: now.toISOString(),
      attribution: mergeAttributions(story.attribution, report.attribution),
      sources: alreadyListed ? story.sources : [...story.sources, source],
    },
    change,
  };
}

/** What an analysis concluded, in a form that changes only when the attribution does. */
export function fingerprintOf(attribution: Attribution): string {
  const lower = (values: readonly string[]): string[] =>
    [...new Set(values.map((value) => value.toLowerCase()))].sort();
  return JSON.stringify([
    attribution.is_attribution,
    lower(attribution.actors.map((actor) => actor.name)),
    lower(attribution.attributed_countries),
  ]);
}

/**
 * Where the story's reports came from, the report being routed included (a later report from a feed
 * already listed is not kept in `sources`, so its own link would otherwise be missed).
 */
export function storyOrigins(story: Story, report: StoryReport): ReportOrigin[] {
  const origin = (name: string, url?: string, feedUrl?: string): ReportOrigin => ({
    feed: name,
    ...(url ? { url } : {}),
    ...(feedUrl ? { feedUrl } : {}),
  });
  return [
    origin(story.first.sourceName, story.first.url, story.first.feedUrl),
    ...story.sources.map((source) => origin(source.name, source.url, source.feedUrl)),
    origin(report.sourceName, report.url, report.feedUrl),
  ];
}
