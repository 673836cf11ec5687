import { readFile } from 'node:fs/promises';
import { type Document, isAlias, isNode, LineCounter, parseDocument, visit } from 'yaml';
import { checkRules } from './rules.js';
import { Config } from './schema.js';

export interface ConfigProblem {
  file: string;
  line: number | null;
  /** Key path such as `feeds[2].url`. */
  path: string;
  message: string;
}

export interface LoadedConfig {
  config: Config | null;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === null ? problem.file : `${problem.file}:${problem.line}`;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** The line of the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return null;
}

/** Aliases expanded at most (yaml's default): past it the document is refused, not expanded. */
const MAX_ALIAS_COUNT = 100;

function firstAliasLine(doc: Document, counter: LineCounter): number | null {
  let line: number | null = null;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node) && node.range) line = counter.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

/** Parses and validates YAML text. Pure: `file` only labels the problems. */
export function parseConfigText(text: string, file: string): LoadedConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const errors: ConfigProblem[] = doc.errors.map((error) => ({
    file,
    line: error.linePos?.[0]?.line ?? counter.linePos(error.pos[0]).line,
    path: '',
    message: error.message.split('\n')[0] ?? error.message,
  }));
  if (errors.length > 0) return { config: null, errors, warnings: [] };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    // A "billion laughs" alias bomb, or another document yaml refuses to expand: a config error, not a crash.
    const message = error instanceof Error ? error.message : String(error);
    return {
      config: null,
      errors: [{ file, line: firstAliasLine(doc, counter), path: '', message }],
      warnings: [],
    };
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    return {
      config: null,
      errors: parsed.error.issues.map((issue) => {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const path = keys.length === 1 ? [...issue.path, keys[0] as string] : issue.path;
        return { file, line: lineOf(doc, counter, path), path: formatPath(path), message: issue.message };
      }),
      warnings: [],
    };
  }
  const rules = checkRules(parsed.data);
  const locate = (problem: { path: ReadonlyArray<PropertyKey>; message: string }): ConfigProblem => ({
    file,
    line: lineOf(doc, counter, problem.path),
    path: formatPath(problem.path),
    message: problem.message,
  });
  const ruleErrors = rules.errors.map(locate);
  return {
    config: ruleErrors.length > 0 ? null : parsed.data,
    errors: ruleErrors,
    warnings: rules.warnings.map(locate),
  };
}

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'config file not found' : `cannot read config file (${code ?? error})`;
    return { config: null, errors: [{ file, line: null, path: '', message }], warnings: [] };
  }
  return parseConfigText(text, file);
}
