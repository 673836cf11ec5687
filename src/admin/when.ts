/** Times as the admin commands print them: UTC to the minute, with how long ago or ahead. Pure. */
import { cleanText } from '../alerts/text-safety.js';
import { formatDelay } from '../ingest/poll-decisions.js';

/** "2026-11-28 10:05 UTC (12 min ago)", "… (in 2 h)"; "never" for null. */
export function when(iso: string | null, now: Date): string {
  if (iso === null) return 'never';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return cleanText(iso);
  const stamp = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const delta = ms - now.getTime();
  if (Math.abs(delta) < 60_000) return `${stamp} (now)`;
  return delta < 0 ? `${stamp} (${formatDelay(-delta)} ago)` : `${stamp} (in ${formatDelay(delta)})`;
}

/** Untrusted text (a feed's error, a headline) as one line without control characters, at most `max`. */
export function shown(value: string | null, max = 300): string {
  const text = cleanText(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "1 alert", "3 alerts". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
