/**
 * The config's JSON Schema, for editors (completion and checks through yaml-language-server),
 * generated from the zod schema: `npm run schema` writes config/attribot.schema.json and a test
 * keeps the file in step. JSON Schema describes what a file may say, before zod's transforms, so
 * it is widened where zod reads more than its checks show: durations get the forms parseDuration
 * reads, a string zod trims may have spaces around it, and a case-insensitive pattern matches
 * either case.
 */
import { z } from 'zod';
import { Config, Duration } from './schema.js';

/** Strings parseDuration reads: an amount and a unit (500ms, 90s, 10m, 2h, 1d, 1.5h), or a bare 0. */
export const DURATION_PATTERN = '^\\s*(?:\\d+(?:\\.\\d+)?\\s*(?:[mM][sS]|[sSmMhHdD])|0+(?:\\.0+)?)\\s*$';

interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  tx?: (value: string) => string;
}

type Json = Record<string, unknown>;

export function configJsonSchema(): Json {
  const { $schema, ...schema } = z.toJSONSchema(Config, { io: 'input', override: widen }) as Json;
  return {
    $schema,
    title: 'attribot configuration',
    description:
      'config/attribot.yaml or a file given with --config. Generated from src/config/schema.ts by `npm run schema`; `attribot check-config` checks what a JSON Schema cannot (cron expressions, regexes, names routes refer to, secrets).',
    ...schema,
  };
}

/** The file's text: what `npm run schema` writes to config/attribot.schema.json. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

function widen(context: { zodSchema: z.core.$ZodType; jsonSchema: object }): void {
  const schema = context.jsonSchema as Json;
  if (context.zodSchema === Duration) {
    for (const key of Object.keys(schema)) delete schema[key];
    Object.assign(schema, { anyOf: [{ type: 'string', pattern: DURATION_PATTERN }, { const: 0 }] });
    return;
  }
  const def = context.zodSchema._zod.def as { type: string; checks?: ReadonlyArray<z.core.$ZodCheck> };
  if (def.type !== 'string') return;
  const checks = (def.checks ?? []).map((check) => check._zod.def as unknown as CheckDef);
  const regex = checks.find((check) => check.format === 'regex')?.pattern;
  if (regex?.flags.includes('i') && typeof schema.pattern === 'string')
    schema.pattern = eitherCase(schema.pattern);
  const trims = checks.some((check) => check.check === 'overwrite' && check.tx?.(' x ') === 'x');
  if (!trims) return;
  delete schema.maxLength;
  if (typeof schema.pattern === 'string') schema.pattern = spacesAround(schema.pattern);
}

/** `^CVE-\d+$` → `^[cC][vV][eE]-\d+$`: what the pattern matches with the `i` flag, without it. */
export function eitherCase(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      const set = pattern.slice(i, end + 1);
      // Letters in a set would need the same widening inside it; no pattern of the schema has any.
      if (end < 0 || /[a-z]/i.test(set.replace(/\\./g, ''))) throw new Error(`cannot widen ${pattern}`);
      out += set;
      i = end;
    } else {
      out += /[a-z]/i.test(char) ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char;
    }
  }
  return out;
}

/** `^x$` → `^\s*(?:x)\s*$`: the value before zod trims it. */
function spacesAround(pattern: string): string {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return pattern;
  return `^\\s*(?:${pattern.slice(1, -1)})\\s*$`;
}
