// `node --import ./test/helpers/record-imports.mjs ...` appends every module URL the process resolves to
// the file named by ATTRIBOT_RECORD_IMPORTS: how tests see which packages a command loads.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const file = process.env.ATTRIBOT_RECORD_IMPORTS;
  if (file) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
