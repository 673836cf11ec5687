import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema, configJsonSchemaText, eitherCase } from '../../../src/config/json-schema.js';
import { Config, parseDuration } from '../../../src/config/schema.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA_FILE = join(ROOT, 'config/attribot.schema.json');
const schema = configJsonSchema();
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

/** The JSON Schema's verdict on a document, with its errors for the failure message. */
function verdict(document: unknown): { ok: boolean; errors: string[] } {
  const ok = validate(document);
  return { ok, errors: (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`) };
}

const YAML_FILES = [
  'config/attribot.yaml',
  ...readdirSync(join(ROOT, 'config/examples'))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => `config/examples/${name}`),
];

describe('config/attribot.schema.json', () => {
  it('is what the zod schema generates (run `npm run schema` after changing src/config/schema.ts)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(configJsonSchemaText());
  });

  it.each(YAML_FILES)('is named by %s for editors, by a path that leads to it', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const named = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
    expect(named).toBeDefined();
    expect(resolve(dirname(join(ROOT, file)), named as string)).toBe(SCHEMA_FILE);
  });
});

describe('the JSON Schema accepts what the zod schema accepts', () => {
  it.each(YAML_FILES)('%s', (file) => {
    const document = parse(readFileSync(join(ROOT, file), 'utf8'));
    expect(Config.safeParse(document).success).toBe(true);
    expect(verdict(document)).toEqual({ ok: true, errors: [] });
  });

  it('the README configuration blocks', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const document = parse(blocks.join('\n'));
    expect(Config.safeParse(document).success).toBe(true);
    expect(verdict(document)).toEqual({ ok: true, errors: [] });
  });

  it('values zod trims or reads in either case', () => {
    const document = {
      settings: { interval: ' 90S ', requestTimeout: '1.5h', firstSightWindow: 0, storyWindow: '0.0' },
      destinations: [{ name: ' intel ', type: 'console' }],
      watchlists: [
        { name: 'w', cves: ['cve-2021-26855', ' CVE-2024-3400 '], actors: [` ${'x'.repeat(200)} `] },
      ],
      routes: [{ name: 'r', destinations: ['intel'], watchlists: ['w'] }],
    };
    expect(Config.safeParse(document).success).toBe(true);
    expect(verdict(document)).toEqual({ ok: true, errors: [] });
  });

  it('and still refuses what zod refuses: unknown keys, durations without a unit, unquoted ids', () => {
    for (const document of [
      { destinatons: [] },
      { routes: [{ name: 'r', destinations: ['d'], mentionRole: [] }] },
      { settings: { interval: 'soon' } },
      { settings: { interval: 10 } },
      { destinations: [{ name: 'soc', type: 'bot', tokenEnv: 'T', channelId: 1234 }] },
      { watchlists: [{ name: 'w', cves: ['CVE-21-1'] }] },
    ]) {
      expect(Config.safeParse(document).success).toBe(false);
      expect(verdict(document).ok).toBe(false);
    }
  });
});

describe('durations', () => {
  const durationSchema = new Ajv2020().compile(
    (schema as { properties: { settings: { properties: { interval: object } } } }).properties.settings
      .properties.interval,
  );

  it('the pattern reads exactly the strings parseDuration reads', () => {
    const piece = fc.constantFrom(
      '0',
      '1',
      '5',
      '00',
      '.',
      '.5',
      ' ',
      'ms',
      'MS',
      's',
      'm',
      'H',
      'd',
      'w',
      'x',
      '-',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const text = pieces.join('');
        expect(durationSchema(text)).toBe(parseDuration(text) !== null);
      }),
      { numRuns: 5000 },
    );
  });

  it('numbers: only 0', () => {
    for (const value of [0, 1, 10, 0.5, -1])
      expect(durationSchema(value)).toBe(parseDuration(value) !== null);
  });
});

describe('eitherCase', () => {
  it('widens letters outside escapes, leaving escapes and sets alone', () => {
    expect(eitherCase('^CVE-\\d{4}-\\d{4,}$')).toBe('^[cC][vV][eE]-\\d{4}-\\d{4,}$');
    expect(eitherCase('^[\\w.:-]+$')).toBe('^[\\w.:-]+$');
    expect(() => eitherCase('^[a-z]+$')).toThrow();
  });
});
