/**
 * Where one report goes: the recent story it joins (or the one it opens), the destinations the
 * routes pick for that story, and the messages it queues on each. The one step that the pipeline
 * runs inside the store's transaction and `attribot replay` runs in memory. Pure.
 */
import type { Attribution } from '../attribution/attribution.js';
import type { Settings } from '../config/schema.js';
import type { OutboxInsert } from '../shared/message.js';
import {
  addReport,
  type ClusterSettings,
  findStory,
  newStory,
  type Story,
  type StoryChange,
  type StoryReport,
} from './cluster.js';
import type { RouteDecision, RouteInput } from './route.js';
import { storyMessages } from './story-messages.js';

/** A story among the recent ones, under a key unique among them (`id:<n>` for stored ones). */
export interface StoryEntry {
  key: string;
  story: Story;
}

export interface PlacementRules {
  cluster: ClusterSettings;
  /** Which destinations a story goes to, and how (the routes of a config). */
  route: (input: RouteInput) => RouteDecision[];
}

export interface Placement {
  /** The entry the report joined or opened, as it stands now (already in the list). */
  entry: StoryEntry;
  change: StoryChange;
  decisions: RouteDecision[];
  /** The messages the report queues: an alert where the story is new, edits and updates where it was sent. */
  alerts: OutboxInsert[];
}

/**
 * Whether routing should see this analysis: an attribution at or above the global confidence floor,
 * or any story naming an entity (routes with `attributionOnly: false` may want those).
 */
export function worthRouting(attribution: Attribution, settings: Pick<Settings, 'minConfidence'>): boolean {
  if (attribution.is_attribution) return attribution.confidence >= settings.minConfidence;
  return (
    attribution.actors.length +
      attribution.attributed_countries.length +
      attribution.products.length +
      attribution.cves.length >
    0
  );
}

/**
 * Joins `report` to the best-matching story of `entries` or opens one (under `newKey`), routes the
 * story, and updates `entries`. Null when the report opens no story because no route wants it (a
 * known story still takes a report nobody routes, silently). `text` is the article text keywords
 * may match.
 */
export function placeReport(
  entries: StoryEntry[],
  report: StoryReport,
  text: string | undefined,
  now: Date,
  newKey: string,
  rules: PlacementRules,
): Placement | null {
  const match = findStory(
    entries.map((entry) => entry.story),
    report,
    now,
    rules.cluster,
  );
  const known = match ? entries.find((candidate) => candidate.story === match) : undefined;
  const { story, change } = known
    ? addReport(known.story, report, now)
    : { story: newStory(report, now), change: 'new-story' as const };
  const decisions = rules.route({
    attribution: story.attribution,
    title: report.title,
    ...(text !== undefined ? { text } : {}),
  });
  if (decisions.length === 0 && !known) return null;
  const alerts = storyMessages(story, change, report, decisions);
  const routed: Story = {
    ...story,
    destinations: [...new Set([...story.destinations, ...decisions.map((decision) => decision.destination)])],
  };
  let entry: StoryEntry;
  if (known) {
    known.story = routed;
    entry = known;
  } else {
    entry = { key: newKey, story: routed };
    entries.push(entry);
  }
  return { entry, change, decisions, alerts };
}
