/**
 * When a route's summary is due and which stretch of time it covers, in the summary's time zone.
 * Pure: the time comes in as a parameter; time zones through Intl (no library, no clock).
 *
 * A daily summary at 09:00 covers 09:00 the day before up to 09:00 today (local time); a weekly one
 * the same on its day of the week. On the days clocks change a period is 23 or 25 hours long. A
 * local time that does not exist that day (inside a spring-forward gap) falls an hour later.
 */
import { type Summary, WEEKDAYS } from '../config/schema.js';

export interface SummaryPeriod {
  /** ISO instant, inclusive. */
  start: string;
  /** ISO instant, exclusive: when the summary becomes due. */
  end: string;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'long',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

function localParts(instant: number, timeZone: string): LocalParts & { second: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toLowerCase() as (typeof WEEKDAYS)[number]),
  };
}

/** The zone's offset from UTC at `instant`, in ms (positive east of Greenwich). */
function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** A local calendar date and time → the instant, in `timeZone`. */
export function zonedTime(
  date: { year: number; month: number; day: number },
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // Two passes settle the offset on either side of a clock change.
  let instant = naive - offsetAt(naive, timeZone);
  instant = naive - offsetAt(instant, timeZone);
  return instant;
}

function shiftDate(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number } {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The latest period whose end is at or before `now`. */
export function latestPeriod(
  summary: Pick<Summary, 'every' | 'at' | 'day' | 'timezone'>,
  now: Date,
): SummaryPeriod {
  const [hour, minute] = summary.at.split(':').map(Number) as [number, number];
  const step = summary.every === 'daily' ? 1 : 7;
  const local = localParts(now.getTime(), summary.timezone);
  let date = { year: local.year, month: local.month, day: local.day };
  if (summary.every === 'weekly')
    date = shiftDate(date, -((local.weekday - WEEKDAYS.indexOf(summary.day) + 7) % 7));
  let end = zonedTime(date, hour, minute, summary.timezone);
  if (end > now.getTime()) {
    date = shiftDate(date, -step);
    end = zonedTime(date, hour, minute, summary.timezone);
  }
  const start = zonedTime(shiftDate(date, -step), hour, minute, summary.timezone);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** When the next summary is due: the first period end after `now`. */
export function nextPeriodEnd(
  summary: Pick<Summary, 'every' | 'at' | 'day' | 'timezone'>,
  now: Date,
): string {
  // Period ends are a day or a week apart (± an hour when clocks change), so within one period and
  // two hours after `now` lie one or two of them: the earlier one that is after `now` is next.
  const stepMs = (summary.every === 'daily' ? 1 : 7) * 86_400_000;
  const later = latestPeriod(summary, new Date(now.getTime() + stepMs + 2 * 3_600_000));
  return Date.parse(later.start) > now.getTime() ? later.start : later.end;
}

/** Whether the period's summary may still be sent at `now` (its end is within the grace period). */
export function withinGrace(period: SummaryPeriod, now: Date, graceMs: number): boolean {
  return now.getTime() - Date.parse(period.end) <= graceMs;
}

/** "Mon 7 Dec 2026, 09:00", in the zone: how the message states the period. */
export function localLabel(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}
