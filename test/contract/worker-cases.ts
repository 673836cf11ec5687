/**
 * Contract cases for several workers at once: each race runs the two (or three) workers' calls
 * concurrently, for `raceRounds` rounds, and checks that the database decided as one process would.
 */
import { expect, it } from 'vitest';
import { destinationLease, feedLease, type Store } from '../../src/store/store.js';
import { alert, at, clusterPlan, FEEDS, item, ivantiReport } from './fixtures.js';
import type { ContractContext } from './store-contract.js';

const DAY = 24 * 60;

export function workerCases(ctx: ContractContext): void {
  it('records a batch once when two workers record it at the same time', async () => {
    const other = await ctx.worker();
    for (let round = 0; round < ctx.raceRounds; round++) {
      const batch = (prefix: string) =>
        ['a', 'b', 'c'].map((key) =>
          item(`r${round}-${key}`, { alerts: [alert('soc', `${prefix} ${key}`)] }),
        );
      await Promise.all([
        ctx.store.recordItems(batch('w1'), at(round)),
        other.recordItems(batch('w2'), at(round)),
      ]);
    }
    const rows = await ctx.store.pendingOutbox(10_000);
    expect(rows).toHaveLength(3 * ctx.raceRounds);
    expect(new Set(rows.map((row) => row.itemKey)).size).toBe(3 * ctx.raceRounds);
  });

  it('opens one story when two workers record two reports of one incident at the same time', async () => {
    const other = await ctx.worker();
    for (let round = 0; round < ctx.raceRounds; round++) {
      // Rounds three days apart: each round's incident is outside the others' window.
      const now = at(round * 3 * DAY);
      const since = at(round * 3 * DAY - 2 * DAY);
      const cve = `CVE-2026-${String(10_000 + round)}`;
      const mine = clusterPlan(new Map([[`bc-${round}`, ivantiReport('BleepingComputer', cve)]]), {
        now,
        since,
      });
      const theirs = clusterPlan(new Map([[`tr-${round}`, ivantiReport('The Record', cve)]]), { now, since });
      await Promise.all([
        ctx.store.recordItems([item(`bc-${round}`)], now, mine),
        other.recordItems([item(`tr-${round}`, { feedUrl: FEEDS.record })], now, theirs),
      ]);
      const stories = await ctx.store.recentStories(since);
      expect(stories, `round ${round}`).toHaveLength(1);
      const [story] = stories;
      const outlets = [story!.first.sourceName, ...story!.sources.map((source) => source.name)].sort();
      expect(outlets, `round ${round}`).toEqual(['BleepingComputer', 'The Record']);
    }
    const rows = await ctx.store.pendingOutbox(10_000);
    const stories = await ctx.store.latestStories(10_000);
    expect(stories).toHaveLength(ctx.raceRounds);
    for (const story of stories) {
      const kinds = rows.filter((row) => row.storyId === story.id).map((row) => row.kind);
      expect(kinds).toEqual(['alert', 'edit']);
    }
  });

  it('gives a contested lease to exactly one of three workers', async () => {
    const workers: Store[] = [ctx.store, await ctx.worker(), await ctx.worker()];
    for (let round = 0; round < ctx.raceRounds; round++) {
      const names = [feedLease(`${FEEDS.hackerNews}?round=${round}`), destinationLease(`soc-${round}`)];
      const held = await Promise.all(
        workers.map((store, index) =>
          store.acquireLeases(index === 1 ? [...names].reverse() : names, {
            worker: `w${index}`,
            now: at(round),
            until: at(round + 5),
          }),
        ),
      );
      for (const name of names) {
        expect(
          held.filter((names) => names.includes(name)),
          `round ${round} ${name}`,
        ).toHaveLength(1);
      }
    }
  });

  it('queues one digest when two workers fold the same held rows at the same time', async () => {
    const other = await ctx.worker();
    let folded = 0;
    for (let round = 0; round < ctx.raceRounds; round++) {
      await ctx.store.recordItems(
        ['x', 'y'].map((key) =>
          item(`fold-${round}-${key}`, { alerts: [alert('soc', key, { hold: true })] }),
        ),
        at(round),
      );
      const ids = (await ctx.store.heldOutbox(['soc'])).map((row) => row.id);
      const digest = {
        destination: 'soc',
        kind: 'digest' as const,
        message: alert('soc', `digest ${round}`).message,
      };
      const results = await Promise.all([
        ctx.store.foldIntoDigest(ids, digest, at(round)),
        other.foldIntoDigest([...ids].reverse(), digest, at(round)),
      ]);
      expect(results.filter(Boolean), `round ${round}`).toHaveLength(1);
      folded += 2;
    }
    expect(await ctx.store.outboxCounts()).toMatchObject({
      pending: ctx.raceRounds,
      digested: folded,
      held: 0,
    });
  });

  it('delivers every row once and in order while two workers take destinations from each other', async () => {
    const workers = [
      { name: 'w1', store: ctx.store },
      { name: 'w2', store: await ctx.worker() },
    ];
    const destinations = ['soc', 'cti', 'ir'];
    for (const destination of destinations) {
      await ctx.store.recordItems(
        Array.from({ length: 20 }, (_, n) =>
          item(`${destination}-${n}`, { alerts: [alert(destination, `${destination} ${n}`)] }),
        ),
        at(0),
      );
    }
    const delivered: Array<{ destination: string; id: number; worker: string }> = [];
    /** One tick of one worker: renew leases, claim, "send" in order until a row was taken over. */
    async function tick(worker: { name: string; store: Store }, minute: number): Promise<void> {
      const request = { worker: worker.name, now: at(minute), until: at(minute + 3) };
      await worker.store.acquireLeases(destinations.map(destinationLease), request);
      const rows = await worker.store.claimOutbox(4, destinations, { ...request, until: at(minute + 2) });
      for (const row of rows) {
        if (!(await worker.store.markSent(row.id, worker.name, at(minute), null))) break;
        delivered.push({ destination: row.destination, id: row.id, worker: worker.name });
      }
    }
    for (let minute = 1; minute < 400 && delivered.length < 60; minute++) {
      // Each worker is down now and then (a stall past its lease), so destinations change hands.
      const up = workers.filter((_, index) => Math.floor(minute / 5) % 3 !== index + 1);
      await Promise.all(up.map((worker) => tick(worker, minute)));
    }
    expect(delivered).toHaveLength(60);
    expect(new Set(delivered.map((row) => row.id)).size).toBe(60);
    for (const destination of destinations) {
      const order = delivered.filter((row) => row.destination === destination).map((row) => row.id);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(new Set(delivered.map((row) => row.worker))).toEqual(new Set(['w1', 'w2']));
    expect(await ctx.store.outboxCounts()).toMatchObject({ pending: 0, sent: 60 });
  });
}
