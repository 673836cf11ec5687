import cron, { type ScheduledTask } from 'node-cron';
import type { Feed } from '../config/schema.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { FeedState } from './feed-state.js';

/** A feed due a few seconds after a tick is polled in that tick rather than a whole tick later. */
const SLACK_MS = 5_000;

/**
 * Feeds due now: never polled, or past the next-poll time their last poll set (interval, adaptive
 * rhythm, backoff or Retry-After), else past their interval. Pure.
 */
export function dueFeeds(
  feeds: readonly Feed[],
  states: ReadonlyMap<string, FeedState | null>,
  now: Date,
  defaultIntervalMs: number,
): Feed[] {
  return feeds.filter((feed) => {
    const state = states.get(feed.url);
    if (state?.nextPollAt) return Date.parse(state.nextPollAt) - SLACK_MS <= now.getTime();
    if (!state?.lastPolledAt) return true;
    const interval = feed.interval ?? defaultIntervalMs;
    return now.getTime() - Date.parse(state.lastPolledAt) >= interval - SLACK_MS;
  });
}

/**
 * Runs `tick` once at start, then on the cron schedule, never two at once. `stop` waits for the
 * tick in flight so shutdown never cuts a transaction or a delivery in half.
 */
export class Scheduler {
  readonly #expression: string;
  readonly #tick: () => Promise<void>;
  readonly #log: Logger;
  #task: ScheduledTask | null = null;
  #running: Promise<void> | null = null;

  constructor(expression: string, tick: () => Promise<void>, log: Logger) {
    this.#expression = expression;
    this.#tick = tick;
    this.#log = log;
  }

  start(): void {
    // Overlap is prevented by runTick itself: node-cron's own guard prints a warning to the
    // console on every tick that arrives during a long one (a backlog draining, a slow feed).
    this.#task = cron.schedule(this.#expression, () => this.runTick(), { name: 'attribot-tick' });
    void this.runTick();
  }

  /** The time between two scheduled ticks, or null before start. */
  periodMs(): number | null {
    const [next, after] = this.#task?.getNextRuns(2) ?? [];
    return next && after ? after.getTime() - next.getTime() : null;
  }

  /** Starts a tick unless one is in flight; resolves when that tick ends. */
  runTick(): Promise<void> {
    if (this.#running) {
      this.#log.debug('Tick skipped: previous tick still running');
      return this.#running;
    }
    this.#running = this.#tick()
      .catch((error: unknown) => {
        this.#log.error({ err: errorMessage(error) }, 'Tick failed');
      })
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    await this.#task?.destroy();
    this.#task = null;
    if (this.#running) await this.#running;
  }
}
