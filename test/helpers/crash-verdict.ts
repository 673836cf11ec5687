/**
 * The crash harness's verdict, a pure function of what was expected, what the fake Discord
 * recorded and when workers were killed.
 *
 * The send window. A worker sends a row, Discord accepts it, and only then does the worker record
 * it in the store; a worker killed in between leaves a row that the next worker sends again. That
 * second copy is allowed (for webhooks, which have no idempotency key) when the copy before it:
 *   1. was the last request its worker process made to that destination (the outbox worker sends
 *      one destination's rows one at a time and records each before the next: a later request
 *      proves the copy had been recorded),
 *   2. and that process was SIGKILLed no later than `graceMs` after Discord answered the copy (or
 *      before it answered): recording a send takes milliseconds, so a kill long after the answer
 *      came after the record,
 *   3. and the new copy arrived from another process after the kill.
 * Any other repeat is a duplicate outside the send window, and so is any repeat on a bot
 * destination (bot messages carry a nonce with enforce_nonce, so Discord absorbs the resend).
 */

/** One message the fake Discord created, from the request that created it. */
export interface Delivery {
  destination: string;
  /** The item's marker, or null for a message that names none (a notice, a digest). */
  marker: string | null;
  /** The process (its name in the harness) that sent it. */
  client: string;
  /** When the request arrived (Discord accepted it then). */
  at: number;
  /** When Discord answered; 0 when it never did (the client was gone). */
  answeredAt: number;
}

/** Any request a process made to a destination (creates, 429s, failures). */
export interface DestinationRequest {
  destination: string;
  client: string;
  at: number;
}

export interface Kill {
  client: string;
  /** Just before SIGKILL was sent. */
  at: number;
}

export interface VerdictInput {
  /** marker → destinations it must reach. */
  expected: ReadonlyMap<string, ReadonlySet<string>>;
  deliveries: readonly Delivery[];
  requests: readonly DestinationRequest[];
  kills: readonly Kill[];
  /** Destinations whose sends carry a nonce (bots): no duplicate allowed at all. */
  nonceDestinations: ReadonlySet<string>;
  graceMs: number;
}

export interface Duplicate {
  marker: string;
  destination: string;
  /** The copy before and the repeat. */
  first: Delivery;
  repeat: Delivery;
  /**
   * Inside the send window: milliseconds from Discord's answer to the kill, negative or null when
   * the kill came before the answer. Null too outside the window.
   */
  killAfterAnswerMs: number | null;
  inWindow: boolean;
}

export interface Verdict {
  expected: number;
  delivered: number;
  lost: Array<{ marker: string; destination: string }>;
  duplicates: Duplicate[];
  /** Messages for a marker or destination that nothing routed there. */
  unexpected: Delivery[];
  ok: boolean;
}

export function judgeDeliveries(input: VerdictInput): Verdict {
  const copies = new Map<string, Delivery[]>();
  const unexpected: Delivery[] = [];
  for (const delivery of [...input.deliveries].sort((a, b) => a.at - b.at)) {
    const wanted = delivery.marker === null ? undefined : input.expected.get(delivery.marker);
    if (!wanted?.has(delivery.destination)) {
      unexpected.push(delivery);
      continue;
    }
    const key = `${delivery.marker}\u0000${delivery.destination}`;
    copies.set(key, [...(copies.get(key) ?? []), delivery]);
  }

  let expected = 0;
  const lost: Verdict['lost'] = [];
  for (const [marker, destinations] of input.expected) {
    for (const destination of destinations) {
      expected++;
      if (!copies.has(`${marker}\u0000${destination}`)) lost.push({ marker, destination });
    }
  }

  const duplicates: Duplicate[] = [];
  for (const list of copies.values()) {
    for (let i = 1; i < list.length; i++) {
      const first = list[i - 1] as Delivery;
      const repeat = list[i] as Delivery;
      const window = sendWindow(first, repeat, input);
      const inWindow = window !== null && !input.nonceDestinations.has(first.destination);
      duplicates.push({
        marker: first.marker as string,
        destination: first.destination,
        first,
        repeat,
        killAfterAnswerMs: inWindow && Number.isFinite(window) ? window : null,
        inWindow,
      });
    }
  }

  return {
    expected,
    delivered: expected - lost.length,
    lost,
    duplicates,
    unexpected,
    ok: lost.length === 0 && unexpected.length === 0 && duplicates.every((duplicate) => duplicate.inWindow),
  };
}

/** Kill time minus Discord's answer to `first` when `repeat` is a resend after a kill in the window; else null. */
function sendWindow(first: Delivery, repeat: Delivery, input: VerdictInput): number | null {
  if (repeat.client === first.client) return null;
  const kill = input.kills.find((candidate) => candidate.client === first.client);
  if (!kill || repeat.at < kill.at) return null;
  const later = input.requests.some(
    (request) =>
      request.client === first.client && request.destination === first.destination && request.at > first.at,
  );
  if (later) return null;
  // Never answered: the process was gone before Discord's answer came.
  if (first.answeredAt === 0) return Number.NEGATIVE_INFINITY;
  const afterAnswer = kill.at - first.answeredAt;
  return afterAnswer <= input.graceMs ? afterAnswer : null;
}

/** The closing lines, for a person. */
export function describeVerdict(verdict: Verdict): string[] {
  const inWindow = verdict.duplicates.filter((duplicate) => duplicate.inWindow);
  const lines: string[] = [];
  if (inWindow.length > 0) {
    const before = inWindow.filter((duplicate) => (duplicate.killAfterAnswerMs ?? -1) < 0).length;
    const after = inWindow.flatMap((duplicate) =>
      (duplicate.killAfterAnswerMs ?? -1) >= 0 ? [duplicate.killAfterAnswerMs as number] : [],
    );
    lines.push(
      `repeats after a kill in the send window: ${before} killed before Discord's answer reached the worker` +
        (after.length > 0
          ? `, ${after.length} killed ${Math.min(...after)}..${Math.max(...after)} ms after it`
          : ''),
    );
  }
  lines.push(
    `expected ${verdict.expected}, delivered ${verdict.delivered}, lost ${verdict.lost.length}, duplicated ${inWindow.length} (kill inside send window)`,
  );
  const outside = verdict.duplicates.filter((duplicate) => !duplicate.inWindow);
  if (outside.length > 0) lines.push(`duplicated ${outside.length} OUTSIDE the send window`);
  if (verdict.unexpected.length > 0)
    lines.push(
      `${verdict.unexpected.length} message(s) that no route sent there (the harness's expectation is wrong)`,
    );
  return lines;
}
