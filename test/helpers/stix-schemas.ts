/**
 * The official STIX 2.1 JSON Schemas (test/fixtures/stix2.1-schemas, BSD-3-Clause), compiled once
 * with Ajv in draft 2020-12 mode, plus the checks the schemas cannot make (their README lists them):
 * references that resolve inside the bundle, `modified` not before `created`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const ROOT = fileURLToPath(new URL('../fixtures/stix2.1-schemas/schemas/', import.meta.url));
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';
const FOLDERS = ['common', 'sdos', 'sros', 'observables'] as const;

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

interface Compiled {
  byType: Map<string, ValidateFunction>;
  bundle: ValidateFunction;
  /** The object types bundle.json lists itself. */
  bundled: Set<string>;
}

function build(): Compiled {
  // The schemas' patterns escape '-' outside classes, which JavaScript refuses only in unicode mode.
  const ajv = new Ajv2020({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  // domain-name's format, which ajv-formats lacks; attribot exports no domain names.
  ajv.addFormat('idn-hostname', true);
  for (const folder of FOLDERS)
    for (const file of readdirSync(join(ROOT, folder)).filter((name) => name.endsWith('.json')))
      ajv.addSchema(JSON.parse(readFileSync(join(ROOT, folder, file), 'utf8')) as object);
  const byType = new Map<string, ValidateFunction>();
  for (const folder of ['sdos', 'sros', 'observables'] as const)
    for (const file of readdirSync(join(ROOT, folder))) {
      const validate = ajv.getSchema(`${BASE}${folder}/${file}`);
      if (validate) byType.set(file.replace(/\.json$/, ''), validate);
    }
  const bundle = ajv.getSchema(`${BASE}common/bundle.json`);
  if (!bundle) throw new Error('bundle.json did not compile');
  const text = readFileSync(join(ROOT, 'common', 'bundle.json'), 'utf8');
  const bundled = new Set(
    [...text.matchAll(/"\.\.\/(?:sdos|sros|observables|common)\/([a-z0-9-]+)\.json"/g)].map(
      (m) => m[1] as string,
    ),
  );
  return { byType, bundle, bundled };
}

let compiled: ReturnType<typeof build> | null = null;

/** Schema errors of one object against its type's schema ("no schema" for a type STIX lacks). */
export function stixObjectErrors(object: { type: string }): string[] {
  compiled ??= build();
  const validate = compiled.byType.get(object.type);
  if (!validate) return [`no STIX 2.1 schema for type "${object.type}"`];
  if (validate(object as unknown)) return [];
  return (validate.errors ?? []).map(
    (error) => `${object.type} ${error.instancePath} ${error.message ?? ''}`,
  );
}

/**
 * The bundle against bundle.json. That schema omits some types of the specification (location,
 * note, opinion, grouping, incident...), which would fall into its custom-object branch and fail
 * there: those objects are left out of this check and validated against their own schema only.
 */
export function stixBundleErrors(bundle: {
  type: string;
  id: string;
  objects: ReadonlyArray<{ type: string }>;
}): string[] {
  compiled ??= build();
  const listed = compiled.bundled;
  const checked = { ...bundle, objects: bundle.objects.filter((object) => listed.has(object.type)) };
  const unlisted = bundle.objects.filter((object) => !listed.has(object.type)).flatMap(stixObjectErrors);
  if (compiled.bundle(checked)) return unlisted;
  return [
    ...unlisted,
    ...(compiled.bundle.errors ?? [])
      .slice(0, 10)
      .map((error) => `bundle ${error.instancePath} ${error.message ?? ''}`),
  ];
}

/** Every *_ref and *_refs value names an object of the bundle; `modified` is never before `created`. */
export function bundleIntegrityErrors(objects: ReadonlyArray<Record<string, unknown>>): string[] {
  const ids = new Set(objects.map((object) => object.id));
  const problems: string[] = [];
  for (const object of objects) {
    for (const [key, value] of Object.entries(object)) {
      if (key.endsWith('_ref') && !ids.has(value))
        problems.push(`${String(object.id)}.${key} → ${String(value)}`);
      if (key.endsWith('_refs'))
        for (const ref of value as unknown[])
          if (!ids.has(ref)) problems.push(`${String(object.id)}.${key} → ${String(ref)}`);
    }
    if (typeof object.created === 'string' && typeof object.modified === 'string')
      if (Date.parse(object.modified) < Date.parse(object.created))
        problems.push(`${String(object.id)}: modified before created`);
  }
  if (ids.size !== objects.length) problems.push('an id appears twice');
  return problems;
}
