/**
 * Machine destinations (TAXII collections, MISP instances) take a story's rows as export documents:
 * the routing is the same as Discord's, but each row carries the whole story in a standard format,
 * and since every push replaces what the destination has, updates add nothing a push does not.
 */
import type { Story } from '../alerts/cluster.js';
import type { ExportDocument, OutboxInsert } from '../shared/message.js';
import { type MispDistribution, storyToMisp } from './misp.js';
import type { ExportReference } from './reference.js';
import { reportOf, storyToStix } from './stix.js';

export type ExportFormat = 'stix' | 'misp';

export interface ExportTarget {
  format: ExportFormat;
  /** MISP only: who may see the event (default 0, your organisation only). */
  distribution?: MispDistribution;
}

export function exportDocument(
  story: Story,
  target: ExportTarget,
  reference: ExportReference,
): ExportDocument {
  if (target.format === 'stix') {
    const bundle = storyToStix(story, reference);
    return { format: 'stix', id: reportOf(bundle).id, objects: bundle.objects };
  }
  const event = storyToMisp(
    story,
    reference,
    target.distribution ? { distribution: target.distribution } : {},
  );
  return { format: 'misp', id: event.Event.uuid, event };
}

/**
 * The story's rows with those of machine destinations rewritten: an alert or edit carries the
 * export document (never held for a digest: flood control is for people); an update is dropped,
 * since the edit pushes the new claim with the rest of the story.
 */
export function exportRows(
  rows: readonly OutboxInsert[],
  story: Story,
  targets: ReadonlyMap<string, ExportTarget>,
  reference: ExportReference,
): OutboxInsert[] {
  const documents = new Map<ExportTarget, ExportDocument>();
  return rows.flatMap((row): OutboxInsert[] => {
    const target = targets.get(row.destination);
    if (!target) return [row];
    if (row.kind === 'update') return [];
    let document = documents.get(target);
    if (!document) {
      document = exportDocument(story, target, reference);
      documents.set(target, document);
    }
    const title = story.first.title ?? story.first.sourceName;
    return [
      {
        destination: row.destination,
        kind: row.kind ?? 'alert',
        message: {
          embeds: [{ title, ...(story.first.url ? { url: story.first.url } : {}) }],
          allowed_mentions: { parse: [] },
          document,
        },
      },
    ];
  });
}
