/** Contract cases: what `prune` forgets and what it must keep (listed items, referenced rows, the queue). */
import { expect, it } from 'vitest';
import type { Story } from '../../src/alerts/cluster.js';
import { destinationLease, type LeaseRequest } from '../../src/store/store.js';
import { alert, at, item, ivantiReport, sandwormReport } from './fixtures.js';
import type { ContractContext } from './store-contract.js';

const day = (n: number): string => at(n * 24 * 60);
const claim = (now: number): LeaseRequest => ({ worker: 'w1', now: day(now), until: day(now + 1) });

function story(updatedDay: number, report = ivantiReport('BleepingComputer')): Story {
  return {
    id: null,
    createdAt: day(0),
    updatedAt: day(updatedDay),
    first: report,
    attribution: report.attribution,
    sources: [],
    destinations: ['soc'],
  };
}

export function retentionCases(ctx: ContractContext): void {
  it('forgets items no feed listed since the cut-off and no outbox row refers to', async () => {
    const { store } = ctx;
    await store.recordItems(
      [
        item('still-listed'),
        item('dropped-from-feed'),
        item('alert-waiting', { alerts: [alert('soc', 'waiting')] }),
        item('alert-sent', { alerts: [alert('soc', 'sent long ago')] }),
      ],
      day(0),
    );
    await store.acquireLeases([destinationLease('soc')], claim(1));
    const [waiting, sent] = await store.claimOutbox(2, ['soc'], claim(1));
    expect(await store.markSent(sent!.id, 'w1', day(1), '1310000000000000010')).toBe(true);
    expect(await store.markRetry(waiting!.id, 'w1', 'HTTP 503', day(40))).toBe(true);
    // A feed that keeps its old items listed keeps them remembered (and never new again).
    await store.markListed(['still-listed', 'never-recorded'], day(20));
    const pruned = await store.prune({ items: day(10), stories: day(10), outbox: day(5), articles: day(5) });
    expect(pruned).toEqual({ items: 2, stories: 0, outbox: 1, articles: 0, summaries: 0 });
    expect(
      await store.unseenKeys(['still-listed', 'dropped-from-feed', 'alert-waiting', 'alert-sent']),
    ).toEqual(new Set(['dropped-from-feed', 'alert-sent']));
    // The pending row and its item are untouched, whatever their age.
    expect((await store.pendingOutbox(10)).map((row) => [row.itemKey, row.attempts])).toEqual([
      ['alert-waiting', 1],
    ]);
    expect(await store.prune({ items: day(10), stories: day(10), outbox: day(5), articles: day(5) })).toEqual(
      {
        items: 0,
        stories: 0,
        outbox: 0,
        articles: 0,
        summaries: 0,
      },
    );
    // Listed again later than the next cut-off: kept again.
    await store.markListed(['still-listed'], day(30));
    expect(
      (await store.prune({ items: day(25), stories: day(25), outbox: day(25), articles: day(25) })).items,
    ).toBe(0);
    expect(await store.unseenKeys(['still-listed'])).toEqual(new Set());
  });

  it('deletes sent, rejected and digested rows settled before the cut-off, never pending or held ones', async () => {
    const { store } = ctx;
    await store.recordItems(
      [
        item('o-sent', { alerts: [alert('soc', 'sent')] }),
        item('o-rejected', { alerts: [alert('soc', 'rejected')] }),
        item('o-pending', { alerts: [alert('soc', 'pending')] }),
        item('o-held', { alerts: [alert('soc', 'held', { hold: true })] }),
        item('o-digested', { alerts: [alert('soc', 'digested', { hold: true })] }),
        item('o-sent-late', { alerts: [alert('soc', 'sent late')] }),
      ],
      day(0),
    );
    await store.acquireLeases([destinationLease('soc')], claim(1));
    const [sent, rejected] = await store.claimOutbox(2, ['soc'], claim(1));
    await store.markSent(sent!.id, 'w1', day(1), null);
    await store.markRejected(rejected!.id, 'w1', '50035 Invalid Form Body');
    const digested = (await store.heldOutbox()).find((row) => row.itemKey === 'o-digested')!;
    const digest = { destination: 'soc', kind: 'digest' as const, message: alert('soc', '1 alert').message };
    expect(await store.foldIntoDigest([digested.id], digest, day(1))).toBe(true);
    await store.acquireLeases([destinationLease('soc')], claim(20));
    const late = (await store.claimOutbox(10, ['soc'], claim(20))).find(
      (row) => row.itemKey === 'o-sent-late',
    )!;
    await store.markSent(late.id, 'w1', day(20), null);
    expect(await store.prune({ items: day(0), stories: day(0), outbox: day(10), articles: day(10) })).toEqual(
      {
        items: 0,
        stories: 0,
        outbox: 3,
        articles: 0,
        summaries: 0,
      },
    );
    expect(await store.outboxCounts()).toEqual({ pending: 2, sent: 1, rejected: 0, held: 1, digested: 0 });
    // Their items go once retention reaches them too; the pending and held rows keep theirs.
    expect(
      (await store.prune({ items: day(11), stories: day(11), outbox: day(10), articles: day(10) })).items,
    ).toBe(3);
    expect(await store.unseenKeys(['o-sent', 'o-rejected', 'o-digested', 'o-pending', 'o-held'])).toEqual(
      new Set(['o-sent', 'o-rejected', 'o-digested']),
    );
  });

  it('forgets stories not updated since the cut-off that no outbox row refers to', async () => {
    const { store } = ctx;
    await store.recordItems(
      [
        item('quiet', { story: { key: 'new:quiet', data: story(1) } }),
        item('queued', {
          story: { key: 'new:queued', data: story(1, sandwormReport('The Record')) },
          alerts: [alert('soc', 'still queued')],
        }),
        item('busy', { story: { key: 'new:busy', data: story(20, sandwormReport('ESET')) } }),
      ],
      day(0),
    );
    const pruned = await store.prune({ items: day(0), stories: day(10), outbox: day(0), articles: day(0) });
    expect(pruned).toEqual({ items: 0, stories: 1, outbox: 0, articles: 0, summaries: 0 });
    const left = await store.latestStories(10);
    expect(left.map((each) => [each.first.sourceName, each.updatedAt])).toEqual([
      ['ESET', day(20)],
      ['The Record', day(1)],
    ]);
  });
}
