/**
 * Watch keywords: a plain word or phrase, or `/regex/flags`. Shared by the config rules (which report
 * a pattern that does not compile, with its file:line), the slash commands (which refuse it) and
 * routing (which runs them).
 *
 * A `/regex/` runs on RE2, whose matching time is linear in the text whatever the pattern, so no
 * keyword (`/(\w+\s?)+$/` included) can freeze the worker on an article. RE2 has no lookaround
 * and no backreferences; a pattern that needs them is refused with a message saying so.
 */
import { createRequire } from 'node:module';

const REGEX_FORM = /^\/(.+)\/([a-z]*)$/s;
const ALLOWED_FLAGS = new Set(['i', 'm', 's', 'u']);
/** Longer patterns are refused: a watch keyword is a phrase, not a program. */
const MAX_PATTERN_LENGTH = 500;

/** What routing needs of a compiled keyword. */
export interface KeywordMatcher {
  test(text: string): boolean;
}

export type CompiledKeyword = { ok: true; regex: KeywordMatcher } | { ok: false; error: string };

type Re2Constructor = new (pattern: string, flags?: string) => KeywordMatcher;
let re2: Re2Constructor | undefined;

/** The native RE2 binding, loaded on the first regex keyword. */
function linearRegex(pattern: string, flags: string): KeywordMatcher {
  re2 ??= createRequire(import.meta.url)('re2') as Re2Constructor;
  return new re2(pattern, flags.includes('u') ? flags : `${flags}u`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function isRegexKeyword(value: string): boolean {
  return REGEX_FORM.test(value.trim());
}

/**
 * A plain keyword matches case-insensitively as whole words: `supply chain` matches "Supply-chain
 * attack" but `arm` does not match "harm" (a pattern built here, with no nested repetition). A
 * `/regex/flags` keyword runs on RE2 (flags i, m, s, u; `g` and `y` would make matching stateful
 * and are refused).
 */
export function compileKeyword(value: string): CompiledKeyword {
  const text = value.trim();
  const form = REGEX_FORM.exec(text);
  if (form) {
    const [, pattern = '', flags = ''] = form;
    const unknown = [...flags].filter((flag) => !ALLOWED_FLAGS.has(flag));
    if (unknown.length > 0) {
      return { ok: false, error: `regex flag(s) "${unknown.join('')}" not allowed (use i, m, s, u)` };
    }
    if (pattern.length > MAX_PATTERN_LENGTH) {
      return { ok: false, error: `regex is longer than ${MAX_PATTERN_LENGTH} characters` };
    }
    try {
      new RegExp(pattern, flags);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
      return { ok: false, error: `regex does not compile: ${reason}` };
    }
    try {
      return { ok: true, regex: linearRegex(pattern, flags) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        error: `regex needs a feature the linear-time engine (RE2) does not have, such as lookaround or backreferences (${reason})`,
      };
    }
  }
  if (text.length === 0) return { ok: false, error: 'empty keyword' };
  const words = text
    .split(/[\s\-_]+/)
    .filter(Boolean)
    .map(escapeRegex);
  return {
    ok: true,
    regex: new RegExp(`(?<![\\p{L}\\p{N}])${words.join('[\\s\\-_]+')}(?![\\p{L}\\p{N}])`, 'iu'),
  };
}
