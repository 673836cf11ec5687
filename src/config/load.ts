import { readFile } from 'node:fs/promises';
import { type Document, isAlias, isMap, isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { formatPath } from './key-path.js';
import { checkRules } from './rules.js';
import { validateConfig } from './salvage.js';
import { Config } from './schema.js';
import { allowedKeys, didYouMean } from './suggest.js';

export interface ConfigProblem {
  file: string;
  line: number | null;
  /** Key path such as `feeds[2].url`. */
  path: string;
  message: string;
}

export interface LoadedConfig {
  /** The config, when there are no errors. */
  config: Config | null;
  /**
   * What passed the schema even when there are errors (entries it rejected taken out), so later
   * checks (the environment's) can report their problems in the same run; never to run with.
   */
  partial: Config | null;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
  /** The line and printed key path of a path into `partial` (or `config`), in the file's own indexes. */
  locate(path: ReadonlyArray<string | number>): { line: number | null; path: string };
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === null ? problem.file : `${problem.file}:${problem.line}`;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/**
 * The line of the deepest part of `path` that exists in the document: a mapping key's own line
 * (a block value starts on the next one; an unknown key has only its key), else the node's.
 */
function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const parent =
      depth === 0
        ? null
        : depth === 1
          ? doc.contents
          : doc.getIn(path.slice(0, depth - 1) as unknown[], true);
    const key = path[depth - 1];
    const pair = isMap(parent)
      ? parent.items.find((item) => isScalar(item.key) && item.key.value === key)
      : undefined;
    const node =
      pair?.key ?? (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true));
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

/** The mapping key that starts at `offset`. */
function keyAt(doc: Document, offset: number): string | null {
  let key: string | null = null;
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      key = String(pair.key.value);
      return visit.BREAK;
    },
  });
  return key;
}

/** A file that could not be read as a document: nothing to locate, nothing checked past these problems. */
function unchecked(errors: ConfigProblem[], warnings: ConfigProblem[] = []): LoadedConfig {
  return {
    config: null,
    partial: null,
    errors,
    warnings,
    locate: (path) => ({ line: null, path: formatPath(path) }),
  };
}

/** YAML errors after which the document still has its structure, so checking goes on. */
const RECOVERABLE_YAML = new Set(['DUPLICATE_KEY']);

/** Problems by line (those without one last), keeping the order of problems on the same line. */
export function byLine<T extends { line: number | null }>(problems: readonly T[]): T[] {
  const rank = (problem: T): number => problem.line ?? Number.POSITIVE_INFINITY;
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => rank(a.problem) - rank(b.problem) || a.index - b.index)
    .map((entry) => entry.problem);
}

/** `error: file:line: path: message` and `warning: …` lines, together in the order of the file. */
export function problemLines(errors: readonly ConfigProblem[], warnings: readonly ConfigProblem[]): string[] {
  return byLine([
    ...errors.map((problem) => ({ ...problem, severity: 'error' })),
    ...warnings.map((problem) => ({ ...problem, severity: 'warning' })),
  ]).map((problem) => `${problem.severity}: ${formatProblem(problem)}`);
}

/**
 * Parses and validates YAML text, reporting every problem at once: the schema's, the cross-key
 * rules' on what passed the schema (see salvage.ts), each with its line. Pure: `file` only labels
 * the problems.
 */
export function parseConfigText(text: string, file: string): LoadedConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax: ConfigProblem[] = doc.errors.map((error) => ({
    file,
    line: error.linePos?.[0]?.line ?? counter.linePos(error.pos[0]).line,
    path: '',
    message:
      error.code === 'DUPLICATE_KEY'
        ? `key "${keyAt(doc, error.pos[0]) ?? '?'}" appears twice in one mapping (each key may appear once)`
        : (error.message.split('\n')[0] ?? error.message),
  }));
  if (doc.errors.some((error) => !RECOVERABLE_YAML.has(error.code))) {
    const stopped = {
      file,
      line: null,
      path: '',
      message: 'nothing else was checked: the file is read once its YAML syntax is fixed',
    };
    return unchecked(syntax, [stopped]);
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    // A "billion laughs" alias bomb, or another document yaml refuses to expand: a config error, not a crash.
    const message = error instanceof Error ? error.message : String(error);
    return unchecked([...syntax, { file, line: firstAliasLine(doc, counter), path: '', message }]);
  }
  const validated = validateConfig(raw);
  const at = (path: ReadonlyArray<string | number>, message: string): ConfigProblem => ({
    file,
    line: lineOf(doc, counter, path),
    path: formatPath(path),
    message,
  });
  const schemaErrors = validated.issues.flatMap((issue) =>
    issue.unknownKeys
      ? issue.unknownKeys.map((key) =>
          at(
            [...issue.path, key],
            `Unrecognized key: "${key}"${misplacedKeyHint(raw, issue.path, key) ?? didYouMean(key, allowedKeys(Config, raw, issue.path))}`,
          ),
        )
      : [at(issue.path, issue.message)],
  );
  const locate = (path: ReadonlyArray<string | number>): { line: number | null; path: string } => {
    const inFile = validated.toFilePath(path);
    return { line: lineOf(doc, counter, inFile), path: formatPath(inFile) };
  };
  const rules = validated.config
    ? checkRules(validated.config, {
        rejected: validated.rejected,
        refer: (path) => formatPath(validated.toFilePath(path)),
      })
    : { errors: [], warnings: [] };
  const fromRule = (problem: { path: ReadonlyArray<string | number>; message: string }): ConfigProblem => ({
    file,
    ...locate(problem.path),
    message: problem.message,
  });
  const errors = byLine([...syntax, ...schemaErrors, ...rules.errors.map(fromRule)]);
  return {
    config: errors.length > 0 ? null : validated.config,
    partial: validated.config,
    errors,
    warnings: byLine(rules.warnings.map(fromRule)),
    locate,
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
    return unchecked([{ file, line: null, path: '', message }]);
  }
  return parseConfigText(text, file);
}

/** Webhook options a bot destination does not take, and what to do instead. */
const WEBHOOK_ONLY_KEYS: Readonly<Record<string, string>> = {
  threadId:
    "a bot destination posts to channelId, and a thread or forum post is a channel: set channelId to the thread's id",
  username: 'webhooks only: a bot posts under its own name',
  avatarUrl: 'webhooks only: a bot posts with its own avatar',
};

/** ` (webhooks only: …)` for a webhook option on a bot destination; undefined otherwise. */
function misplacedKeyHint(raw: unknown, path: ReadonlyArray<PropertyKey>, key: string): string | undefined {
  const hint = WEBHOOK_ONLY_KEYS[key];
  if (hint === undefined || path.length !== 2 || path[0] !== 'destinations') return undefined;
  const destinations = (raw as { destinations?: unknown }).destinations;
  const target = Array.isArray(destinations) ? (destinations[Number(path[1])] as unknown) : undefined;
  const type =
    typeof target === 'object' && target !== null ? (target as { type?: unknown }).type : undefined;
  return type === 'bot' ? ` (${hint})` : undefined;
}
