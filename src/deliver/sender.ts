import { AppError } from '../shared/errors.js';
import type { OutgoingMessage } from '../shared/message.js';

export interface SendResult {
  /** Discord's message id (absent for the console). */
  messageId?: string;
}

/** One delivery destination. Implementations do not retry: the outbox worker owns retries. */
export interface Sender {
  readonly name: string;
  send(message: OutgoingMessage): Promise<SendResult>;
  edit?(messageId: string, message: OutgoingMessage): Promise<SendResult>;
  /**
   * A destination that keeps no message to rewrite (the console): an edit of a story is shown as an
   * update of it, marked as such. Senders that have it take every edit through it, not through `edit`.
   */
  showEdit?(message: OutgoingMessage): Promise<SendResult>;
  /**
   * Asks the destination whether it would take attribot's deliveries, posting nothing (machine
   * destinations, for `attribot destinations test`); resolves to what it answered, throws a
   * DeliveryError when it refuses.
   */
  check?(): Promise<string>;
  /** Releases timers and connections (on shutdown or when a config reload replaces the sender). */
  close?(): void;
}

export type DeliveryFailure = 'retryable' | 'permanent';

export class DeliveryError extends AppError {
  readonly kind: DeliveryFailure;
  readonly status: number | undefined;
  /** Milliseconds the peer asked us to wait (429 retry_after, Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** Discord's JSON error code (10008 Unknown Message, 10015 Unknown Webhook, 50035 Invalid Form Body...). */
  readonly code: number | undefined;

  constructor(
    message: string,
    details: {
      kind: DeliveryFailure;
      status?: number;
      retryAfterMs?: number;
      code?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.kind = details.kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.code = details.code;
  }
}
