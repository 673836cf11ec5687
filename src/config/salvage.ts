/**
 * Every error in one pass. When the schema rejects part of a file, that part is taken out (the key,
 * the list entry, or, when taking it out is not enough, the entry or section holding it) and the rest
 * is validated again, until it passes. The cross-key rules and the environment then check what is
 * left, and the schema issues zod only finds once the rest is valid (refinements such as retention
 * against storyWindow) are reported too. Paths are translated back to the file's own list indexes.
 */
import type { z } from 'zod';
import type { KeyPath } from './key-path.js';
import { Config } from './schema.js';
import { choiceMessage } from './suggest.js';

export interface SchemaIssue {
  /** Where, in the file's own indexes. */
  path: Array<string | number>;
  message: string;
  /** For an object with unknown keys: those keys (the path is the object's). */
  unknownKeys?: string[];
}

/** Destinations, watchlists and feeds the schema rejected, in whole or in part (a route naming one is not "unknown"). */
export interface Rejected {
  destinations: string[];
  watchlists: string[];
  /** Display names (name, else host); `*` when a rejected feed's name cannot be told. */
  feeds: string[];
}

export interface Validated {
  /** The whole config when `issues` is empty, else what passed (null: nothing could be kept). */
  config: Config | null;
  issues: SchemaIssue[];
  rejected: Rejected;
  /** Translates a path into `config` (its lists may have lost entries) to the file's indexes. */
  toFilePath(path: KeyPath): Array<string | number>;
}

/** Rounds of taking parts out before giving up on checking the rest. */
const MAX_ROUNDS = 8;
const REMOVED = Symbol('removed');

type Container = Record<string | number, unknown>;

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
}

/** Validates a parsed YAML document against the schema, keeping what passes. Pure. */
export function validateConfig(document: unknown): Validated {
  /** Per list (keyed by its file path): the file index of each entry still in the working copy. */
  const indexes = new Map<string, number[]>();
  const toFilePath = (path: KeyPath): Array<string | number> => {
    const out: Array<string | number> = [];
    for (const key of path) {
      out.push(typeof key === 'number' ? (indexes.get(JSON.stringify(out))?.[key] ?? key) : key);
    }
    return out;
  };
  const rejected: Rejected = { destinations: [], watchlists: [], feeds: [] };
  const issues: SchemaIssue[] = [];
  const removed: Array<Array<string | number>> = [];
  let working: unknown = structuredClone(document);

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = Config.safeParse(working);
    if (parsed.success) return { config: parsed.data, issues, rejected, toFilePath };
    const targets: Array<Array<string | number>> = [];
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((key) => typeof key !== 'symbol');
      const filePath = toFilePath(path);
      // An issue where a part was taken out is that removal's doing: take out what holds it instead.
      const cause = removed
        .filter((prefix) => startsWith(filePath, prefix))
        .sort((a, b) => b.length - a.length)[0];
      if (cause) {
        if (cause.length <= 1) return { config: null, issues, rejected, toFilePath };
        targets.push(path.slice(0, cause.length - 1));
        continue;
      }
      if (issue.code === 'unrecognized_keys') {
        issues.push({ path: filePath, message: issue.message, unknownKeys: issue.keys });
        for (const key of issue.keys) targets.push([...path, key]);
      } else {
        const absent = issue.code === 'invalid_type' && !has(working, path);
        const choices = allowedWords(issue);
        const message = absent
          ? 'required key is missing'
          : choices
            ? choiceMessage(valueAt(working, path), choices)
            : issue.message;
        issues.push({ path: filePath, message });
        if (path.length === 0) return { config: null, issues, rejected, toFilePath };
        targets.push(path);
      }
    }
    for (const missing of targets) {
      // A required key that is absent cannot be taken out: its object goes instead (unless already gone).
      const target = has(working, missing) ? missing : missing.slice(0, -1);
      if (target.length === 0 || !has(working, target)) continue;
      const filePath = toFilePath(target);
      if (take(working, target, rejected)) removed.push(filePath);
    }
    working = compact(working, [], indexes);
  }
  return { config: null, issues, rejected, toFilePath };
}

/**
 * The words a value had to be one of, when the issue is about that (a discriminated union's
 * `type`, an enum), so the message can suggest the closest; null for any other issue.
 */
function allowedWords(issue: z.core.$ZodIssue): string[] | null {
  const listed: unknown =
    issue.code === 'invalid_union'
      ? (issue as { options?: unknown }).options
      : issue.code === 'invalid_value'
        ? issue.values
        : undefined;
  if (!Array.isArray(listed) || listed.length === 0) return null;
  return listed.every((value): value is string => typeof value === 'string') ? listed : null;
}

const ABSENT = Symbol('absent');

/** The value at `path`, or ABSENT when the path leads nowhere. */
function lookup(root: unknown, path: KeyPath): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (!isContainer(node) || !(key in node)) return ABSENT;
    node = node[key];
  }
  return node;
}

function valueAt(root: unknown, path: KeyPath): unknown {
  const value = lookup(root, path);
  return value === ABSENT ? undefined : value;
}

function has(root: unknown, path: KeyPath): boolean {
  return lookup(root, path) !== ABSENT;
}

/** Marks the value at `path` removed; false when it is already gone. */
function take(root: unknown, path: KeyPath, rejected: Rejected): boolean {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!isContainer(node)) return false;
    node = node[key];
  }
  const last = path[path.length - 1];
  if (last === undefined || !isContainer(node) || !(last in node) || node[last] === REMOVED) return false;
  noteNames(root, path, rejected);
  if (Array.isArray(node)) node[last as number] = REMOVED;
  else delete node[last];
  return true;
}

/**
 * Records the names of destinations and watchlists taken out in whole or in part: what routes say
 * of them (unknown, never matching) cannot be judged on what is left.
 */
function noteNames(root: unknown, path: KeyPath, rejected: Rejected): void {
  const section = path[0];
  if ((section !== 'destinations' && section !== 'watchlists' && section !== 'feeds') || !isContainer(root))
    return;
  const list = root[section];
  const entries = !Array.isArray(list) ? [] : path.length === 1 ? list : [list[path[1] as number]];
  for (const entry of entries) {
    let name = isContainer(entry) ? entry.name : undefined;
    if (section === 'feeds') name = rejectedFeedName(entry);
    const names = rejected[section];
    if (typeof name === 'string' && name.trim() && !names.includes(name.trim())) names.push(name.trim());
  }
}

/** Drops removed list entries, recording for each list the file index of every entry kept. */
function compact(node: unknown, filePath: Array<string | number>, indexes: Map<string, number[]>): unknown {
  if (Array.isArray(node)) {
    const key = JSON.stringify(filePath);
    const known = indexes.get(key);
    const kept: unknown[] = [];
    const keptIndexes: number[] = [];
    node.forEach((item, index) => {
      if (item === REMOVED) return;
      const fileIndex = known?.[index] ?? index;
      kept.push(compact(item, [...filePath, fileIndex], indexes));
      keptIndexes.push(fileIndex);
    });
    if (kept.length !== node.length) indexes.set(key, keptIndexes);
    return kept;
  }
  if (isContainer(node)) {
    for (const key of Object.keys(node)) node[key] = compact(node[key], [...filePath, key], indexes);
  }
  return node;
}

/** The name a rejected feed would show (its name, else its URL's host), or `*` when neither can be read. */
function rejectedFeedName(entry: unknown): string {
  if (!isContainer(entry)) return '*';
  const { name, url } = entry as { name?: unknown; url?: unknown };
  if (typeof name === 'string' && name.trim()) return name.trim();
  if (typeof url === 'string' && URL.canParse(url.trim())) return new URL(url.trim()).host || '*';
  return '*';
}
