/**
 * `/attribot explain` makes the bot fetch and analyse a page any member names, so it is rate
 * limited: one at a time per member with a pause after each, and a few at once in all.
 */

export interface ExplainLimits {
  /** Pause after a member's explain before they may ask again. */
  perUserMs: number;
  /** Explains in progress at once, across the server(s). */
  concurrent: number;
  /** Explains started per minute, across the server(s). */
  perMinute: number;
}

export const EXPLAIN_LIMITS: ExplainLimits = { perUserMs: 30_000, concurrent: 2, perMinute: 10 };

export class ExplainLimiter {
  readonly #limits: ExplainLimits;
  readonly #lastByUser = new Map<string, number>();
  readonly #busyUsers = new Set<string>();
  #started: number[] = [];
  #inFlight = 0;

  constructor(limits: ExplainLimits = EXPLAIN_LIMITS) {
    this.#limits = limits;
  }

  /** A release function when `userId` may explain now, else the reason (for the reply). */
  take(userId: string, now: number): { release: () => void } | { refusal: string } {
    const last = this.#lastByUser.get(userId);
    if (this.#busyUsers.has(userId)) return { refusal: 'Your previous explain is still running.' };
    if (last !== undefined && now - last < this.#limits.perUserMs) {
      return {
        refusal: `Please wait ${Math.ceil((this.#limits.perUserMs - (now - last)) / 1000)} s before the next explain.`,
      };
    }
    this.#started = this.#started.filter((at) => now - at < 60_000);
    if (this.#inFlight >= this.#limits.concurrent || this.#started.length >= this.#limits.perMinute) {
      return { refusal: 'attribot is busy explaining other articles; try again in a minute.' };
    }
    this.#inFlight++;
    this.#busyUsers.add(userId);
    this.#started.push(now);
    this.#lastByUser.set(userId, now);
    if (this.#lastByUser.size > 10_000) this.#forgetOlderThan(now - this.#limits.perUserMs);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight--;
        this.#busyUsers.delete(userId);
      },
    };
  }

  #forgetOlderThan(cutoff: number): void {
    for (const [user, at] of this.#lastByUser) if (at < cutoff) this.#lastByUser.delete(user);
  }
}
