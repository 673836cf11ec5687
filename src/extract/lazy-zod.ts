/**
 * zod, loaded on first use. Validating the curated dictionary and the lexicon needs it only when their
 * files changed since `npm run build` checked them; an `extract` start that reads the checked files never
 * pays for loading zod's few hundred modules. Synchronous (zod's CommonJS build), because the lexicon is
 * read when its module is first imported.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';

let zod: typeof Zod | undefined;

export function lazyZod(): typeof Zod {
  zod ??= createRequire(import.meta.url)('zod') as typeof Zod;
  return zod;
}
