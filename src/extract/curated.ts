/**
 * The hand-curated dictionary file (config/dictionaries/curated.json), validated on load. Every entry
 * says where it comes from (docs/adr/005-curated-provenance.md): a `source` page or a one-line `reason`.
 */
import type { z } from 'zod';
import { lazyZod } from './lazy-zod.js';

const PROVENANCE_MESSAGE =
  'needs a provenance: "source" (https URL of an authoritative page: MITRE ATT&CK, MISP galaxy, the vendor, ' +
  'a government agency, CISA) or "reason" (one line on why it is general knowledge)';

/** The schemas of curated.json, built once on first use (see lazy-zod.ts). */
function buildSchemas() {
  const z = lazyZod();
  /** Where an entry comes from. At least one of the two is required (`hasProvenance`). */
  const provenance = {
    /** An authoritative page that states the fact: ATT&CK, MISP galaxy, the vendor, a government agency. */
    source: z.url({ protocol: /^https$/ }).optional(),
    /** One line saying why the entry is general knowledge, where no page states it. */
    reason: z
      .string()
      .trim()
      .min(1)
      .regex(/^[^\n]*$/, 'a reason is one line')
      .optional(),
  };

  function hasProvenance(entry: { source?: string | undefined; reason?: string | undefined }): boolean {
    return entry.source !== undefined || entry.reason !== undefined;
  }
  const provenanceRule = { message: PROVENANCE_MESSAGE };

  const iso2 = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code');

  const CuratedActor = z
    .strictObject({
      name: z.string().min(1),
      aliases: z.array(z.string().min(1)).default([]),
      country: iso2.nullable().default(null),
      kind: z.enum(['state', 'criminal', 'unknown']),
      /** A state body: naming it as the perpetrator attributes its country. */
      organ: z.boolean().default(false),
      /**
       * An organ the news mostly quotes (the NSA, GCHQ): it is the perpetrator only where the text makes it
       * the agent of an attack ("hacked by the NSA", "GCHQ breached"), never where it merely appears.
       */
      agentOnly: z.boolean().default(false),
      /** An ordinary word: matches only beside a group cue ("Play ransomware"). */
      cue: z.boolean().default(false),
      ...provenance,
    })
    .refine(hasProvenance, provenanceRule);

  const CuratedProduct = z
    .strictObject({
      name: z.string().min(1),
      vendor: z.string().min(1),
      aliases: z.array(z.string().min(1)).default([]),
      /** A name that must never be reported as a product (a vulnerability nickname, say). */
      exclude: z.boolean().default(false),
      /**
       * service: an online service that is also a company ("Salesforce", "Okta"): counts only when the text
       * speaks of its accounts, instances or tenants. tool: a legitimate tool that intruders abuse ("AnyDesk").
       */
      role: z.enum(['service', 'tool']).optional(),
      /** The name alone identifies the product though it reads like a plain word ("Ubuntu", "Safari"). */
      distinctive: z.boolean().default(false),
      ...provenance,
    })
    .refine(hasProvenance, provenanceRule);

  const CuratedParty = z
    .strictObject({
      name: z.string().min(1),
      aliases: z.array(z.string().min(1)).default([]),
      /** Names the party had before a rename: a text that uses one is reported with it ("FireEye"). */
      formerNames: z.array(z.string().min(1)).default([]),
      kind: z.enum(['agency', 'vendor', 'media']),
      country: iso2.optional(),
      ...provenance,
    })
    .refine(hasProvenance, provenanceRule);

  /** One name in a list section (an alias exclusion, a criminal group, a common word). */
  const CuratedName = z
    .strictObject({ name: z.string().min(1), ...provenance })
    .refine(hasProvenance, provenanceRule);

  /** A name for a country: its display name (countryNames) or one more surface form (countryAliases). */
  const CuratedCountryName = z
    .strictObject({ iso2, name: z.string().min(1), ...provenance })
    .refine(hasProvenance, provenanceRule);

  const Curated = z.strictObject({
    /** Points a reader to the format note; ignored. */
    _comment: z.string().optional(),
    actors: z.array(CuratedActor).default([]),
    /** Names dropped from reference actors (ordinary words, campaign names, wrong ids). */
    aliasExclusions: z.array(CuratedName).default([]),
    /** Groups that are criminal whatever the reference data's sponsor field says. */
    criminalKinds: z.array(CuratedName).default([]),
    products: z.array(CuratedProduct).default([]),
    parties: z.array(CuratedParty).default([]),
    /** Display names that differ from the reference data's short name (the contract says "Czech Republic"). */
    countryNames: z.array(CuratedCountryName).default([]),
    /** Extra surface forms that count as the country's name. */
    countryAliases: z.array(CuratedCountryName).default([]),
    /** Ordinary words that are also product or actor names: they match only with a vendor or group cue. */
    commonWords: z.array(CuratedName).default([]),
  });
  return { CuratedActor, CuratedProduct, CuratedParty, CuratedName, CuratedCountryName, Curated };
}
type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

export type CuratedActor = z.infer<Schemas['CuratedActor']>;
export type CuratedProduct = z.infer<Schemas['CuratedProduct']>;
export type CuratedParty = z.infer<Schemas['CuratedParty']>;
export type CuratedName = z.infer<Schemas['CuratedName']>;
export type CuratedCountryName = z.infer<Schemas['CuratedCountryName']>;
export type Curated = z.infer<Schemas['Curated']>;

/** Validates the parsed curated.json; the error names each bad entry by section, index and name. */
export function parseCurated(raw: unknown, file = 'curated.json'): Curated {
  schemas ??= buildSchemas();
  const result = schemas.Curated.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const [section, index, ...rest] = issue.path;
    const entry =
      typeof section === 'string' && typeof index === 'number' ? entryName(raw, section, index) : undefined;
    const where = [
      section === undefined ? '(root)' : String(section),
      index === undefined ? '' : `[${String(index)}]`,
      entry === undefined ? '' : ` (${JSON.stringify(entry)})`,
      rest.length > 0 ? ` ${rest.join('.')}` : '',
    ].join('');
    return `${file}: ${where}: ${issue.message}`;
  });
  throw new Error(lines.join('\n'), { cause: result.error });
}

function entryName(raw: unknown, section: string, index: number): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const list = (raw as Record<string, unknown>)[section];
  const entry = Array.isArray(list) ? (list[index] as unknown) : undefined;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const name = (entry as Record<string, unknown>).name;
  return typeof name === 'string' ? name : undefined;
}
