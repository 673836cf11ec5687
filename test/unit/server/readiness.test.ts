import { describe, expect, it } from 'vitest';
import { assessReadiness, type ReadinessFacts } from '../../../src/server/readiness.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const READY: ReadinessFacts = {
  now: NOW,
  config: { feeds: 20 },
  store: { ok: true },
  startedAt: new Date('2026-11-28T09:00:00.000Z'),
  lastCycleAt: new Date('2026-11-28T11:59:00.000Z'),
  maxCycleAgeMs: 20 * 60_000,
  feeds: { known: 20, succeeding: 18 },
  minFeedSuccessRatio: 0.5,
};

describe('readiness', () => {
  it('is ready when every condition holds', () => {
    expect(assessReadiness(READY)).toEqual({
      ready: true,
      reasons: [],
      checks: { config: true, store: true, cycle: true, feeds: true },
      lastCycleAt: '2026-11-28T11:59:00.000Z',
      feeds: { known: 20, succeeding: 18, required: 10 },
    });
  });

  it.each<[string, Partial<ReadinessFacts>, keyof ReturnType<typeof assessReadiness>['checks'], string]>([
    ['no config', { config: null }, 'config', 'no configuration is loaded'],
    [
      'the database fails its probe',
      { store: { ok: false, error: 'SQLITE_READONLY: attempt to write a readonly database' } },
      'store',
      'the database cannot be reached: SQLITE_READONLY: attempt to write a readonly database',
    ],
    [
      'no cycle yet',
      { lastCycleAt: null, startedAt: new Date('2026-11-28T11:57:00.000Z') },
      'cycle',
      'no cycle has finished yet (started 3 min ago; the first one polls every feed)',
    ],
    [
      'a stale cycle',
      { lastCycleAt: new Date('2026-11-28T11:35:00.000Z') },
      'cycle',
      'the last cycle finished 25 min ago (at most 20 min allowed): the scheduler may be stuck',
    ],
    [
      'too few feeds answering',
      { feeds: { known: 22, succeeding: 0 } },
      'feeds',
      'only 0 of 22 feeds answered their last poll (11 needed, settings.readiness.minFeedSuccessRatio 0.5): attribot feeds shows their errors',
    ],
  ])('is not ready with %s, and says why', (_, change, check, reason) => {
    const readiness = assessReadiness({ ...READY, ...change });
    expect(readiness.ready).toBe(false);
    expect(readiness.checks[check]).toBe(false);
    expect(readiness.reasons).toEqual([reason]);
  });

  it('lists every failed condition at once', () => {
    const readiness = assessReadiness({ ...READY, store: { ok: false, error: 'down' }, lastCycleAt: null });
    expect(readiness.reasons).toHaveLength(2);
  });

  it('takes the ratio as a floor, rounded up; 0 leaves the feeds out; no known feed is no evidence', () => {
    expect(
      assessReadiness({ ...READY, feeds: { known: 3, succeeding: 1 }, minFeedSuccessRatio: 0.5 }).ready,
    ).toBe(false);
    expect(
      assessReadiness({ ...READY, feeds: { known: 3, succeeding: 2 }, minFeedSuccessRatio: 0.5 }).ready,
    ).toBe(true);
    expect(
      assessReadiness({ ...READY, feeds: { known: 22, succeeding: 0 }, minFeedSuccessRatio: 0 }).ready,
    ).toBe(true);
    expect(assessReadiness({ ...READY, feeds: { known: 0, succeeding: 0 } }).ready).toBe(true);
  });
});
