/**
 * `attribot destinations`: each configured destination's queue and health from the outbox, and
 * the clearly marked message `attribot destinations test` posts. Pure.
 */
import type { ResolvedDestination } from '../config/env.js';
import type { OutgoingMessage } from '../shared/message.js';
import type { DestinationStatus } from '../store/store.js';
import { count, shown, when } from './when.js';

export interface DestinationReport {
  name: string;
  type: ResolvedDestination['type'];
  pending: number;
  held: number;
  rejected: number;
  lastSentAt: string | null;
  /** Its oldest pending alert waits until then because the destination refused delivery. */
  suspendedUntil: string | null;
  /** Its oldest pending alert waits until then for an ordinary retry (5xx, 429, timeout). */
  retryAt: string | null;
  lastError: string | null;
}

export function destinationReport(
  target: Pick<ResolvedDestination, 'name' | 'type'>,
  status: DestinationStatus,
  now: Date,
): DestinationReport {
  const { head } = status;
  const waiting = head !== null && Date.parse(head.nextAttemptAt) > now.getTime();
  return {
    name: target.name,
    type: target.type,
    pending: status.pending,
    held: status.held,
    rejected: status.rejected,
    lastSentAt: status.lastSentAt,
    suspendedUntil: waiting && head.suspended ? head.nextAttemptAt : null,
    retryAt: waiting && !head.suspended ? head.nextAttemptAt : null,
    lastError: status.lastError,
  };
}

export function formatDestinationReports(reports: readonly DestinationReport[], now: Date): string {
  const blocks = reports.map((report) => {
    const lines = [
      `${shown(report.name)} (${report.type})`,
      `  queue         ${report.pending} pending, ${report.held} held for the digest${
        report.rejected > 0 ? `, ${report.rejected} rejected` : ''
      }`,
      `  last alert    ${when(report.lastSentAt, now)}`,
    ];
    if (report.suspendedUntil)
      lines.push(
        `  suspended     until ${when(report.suspendedUntil, now)}: it refused delivery; fix its webhook, token or key, then run attribot destinations test ${report.name}`,
      );
    else if (report.retryAt) lines.push(`  retrying      ${when(report.retryAt, now)}`);
    lines.push(`  last error    ${report.lastError ? shown(report.lastError) : '-'}`);
    return lines.join('\n');
  });
  const suspended = reports.filter((report) => report.suspendedUntil !== null).length;
  const pending = reports.reduce((sum, report) => sum + report.pending, 0);
  return `${blocks.join('\n\n')}\n\n${count(reports.length, 'destination')}, ${count(pending, 'alert')} pending, ${suspended} suspended\n`;
}

/** The test message: says what it is, pings nobody, and differs on every run (a bot's nonce dedupes repeats). */
export function testMessage(destination: string, now: Date): OutgoingMessage {
  return {
    content: `attribot test message for destination "${destination}" (no action needed)`,
    embeds: [
      {
        title: 'attribot test message',
        description: `This is a test sent with \`attribot destinations test ${destination}\` at ${now.toISOString()}. It is not an alert. If you can read it, attribot can post to this channel.`,
      },
    ],
    allowed_mentions: { parse: [] },
    nonce: `test.${now.getTime().toString(36)}`,
  };
}
