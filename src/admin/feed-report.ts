/**
 * `attribot feeds`: each configured feed with its health as the store keeps it (FeedState) and
 * what it produced. Pure: the states, the totals and the clock come in as arguments.
 */
import type { Feed } from '../config/schema.js';
import type { FeedState } from '../ingest/feed-state.js';
import { feedName } from '../ingest/poll-decisions.js';
import type { FeedTotals } from '../store/store.js';
import { count, shown, when } from './when.js';

/**
 * ok: polled, and its last poll answered; failing: its last poll failed and it is due again
 * (nextPoll), also after `feeds retry` forgot its failures until a poll succeeds; backing-off: failed and waiting; disabled: given up on (probed daily);
 * never-polled: no poll yet.
 */
export type FeedHealth = 'ok' | 'failing' | 'backing-off' | 'disabled' | 'never-polled';

export interface FeedReport {
  name: string;
  url: string;
  health: FeedHealth;
  /** Where it is polled when a permanent redirect moved it; null otherwise. */
  movedTo: string | null;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  /** When it is polled next (null: at the next tick). */
  nextPollAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  /** Items recorded (processed, seeded as backlog, quarantined as id churn) and alerts sent, within retention. */
  items: { processed: number; seeded: number; quarantined: number };
  alertsSent: number;
}

export function feedReport(
  feed: Feed,
  state: FeedState | null,
  totals: FeedTotals | undefined,
  now: Date,
): FeedReport {
  return {
    name: feedName(feed),
    url: feed.url,
    health: healthOf(state, now),
    movedTo: state?.movedTo ?? null,
    lastPolledAt: state?.lastPolledAt ?? null,
    lastSuccessAt: state?.lastSuccessAt ?? null,
    nextPollAt: state?.nextPollAt ?? null,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    lastError: state?.lastError ?? null,
    disabledAt: state?.disabledAt ?? null,
    disabledReason: state?.disabledReason ?? null,
    items: {
      processed: totals?.processed ?? 0,
      seeded: totals?.seeded ?? 0,
      quarantined: totals?.quarantined ?? 0,
    },
    alertsSent: totals?.alertsSent ?? 0,
  };
}

function healthOf(state: FeedState | null, now: Date): FeedHealth {
  if (!state?.lastPolledAt) return 'never-polled';
  if (state.disabledAt) return 'disabled';
  // `feeds retry` zeroes the failures but keeps the error: the feed is not ok until a poll succeeds.
  if (state.consecutiveFailures === 0) return state.lastError ? 'failing' : 'ok';
  return state.nextPollAt && Date.parse(state.nextPollAt) > now.getTime() ? 'backing-off' : 'failing';
}

/** The state in words: "ok", "backing off until … (3 failures)", "disabled since … (410 Gone)". */
export function describeHealth(report: FeedReport, now: Date): string {
  const failures = count(report.consecutiveFailures, 'failure');
  let state: string;
  switch (report.health) {
    case 'never-polled':
      state = 'never polled (polled at the next tick)';
      break;
    case 'disabled':
      state = `disabled since ${when(report.disabledAt, now)} (${shown(report.disabledReason) || 'failures'}); probed again ${when(report.nextPollAt, now)}`;
      break;
    case 'backing-off':
      state = `backing off until ${when(report.nextPollAt, now)} (${failures} in a row)`;
      break;
    case 'failing':
      state =
        report.consecutiveFailures > 0
          ? `failing (${failures} in a row), polled again at the next tick`
          : `failing (retry requested; polled ${dueAt(report.nextPollAt, now)})`;
      break;
    case 'ok':
      state = report.nextPollAt ? `ok, next poll ${when(report.nextPollAt, now)}` : 'ok';
  }
  return report.movedTo ? `${state}; moved to ${shown(report.movedTo)}` : state;
}

function dueAt(nextPollAt: string | null, now: Date): string {
  return nextPollAt && Date.parse(nextPollAt) > now.getTime() ? when(nextPollAt, now) : 'at the next tick';
}

export function formatFeedReports(reports: readonly FeedReport[], now: Date): string {
  if (reports.length === 0) return 'No feeds are configured.\n';
  const blocks = reports.map((report) => {
    const { processed, seeded, quarantined } = report.items;
    const recorded = processed + seeded + quarantined;
    const kinds = [
      seeded > 0 ? `${seeded} seeded as backlog` : '',
      quarantined > 0 ? `${quarantined} quarantined` : '',
    ].filter(Boolean);
    return [
      `${shown(report.name)}  ${report.url}`,
      `  state         ${describeHealth(report, now)}`,
      `  last success  ${when(report.lastSuccessAt, now)}`,
      `  last error    ${report.lastError ? shown(report.lastError) : '-'}`,
      `  items seen    ${recorded}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''} · alerts sent ${report.alertsSent}`,
    ].join('\n');
  });
  const troubled = reports.filter((report) => report.health !== 'ok' && report.health !== 'never-polled');
  const summary = `${count(reports.length, 'feed')}, ${troubled.length} not ok${
    troubled.length > 0 ? ' (attribot feeds retry URL polls one at the next tick; --all every one)' : ''
  }`;
  return `${blocks.join('\n\n')}\n\n${summary}\n`;
}
