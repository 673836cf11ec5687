import type { Clock } from '../../src/shared/clock.js';

/** A clock tests move by hand. */
export class TestClock implements Clock {
  #now: number;
  constructor(start: string) {
    this.#now = Date.parse(start);
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}
