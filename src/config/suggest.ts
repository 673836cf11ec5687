/**
 * "Did you mean" for unknown config keys, and for values outside a fixed set of words (a
 * destination's `type`). The keys allowed at a place are read from the zod schema itself (objects,
 * arrays, wrappers such as default and optional, and discriminated unions picked by the value's
 * discriminator), so a key added to the schema is suggested without a list to keep up.
 */
import type { z } from 'zod';

/** The parts of zod's schema definitions walked here (zod 4 `_zod.def`). */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
  discriminator?: string;
  values?: readonly unknown[];
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema with wrappers removed and, for a union, the options that fit `value`. */
function candidates(schema: z.core.$ZodType, value: unknown): z.core.$ZodType[] {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return candidates(def.innerType, value);
  if (def.type === 'pipe' && def.in) return candidates(def.in, value);
  if (def.type === 'union' && def.options) {
    const options = def.options.flatMap((option) => candidates(option, value));
    const key = def.discriminator;
    if (key === undefined || !isRecord(value)) return options;
    const picked = options.filter((option) => {
      const field = defOf(option).shape?.[key];
      return field !== undefined && (defOf(field).values ?? []).includes(value[key]);
    });
    return picked.length > 0 ? picked : options;
  }
  return [schema];
}

/**
 * The keys the schema allows on the object at `path` of `root` (the parsed document), or [] when
 * the path does not lead to an object schema.
 */
export function allowedKeys(schema: z.core.$ZodType, root: unknown, path: readonly PropertyKey[]): string[] {
  let schemas = candidates(schema, root);
  let value = root;
  for (const key of path) {
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    schemas = schemas.flatMap((current) => {
      const def = defOf(current);
      const next = typeof key === 'number' ? def.element : def.shape?.[String(key)];
      return next ? candidates(next, value) : [];
    });
  }
  const keys = schemas.flatMap((current) => Object.keys(defOf(current).shape ?? {}));
  return [...new Set(keys)];
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * The allowed keys closest to `word`, best first: those within a third of its length in edits
 * (case ignored), else those it begins or that begin with it (`token` → `tokenEnv`, `tokenFile`).
 */
export function closestKeys(word: string, allowed: readonly string[], most = 3): string[] {
  const typed = word.toLowerCase();
  const limit = Math.max(1, Math.floor(typed.length / 3));
  const scored = allowed
    .filter((key) => key !== word)
    .map((key) => {
      const candidate = key.toLowerCase();
      const distance = editDistance(typed, candidate);
      const [shorter, longer] = typed.length <= candidate.length ? [typed, candidate] : [candidate, typed];
      const prefix = shorter.length >= 4 && longer.startsWith(shorter);
      return { key, score: distance <= limit ? distance : prefix ? limit + 1 : Number.POSITIVE_INFINITY };
    })
    .filter((entry) => Number.isFinite(entry.score));
  const best = Math.min(...scored.map((entry) => entry.score));
  return scored
    .filter((entry) => entry.score === best)
    .map((entry) => entry.key)
    .slice(0, most);
}

/** ` (did you mean "a"?)`, ` (did you mean "a" or "b"?)`, or '' with no close key. */
export function didYouMean(word: string, allowed: readonly string[]): string {
  const keys = closestKeys(word, allowed).map((key) => `"${key}"`);
  if (keys.length === 0) return '';
  const last = keys.pop() as string;
  return ` (did you mean ${keys.length > 0 ? `${keys.join(', ')} or ${last}` : last}?)`;
}

/**
 * The message for a value that must be one of a fixed set of words (a destination's `type`, a
 * summary's `every`): what was given, the allowed words, and the closest of them.
 */
export function choiceMessage(given: unknown, allowed: readonly string[]): string {
  const listed = allowed.map((value) => `"${value}"`).join(', ');
  if (given === undefined) return `required key is missing: one of ${listed}`;
  if (typeof given !== 'string') return `must be one of ${listed}, not ${JSON.stringify(given)}`;
  return `"${given}" is not one of ${listed}${didYouMean(given, allowed)}`;
}
