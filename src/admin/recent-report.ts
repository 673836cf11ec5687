/**
 * `attribot recent`: the stories of a period and what became of each on each destination, for teams
 * whose webhooks cannot answer `/attribot recent`. One line per story as the slash command shows it
 * (title · when → destinations), here with each destination's outcome. Pure.
 */
import type { OutboxStatus, StoryDeliveries, StoryDelivery } from '../store/store.js';
import { count, shown, when } from './when.js';

/** What a story's alert became on one destination. */
export interface DestinationOutcome {
  destination: string;
  /** sent; held (waiting for the digest); digested (listed in a digest); pending; rejected. */
  status: OutboxStatus;
  sentAt: string | null;
  /** Later updates and edits of the story on this destination, and how many of them went out. */
  updates: number;
  updatesSent: number;
}

export interface RecentStory {
  id: number | null;
  title: string | null;
  url: string | null;
  createdAt: string;
  updatedAt: string;
  actors: string[];
  countries: string[];
  /** Outlets that reported it (the first one included). */
  outlets: number;
  destinations: DestinationOutcome[];
}

export function recentStory({ story, deliveries }: StoryDeliveries): RecentStory {
  const byDestination = new Map<string, StoryDelivery[]>();
  for (const delivery of deliveries)
    byDestination.set(delivery.destination, [...(byDestination.get(delivery.destination) ?? []), delivery]);
  return {
    id: story.id,
    title: story.first.title,
    url: story.first.url ?? null,
    createdAt: story.createdAt,
    updatedAt: story.updatedAt,
    actors: story.attribution.actors.map((actor) => actor.name),
    countries: story.attribution.attributed_countries,
    outlets: 1 + story.sources.length,
    destinations: [...byDestination].map(([destination, rows]) => {
      // The alert is the story's first message there; without one (pruned), its latest row stands in.
      const first = rows.find((row) => row.kind === 'alert') ?? (rows.at(-1) as StoryDelivery);
      const updates = rows.filter((row) => row !== first);
      return {
        destination,
        status: first.status,
        sentAt: first.sentAt,
        updates: updates.length,
        updatesSent: updates.filter((row) => row.status === 'sent').length,
      };
    }),
  };
}

const STATUS_WORDS: Record<OutboxStatus, string> = {
  sent: 'sent',
  held: 'held for the digest',
  digested: 'in a digest',
  pending: 'pending',
  rejected: 'rejected',
};

/** "intel (sent, 1/2 updates sent)": what one destination got. */
export function describeOutcome(entry: DestinationOutcome): string {
  const updates = entry.updates > 0 ? `, ${entry.updatesSent}/${count(entry.updates, 'update')} sent` : '';
  return `${shown(entry.destination)} (${STATUS_WORDS[entry.status]}${updates})`;
}

export function formatRecentStories(stories: readonly RecentStory[], period: string, now: Date): string {
  if (stories.length === 0) return `No stories in the last ${period}.\n`;
  const lines = stories.map((story) => {
    const who = [...story.actors, ...story.countries.filter((country) => !story.actors.includes(country))];
    const where =
      story.destinations.length > 0
        ? story.destinations.map(describeOutcome).join(', ')
        : 'no delivery recorded (past the outbox retention)';
    return [
      `• ${shown(story.title, 150) || 'Untitled'} · ${when(story.updatedAt, now)} → ${where}`,
      ...(story.url ? [`  ${shown(story.url)}`] : []),
      `  ${who.length > 0 ? `${shown(who.join(', '), 200)} · ` : ''}${count(story.outlets, 'outlet')}`,
    ].join('\n');
  });
  return `${lines.join('\n')}\n\n${count(stories.length, 'story', 'stories')} in the last ${period}\n`;
}
