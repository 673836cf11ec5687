import cron, { type ScheduledTask } from 'node-cron';
import type { Feed } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import { errorMessage } from '../shared/errors.js';
import type { FeedState } from '../store/store.js';

/** Feeds whose interval has elapsed since their last poll (never-polled feeds are always due). Pure. */
export function dueFeeds(
  feeds: readonly Feed[],
  states: ReadonlyMap<string, FeedState | null>,
  now: Date,
  defaultIntervalMs: number,
): Feed[] {
  return feeds.filter((feed) => {
    const lastPolled = states.get(feed.url)?.lastPolledAt;
    if (!lastPolled) return true;
    const interval = feed.interval ?? defaultIntervalMs;
    // A small slack so a feed due a second after a tick is not pushed a whole tick later.
    return now.getTime() - Date.parse(lastPolled) >= interval - 5_000;
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
    this.#task = cron.schedule(this.#expression, () => this.runTick(), { noOverlap: true, name: 'attribot-tick' });
    void this.runTick();
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
