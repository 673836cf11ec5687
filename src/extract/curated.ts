/** The hand-curated dictionary file (config/dictionaries/curated.json), validated on load. */
import { z } from 'zod';

export const CuratedActor = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  country: z.string().length(2).nullable().default(null),
  kind: z.enum(['state', 'criminal', 'unknown']),
  /** A state body: naming it as the perpetrator attributes its country. */
  organ: z.boolean().default(false),
  /** An ordinary word: matches only beside a group cue ("Play ransomware"). */
  cue: z.boolean().default(false),
});
export type CuratedActor = z.infer<typeof CuratedActor>;

export const CuratedProduct = z.object({
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
});
export type CuratedProduct = z.infer<typeof CuratedProduct>;

export const CuratedParty = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  kind: z.enum(['agency', 'vendor', 'media']),
  country: z.string().length(2).optional(),
});
export type CuratedParty = z.infer<typeof CuratedParty>;

export const Curated = z.object({
  actors: z.array(CuratedActor).default([]),
  aliasExclusions: z.array(z.string()).default([]),
  criminalKinds: z.array(z.string()).default([]),
  products: z.array(CuratedProduct).default([]),
  parties: z.array(CuratedParty).default([]),
  countryNames: z.record(z.string().length(2), z.string()).default({}),
  countryAliases: z.record(z.string().length(2), z.array(z.string())).default({}),
  commonWords: z.array(z.string()).default([]),
});
export type Curated = z.infer<typeof Curated>;
