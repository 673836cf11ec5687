/**
 * A story as a STIX 2.1 bundle: one `report` for the story, the actors, countries, attributing
 * parties, CVEs and products it names, and the relationships the story states. Pure: ids are
 * UUIDv5 from stable keys and times come from the story, so the same story always gives the same
 * bundle (docs/adr/008-stix-and-misp-export.md).
 */
import type { Story } from '../alerts/cluster.js';
import type { AttributedActor } from '../attribution/attribution.js';
import type { ExportReference } from './reference.js';
import { keyOf, publicationTime, storyKey, uniqueBy } from './story-key.js';
import { ATTRIBOT_NAMESPACE, STIX_SCO_NAMESPACE, uuidV5 } from './uuid.js';

export interface ExternalReference {
  source_name: string;
  description?: string;
  url?: string;
  external_id?: string;
}

/** One STIX object in wire shape (property names as the specification spells them). */
export interface StixObject {
  type: string;
  spec_version: '2.1';
  id: string;
  [property: string]: unknown;
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/**
 * Created and modified time of the objects shared by every story (an actor, a country, a CVE, a
 * party). Their content depends only on their key and the dictionaries, so every export gives the
 * same version of them, whichever story it comes from.
 */
export const REFERENCE_TIME = '2020-01-01T00:00:00.000Z';

/** MITRE ATT&CK group ids, which the dictionaries keep among an actor's aliases. */
const ATTACK_GROUP_ID = /^G\d{4}$/;

const sdoId = (type: string, key: string): string =>
  `${type}--${uuidV5(ATTRIBOT_NAMESPACE, `${type}|${key}`)}`;

/** STIX 2.1 section 2.9: a UUIDv5 over the JSON of the ID-contributing properties, keys sorted. */
function scoId(type: string, contributing: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(contributing)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(contributing[key])}`);
  return `${type}--${uuidV5(STIX_SCO_NAMESPACE, `{${sorted.join(',')}}`)}`;
}

export const ATTRIBOT_IDENTITY: StixObject = {
  type: 'identity',
  spec_version: '2.1',
  id: sdoId('identity', 'attribot'),
  created: REFERENCE_TIME,
  modified: REFERENCE_TIME,
  name: 'attribot',
  identity_class: 'system',
  description: 'Attribution claims read from security news by attribot, without analyst review.',
};

/** attribot's confidence (0..1) on STIX's 0..100 scale. */
export function stixConfidence(confidence: number): number {
  return Math.max(0, Math.min(100, Math.round(confidence * 100)));
}

interface ActorObject {
  object: StixObject;
  actor: AttributedActor;
  organ: boolean;
  /** ISO code of the country the story ties the actor to, when it does. */
  countryCode: string | null;
}

function actorObject(
  actor: AttributedActor,
  reference: ExportReference,
  attributed: Set<string>,
): ActorObject {
  const known = reference.actor(actor.name);
  // A known actor is one object whatever the article calls it: its content comes from the dictionaries.
  const name = known?.name ?? actor.name;
  const names = uniqueBy([...(known?.aliases ?? actor.aliases)], keyOf).filter(
    (alias) => keyOf(alias) !== keyOf(name),
  );
  const attackIds = names.filter((alias) => ATTACK_GROUP_ID.test(alias));
  const aliases = names.filter((alias) => !ATTACK_GROUP_ID.test(alias));
  const organ = known?.organ ?? false;
  const type = organ ? 'threat-actor' : 'intrusion-set';
  const object: StixObject = {
    type,
    spec_version: '2.1',
    id: sdoId(type, keyOf(name)),
    created_by_ref: ATTRIBOT_IDENTITY.id,
    created: REFERENCE_TIME,
    modified: REFERENCE_TIME,
    name,
  };
  if (aliases.length > 0) object.aliases = aliases;
  if (organ) {
    object.threat_actor_types = ['nation-state'];
    object.resource_level = 'government';
  }
  if (attackIds.length > 0)
    object.external_references = attackIds.map((id) => ({
      source_name: 'mitre-attack',
      external_id: id,
      url: `https://attack.mitre.org/groups/${id}/`,
    }));
  // Reference data alone is no attribution: only a country the story states goes in.
  const stated = actor.country !== null && (actor.stated || attributed.has(keyOf(actor.country)));
  const countryCode = stated && actor.country !== null ? reference.countryCode(actor.country) : null;
  return { object, actor, organ, countryCode };
}

function locationObject(code: string, name: string): StixObject {
  return {
    type: 'location',
    spec_version: '2.1',
    id: sdoId('location', code),
    created_by_ref: ATTRIBOT_IDENTITY.id,
    created: REFERENCE_TIME,
    modified: REFERENCE_TIME,
    name,
    country: code,
  };
}

/** Who made the claim: a government (as an organization of the national government sector), an agency, a vendor... */
function partyObject(name: string, reference: ExportReference): StixObject {
  const party = reference.party(name);
  const isState = reference.countryCode(name) !== null;
  const object: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: sdoId('identity', keyOf(name)),
    created_by_ref: ATTRIBOT_IDENTITY.id,
    created: REFERENCE_TIME,
    modified: REFERENCE_TIME,
    name,
    identity_class: isState || party ? 'organization' : 'unknown',
  };
  if (isState) {
    object.sectors = ['government-national'];
    object.description = `The national government of ${name}, as the party making the claim.`;
  } else if (party?.kind === 'agency') {
    object.sectors = ['government-national'];
  } else if (party?.kind === 'vendor') {
    object.sectors = ['technology'];
  } else if (party?.kind === 'media') {
    object.sectors = ['communications'];
  }
  return object;
}

function vulnerabilityObject(cve: string, story: Story): StixObject {
  const detail = story.attribution.cve_details?.find((candidate) => candidate.cve === cve);
  const object: StixObject = {
    type: 'vulnerability',
    spec_version: '2.1',
    id: sdoId('vulnerability', cve.toUpperCase()),
    created_by_ref: ATTRIBOT_IDENTITY.id,
    created: REFERENCE_TIME,
    modified: REFERENCE_TIME,
    name: cve.toUpperCase(),
    external_references: [
      {
        source_name: 'cve',
        external_id: cve.toUpperCase(),
        url: `https://www.cve.org/CVERecord?id=${cve.toUpperCase()}`,
      },
    ],
  };
  if (detail)
    object.description = `${detail.vendor} ${detail.product}${detail.knownExploited ? ' (in CISA KEV: known exploited)' : ''}.`;
  return object;
}

/** A product as the `software` observable (its id is the one STIX prescribes for name and vendor). */
function softwareObject(name: string, reference: ExportReference): StixObject {
  const vendor = reference.productVendor(name);
  const contributing: Record<string, string> = vendor ? { name, vendor } : { name };
  return { type: 'software', spec_version: '2.1', id: scoId('software', contributing), ...contributing };
}

function reportDescription(story: Story): string {
  const { attribution } = story;
  const lines: string[] = [];
  if (attribution.attributing_parties.length > 0)
    lines.push(`Attributed by: ${attribution.attributing_parties.join(', ')}.`);
  if (attribution.attributed_countries.length > 0)
    lines.push(`Attributed to: ${attribution.attributed_countries.join(', ')}.`);
  if (attribution.actors.length > 0)
    lines.push(`Actors: ${attribution.actors.map((a) => a.name).join(', ')}.`);
  if (attribution.confidence_reason)
    lines.push(`Confidence ${stixConfidence(attribution.confidence)}: ${attribution.confidence_reason}.`);
  for (const quote of attribution.evidence) lines.push(`Evidence: "${quote}"`);
  for (const denial of attribution.denials ?? []) lines.push(`Denial: "${denial}"`);
  return lines.join('\n');
}

function sourceReferences(story: Story): ExternalReference[] {
  const { first } = story;
  const firstRef: ExternalReference = first.url
    ? { source_name: first.sourceName, url: first.url }
    : { source_name: first.sourceName, description: first.title ?? 'first report' };
  const others = story.sources.map(
    (source): ExternalReference =>
      source.url
        ? { source_name: source.name, url: source.url }
        : { source_name: source.name, description: 'also reported the story' },
  );
  return uniqueBy([firstRef, ...others], (ref) => ref.url ?? ref.source_name);
}

/** The story as one bundle. The same story gives the same bundle, byte for byte. */
export function storyToStix(story: Story, reference: ExportReference): StixBundle {
  const { attribution } = story;
  const key = storyKey(story);
  const confidence = stixConfidence(attribution.confidence);
  const attributed = new Set(attribution.attributed_countries.map(keyOf));
  const objects = new Map<string, StixObject>();
  const add = (object: StixObject): string => {
    if (!objects.has(object.id)) objects.set(object.id, object);
    return object.id;
  };

  const actors = uniqueBy(
    attribution.actors.map((actor) => actorObject(actor, reference, attributed)),
    (entry) => entry.object.id,
  );
  for (const entry of actors) add(entry.object);

  const locations = new Map<string, string>();
  const countryNames = uniqueBy(
    [
      ...attribution.attributed_countries,
      ...attribution.actors.flatMap((actor) => (actor.country && actor.stated ? [actor.country] : [])),
    ],
    keyOf,
  );
  for (const name of countryNames) {
    const code = reference.countryCode(name);
    if (code && !locations.has(code)) locations.set(code, add(locationObject(code, name)));
  }
  const parties = attribution.attributing_parties.map((name) => add(partyObject(name, reference)));
  const vulnerabilities = uniqueBy(attribution.cves, keyOf).map((cve) =>
    add(vulnerabilityObject(cve, story)),
  );
  for (const product of uniqueBy(attribution.products, keyOf)) add(softwareObject(product, reference));

  // Relationships are this story's assertions: their ids include the story, so two stories that
  // say the same thing are two sources for it, each with its own confidence.
  const relationships: StixObject[] = [];
  const relate = (source: string, type: string, target: string, description: string): void => {
    relationships.push({
      type: 'relationship',
      spec_version: '2.1',
      id: `relationship--${uuidV5(ATTRIBOT_NAMESPACE, `relationship|${key}|${source}|${type}|${target}`)}`,
      created_by_ref: ATTRIBOT_IDENTITY.id,
      created: story.createdAt,
      modified: story.updatedAt,
      relationship_type: type,
      source_ref: source,
      target_ref: target,
      description,
      confidence,
    });
  };
  for (const entry of actors) {
    const location = entry.countryCode ? locations.get(entry.countryCode) : undefined;
    if (location)
      relate(
        entry.object.id,
        entry.organ ? 'located-at' : 'originates-from',
        location,
        `The story ties ${entry.object.name} to ${entry.actor.country}.`,
      );
  }
  // A group is attributed to a state body only when the story names exactly one body of the group's
  // state: "APT28, run by the GRU". With two (the GRU and the SVR), which one is not said.
  for (const group of actors.filter((entry) => !entry.organ && entry.countryCode)) {
    const organs = actors.filter((entry) => entry.organ && entry.countryCode === group.countryCode);
    const [organ] = organs;
    if (organs.length === 1 && organ)
      relate(
        group.object.id,
        'attributed-to',
        organ.object.id,
        `The story names ${group.object.name} beside ${organ.object.name}, the one state body of its country it names.`,
      );
  }
  if (attribution.is_attribution)
    for (const entry of actors)
      for (const vulnerability of vulnerabilities)
        relate(
          entry.object.id,
          'targets',
          vulnerability,
          'The story names the actor with this vulnerability.',
        );
  for (const relationship of relationships) add(relationship);

  const refs = [...objects.keys()];
  const report: StixObject = {
    type: 'report',
    spec_version: '2.1',
    id: sdoId('report', key),
    created_by_ref: ATTRIBOT_IDENTITY.id,
    created: story.createdAt,
    modified: story.updatedAt,
    name: story.first.title?.trim() || `Attribution reported by ${story.first.sourceName}`,
    description: reportDescription(story),
    report_types: attribution.actors.length > 0 ? ['threat-actor', 'threat-report'] : ['threat-report'],
    published: publicationTime(story.first.published) ?? story.createdAt,
    object_refs: refs.length > 0 ? refs : [ATTRIBOT_IDENTITY.id],
    confidence,
    labels: [attribution.is_attribution ? 'attribution' : 'mention'],
    external_references: sourceReferences(story),
  };
  // STIX forbids empty lists: a property without values is left out.
  if (attribution.evidence.length > 0) report.x_attribot_evidence = attribution.evidence;
  if (parties.length > 0) report.x_attribot_attributing_party_refs = parties;
  return {
    type: 'bundle',
    id: `bundle--${uuidV5(ATTRIBOT_NAMESPACE, `bundle|${key}|${story.updatedAt}`)}`,
    objects: [ATTRIBOT_IDENTITY, report, ...objects.values()],
  };
}

/** The story's report in its bundle. */
export function reportOf(bundle: StixBundle): StixObject {
  const report = bundle.objects.find((object) => object.type === 'report');
  if (!report) throw new Error(`bundle ${bundle.id} holds no report`);
  return report;
}

/**
 * Several stories' bundles as one: objects shared by stories (an actor, a country) appear once,
 * and a later bundle's version of an object replaces an earlier one.
 */
export function mergeBundles(bundles: readonly StixBundle[]): StixBundle {
  const objects = new Map<string, StixObject>();
  for (const bundle of bundles) for (const object of bundle.objects) objects.set(object.id, object);
  const key = bundles.map((bundle) => bundle.id).join('|');
  return {
    type: 'bundle',
    id: `bundle--${uuidV5(ATTRIBOT_NAMESPACE, `bundles|${key}`)}`,
    objects: objects.size > 0 ? [...objects.values()] : [ATTRIBOT_IDENTITY],
  };
}
