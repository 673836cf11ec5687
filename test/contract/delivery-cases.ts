/** Contract cases: leases, claiming the outbox, transitions while claimed, holding and digests. */
import { expect, it } from 'vitest';
import { destinationLease, feedLease, type LeaseRequest, type Store } from '../../src/store/store.js';
import { alert, at, FEEDS, item, ivantiReport } from './fixtures.js';
import type { ContractContext } from './store-contract.js';

const lease = (worker: string, now: number, until: number): LeaseRequest => ({
  worker,
  now: at(now),
  until: at(until),
});

/** One item per alert: `count` alerts for `destination`, titled `<prefix> <n>`. */
async function queue(store: Store, destination: string, count: number, minute = 0, prefix = destination) {
  await store.recordItems(
    Array.from({ length: count }, (_, n) =>
      item(`${prefix}-${n + 1}`, { alerts: [alert(destination, `${prefix} ${n + 1}`)] }),
    ),
    at(minute),
  );
}

const ids = (rows: ReadonlyArray<{ id: number }>): number[] => rows.map((row) => row.id);
const titles = (rows: ReadonlyArray<{ message: { embeds: Array<{ title?: string }> } }>): unknown[] =>
  rows.map((row) => row.message.embeds[0]?.title);

export function deliveryCases(ctx: ContractContext): void {
  it('gives a lease to one worker at a time; renewal extends it, expiry and release free it', async () => {
    const other = await ctx.worker();
    const names = [feedLease(FEEDS.bleeping), destinationLease('soc')];
    expect(await ctx.store.acquireLeases(names, lease('w1', 0, 5))).toEqual(names);
    expect(await other.acquireLeases([...names, feedLease(FEEDS.record)], lease('w2', 1, 6))).toEqual([
      feedLease(FEEDS.record),
    ]);
    // Renewed by its holder before it runs out: still refused to the other worker past the old end.
    expect(await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 4, 10))).toEqual([
      destinationLease('soc'),
    ]);
    expect(await other.acquireLeases(names, lease('w2', 7, 12))).toEqual([feedLease(FEEDS.bleeping)]);
    // Expired: taken over.
    expect(await other.acquireLeases([destinationLease('soc')], lease('w2', 10, 15))).toEqual([
      destinationLease('soc'),
    ]);
    expect(await ctx.store.acquireLeases(names, lease('w1', 11, 16))).toEqual([]);
    // Released: free at once, even before its end; releasing another's lease does nothing.
    await ctx.store.releaseLeases('w1', [destinationLease('soc')]);
    expect(await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 11, 16))).toEqual([]);
    await other.releaseLeases('w2', [destinationLease('soc')]);
    expect(await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 11, 16))).toEqual([
      destinationLease('soc'),
    ]);
    await other.releaseLeases('w2');
    expect(await ctx.store.acquireLeases(names, lease('w1', 12, 16))).toEqual(names);
  });

  it('claims only the destinations whose lease the worker holds, oldest first', async () => {
    const other = await ctx.worker();
    await queue(ctx.store, 'soc', 3);
    await queue(ctx.store, 'cti', 2);
    await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 0, 5));
    await other.acquireLeases([destinationLease('cti')], lease('w2', 0, 5));
    const mine = await ctx.store.claimOutbox(10, ['soc', 'cti'], lease('w1', 1, 3));
    expect(titles(mine)).toEqual(['soc 1', 'soc 2', 'soc 3']);
    const theirs = await other.claimOutbox(10, ['soc', 'cti'], lease('w2', 1, 3));
    expect(titles(theirs)).toEqual(['cti 1', 'cti 2']);
    // Not among `destinations`: not claimed even with its lease held.
    expect(await ctx.store.claimOutbox(10, ['admins'], lease('w1', 1, 3))).toEqual([]);
    // An expired lease holds nothing.
    expect(await ctx.store.claimOutbox(10, ['soc'], lease('w1', 6, 8))).toEqual([]);
    // Claimed rows are still pending, and listed for inspection.
    expect(titles(await ctx.store.pendingOutbox(10))).toEqual(['soc 1', 'soc 2', 'soc 3', 'cti 1', 'cti 2']);
  });

  it('stops at a destination’s first row not yet due, and claims it once due', async () => {
    await queue(ctx.store, 'soc', 3);
    await queue(ctx.store, 'cti', 1);
    const dests = ['soc', 'cti'];
    await ctx.store.acquireLeases(dests.map(destinationLease), lease('w1', 0, 60));
    const [first] = await ctx.store.claimOutbox(1, ['soc'], lease('w1', 0, 2));
    expect(await ctx.store.markRetry(first!.id, 'w1', 'HTTP 429 Too Many Requests', at(10))).toBe(true);
    const batch = await ctx.store.claimOutbox(10, dests, lease('w1', 1, 3));
    expect(titles(batch)).toEqual(['cti 1']);
    const due = await ctx.store.claimOutbox(10, ['soc'], lease('w1', 10, 12));
    expect(titles(due)).toEqual(['soc 1', 'soc 2', 'soc 3']);
    expect(due[0]).toMatchObject({
      attempts: 1,
      lastError: 'HTTP 429 Too Many Requests',
      nextAttemptAt: at(10),
    });
    expect(await ctx.store.nextOutboxAttempt()).toBe(at(0));
  });

  it('shares a batch fairly: 150 rows for one destination and 1 for another, limit 100', async () => {
    await queue(ctx.store, 'flood', 150);
    await queue(ctx.store, 'quiet', 1, 1);
    await ctx.store.acquireLeases(['flood', 'quiet'].map(destinationLease), lease('w1', 1, 60));
    const batch = await ctx.store.claimOutbox(100, ['flood', 'quiet'], lease('w1', 1, 5));
    expect(batch).toHaveLength(100);
    // Round robin: each destination's first row, then each one's second, ...
    expect(titles(batch.slice(0, 3))).toEqual(['flood 1', 'quiet 1', 'flood 2']);
    expect(titles(batch.filter((row) => row.destination === 'flood'))).toEqual(
      Array.from({ length: 99 }, (_, n) => `flood ${n + 1}`),
    );
  });

  it('refuses a transition once another worker has re-claimed the row after the claim ran out', async () => {
    const other = await ctx.worker();
    await queue(ctx.store, 'soc', 2);
    await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 0, 2));
    const [row] = await ctx.store.claimOutbox(1, ['soc'], lease('w1', 0, 2));
    // w1 stalls; its lease and claim run out; w2 takes the destination over.
    expect(await other.acquireLeases([destinationLease('soc')], lease('w2', 1, 3))).toEqual([]);
    expect(await other.acquireLeases([destinationLease('soc')], lease('w2', 3, 5))).toEqual([
      destinationLease('soc'),
    ]);
    const taken = await other.claimOutbox(10, ['soc'], lease('w2', 3, 5));
    expect(titles(taken)).toEqual(['soc 1', 'soc 2']);
    expect(await ctx.store.markSent(row!.id, 'w1', at(3), '1310000000000000003')).toBe(false);
    expect(await ctx.store.markRetry(row!.id, 'w1', 'timeout', at(9))).toBe(false);
    expect(await ctx.store.markRejected(row!.id, 'w1', 'Unknown Webhook')).toBe(false);
    expect(await ctx.store.markHeld(row!.id, 'w1')).toBe(false);
    expect(await other.markSent(row!.id, 'w2', at(4), '1310000000000000004')).toBe(true);
    const [sent] = await other.claimOutbox(10, ['soc'], lease('w2', 4, 5));
    expect(titles([sent!])).toEqual(['soc 2']);
    expect(await ctx.store.outboxCounts()).toMatchObject({ sent: 1, pending: 1 });
  });

  it('does not let another worker claim rows whose claim still runs, even with the lease', async () => {
    const other = await ctx.worker();
    await queue(ctx.store, 'soc', 2);
    await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 0, 1));
    await ctx.store.claimOutbox(1, ['soc'], lease('w1', 0, 10));
    await other.acquireLeases([destinationLease('soc')], lease('w2', 2, 20));
    // Row 1 is still w1's (in flight): w2 may not send row 2 before it.
    expect(await other.claimOutbox(10, ['soc'], lease('w2', 2, 12))).toEqual([]);
    expect(titles(await other.claimOutbox(10, ['soc'], lease('w2', 10, 12)))).toEqual(['soc 1', 'soc 2']);
  });

  it('releasing a destination frees the rows its worker claimed and did not send', async () => {
    const other = await ctx.worker();
    await queue(ctx.store, 'soc', 2);
    await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 0, 10));
    expect(await ctx.store.claimOutbox(10, ['soc'], lease('w1', 0, 10))).toHaveLength(2);
    await ctx.store.releaseLeases('w1', [destinationLease('soc')]);
    // Well before the claims would have run out, another worker takes over both rows.
    expect(await other.acquireLeases([destinationLease('soc')], lease('w2', 1, 10))).toEqual([
      destinationLease('soc'),
    ]);
    expect(titles(await other.claimOutbox(10, ['soc'], lease('w2', 1, 10)))).toEqual(['soc 1', 'soc 2']);
    // Releasing every lease of a worker (a dead one's, say) frees its claims the same way.
    await other.releaseLeases('w2');
    await ctx.store.acquireLeases([destinationLease('soc')], lease('w3', 2, 10));
    expect(titles(await ctx.store.claimOutbox(10, ['soc'], lease('w3', 2, 10)))).toEqual(['soc 1', 'soc 2']);
  });

  it('moves a claimed row to sent, retry, rejected or held, once, only for its claimer', async () => {
    await queue(ctx.store, 'soc', 4);
    await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 0, 60));
    const [a, b, c, d] = await ctx.store.claimOutbox(4, ['soc'], lease('w1', 0, 5));
    expect(await ctx.store.markSent(a!.id, 'w2', at(1), '1')).toBe(false);
    expect(await ctx.store.markSent(a!.id, 'w1', at(1), '1310000000000000005')).toBe(true);
    expect(await ctx.store.markSent(a!.id, 'w1', at(1), '1310000000000000005')).toBe(false);
    expect(await ctx.store.markRetry(b!.id, 'w1', 'HTTP 502 Bad Gateway', at(3))).toBe(true);
    expect(await ctx.store.markRejected(c!.id, 'w1', '50035 Invalid Form Body')).toBe(true);
    expect(await ctx.store.markRejected(c!.id, 'w1', 'again')).toBe(false);
    expect(await ctx.store.markHeld(d!.id, 'w1')).toBe(true);
    // A retried row is unclaimed: another transition needs a new claim.
    expect(await ctx.store.markSent(b!.id, 'w1', at(2), '1')).toBe(false);
    const pending = await ctx.store.pendingOutbox(10);
    expect(pending.map((row) => [row.id, row.attempts, row.lastError, row.nextAttemptAt])).toEqual([
      [b!.id, 1, 'HTTP 502 Bad Gateway', at(3)],
    ]);
    expect((await ctx.store.heldOutbox()).map((row) => [row.id, row.status])).toEqual([[d!.id, 'held']]);
    expect(await ctx.store.outboxCounts()).toEqual({
      pending: 1,
      sent: 1,
      rejected: 1,
      held: 1,
      digested: 0,
    });
    expect(await ctx.store.countSent('soc', at(0))).toBe(1);
  });

  it("remembers a story's message id on a destination and whether its alert went to a digest", async () => {
    await ctx.store.recordItems(
      [
        item('story-item', {
          alerts: [alert('soc', 'Volt Typhoon blamed'), alert('cti', 'Volt Typhoon blamed', { hold: true })],
          story: {
            key: 'new:story-item',
            data: {
              id: null,
              createdAt: at(0),
              updatedAt: at(0),
              first: ivantiReport('CISA'),
              attribution: ivantiReport('CISA').attribution,
              sources: [],
              destinations: ['soc', 'cti'],
            },
          },
        }),
      ],
      at(0),
    );
    const [story] = await ctx.store.recentStories(at(0));
    const storyId = story!.id!;
    expect(await ctx.store.storyMessageId(storyId, 'soc')).toBeNull();
    await ctx.store.acquireLeases([destinationLease('soc')], lease('w1', 0, 5));
    const [row] = await ctx.store.claimOutbox(5, ['soc'], lease('w1', 0, 5));
    expect(row).toMatchObject({ storyId, kind: 'alert' });
    await ctx.store.markSent(row!.id, 'w1', at(1), '1310000000000000006');
    expect(await ctx.store.storyMessageId(storyId, 'soc')).toBe('1310000000000000006');
    expect(await ctx.store.storyMessageId(storyId, 'cti')).toBeNull();
    expect(await ctx.store.storyAlertHeld(storyId, 'cti')).toBe(true);
    expect(await ctx.store.storyAlertHeld(storyId, 'soc')).toBe(false);
  });

  it('counts what a destination was sent since a time: alerts, updates and edits only', async () => {
    await ctx.store.recordItems(
      [
        item('k1', {
          alerts: [
            alert('soc', 'a'),
            alert('soc', 'u', { kind: 'update' }),
            alert('soc', 'e', { kind: 'edit' }),
          ],
        }),
        item('k2', { alerts: [alert('soc', 'late'), alert('cti', 'other destination')] }),
      ],
      at(0),
    );
    await ctx.store.enqueueNotices([alert('soc', 'notice')], at(0));
    await ctx.store.acquireLeases(['soc', 'cti'].map(destinationLease), lease('w1', 0, 60));
    const rows = await ctx.store.claimOutbox(10, ['soc', 'cti'], lease('w1', 0, 30));
    for (const row of rows) {
      const minute = titles([row])[0] === 'late' ? 20 : 5;
      expect(await ctx.store.markSent(row.id, 'w1', at(minute), null)).toBe(true);
    }
    expect(await ctx.store.countSent('soc', at(0))).toBe(4);
    expect(await ctx.store.countSent('soc', at(10))).toBe(1);
    expect(await ctx.store.countSent('cti', at(0))).toBe(1);
  });

  it('lists held rows per destination and releases them to pending, due at the given time', async () => {
    await ctx.store.recordItems(
      [
        item('h1', { alerts: [alert('soc', 'h1', { hold: true }), alert('cti', 'h1', { hold: true })] }),
        item('h2', { alerts: [alert('soc', 'h2', { hold: true, kind: 'edit' })] }),
      ],
      at(0),
    );
    expect((await ctx.store.heldOutbox()).map((row) => [row.destination, row.itemKey])).toEqual([
      ['soc', 'h1'],
      ['cti', 'h1'],
      ['soc', 'h2'],
    ]);
    const soc = await ctx.store.heldOutbox(['soc']);
    expect(soc.map((row) => row.itemKey)).toEqual(['h1', 'h2']);
    expect(await ctx.store.heldOutbox([])).toEqual([]);
    await ctx.store.releaseHeld([soc[1]!.id], at(30));
    expect(
      (await ctx.store.pendingOutbox(10)).map((row) => [row.itemKey, row.kind, row.nextAttemptAt]),
    ).toEqual([['h2', 'edit', at(30)]]);
    expect(await ctx.store.nextOutboxAttempt({ destinations: ['soc'] })).toBe(at(30));
    expect(await ctx.store.nextOutboxAttempt({ destinations: ['cti'] })).toBeNull();
  });

  it('folds held rows into one digest, once: a second fold of any of them queues nothing', async () => {
    await ctx.store.recordItems(
      ['d1', 'd2', 'd3'].map((key) => item(key, { alerts: [alert('soc', key, { hold: true })] })),
      at(0),
    );
    const [d1, d2, d3] = await ctx.store.heldOutbox();
    const digest = {
      destination: 'soc',
      kind: 'digest' as const,
      message: { embeds: [{ title: '2 alerts' }], allowed_mentions: { parse: [] } },
    };
    expect(await ctx.store.foldIntoDigest([d1!.id, d2!.id], digest, at(60))).toBe(true);
    expect(await ctx.store.foldIntoDigest([d2!.id, d3!.id], digest, at(61))).toBe(false);
    expect((await ctx.store.heldOutbox()).map((row) => row.id)).toEqual([d3!.id]);
    const pending = await ctx.store.pendingOutbox(10);
    expect(pending.map((row) => [row.kind, row.destination, row.itemKey, row.createdAt])).toEqual([
      ['digest', 'soc', null, at(60)],
    ]);
    expect(await ctx.store.outboxCounts()).toEqual({
      pending: 1,
      sent: 0,
      rejected: 0,
      held: 1,
      digested: 2,
    });
  });

  it('tells the earliest due time among each destination’s first pending row', async () => {
    expect(await ctx.store.nextOutboxAttempt()).toBeNull();
    await queue(ctx.store, 'soc', 2, 0);
    await queue(ctx.store, 'cti', 1, 1);
    await ctx.store.acquireLeases(['soc', 'cti'].map(destinationLease), lease('w1', 0, 60));
    const [soc1] = await ctx.store.claimOutbox(1, ['soc'], lease('w1', 2, 5));
    await ctx.store.markRetry(soc1!.id, 'w1', 'HTTP 503', at(20));
    expect(await ctx.store.nextOutboxAttempt()).toBe(at(1));
    expect(await ctx.store.nextOutboxAttempt({ destinations: ['soc'] })).toBe(at(20));
    expect(ids(await ctx.store.pendingOutbox(10, { destinations: ['cti'] }))).toHaveLength(1);
    // With `now`, nothing behind a destination's first row that is not yet due.
    expect(titles(await ctx.store.pendingOutbox(10, { now: at(5) })).includes('soc 2')).toBe(false);
  });
}
