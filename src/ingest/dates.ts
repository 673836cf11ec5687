/**
 * The one rule for dates without a zone: they are UTC. V8's Date.parse reads "2026-11-28T10:00:00"
 * or "Sat, 28 Nov 2026 10:00:00" in the host's time zone, so the same feed would give different
 * instants on a server in Tokyo and one in London; here it gives one.
 */

/** A time followed by a zone: Z, an offset, GMT/UTC/UT (with an offset), or the US zones V8 knows. */
const ZONE_AFTER_TIME =
  /\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?\s*)?(?:z|[+-]\d{2}(?::?\d{2})?|(?:gmt|utc?)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[ecmp][sd]t)(?![a-z])/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/i;
/** Longer strings are not dates; they are not parsed (bounded work on feed input). */
const MAX_DATE_LENGTH = 200;

/** Date.parse with zone-less dates read as UTC; NaN for anything unreadable. */
export function parseDateUtc(value: string): number {
  const text = value.trim();
  if (text === '' || text.length > MAX_DATE_LENGTH) return Number.NaN;
  if (ISO_LOCAL.test(text)) return Date.parse(`${text}Z`);
  // ISO date-only ("2026-11-28") is UTC already; an explicit zone is taken as written.
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) || ZONE_AFTER_TIME.test(text)) return Date.parse(text);
  const utc = Date.parse(`${text} GMT`);
  return Number.isNaN(utc) ? Date.parse(text) : utc;
}
