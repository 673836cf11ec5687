/**
 * What the export needs to know beyond a story: a country's ISO code, whether an actor is a state
 * body or a group (and its known aliases), what kind of party made a claim, a product's vendor.
 * Built once from the dictionaries the extractor loaded; the mapping itself only asks.
 */
import type { ActorKind, Knowledge, PartyKind } from '../extract/knowledge.js';
import { keyOf } from './story-key.js';

export interface ReferenceActor {
  /** The dictionary's canonical name. */
  name: string;
  aliases: readonly string[];
  kind: ActorKind;
  /** A state body (GRU, MSS) rather than a group of operations (APT28). */
  organ: boolean;
  /** ISO 3166-1 alpha-2 from reference data. */
  country: string | null;
}

export interface ReferenceParty {
  kind: PartyKind;
  country: string | null;
}

export interface ExportReference {
  /** ISO 3166-1 alpha-2 of an English country name ("China" → "CN"), or null. */
  countryCode(name: string): string | null;
  actor(name: string): ReferenceActor | null;
  party(name: string): ReferenceParty | null;
  /** The vendor of a product name the dictionaries know ("Microsoft Exchange Server" → "Microsoft"). */
  productVendor(name: string): string | null;
}

export function exportReference(
  knowledge: Pick<Knowledge, 'actors' | 'countries' | 'parties' | 'products'>,
): ExportReference {
  const countries = new Map<string, string>();
  for (const country of knowledge.countries.values()) countries.set(keyOf(country.name), country.iso2);
  const actors = new Map<string, ReferenceActor>();
  for (const entry of knowledge.actors) {
    const actor: ReferenceActor = {
      name: entry.name,
      aliases: entry.aliases,
      kind: entry.kind,
      organ: entry.organ,
      country: entry.country,
    };
    // The canonical name wins over an alias another entry shares.
    actors.set(keyOf(entry.name), actor);
  }
  for (const entry of knowledge.actors)
    for (const alias of entry.aliases) {
      const key = keyOf(alias);
      if (!actors.has(key)) actors.set(key, actors.get(keyOf(entry.name)) as ReferenceActor);
    }
  const parties = new Map<string, ReferenceParty>();
  for (const party of knowledge.parties)
    if (!parties.has(keyOf(party.name)))
      parties.set(keyOf(party.name), { kind: party.kind, country: party.country });
  const vendors = new Map<string, string>();
  for (const product of knowledge.products)
    if (!product.exclude && !vendors.has(keyOf(product.name)))
      vendors.set(keyOf(product.name), product.vendor);
  return {
    countryCode: (name) => countries.get(keyOf(name)) ?? null,
    actor: (name) => actors.get(keyOf(name)) ?? null,
    party: (name) => parties.get(keyOf(name)) ?? null,
    productVendor(name) {
      const known = vendors.get(keyOf(name));
      if (known) return known;
      return null;
    },
  };
}
