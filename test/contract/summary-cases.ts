/** Contract cases for scheduled summaries: the stories of a period, and one queued summary per route and period. */
import { expect, it } from 'vitest';
import type { OutgoingMessage } from '../../src/shared/message.js';
import { destinationLease, type LeaseRequest, type OutboxInsert } from '../../src/store/store.js';
import { at, clusterPlan, item, ivantiReport, lazarusReport, sandwormReport } from './fixtures.js';
import type { ContractContext } from './store-contract.js';

/** A summary as the worker queues it: an embed and a (tiny, fake) PNG attachment. */
function summary(destination: string, title: string): OutboxInsert {
  const message: OutgoingMessage = {
    embeds: [{ title, image: { url: 'attachment://summary.png' } }],
    allowed_mentions: { parse: [] },
    files: [{ name: 'summary.png', contentType: 'image/png', data: 'iVBORw0KGgo=' }],
  };
  return { destination, message, kind: 'summary' };
}

const claim = (now: string): LeaseRequest => ({ worker: 'w1', now, until: at(24 * 60) });

export function summaryCases(ctx: ContractContext): void {
  it('lists the stories created in a period: start included, end excluded, oldest first', async () => {
    const { store } = ctx;
    const record = async (key: string, minute: number, report: ReturnType<typeof ivantiReport>) =>
      store.recordItems(
        [item(key)],
        at(minute),
        clusterPlan(new Map([[key, report]]), { now: at(minute), since: at(minute - 60) }),
      );
    await record('before', -1, lazarusReport('The Record'));
    await record('first', 0, sandwormReport('BleepingComputer'));
    await record('second', 30, ivantiReport('BleepingComputer'));
    await record('at-end', 60, lazarusReport('SecurityWeek'));
    const stories = await store.storiesCreatedBetween(at(0), at(60));
    expect(stories.map((story) => `${story.first.sourceName} ${story.attribution.actors[0]?.name}`)).toEqual([
      'BleepingComputer Sandworm',
      'BleepingComputer Volt Typhoon',
    ]);
    expect(stories.every((story) => typeof story.id === 'number')).toBe(true);
    expect(await store.storiesCreatedBetween(at(61), at(120))).toEqual([]);
  });

  it('queues a period once, with its attachment intact, and remembers it across a restart', async () => {
    const key = { route: 'state-actors', periodEnd: at(60) };
    expect(await ctx.store.summaryQueued(key)).toBe(false);
    expect(
      await ctx.store.queueSummary(key, [summary('soc', 'Daily'), summary('cti', 'Daily')], at(61)),
    ).toBe(true);
    expect(await ctx.store.queueSummary(key, [summary('soc', 'Daily again')], at(62))).toBe(false);
    const store = await ctx.reopen();
    expect(await store.summaryQueued(key)).toBe(true);
    expect(await store.queueSummary(key, [summary('soc', 'After restart')], at(63))).toBe(false);
    // Another route, or the next period, is another summary.
    expect(await store.summaryQueued({ route: 'state-actors', periodEnd: at(24 * 60) })).toBe(false);
    expect(
      await store.queueSummary({ route: 'other', periodEnd: at(60) }, [summary('soc', 'Other')], at(61)),
    ).toBe(true);
    const rows = await store.pendingOutbox(10);
    expect(rows.map((row) => [row.kind, row.destination, row.message.embeds[0]?.title])).toEqual([
      ['summary', 'soc', 'Daily'],
      ['summary', 'cti', 'Daily'],
      ['summary', 'soc', 'Other'],
    ]);
    expect(rows[0]?.message.files).toEqual([
      { name: 'summary.png', contentType: 'image/png', data: 'iVBORw0KGgo=' },
    ]);
    // Delivered like any row: claimed, then sent.
    await store.acquireLeases([destinationLease('soc')], claim(at(61)));
    const [first] = await store.claimOutbox(1, ['soc'], claim(at(61)));
    expect(first?.kind).toBe('summary');
    expect(await store.markSent(first!.id, 'w1', at(61), '1310000000000000077')).toBe(true);
  });

  it('forgets a queued period once it ended before the outbox retention, and keeps the recent ones', async () => {
    const { store } = ctx;
    const old = { route: 'state-actors', periodEnd: at(0) };
    const recent = { route: 'state-actors', periodEnd: at(24 * 60) };
    await store.queueSummary(old, [summary('soc', 'Old')], at(1));
    await store.queueSummary(recent, [summary('soc', 'Recent')], at(24 * 60 + 1));
    const cut = at(60);
    const pruned = await store.prune({ items: at(-60), stories: at(-60), outbox: cut, articles: at(-60) });
    expect(pruned.summaries).toBe(1);
    expect(await store.summaryQueued(old)).toBe(false);
    expect(await store.summaryQueued(recent)).toBe(true);
  });

  it('queues a period once when two workers queue it at the same time', async () => {
    const other = await ctx.worker();
    for (let round = 0; round < ctx.raceRounds; round++) {
      const key = { route: 'state-actors', periodEnd: at(round * 24 * 60) };
      const results = await Promise.all([
        ctx.store.queueSummary(key, [summary('soc', `w1 ${round}`)], at(round)),
        other.queueSummary(key, [summary('soc', `w2 ${round}`)], at(round)),
      ]);
      expect(results.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
    const rows = await ctx.store.pendingOutbox(10_000);
    expect(rows).toHaveLength(ctx.raceRounds);
    expect(rows.every((row) => row.kind === 'summary')).toBe(true);
  });
}
