/**
 * Watch keywords: a plain word or phrase, or `/regex/flags`. Shared by the config rules (which report
 * a pattern that does not compile, with its file:line) and by routing (which runs them).
 */

const REGEX_FORM = /^\/(.+)\/([a-z]*)$/s;
const ALLOWED_FLAGS = new Set(['i', 'm', 's', 'u']);

export type CompiledKeyword = { ok: true; regex: RegExp } | { ok: false; error: string };

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function isRegexKeyword(value: string): boolean {
  return REGEX_FORM.test(value.trim());
}

/**
 * A plain keyword matches case-insensitively as whole words: `supply chain` matches "Supply-chain
 * attack" but `arm` does not match "harm". A `/regex/flags` keyword runs as written (flags i, m, s, u;
 * `g` and `y` would make matching stateful and are refused).
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
    try {
      return { ok: true, regex: new RegExp(pattern, flags) };
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
      return { ok: false, error: `regex does not compile: ${reason}` };
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
