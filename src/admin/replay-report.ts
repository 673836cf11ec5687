/**
 * `attribot replay`, as people and scripts read it: per destination, the alerts of the running
 * config and of the candidate, and what the candidate adds, removes and changes. Pure.
 */
import type { ReplayDiff, ReplayedAlert, ReplayedStory, ReplayResult, StoryMove } from '../alerts/replay.js';
import { count, shown } from './when.js';

export interface ReplayReport {
  /** The period as asked for ("7d") and its start. */
  period: string;
  since: string;
  /** Stored articles of the period that were analysed again. */
  articles: number;
  /** Articles of the period the extractor failed on (left out). */
  failed: number;
  running: { config: string; result: ReplayResult };
  candidate: { config: string; result: ReplayResult; diff: ReplayDiff } | null;
}

function stamp(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** "Title · 2026-11-27 10:00 UTC · The Record". */
function story(alert: Pick<ReplayedStory, 'title' | 'at' | 'source'>): string {
  return `${shown(alert.title ?? '(untitled)', 200)} · ${stamp(alert.at)} · ${shown(alert.source, 80)}`;
}

/** A story's alert on one destination: the story, then how it is sent ("(digest; pings role 1122…)"). */
function line(alert: ReplayedAlert): string {
  const notes = [
    ...(alert.digest ? ['digest'] : []),
    ...(alert.mentionRoleIds.length > 0 ? [`pings role ${alert.mentionRoleIds.join(', ')}`] : []),
    ...(alert.updates > 0 ? [count(alert.updates, 'update')] : []),
  ];
  return `${story(alert)}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

function moves(moved: readonly StoryMove[]): string[] {
  if (moved.length === 0) return [];
  const names = (destinations: readonly string[]): string => destinations.join(', ') || 'nowhere';
  return [
    '',
    'Stories sent to other destinations:',
    ...moved.map((move) => `  ${story(move.story)}: ${names(move.running)} → ${names(move.candidate)}`),
  ];
}

function header(report: ReplayReport): string {
  const { candidate } = report;
  const failed = report.failed > 0 ? ` (${report.failed} more could not be analysed and are left out)` : '';
  return [
    `Replay of ${count(report.articles, 'stored article')} analysed since ${stamp(report.since)} (the last ${report.period})${failed},`,
    `extracted again and routed by ${shown(report.running.config)} (running)${
      candidate ? ` and ${shown(candidate.config)} (candidate)` : ''
    }. Nothing is sent.`,
  ].join('\n');
}

function runningOnly(result: ReplayResult): string[] {
  return result.destinations.flatMap((destination) => {
    const alerts = result.alerts.get(destination) ?? [];
    return [
      `${destination}: ${count(alerts.length, 'alert')}`,
      ...alerts.map((alert) => `  • ${line(alert)}`),
    ];
  });
}

function differences(diff: ReplayDiff): string[] {
  const perDestination = diff.destinations.flatMap((entry) => {
    const same =
      entry.added.length + entry.removed.length + entry.changed.length === 0 ? ', no difference' : '';
    return [
      `${entry.destination}: ${count(entry.running.length, 'alert')} running, ${entry.candidate.length} with the candidate${same}`,
      ...entry.added.map((alert) => `  + ${line(alert)}`),
      ...entry.removed.map((alert) => `  − ${line(alert)}`),
      ...entry.changed.map((change) => `  ~ ${line(change.candidate)}: ${change.changes.join('; ')}`),
    ];
  });
  return [...perDestination, ...moves(diff.moved)];
}

export function formatReplayReport(report: ReplayReport): string {
  const { candidate } = report;
  const body = candidate ? differences(candidate.diff) : runningOnly(report.running.result);
  const total = (key: 'added' | 'removed' | 'changed'): number =>
    candidate?.diff.destinations.reduce((sum, entry) => sum + entry[key].length, 0) ?? 0;
  const footer = candidate
    ? `The candidate: ${total('added')} added, ${total('removed')} removed, ${total('changed')} changed.`
    : 'Give a candidate config with --config FILE to see what it would change.';
  return `${header(report)}\n\n${body.join('\n')}\n\n${footer}\n`;
}

/** The report for scripts: every alert of each config per destination, and the differences. */
export function replayJson(report: ReplayReport): unknown {
  const { candidate } = report;
  const destinations = candidate
    ? candidate.diff.destinations
    : report.running.result.destinations.map((destination) => ({
        destination,
        running: report.running.result.alerts.get(destination) ?? [],
      }));
  return {
    period: report.period,
    since: report.since,
    articles: report.articles,
    failed: report.failed,
    running: report.running.config,
    candidate: candidate?.config ?? null,
    destinations,
    ...(candidate ? { moved: candidate.diff.moved } : {}),
  };
}
