/** A story as the messages it becomes on each routed destination. Pure. */
import type { OutboxInsert } from '../shared/message.js';
import type { Alert } from './alert.js';
import type { Story, StoryChange, StoryReport } from './cluster.js';
import { formatAlert, formatUpdate } from './format.js';
import { type RouteDecision, withMentions } from './route.js';

export function storyAlert(story: Story): Alert {
  const { first } = story;
  const alert: Alert = {
    attribution: story.attribution,
    articleTitle: first.title,
    sourceName: first.sourceName,
  };
  if (first.url) alert.articleUrl = first.url;
  if (first.published) alert.published = first.published;
  if (story.sources.length > 0) alert.otherSources = story.sources;
  return alert;
}

/**
 * What a report does on each routed destination: a story new there posts an alert (or waits for the
 * digest); a known story edits the alert where it was sent and, when the report brings a new actor
 * or country, also posts an update.
 */
export function storyMessages(
  story: Story,
  change: StoryChange,
  report: StoryReport,
  decisions: readonly RouteDecision[],
): OutboxInsert[] {
  const rows: OutboxInsert[] = [];
  const current = formatAlert(storyAlert(story));
  for (const decision of decisions) {
    const { destination } = decision;
    if (!story.destinations.includes(destination)) {
      rows.push({
        destination,
        kind: 'alert',
        message: withMentions(current, decision),
        hold: decision.digest,
      });
      continue;
    }
    // Edits never ping; the alert's own content line (with its mentions) stays as it was.
    rows.push({ destination, kind: 'edit', message: current });
    if (change === 'new-claim') {
      rows.push({
        destination,
        kind: 'update',
        message: withMentions(formatUpdate(story, report), decision),
        hold: decision.digest,
      });
    }
  }
  return rows;
}
