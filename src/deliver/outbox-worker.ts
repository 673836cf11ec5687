/**
 * Drains the outbox: lease a destination, claim its due rows, send, then mark sent. This layer owns
 * retries (Senders never retry), so a failure is retried here with backoff, in order per
 * destination, and a row is marked sent only after the destination acknowledged it. Workers that
 * share a database each lease the destinations they send to, so one destination has one sender at
 * a time; a send that went out but could not be recorded is retried as bookkeeping, never re-sent
 * by this worker.
 */

import { formatDigest } from '../alerts/digest.js';
import { formatNotice, type Notice } from '../alerts/notice.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import { runPerKey } from '../shared/host-limits.js';
import { type Logger, redactSecrets } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import { destinationLease, type OutboxRow, type Store } from '../store/store.js';
import { workerId } from '../store/worker-leases.js';
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
  /** This worker's name in leases and claims (unique per process); default: host and pid. */
  worker?: string;
  /** How long a destination lease lasts unless renewed (renewed before each send); default 2 min. */
  leaseMs?: number;
  /** Keeps claiming full batches for this long (ms); default 0: one batch per drain. */
  budgetMs?: number;
  /** Destinations sent to at once; default 4. */
  concurrency?: number;
  /** Sends whose recording failed, kept across drains (one per worker); default: this drain only. */
  unrecorded?: UnrecordedSends;
  /** Time from a feed item's first sight to its acknowledged alert (/metrics). */
  metrics?: Pick<Metrics, 'itemDelivered'>;
}

/**
 * Sends the destination acknowledged but the store could not record (the database was down).
 * Their destinations take nothing more (and keep their lease) until the record is written, so a
 * failure after Discord accepted a message is bookkeeping to retry, not a message to send again.
 */
export class UnrecordedSends {
  readonly #sends = new Map<number, { destination: string; at: string; messageId: string | null }>();

  add(row: OutboxRow, at: string, messageId: string | null): void {
    this.#sends.set(row.id, { destination: row.destination, at, messageId });
  }

  destinations(): Set<string> {
    return new Set([...this.#sends.values()].map((send) => send.destination));
  }

  get size(): number {
    return this.#sends.size;
  }

  /** Records what it can; what still fails stays for the next drain. */
  async settle(store: Store, worker: string, log: Logger): Promise<void> {
    for (const [id, send] of this.#sends) {
      try {
        const recorded = await store.markSent(id, worker, send.at, send.messageId);
        if (!recorded)
          log.error(
            { outboxId: id, destination: send.destination },
            'A sent row was claimed by another worker before it could be recorded; it may be posted twice',
          );
        this.#sends.delete(id);
      } catch (error) {
        log.warn({ outboxId: id, err: errorMessage(error) }, 'Recording a sent row failed again; will retry');
        return;
      }
    }
  }

  /**
   * Before the worker exits: what it knows was sent is known to nobody else, so it keeps trying to
   * record it for up to `withinMs` (the database is often back in seconds). Rows still unrecorded are
   * logged by id: the worker that next takes their destination posts them again. Returns their count.
   */
  async settleBeforeExit(
    store: Store,
    worker: string,
    log: Logger,
    withinMs = EXIT_RECORD_MS,
  ): Promise<number> {
    const deadline = performance.now() + withinMs;
    for (let waitMs = 250; this.#sends.size > 0; waitMs = Math.min(waitMs * 2, 4_000)) {
      await this.settle(store, worker, log);
      const left = deadline - performance.now();
      if (this.#sends.size === 0 || left <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, left)));
    }
    if (this.#sends.size > 0)
      log.error(
        { outboxIds: [...this.#sends.keys()], destinations: [...this.destinations()] },
        'Stopping with sent messages the store could not record; they will be posted again',
      );
    return this.#sends.size;
  }
}

export interface DrainSummary {
  sent: number;
  retried: number;
  rejected: number;
  held: number;
}

export const DEFAULT_FLOOD: FloodControl = { cap: 20, windowMs: 60 * 60_000, digestIntervalMs: 60 * 60_000 };
export const DEFAULT_LEASE_MS = 2 * 60_000;
/** Destinations sent to at once by one worker (each destination's rows stay one at a time, in order). */
const DEFAULT_CONCURRENCY = 4;
/** Waits between immediate attempts to record a send (then it is kept for later drains). */
const RECORD_RETRY_MS = [0, 100, 500, 2_000] as const;
/** How long a stopping worker keeps trying to record sends Discord took (within Docker's 60 s grace). */
const EXIT_RECORD_MS = 20_000;

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
/**
 * A 400 that is about where the destination posts, not about the message: a forum channel's webhook
 * without a threadId. Every message would be refused alike, so the destination waits, suspended.
 */
const FORUM_NEEDS_THREAD = 220001;

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
    if (error.code === FORUM_NEEDS_THREAD) return { action: 'suspend' };
    if (
      error.status === 400 ||
      error.status === 413 ||
      error.status === 422 ||
      error.code === UNKNOWN_MESSAGE
    )
      return { action: 'reject' };
    return { action: 'suspend' };
  }
  const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
  return { action: 'retry', delayMs: backoffMs(attempts, retryAfterMs, maxDelayMs) };
}

export async function drainOutbox(deps: OutboxDeps, batchSize = 100): Promise<DrainSummary> {
  const { store, senders, clock, log } = deps;
  const worker = deps.worker ?? workerId();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const unrecorded = deps.unrecorded ?? new UnrecordedSends();
  const summary: DrainSummary = { sent: 0, retried: 0, rejected: 0, held: 0 };
  const flood = deps.flood ?? DEFAULT_FLOOD;
  const lease = () => {
    const now = clock.now();
    return { worker, now: now.toISOString(), until: new Date(now.getTime() + leaseMs).toISOString() };
  };
  await unrecorded.settle(store, worker, log);
  const owing = unrecorded.destinations();
  const leased = (await store.acquireLeases([...senders.keys()].map(destinationLease), lease())).map((name) =>
    name.slice(destinationLease('').length),
  );
  // A destination owing a record keeps its lease (renewed above) and sends nothing until it is written.
  const mine = leased.filter((destination) => !owing.has(destination));
  try {
    await queueDueDigests(deps, flood, mine, worker);
    const sentInWindow = new Map<string, number>();
    // A destination whose oldest pending row is waiting or failed takes nothing more: order per destination holds.
    const blocked = new Set<string>();
    const renewedUntil = new Map<string, number>();
    const started = performance.now();
    for (;;) {
      const rows = await store.claimOutbox(
        batchSize,
        mine.filter((destination) => !blocked.has(destination)),
        lease(),
      );
      // Destinations in parallel, each one's rows in order (one at a time per destination).
      await runPerKey(
        rows,
        (row) => row.destination,
        { concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY, perKey: 1 },
        async (row) => {
          if (blocked.has(row.destination)) return;
          const sender = senders.get(row.destination);
          if (!sender) return;
          // Renewed before a send once half the lease is gone: a slow destination never outlives its lease.
          const now = clock.now().getTime();
          if ((renewedUntil.get(row.destination) ?? 0) - now < leaseMs / 2) {
            const held = await store.acquireLeases([destinationLease(row.destination)], lease());
            if (held.length === 0) {
              log.warn({ destination: row.destination }, 'Destination lease taken over; leaving its rows');
              blocked.add(row.destination);
              return;
            }
            renewedUntil.set(row.destination, now + leaseMs);
          }
          // Edits count too: a story reported 2,000 times must not PATCH ahead of everything else.
          // Flood control spares channels people read; a TAXII collection or MISP takes every story.
          if (
            row.message.document === undefined &&
            (row.kind === 'alert' || row.kind === 'update' || row.kind === 'edit')
          ) {
            const since = new Date(clock.now().getTime() - flood.windowMs).toISOString();
            const count =
              sentInWindow.get(row.destination) ?? (await store.countSent(row.destination, since));
            if (count >= flood.cap) {
              if (await store.markHeld(row.id, worker)) summary.held++;
              return;
            }
            sentInWindow.set(row.destination, count + 1);
          }
          await deliverRow(row, sender, { ...deps, worker, unrecorded }, summary, blocked);
        },
      );
      // A full batch means more may be due: keep going while the budget lasts (a backlog after an
      // outage drains in one tick, not 100 rows per tick).
      if (rows.length < batchSize || performance.now() - started >= (deps.budgetMs ?? 0)) break;
    }
  } finally {
    const keep = unrecorded.destinations();
    await store.releaseLeases(
      worker,
      leased.filter((destination) => !keep.has(destination)).map(destinationLease),
    );
  }
  return summary;
}

async function deliverRow(
  row: OutboxRow,
  sender: Sender,
  deps: OutboxDeps & { worker: string; unrecorded: UnrecordedSends },
  summary: DrainSummary,
  blocked: Set<string>,
): Promise<void> {
  const { store, clock, log, worker } = deps;
  let result: SendResult;
  try {
    result = await transmit(row, sender, store, log);
  } catch (error) {
    await recordFailure(row, error, deps, summary, blocked);
    return;
  }
  // The destination has the message: from here on a failure is bookkeeping, never a resend.
  summary.sent++;
  const acknowledged = clock.now();
  const at = acknowledged.toISOString();
  const messageId = result.messageId ?? null;
  // An alert's row is written in the transaction that first records its item: its age is the item's.
  if (row.itemKey !== null && (row.kind === 'alert' || row.kind === 'update'))
    deps.metrics?.itemDelivered((acknowledged.getTime() - Date.parse(row.createdAt)) / 1000);
  for (const waitMs of RECORD_RETRY_MS) {
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    try {
      if (!(await store.markSent(row.id, worker, at, messageId)))
        log.error(
          { destination: row.destination, outboxId: row.id },
          'A sent row was claimed by another worker before it could be recorded; it may be posted twice',
        );
      return;
    } catch (error) {
      log.warn({ outboxId: row.id, err: errorMessage(error) }, 'Recording a sent row failed; retrying');
    }
  }
  deps.unrecorded.add(row, at, messageId);
  blocked.add(row.destination);
  log.error(
    { destination: row.destination, outboxId: row.id },
    'Sent, but the store cannot record it; the destination waits until it can',
  );
}

async function recordFailure(
  row: OutboxRow,
  error: unknown,
  deps: OutboxDeps & { worker: string },
  summary: DrainSummary,
  blocked: Set<string>,
): Promise<void> {
  const { store, clock, log, worker } = deps;
  const message = redactSecrets(errorMessage(error));
  const verdict = classifyFailure(error, row.attempts, deps.maxDelayMs);
  if (verdict.action === 'reject') {
    await store.markRejected(row.id, worker, message);
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
  if (verdict.action === 'suspend') await store.markSuspended(row.id, worker, message, nextAttemptAt);
  else await store.markRetry(row.id, worker, message, nextAttemptAt);
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
        text: `refused delivery (${message}). Its alerts wait in the outbox and are retried hourly; check its webhook, token, key or channel.`,
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

/**
 * The same for every attempt of one row and different across rows (and across databases, by the
 * creation time), so a bot destination's `enforce_nonce` turns a retry after a lost answer into a no-op.
 */
export function nonceOf(row: Pick<OutboxRow, 'id' | 'createdAt'>): string {
  return `${row.id.toString(36)}.${Date.parse(row.createdAt).toString(36)}`;
}

/**
 * An edit PATCHes the message the story's alert became on this destination. The console shows it
 * as an update of the story; destinations that cannot edit (TAXII, MISP) skip edits; an edit whose
 * original never got an id is posted instead.
 */
async function transmit(row: OutboxRow, sender: Sender, store: Store, log: Logger): Promise<SendResult> {
  if (row.kind === 'update' && row.storyId !== null) {
    // An update replies to the story's alert where the destination can reply (bots).
    const original = await store.storyMessageId(row.storyId, row.destination);
    return sender.send({ ...row.message, nonce: nonceOf(row), ...(original ? { replyTo: original } : {}) });
  }
  if (row.kind !== 'edit') return sender.send({ ...row.message, nonce: nonceOf(row) });
  if (sender.showEdit) return sender.showEdit(row.message);
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
async function queueDueDigests(
  deps: OutboxDeps,
  flood: FloodControl,
  destinations: readonly string[],
  worker: string,
): Promise<void> {
  if (destinations.length === 0) return;
  const held = await deps.store.heldOutbox(destinations);
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
    const queued = await deps.store.foldIntoDigest(
      listed.map((row) => row.id),
      { destination, kind: 'digest', message },
      now.toISOString(),
    );
    if (queued) deps.log.info({ destination, alerts: listed.length, worker }, 'Digest queued');
  }
}
