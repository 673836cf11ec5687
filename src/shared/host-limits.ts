/** Politeness per host:port, shared by feed polls and article-page fetches. */

export function hostKey(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
    return `${parsed.hostname.toLowerCase()}:${port}`;
  } catch {
    return url;
  }
}

interface HostSlot {
  active: number;
  lastStart: number;
  waiting: Array<() => void>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * At most `concurrency` requests at once per key, and starts at least `gapMs` apart. Redirect hops
 * to another host count against the first host's slot.
 */
export class HostLimiter {
  readonly #concurrency: number;
  readonly #gapMs: number;
  readonly #now: () => number;
  readonly #slots = new Map<string, HostSlot>();

  constructor(concurrency: number, gapMs: number, now: () => number = Date.now) {
    this.#concurrency = Math.max(1, concurrency);
    this.#gapMs = Math.max(0, gapMs);
    this.#now = now;
  }

  /** Resolves when a request to `key` may start; call the returned function when it is done. */
  acquire(key: string): Promise<() => void> {
    if (this.#slots.size > 1024) this.#sweep();
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { active: 0, lastStart: Number.NEGATIVE_INFINITY, waiting: [], timer: undefined };
      this.#slots.set(key, slot);
    }
    const current = slot;
    return new Promise((resolve) => {
      current.waiting.push(() => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          current.active--;
          this.#pump(key, current);
        });
      });
      this.#pump(key, current);
    });
  }

  /** Drops idle hosts whose gap has passed (a release inside the gap leaves its slot behind). */
  #sweep(): void {
    const now = this.#now();
    for (const [key, slot] of this.#slots) {
      const idle = slot.active === 0 && slot.waiting.length === 0 && slot.timer === undefined;
      if (idle && now - slot.lastStart >= this.#gapMs) this.#slots.delete(key);
    }
  }

  #pump(key: string, slot: HostSlot): void {
    if (slot.timer !== undefined) return;
    while (slot.waiting.length > 0 && slot.active < this.#concurrency) {
      const wait = slot.lastStart + this.#gapMs - this.#now();
      if (wait > 0) {
        slot.timer = setTimeout(() => {
          slot.timer = undefined;
          this.#pump(key, slot);
        }, wait);
        return;
      }
      const start = slot.waiting.shift();
      slot.active++;
      slot.lastStart = this.#now();
      start?.();
    }
    // Forget idle hosts once their gap has passed, so the map does not grow with every host seen.
    if (slot.active === 0 && slot.waiting.length === 0 && this.#now() - slot.lastStart >= this.#gapMs) {
      this.#slots.delete(key);
    }
  }
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight and at most `perKey` per key
 * (host:port), always starting the first waiting item whose key has room, so one busy host never
 * holds up the others. Results keep the order of `items`.
 */
export async function runPerKey<T, R>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limits: { concurrency: number; perKey: number },
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const waiting = items.map((item, index) => ({ item, index, key: keyOf(item) }));
  const active = new Map<string, number>();
  let wake: (() => void) | null = null;

  async function worker(): Promise<void> {
    for (;;) {
      const position = waiting.findIndex((entry) => (active.get(entry.key) ?? 0) < limits.perKey);
      if (position === -1) {
        if (waiting.length === 0) return;
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      const [entry] = waiting.splice(position, 1);
      if (!entry) continue;
      active.set(entry.key, (active.get(entry.key) ?? 0) + 1);
      try {
        results[entry.index] = await task(entry.item);
      } finally {
        active.set(entry.key, (active.get(entry.key) ?? 1) - 1);
        const release = wake;
        wake = null;
        release?.();
      }
    }
  }
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limits.concurrency), items.length) }, () => worker()),
  );
  return results;
}
