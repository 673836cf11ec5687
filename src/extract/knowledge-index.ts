/**
 * The compiled dictionary index: the alias index of knowledge.ts, built once by `npm run build` and
 * stored as JSON next to the compiled code, so that a process start reads it instead of rebuilding it.
 * It carries the fingerprint of what it was built from (the JSON dictionaries and the code that builds
 * and reads the index); an index whose fingerprint differs from the current one is never used.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ActorEntry,
  CountryEntry,
  KevEntry,
  Knowledge,
  NamingScheme,
  PartyEntry,
  PatternRef,
  ProductEntry,
} from './knowledge.js';

/** Bump when the stored shape changes. */
const FORMAT = 2;

export const DICTIONARY_FILES = [
  'actors.json',
  'countries.json',
  'curated.json',
  'kev.json',
  'products.json',
  'schemes.json',
] as const;
export type DictionaryFile = (typeof DICTIONARY_FILES)[number];

export const DEFAULT_DICTIONARY_DIR = fileURLToPath(new URL('../../config/dictionaries/', import.meta.url));
/** Where `npm run build` writes the index: next to the compiled loader (dist/extract/). */
export const COMPILED_INDEX = fileURLToPath(new URL('./knowledge-index.json', import.meta.url));
/** The modules whose code decides what the index holds (a test checks that the list is complete). */
export const INDEX_BUILDER_MODULES = [
  'knowledge',
  'knowledge-index',
  'curated',
  'lazy-zod',
  'tokens',
  'trie',
] as const;

export interface DictionarySources {
  dir: string;
  texts: Record<DictionaryFile, string>;
}

export function readDictionarySources(dir: string = DEFAULT_DICTIONARY_DIR): DictionarySources {
  const texts = {} as Record<DictionaryFile, string>;
  for (const file of DICTIONARY_FILES) texts[file] = readFileSync(join(dir, file), 'utf8');
  return { dir, texts };
}

/** SHA-256 of the dictionaries and of the builder modules as this process runs them (.ts or .js). */
export function sourcesFingerprint(sources: DictionarySources): string {
  const hash = createHash('sha256').update(`attribot dictionary index ${FORMAT}\n`);
  const part = (name: string, text: string): void => {
    hash.update(`${name} ${Buffer.byteLength(text)}\n`).update(text);
  };
  for (const file of DICTIONARY_FILES) part(file, sources.texts[file]);
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  for (const module of INDEX_BUILDER_MODULES) {
    const file = `${module}${extension}`;
    part(file, readFileSync(new URL(`./${file}`, import.meta.url), 'utf8'));
  }
  return hash.digest('hex');
}

/** An actor, party or product record as stored: a Set or Map field becomes {"$set": [...]} or {"$map": [...]}. */
type StoredEntry = Record<string, unknown>;

function storedEntries(entries: readonly object[]): StoredEntry[] {
  return entries.map((entry) => {
    const values = Object.entries(entry);
    if (!values.some(([, v]) => v instanceof Set || v instanceof Map)) return entry as StoredEntry;
    return Object.fromEntries(
      values.map(([k, v]) => [
        k,
        v instanceof Set ? { $set: [...v] } : v instanceof Map ? { $map: [...v] } : v,
      ]),
    );
  });
}

function restoredEntries<T>(entries: StoredEntry[]): T[] {
  for (const entry of entries)
    for (const key in entry) {
      const v = entry[key];
      if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
      if ('$set' in v) entry[key] = new Set(v.$set as unknown[]);
      else if ('$map' in v) entry[key] = new Map(v.$map as [unknown, unknown][]);
    }
  return entries as T[];
}

/** The index as stored: plain JSON, with Maps as entry lists and the regex as its source. */
interface StoredIndex {
  format: number;
  fingerprint: string;
  actors: StoredEntry[];
  countries: CountryEntry[];
  parties: StoredEntry[];
  products: StoredEntry[];
  kev: [cve: string, vendor: string, product: string, ransomware: boolean][];
  schemes: NamingScheme[];
  firmWording: { source: string; flags: string };
  ambiguousDemonyms: [string, string | null][];
  trie: { children: ([string, number][] | null)[]; out: (PatternRef[] | null)[] };
  productIndex: [string, number][];
  capitals: [string, string][];
  patterns: number;
}

/** The JSON text of the compiled index of `knowledge`. */
export function serializeKnowledge(knowledge: Knowledge, fingerprint: string): string {
  const stored: StoredIndex = {
    format: FORMAT,
    fingerprint,
    actors: storedEntries(knowledge.actors),
    countries: [...knowledge.countries.values()],
    parties: storedEntries(knowledge.parties),
    products: storedEntries(knowledge.products),
    kev: [...knowledge.kev].map(([cve, k]) => [cve, k.vendor, k.product, k.ransomware]),
    schemes: knowledge.schemes,
    firmWording: { source: knowledge.firmWording.source, flags: knowledge.firmWording.flags },
    ambiguousDemonyms: [...knowledge.ambiguousDemonyms],
    trie: {
      children: knowledge.trie.children.map((edges) => (edges ? [...edges] : null)),
      out: knowledge.trie.out.map((values) => values ?? null),
    },
    productIndex: [...knowledge.productIndex],
    capitals: [...knowledge.capitals],
    patterns: knowledge.stats.patterns,
  };
  // ASCII only (the rest as \u escapes), so that loading can skip UTF-8 decoding: see readCompiledIndex.
  return JSON.stringify(stored).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function knowledgeOf(stored: StoredIndex): Knowledge {
  return {
    actors: restoredEntries<ActorEntry>(stored.actors),
    countries: new Map(stored.countries.map((c) => [c.iso2, c])),
    parties: restoredEntries<PartyEntry>(stored.parties),
    products: restoredEntries<ProductEntry>(stored.products),
    kev: new Map(
      stored.kev.map(([cve, vendor, product, ransomware]): [string, KevEntry] => [
        cve,
        { vendor, product, ransomware },
      ]),
    ),
    schemes: stored.schemes,
    firmWording: new RegExp(stored.firmWording.source, stored.firmWording.flags),
    ambiguousDemonyms: new Map(stored.ambiguousDemonyms),
    trie: {
      children: stored.trie.children.map((edges) => (edges ? new Map(edges) : undefined)),
      out: stored.trie.out.map((values) => values ?? undefined),
    },
    productIndex: new Map(stored.productIndex),
    capitals: new Map(stored.capitals),
    stats: { patterns: stored.patterns, loadMs: 0, from: 'compiled index' },
  };
}

/** The knowledge in the index at `path` when it was compiled from what `fingerprint` identifies; else why not. */
export function readCompiledIndex(
  path: string,
  fingerprint: string,
): { knowledge: Knowledge } | { problem: string } {
  let stored: StoredIndex;
  try {
    // The file is ASCII (serializeKnowledge), for which latin1 is the fastest exact decoding.
    stored = JSON.parse(readFileSync(path, 'latin1')) as StoredIndex;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problem: `the compiled dictionary index ${path} cannot be read (${reason}); ${REMEDY}` };
  }
  if (stored.format !== FORMAT || stored.fingerprint !== fingerprint)
    return {
      problem: `the compiled dictionary index ${path} was built from other dictionaries or code than the ones in use; ${REMEDY}`,
    };
  return { knowledge: knowledgeOf(stored) };
}

const REMEDY =
  'building the index from the JSON dictionaries instead (slower start). `npm run build` refreshes it';

/** Compiles `knowledge` (built from `sources`) to `path`: what `npm run build` does for the default dictionaries. */
export function writeCompiledIndex(
  knowledge: Knowledge,
  sources: DictionarySources,
  path = COMPILED_INDEX,
): void {
  writeFileSync(path, serializeKnowledge(knowledge, sourcesFingerprint(sources)));
}
