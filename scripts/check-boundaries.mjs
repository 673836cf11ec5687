#!/usr/bin/env node
// The folder boundaries of the design (docs: DESIGN.md "Data flow"): each stage imports only stages and
// shared types below it, so a type several stages share lives below them, never in a later stage. The
// composition root (src/*.ts: cli, app, pipeline) may import anything. Exit 1 and list the offending
// imports otherwise. Usage: node scripts/check-boundaries.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Which folders each folder may import from (besides itself). */
const ALLOWED = {
  shared: [],
  config: ['shared'],
  extract: ['shared'],
  attribution: ['shared', 'extract'],
  ingest: ['shared', 'config'],
  alerts: ['shared', 'config', 'extract', 'attribution'],
  // Stories as standard documents (STIX 2.1, MISP) for machine destinations and `attribot export`.
  export: ['shared', 'extract', 'attribution', 'alerts'],
  // Adapters at the edges: they persist, deliver or serve what the stages produce.
  store: ['shared', 'config', 'ingest', 'extract', 'attribution', 'alerts'],
  deliver: ['shared', 'config', 'alerts', 'store'],
  commands: ['shared', 'config', 'extract', 'attribution', 'alerts', 'store'],
  server: ['shared', 'config', 'store'],
  // Reports of the admin commands (feeds, destinations, recent) over what the store keeps.
  admin: ['shared', 'config', 'ingest', 'alerts', 'store'],
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];
for (const file of walk(root)) {
  const rel = relative(root, file);
  const folder = rel.includes(sep) ? rel.split(sep)[0] : null;
  if (folder === null) continue; // the composition root
  const allowed = ALLOWED[folder];
  if (!allowed) {
    problems.push(
      `${rel}: folder "${folder}" has no place in the boundary table (scripts/check-boundaries.mjs)`,
    );
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (!spec?.startsWith('.')) continue;
    const target = relative(root, resolve(dirname(file), spec));
    if (target.startsWith('..')) continue;
    const targetFolder = target.includes(sep) ? target.split(sep)[0] : '(root)';
    if (targetFolder === folder) continue;
    if (!allowed.includes(targetFolder))
      problems.push(`src/${rel}: imports ${spec} (${targetFolder}), which "${folder}" may not import`);
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} import(s) cross a folder boundary`);
  process.exit(1);
}
console.log('folder boundaries hold');
