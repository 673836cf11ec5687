/**
 * Drains the outbox: send, then mark sent. This layer owns retries (Senders never retry), so a
 * failure is retried here with backoff, in order per destination, and a row is marked sent only
 * after the destination acknowledged it.
 */

import { formatDigest } from '../alerts/digest.js';
import { formatNotice, type Notice } from '../alerts/notice.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import { type Logger, redactSecrets } from '../shared/logger.js';
import type { OutboxRow, Store } from '../store/store.js';
import { DeliveryError, type Sender, type SendResult } from './sender.js';

export interface FloodControl {
  /** Alerts (and updates) one destination gets per window; the rest wait for the digest. */
  cap: number;
  windowMs: number;
  /** How long held alerts wait before they go out as one digest message. */
  digestIntervalMs: number;
}

export interface OutboxDeps {
  store: Store;
  senders: ReadonlyMap<string, Sender>;
  clock: Clock;
  log: Logger;
  flood?: FloodControl;
  /** Where a suspended destination is reported (the `admin` destination), besides the log. */
  adminDestination?: string;
  /** Longest wait a destination's retry_after can impose (settings.maxBackoff); default 6 h. */
  maxDelayMs?: number;
}

export interface DrainSummary {
  sent: number;
  retried: number;
  rejected: number;
  held: number;
}

export const DEFAULT_FLOOD: FloodControl = { cap: 20, windowMs: 60 * 60_000, digestIntervalMs: 60 * 60_000 };

const BASE_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 60 * 60_000;
const DEFAULT_MAX_DELAY_MS = 6 * 60 * 60_000;
/** A destination that refuses our credentials is parked this long before it is tried again. */
export const SUSPEND_MS = 60 * 60_000;

/**
 * Exponential backoff, at least the destination's retry_after, which is itself capped at
 * `maxDelayMs`: a peer's number (even "Infinity" or 10^14 s) never becomes an invalid date.
 */
export function backoffMs(
  attempts: number,
  retryAfterMs?: number,
  maxDelayMs = DEFAULT_MAX_DELAY_MS,
): number {
  const exponential = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(30, Math.max(0, attempts)));
  const asked = retryAfterMs === undefined || Number.isNaN(retryAfterMs) ? 0 : Math.max(0, retryAfterMs);
  return Math.max(exponential, Math.min(asked, maxDelayMs));
}

/** Discord's "Unknown Message": the alert an edit targets was deleted in the channel. */
const UNKNOWN_MESSAGE = 10008;

type Verdict = { action: 'retry'; delayMs: number } | { action: 'suspend' } | { action: 'reject' };

/** The one place a delivery failure is classified. */
export function classifyFailure(
  error: unknown,
  attempts: number,
  maxDelayMs = DEFAULT_MAX_DELAY_MS,
): Verdict {
  if (error instanceof DeliveryError && error.kind === 'permanent') {
    // The message itself is bad, or the message to edit is gone: retrying cannot help.
    // Anything else permanent is about the destination.
    if (error.status === 400 || error.status === 413 || error.code === UNKNOWN_MESSAGE)
      return { action: 'reject' };
    return { action: 'suspend' };
  }
  const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
  return { action: 'retry', delayMs: backoffMs(attempts, retryAfterMs, maxDelayMs) };
}

export async function drainOutbox(deps: OutboxDeps, batchSize = 100): Promise<DrainSummary> {
  const { store, senders, clock } = deps;
  const summary: DrainSummary = { sent: 0, retried: 0, rejected: 0, held: 0 };
  const flood = deps.flood ?? DEFAULT_FLOOD;
  await queueDueDigests(deps, flood);
  const sentInWindow = new Map<string, number>();
  // A destination whose oldest pending row is waiting or failed takes nothing more: order per destination holds.
  const blocked = new Set<string>();
  const now = clock.now().toISOString();

  const rows = await store.pendingOutbox(batchSize, { now, destinations: [...senders.keys()] });
  for (const row of rows) {
    if (blocked.has(row.destination)) continue;
    if (row.nextAttemptAt > now) {
      blocked.add(row.destination);
      continue;
    }
    // Rows are fetched for configured destinations only; a removed one's rows wait in the outbox.
    const sender = senders.get(row.destination);
    if (!sender) continue;
    // Edits count too: a story reported 2,000 times must not PATCH ahead of everything else.
    if (row.kind === 'alert' || row.kind === 'update' || row.kind === 'edit') {
      const since = new Date(clock.now().getTime() - flood.windowMs).toISOString();
      const count = sentInWindow.get(row.destination) ?? (await store.countSent(row.destination, since));
      if (count >= flood.cap) {
        await store.markHeld(row.id);
        summary.held++;
        continue;
      }
      sentInWindow.set(row.destination, count + 1);
    }
    await deliverRow(row, sender, deps, summary, blocked);
  }
  return summary;
}

async function deliverRow(
  row: OutboxRow,
  sender: Sender,
  deps: OutboxDeps,
  summary: DrainSummary,
  blocked: Set<string>,
): Promise<void> {
  const { store, clock, log } = deps;
  try {
    const result = await transmit(row, sender, store, log);
    await store.markSent(row.id, clock.now().toISOString(), result.messageId ?? null);
    summary.sent++;
  } catch (error) {
    const message = redactSecrets(errorMessage(error));
    const verdict = classifyFailure(error, row.attempts, deps.maxDelayMs);
    if (verdict.action === 'reject') {
      await store.markRejected(row.id, message);
      summary.rejected++;
      log.error(
        { destination: row.destination, outboxId: row.id, err: message },
        'Destination rejected the message',
      );
      return;
    }
    blocked.add(row.destination);
    const delayMs = verdict.action === 'retry' ? verdict.delayMs : SUSPEND_MS;
    const nextAttemptAt = new Date(clock.now().getTime() + delayMs).toISOString();
    await store.markRetry(row.id, message, nextAttemptAt);
    summary.retried++;
    if (verdict.action === 'suspend') {
      log.error(
        { destination: row.destination, outboxId: row.id, err: message, until: nextAttemptAt },
        'Destination refused delivery; suspended, alerts kept in the outbox',
      );
      // Once per row, not on every hourly retry of it.
      if (row.attempts === 0 && deps.adminDestination && deps.adminDestination !== row.destination) {
        const notice: Notice = {
          kind: 'suspended',
          feedUrl: '',
          feedName: row.destination,
          text: `refused delivery (${message}). Its alerts wait in the outbox and are retried hourly; check its webhook, token or channel.`,
        };
        await store.enqueueNotices(
          [{ destination: deps.adminDestination, message: formatNotice(notice) }],
          clock.now().toISOString(),
        );
      }
    } else {
      log.warn(
        { destination: row.destination, outboxId: row.id, err: message, nextAttemptAt },
        'Delivery failed; will retry',
      );
    }
  }
}

/**
 * The same for every attempt of one row and different across rows (and across databases, by the
 * creation time), so a bot destination's `enforce_nonce` turns a retry after a lost answer into a no-op.
 */
export function nonceOf(row: Pick<OutboxRow, 'id' | 'createdAt'>): string {
  return `${row.id.toString(36)}.${Date.parse(row.createdAt).toString(36)}`;
}

/**
 * An edit PATCHes the message the story's alert became on this destination. Destinations that
 * cannot edit (the console) skip edits; an edit whose original never got an id is posted instead.
 */
async function transmit(row: OutboxRow, sender: Sender, store: Store, log: Logger): Promise<SendResult> {
  if (row.kind === 'update' && row.storyId !== null) {
    // An update replies to the story's alert where the destination can reply (bots).
    const original = await store.storyMessageId(row.storyId, row.destination);
    return sender.send({ ...row.message, nonce: nonceOf(row), ...(original ? { replyTo: original } : {}) });
  }
  if (row.kind !== 'edit') return sender.send({ ...row.message, nonce: nonceOf(row) });
  if (!sender.edit) return {};
  const original = row.storyId === null ? null : await store.storyMessageId(row.storyId, row.destination);
  if (original === null) {
    // The alert went to a digest: there is no message of its own to keep up to date.
    if (row.storyId !== null && (await store.storyAlertHeld(row.storyId, row.destination))) return {};
    log.warn(
      { destination: row.destination, outboxId: row.id },
      'Story alert to edit has no message id; posting instead',
    );
    return sender.send(row.message);
  }
  await sender.edit(original, row.message);
  return { messageId: original };
}

/**
 * Folds each destination's held alerts into a digest once the oldest has waited a digest interval.
 * Held edits are not listed (their alert is already in the channel): they are released to be sent,
 * the newest per story only, since each carries the whole story.
 */
async function queueDueDigests(deps: OutboxDeps, flood: FloodControl): Promise<void> {
  const held = await deps.store.heldOutbox();
  if (held.length === 0) return;
  const now = deps.clock.now();
  const byDestination = new Map<string, OutboxRow[]>();
  for (const row of held)
    byDestination.set(row.destination, [...(byDestination.get(row.destination) ?? []), row]);
  for (const [destination, rows] of byDestination) {
    const oldest = rows[0];
    if (!oldest || now.getTime() - Date.parse(oldest.createdAt) < flood.digestIntervalMs) continue;
    const edits = rows.filter((row) => row.kind === 'edit');
    const listed = rows.filter((row) => row.kind !== 'edit');
    if (edits.length > 0)
      await deps.store.releaseHeld(
        edits.map((row) => row.id),
        now.toISOString(),
      );
    if (listed.length === 0) continue;
    const entries = listed.map((row) => {
      const embed = row.message.embeds[0];
      return { title: embed?.title ?? 'Untitled alert', ...(embed?.url ? { url: embed.url } : {}) };
    });
    const message = formatDigest(entries, 'flood control and digest routes');
    await deps.store.foldIntoDigest(
      listed.map((row) => row.id),
      { destination, kind: 'digest', message },
      now.toISOString(),
    );
    deps.log.info({ destination, alerts: listed.length }, 'Digest queued');
  }
}
