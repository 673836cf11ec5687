import { DeliveryError, type Sender, type SendResult } from '../../src/deliver/sender.js';
import type { OutgoingMessage } from '../../src/shared/message.js';

type Step = 'ok' | DeliveryError | Error;

/** A Sender fake whose answers are scripted step by step; records what it was asked to send. */
export class ScriptedSender implements Sender {
  readonly name: string;
  readonly sent: OutgoingMessage[] = [];
  readonly attempts: OutgoingMessage[] = [];
  readonly edits: Array<{ messageId: string; message: OutgoingMessage }> = [];
  readonly #script: Step[];
  #nextId = 1000;

  constructor(name: string, script: Step[] = []) {
    this.name = name;
    this.#script = [...script];
  }

  fail(...steps: Step[]): void {
    this.#script.push(...steps);
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    this.attempts.push(message);
    const step = this.#script.shift() ?? 'ok';
    if (step !== 'ok') throw step;
    this.sent.push(message);
    return { messageId: String(this.#nextId++) };
  }

  async edit(messageId: string, message: OutgoingMessage): Promise<SendResult> {
    const step = this.#script.shift() ?? 'ok';
    if (step !== 'ok') throw step;
    this.edits.push({ messageId, message });
    return { messageId };
  }
}

export function retryable(status = 503, retryAfterMs?: number): DeliveryError {
  return new DeliveryError(`HTTP ${status}`, {
    kind: 'retryable',
    status,
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });
}

export function permanent(status: number): DeliveryError {
  return new DeliveryError(`HTTP ${status}`, { kind: 'permanent', status });
}
