/**
 * Contract cases of what the admin commands read and change: feed totals and retries, destination
 * status, suspensions lifted by a test or a changed credential, and where each story went.
 */
import { expect, it } from 'vitest';
import { destinationLease, emptyFeedState, type LeaseRequest, type Store } from '../../src/store/store.js';
import { alert, at, clusterPlan, FEEDS, item, ivantiReport, sandwormReport, seeded } from './fixtures.js';
import type { ContractContext } from './store-contract.js';

const lease = (now: number, until = now + 60): LeaseRequest => ({
  worker: 'w1',
  now: at(now),
  until: at(until),
});

/** Claims the destination's due rows as worker w1 at minute `now`. */
async function claim(store: Store, destination: string, now: number) {
  await store.acquireLeases([destinationLease(destination)], lease(now));
  return store.claimOutbox(10, [destination], lease(now));
}

async function queue(store: Store, destination: string, keys: readonly string[], minute = 0): Promise<void> {
  await store.recordItems(
    keys.map((key) => item(key, { alerts: [alert(destination, key)] })),
    at(minute),
  );
}

export function adminCases(ctx: ContractContext): void {
  it('counts each feed’s recorded items by disposition and its alerts sent', async () => {
    await ctx.store.recordItems(
      [
        item('a', { alerts: [alert('soc', 'a'), alert('cti', 'a')] }),
        item('b', { alerts: [alert('soc', 'b')] }),
        seeded('old-1'),
        seeded('old-2'),
        item('churned', { disposition: 'quarantined' }),
        item('r', { feedUrl: FEEDS.record, alerts: [alert('soc', 'r')] }),
      ],
      at(0),
    );
    const [socA, , socR] = await claim(ctx.store, 'soc', 1);
    await ctx.store.markSent(socA!.id, 'w1', at(2), '111');
    await ctx.store.markSent(socR!.id, 'w1', at(2), '112');
    const [ctiA] = await claim(ctx.store, 'cti', 1);
    await ctx.store.markSent(ctiA!.id, 'w1', at(2), '113');

    const totals = await ctx.store.feedTotals();
    expect(totals.get(FEEDS.bleeping)).toEqual({ processed: 2, seeded: 2, quarantined: 1, alertsSent: 2 });
    expect(totals.get(FEEDS.record)).toEqual({ processed: 1, seeded: 0, quarantined: 0, alertsSent: 1 });
    expect(totals.has(FEEDS.hackerNews)).toBe(false);
  });

  it('retrying a feed makes it due and forgets its backoff, keeping its last error', async () => {
    await ctx.store.putFeedState({
      ...emptyFeedState(FEEDS.bleeping),
      lastPolledAt: at(0),
      lastError: 'HTTP 410 Gone',
      consecutiveFailures: 10,
      nextPollAt: at(24 * 60),
      disabledAt: at(0),
      disabledReason: 'the publisher answered 410 Gone',
    });
    await ctx.store.putFeedState({
      ...emptyFeedState(FEEDS.record),
      lastPolledAt: at(0),
      nextPollAt: at(10),
    });

    expect(await ctx.store.retryFeeds([FEEDS.bleeping, FEEDS.hackerNews, FEEDS.bleeping], at(5))).toEqual([
      FEEDS.bleeping,
    ]);
    expect(await ctx.store.getFeedState(FEEDS.bleeping)).toMatchObject({
      nextPollAt: at(5),
      consecutiveFailures: 0,
      disabledAt: null,
      disabledReason: null,
      lastError: 'HTTP 410 Gone',
      lastPolledAt: at(0),
    });
    // Untouched, and a feed never polled has no row to change.
    expect((await ctx.store.getFeedState(FEEDS.record))?.nextPollAt).toBe(at(10));
    expect(await ctx.store.getFeedState(FEEDS.hackerNews)).toBeNull();
    expect(await ctx.store.retryFeeds([], at(5))).toEqual([]);
  });

  it('reports each destination’s queue, last success, suspension and last error', async () => {
    await queue(ctx.store, 'soc', ['soc-1', 'soc-2', 'soc-3']);
    await queue(ctx.store, 'cti', ['cti-1', 'cti-2']);
    await ctx.store.recordItems([item('held-1', { alerts: [alert('soc', 'held', { hold: true })] })], at(0));

    const [soc1] = await claim(ctx.store, 'soc', 1);
    await ctx.store.markSent(soc1!.id, 'w1', at(1), '201');
    const [soc2] = await claim(ctx.store, 'soc', 2);
    const refusal = 'Discord send via "soc" failed with 404 (code 10015): Unknown Webhook';
    expect(await ctx.store.markSuspended(soc2!.id, 'w1', refusal, at(62))).toBe(true);
    const [cti1] = await claim(ctx.store, 'cti', 2);
    await ctx.store.markRejected(cti1!.id, 'w1', 'Discord send via "cti" failed with 400: Invalid Form Body');
    const [cti2] = await claim(ctx.store, 'cti', 3);
    await ctx.store.markRetry(cti2!.id, 'w1', 'HTTP 503', at(4));

    expect(await ctx.store.destinationStatus(['soc', 'cti', 'quiet'])).toEqual([
      {
        destination: 'soc',
        pending: 2,
        held: 1,
        rejected: 0,
        lastSentAt: at(1),
        head: { nextAttemptAt: at(62), attempts: 1, lastError: refusal, suspended: true },
        lastError: refusal,
      },
      {
        destination: 'cti',
        pending: 1,
        held: 0,
        rejected: 1,
        lastSentAt: null,
        head: { nextAttemptAt: at(4), attempts: 1, lastError: 'HTTP 503', suspended: false },
        lastError: 'HTTP 503',
      },
      {
        destination: 'quiet',
        pending: 0,
        held: 0,
        rejected: 0,
        lastSentAt: null,
        head: null,
        lastError: null,
      },
    ]);
    // A suspended row still goes out once due, and an ordinary retry clears the mark.
    const [again] = await claim(ctx.store, 'soc', 62);
    expect(again?.id).toBe(soc2!.id);
    await ctx.store.markRetry(again!.id, 'w1', 'HTTP 502', at(63));
    const [soc] = await ctx.store.destinationStatus(['soc']);
    expect(soc?.head).toMatchObject({ suspended: false, attempts: 2, lastError: 'HTTP 502' });
    // With nothing pending, the newest rejection is the last error.
    const [rest] = await claim(ctx.store, 'cti', 5);
    await ctx.store.markSent(rest!.id, 'w1', at(5), '202');
    const [cti] = await ctx.store.destinationStatus(['cti']);
    expect(cti).toMatchObject({ pending: 0, head: null, lastSentAt: at(5) });
    expect(cti?.lastError).toMatch(/Invalid Form Body/);
  });

  it('lifting a suspension makes the destination’s waiting rows due now, and only that destination’s', async () => {
    await queue(ctx.store, 'soc', ['soc-1', 'soc-2']);
    await queue(ctx.store, 'cti', ['cti-1']);
    const [soc1] = await claim(ctx.store, 'soc', 1);
    await ctx.store.markSuspended(soc1!.id, 'w1', 'failed with 401: Unauthorized', at(61));
    const [cti1] = await claim(ctx.store, 'cti', 1);
    await ctx.store.markSuspended(cti1!.id, 'w1', 'failed with 404: Unknown Webhook', at(61));
    expect(await claim(ctx.store, 'soc', 2)).toEqual([]);

    expect(await ctx.store.liftSuspension('soc', at(3))).toBe(1);
    const [soc] = await ctx.store.destinationStatus(['soc']);
    expect(soc?.head).toMatchObject({ nextAttemptAt: at(3), suspended: false });
    expect((await claim(ctx.store, 'soc', 3)).map((row) => row.id)).toEqual([soc1!.id, expect.any(Number)]);
    const [cti] = await ctx.store.destinationStatus(['cti']);
    expect(cti?.head).toMatchObject({ nextAttemptAt: at(61), suspended: true });
    // Nothing waiting: nothing to lift.
    expect(await ctx.store.liftSuspension('nowhere', at(3))).toBe(0);
  });

  it('a changed credential fingerprint lifts its destination’s suspension; a first or same one does not', async () => {
    await queue(ctx.store, 'soc', ['soc-1']);
    await queue(ctx.store, 'cti', ['cti-1']);
    const [soc1] = await claim(ctx.store, 'soc', 1);
    await ctx.store.markSuspended(soc1!.id, 'w1', 'failed with 404', at(61));
    const [cti1] = await claim(ctx.store, 'cti', 1);
    await ctx.store.markSuspended(cti1!.id, 'w1', 'failed with 404', at(61));

    const first = [
      { destination: 'soc', fingerprint: 'f-soc-1' },
      { destination: 'cti', fingerprint: 'f-cti-1' },
    ];
    expect(await ctx.store.noteCredentials(first, at(2))).toEqual([]);
    expect(await ctx.store.noteCredentials(first, at(3))).toEqual([]);
    expect((await ctx.store.destinationStatus(['soc']))[0]?.head?.suspended).toBe(true);

    const changed = [
      { destination: 'soc', fingerprint: 'f-soc-2' },
      { destination: 'cti', fingerprint: 'f-cti-1' },
    ];
    expect(await ctx.store.noteCredentials(changed, at(4))).toEqual(['soc']);
    const [soc, cti] = await ctx.store.destinationStatus(['soc', 'cti']);
    expect(soc?.head).toMatchObject({ nextAttemptAt: at(4), suspended: false });
    expect(cti?.head).toMatchObject({ nextAttemptAt: at(61), suspended: true });
    // Remembered across a restart.
    const reopened = await ctx.reopen();
    expect(await reopened.noteCredentials(changed, at(5))).toEqual([]);
    expect(await reopened.noteCredentials([], at(5))).toEqual([]);
  });

  it('lists the stories of a period, newest first, with what each destination got', async () => {
    const plan = clusterPlan(
      new Map([
        ['bc-ivanti', ivantiReport('BleepingComputer')],
        ['bc-sandworm', sandwormReport('BleepingComputer')],
      ]),
      { now: at(0), since: at(-48 * 60), destinations: ['soc', 'cti'] },
    );
    await ctx.store.recordItems([item('bc-ivanti'), item('bc-sandworm')], at(0), plan);
    const later = clusterPlan(new Map([['tr-ivanti', ivantiReport('The Record')]]), {
      now: at(30),
      since: at(-48 * 60),
      destinations: ['soc', 'cti'],
    });
    await ctx.store.recordItems([item('tr-ivanti', { feedUrl: FEEDS.record })], at(30), later);
    const socRows = await claim(ctx.store, 'soc', 31);
    for (const row of socRows) await ctx.store.markSent(row.id, 'w1', at(31), `3${row.id}`);
    const [ctiFirst] = await claim(ctx.store, 'cti', 31);
    await ctx.store.markHeld(ctiFirst!.id, 'w1');

    const listed = await ctx.store.storyDeliveries(at(-60), 10);
    expect(listed.map((entry) => entry.story.first.title)).toEqual([
      ivantiReport('x').title,
      sandwormReport('x').title,
    ]);
    const [ivanti, sandworm] = listed;
    expect(ivanti?.story.sources.map((source) => source.name)).toContain('The Record');
    const soc = ivanti?.deliveries.filter((row) => row.destination === 'soc');
    expect(soc?.[0]).toMatchObject({ kind: 'alert', status: 'sent', sentAt: at(31) });
    expect(soc?.slice(1).map((row) => row.kind)).not.toContain('alert');
    expect(ivanti?.deliveries.find((row) => row.destination === 'cti')).toMatchObject({
      kind: 'alert',
      status: 'held',
      sentAt: null,
    });
    expect(sandworm?.deliveries.map((row) => [row.destination, row.status])).toEqual([
      ['soc', 'sent'],
      ['cti', 'pending'],
    ]);
    // The period and the limit.
    expect(await ctx.store.storyDeliveries(at(20), 10)).toHaveLength(1);
    expect(await ctx.store.storyDeliveries(at(-60), 1)).toHaveLength(1);
    expect(await ctx.store.storyDeliveries(at(40), 10)).toEqual([]);
  });
}
