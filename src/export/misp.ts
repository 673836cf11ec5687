/**
 * A story as a MISP event (MISP core format): links, CVEs, evidence, actors and parties as
 * attributes, actors and countries as galaxy cluster tags. Pure; the event's and attributes' uuids
 * are UUIDv5 from the story's key, so pushing the story again edits the event instead of adding one.
 */
import type { Story } from '../alerts/cluster.js';
import type { ExportReference } from './reference.js';
import { stixConfidence } from './stix.js';
import { keyOf, publicationTime, storyKey, uniqueBy } from './story-key.js';
import { ATTRIBOT_NAMESPACE, uuidV5 } from './uuid.js';

export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  comment: string;
  to_ids: boolean;
  /** 5: inherit the event's distribution. */
  distribution: '5';
}

export interface MispTag {
  name: string;
}

export interface MispEvent {
  uuid: string;
  info: string;
  /** YYYY-MM-DD */
  date: string;
  /** 1 high, 2 medium, 3 low, 4 undefined. */
  threat_level_id: '1' | '2' | '3' | '4';
  /** 0 initial, 1 ongoing, 2 completed. */
  analysis: '0' | '1' | '2';
  /** 0 your organisation only, 1 this community, 2 connected communities, 3 all communities. */
  distribution: MispDistribution;
  published: false;
  /** Unix seconds of the last change: MISP keeps an existing event whose timestamp is not older. */
  timestamp: string;
  Attribute: MispAttribute[];
  Tag: MispTag[];
}

export interface MispDocument {
  Event: MispEvent;
}

/** MISP's distribution levels, indexed by the config's number. */
export const MISP_DISTRIBUTIONS = ['0', '1', '2', '3'] as const;
export type MispDistribution = (typeof MISP_DISTRIBUTIONS)[number];

export interface MispOptions {
  distribution?: MispDistribution;
}

/** MISP's estimative-language taxonomy for attribot's confidence. */
function confidenceTag(confidence: number): MispTag {
  const level = confidence >= 0.8 ? 'high' : confidence >= 0.5 ? 'moderate' : 'low';
  return { name: `estimative-language:confidence-in-analytic-judgment="${level}"` };
}

/** A galaxy tag's value may not contain a double quote. */
const tagValue = (value: string): string => value.replace(/"/g, "'");

export function storyToMisp(
  story: Story,
  reference: ExportReference,
  options: MispOptions = {},
): MispDocument {
  const { attribution, first } = story;
  const eventUuid = uuidV5(ATTRIBOT_NAMESPACE, `misp-event|${storyKey(story)}`);
  const attributes: MispAttribute[] = [];
  const attribute = (type: string, category: string, value: string, comment: string): void => {
    attributes.push({
      uuid: uuidV5(ATTRIBOT_NAMESPACE, `misp-attribute|${eventUuid}|${type}|${category}|${value}`),
      type,
      category,
      value,
      comment,
      to_ids: false,
      distribution: '5',
    });
  };
  if (first.url) attribute('link', 'External analysis', first.url, `first report: ${first.sourceName}`);
  for (const source of story.sources)
    if (source.url) attribute('link', 'External analysis', source.url, `also reported by ${source.name}`);
  const actorNames = uniqueBy(
    attribution.actors.map((actor) => reference.actor(actor.name)?.name ?? actor.name),
    keyOf,
  );
  for (const name of actorNames) attribute('threat-actor', 'Attribution', name, 'named as the actor');
  for (const party of attribution.attributing_parties)
    attribute('text', 'Attribution', party, 'attributing party: makes the claim');
  for (const cve of uniqueBy(attribution.cves, keyOf))
    attribute('vulnerability', 'External analysis', cve.toUpperCase(), 'named in the story');
  for (const product of uniqueBy(attribution.products, keyOf))
    attribute('text', 'External analysis', product, 'affected product');
  for (const quote of uniqueBy(attribution.evidence, keyOf))
    attribute('text', 'External analysis', quote, 'evidence');
  const tags: MispTag[] = [
    ...actorNames.map((name) => ({ name: `misp-galaxy:threat-actor="${tagValue(name)}"` })),
    // The country galaxy's cluster values are lowercase English names ("russia", "north korea").
    ...uniqueBy(attribution.attributed_countries, keyOf).map((country) => ({
      name: `misp-galaxy:country="${tagValue(country.toLowerCase())}"`,
    })),
    confidenceTag(attribution.confidence),
  ];
  const published = publicationTime(first.published) ?? story.createdAt;
  return {
    Event: {
      uuid: eventUuid,
      info:
        first.title?.trim() ||
        `Attribution reported by ${first.sourceName} (confidence ${stixConfidence(attribution.confidence)})`,
      date: published.slice(0, 10),
      threat_level_id: '4',
      analysis: '0',
      distribution: options.distribution ?? '0',
      published: false,
      timestamp: String(Math.floor(Date.parse(story.updatedAt) / 1000)),
      Attribute: uniqueBy(attributes, (a) => a.uuid),
      Tag: tags,
    },
  };
}
