/** Contract cases: feed state, recording items with their alerts, stories, notices, counts, schema. */
import { expect, it } from 'vitest';
import { emptyFeedState, type FeedState, type ItemRecord } from '../../src/store/store.js';
import {
  alert,
  at,
  clusterPlan,
  FEEDS,
  item,
  ivantiReport,
  lazarusReport,
  sandwormReport,
  seeded,
} from './fixtures.js';
import type { ContractContext } from './store-contract.js';

const titles = (rows: ReadonlyArray<{ message: { embeds: Array<{ title?: string }> } }>): unknown[] =>
  rows.map((row) => row.message.embeds[0]?.title);

export function ledgerCases(ctx: ContractContext): void {
  it('round-trips a feed state and updates it in place; another worker reads the same', async () => {
    expect(await ctx.store.getFeedState(FEEDS.record)).toBeNull();
    const state: FeedState = {
      ...emptyFeedState(FEEDS.record),
      etag: 'W/"65a1-18c3"',
      lastModified: 'Thu, 28 Nov 2026 09:58:12 GMT',
      lastPolledAt: at(0),
      lastSuccessAt: at(0),
      lastError: 'HTTP 503 Service Unavailable',
      consecutiveFailures: 2,
      initializedAt: at(-600),
      nextPollAt: at(15),
      publishTimes: [at(-120), at(-60), at(-5)],
      lastNewItemAt: at(-5),
      movedTo: 'https://therecord.media/rss.xml',
    };
    await ctx.store.putFeedState(state);
    const next = {
      ...state,
      etag: 'W/"65a1-18c4"',
      consecutiveFailures: 0,
      lastError: null,
      nextPollAt: at(30),
    };
    await ctx.store.putFeedState(next);
    expect(await ctx.store.getFeedState(FEEDS.record)).toEqual(next);
    const other = await ctx.worker();
    expect(await other.getFeedState(FEEDS.record)).toEqual(next);
  });

  it('marks a batch seen together with its outbox rows, in batch order', async () => {
    await ctx.store.recordItems(
      [
        item('ivanti-zero-day', {
          alerts: [alert('soc-alerts', 'Volt Typhoon blamed'), alert('cti', 'Volt Typhoon')],
        }),
        seeded('patch-tuesday'),
        item('sandworm-wiper', { feedUrl: FEEDS.record, alerts: [alert('soc-alerts', 'Sandworm blamed')] }),
      ],
      at(1),
    );
    expect(
      await ctx.store.unseenKeys(['ivanti-zero-day', 'patch-tuesday', 'sandworm-wiper', 'new-one']),
    ).toEqual(new Set(['new-one']));
    const rows = await ctx.store.pendingOutbox(10);
    expect(rows.map((row) => [row.itemKey, row.destination, row.kind, row.status, row.attempts])).toEqual([
      ['ivanti-zero-day', 'soc-alerts', 'alert', 'pending', 0],
      ['ivanti-zero-day', 'cti', 'alert', 'pending', 0],
      ['sandworm-wiper', 'soc-alerts', 'alert', 'pending', 0],
    ]);
    expect(rows[0]).toMatchObject({ nextAttemptAt: at(1), createdAt: at(1), sentAt: null, lastError: null });
    expect(titles(rows)).toEqual(['Volt Typhoon blamed', 'Volt Typhoon', 'Sandworm blamed']);
  });

  it('tells what was recorded for seen keys: first feed, disposition, hashes', async () => {
    await ctx.store.recordItems(
      [
        item('a1', { disposition: 'processed' }),
        seeded('a2'),
        item('a3', { disposition: 'quarantined', feedUrl: FEEDS.hackerNews }),
      ],
      at(0),
    );
    await ctx.store.recordItems(
      [item('a1', { feedUrl: FEEDS.record, title: 'Same link, other feed' })],
      at(2),
    );
    const seen = await ctx.store.seenItems(['a1', 'a2', 'a3', 'missing', 'a1']);
    expect([...seen.keys()].sort()).toEqual(['a1', 'a2', 'a3']);
    expect(seen.get('a1')).toEqual({
      feedUrl: FEEDS.bleeping,
      title: 'Report a1',
      disposition: 'processed',
      contentHash: 'sha256:a1',
      fingerprint: '[true,["volt typhoon"],["china"]]',
    });
    expect(seen.get('a2')).toMatchObject({ disposition: 'seeded', contentHash: null, fingerprint: null });
    expect(seen.get('a3')).toMatchObject({ disposition: 'quarantined', feedUrl: FEEDS.hackerNews });
  });

  it('queues an item once: recorded again (another feed, or twice in one batch) it queues nothing', async () => {
    await ctx.store.recordItems([item('shared-link', { alerts: [alert('soc-alerts', 'first')] })], at(0));
    await ctx.store.recordItems(
      [
        item('shared-link', { feedUrl: FEEDS.record, alerts: [alert('soc-alerts', 'second')] }),
        item('twice', { alerts: [alert('soc-alerts', 'twice #1')] }),
        item('twice', { alerts: [alert('soc-alerts', 'twice #2')] }),
      ],
      at(1),
    );
    expect(titles(await ctx.store.pendingOutbox(10))).toEqual(['first', 'twice #1']);
  });

  it('writes nothing when the batch fails part-way', async () => {
    const broken = item('broken', { alerts: [alert('soc-alerts', 'x')] });
    (broken.alerts[0] as { destination: unknown }).destination = null;
    await expect(
      ctx.store.recordItems([item('fine', { alerts: [alert('soc-alerts', 'fine')] }), broken], at(0)),
    ).rejects.toThrow();
    expect(await ctx.store.unseenKeys(['fine', 'broken'])).toEqual(new Set(['fine', 'broken']));
    expect(await ctx.store.outboxCounts()).toEqual({
      pending: 0,
      sent: 0,
      rejected: 0,
      held: 0,
      digested: 0,
    });
  });

  it('records a revision of a seen item: new title and hash, fingerprint kept when absent, alerts queued', async () => {
    await ctx.store.recordItems([item('edited', { alerts: [alert('soc-alerts', 'v1')] })], at(0));
    const revision: ItemRecord = {
      ...item('edited', { title: 'Updated: attribution added', contentHash: 'sha256:v2' }),
      revision: true,
      alerts: [alert('soc-alerts', 'v2')],
    };
    delete revision.fingerprint;
    await ctx.store.recordItems([revision], at(5));
    expect((await ctx.store.seenItems(['edited'])).get('edited')).toMatchObject({
      title: 'Updated: attribution added',
      contentHash: 'sha256:v2',
      fingerprint: '[true,["volt typhoon"],["china"]]',
    });
    expect(titles(await ctx.store.pendingOutbox(10))).toEqual(['v1', 'v2']);
  });

  it('opens a story for a first report and joins later reports of the incident to it', async () => {
    const first = clusterPlan(new Map([['bc-ivanti', ivantiReport('BleepingComputer')]]), {
      now: at(0),
      since: at(-48 * 60),
    });
    await ctx.store.recordItems([item('bc-ivanti'), item('bc-unrelated')], at(0), first);
    const [opened] = await ctx.store.recentStories(at(-60));
    expect(opened).toMatchObject({ first: { sourceName: 'BleepingComputer' }, destinations: ['soc-alerts'] });
    expect(opened!.id).toEqual(expect.any(Number));
    const second = clusterPlan(
      new Map([
        ['tr-ivanti', ivantiReport('The Record')],
        ['tr-sandworm', sandwormReport('The Record')],
      ]),
      { now: at(30), since: at(-48 * 60) },
    );
    await ctx.store.recordItems(
      [item('tr-ivanti', { feedUrl: FEEDS.record }), item('tr-sandworm', { feedUrl: FEEDS.record })],
      at(30),
      second,
    );
    expect(second.calls).toHaveLength(1);
    expect(second.calls[0]!.stories.map((story) => story.id)).toEqual([opened!.id]);
    const stories = await ctx.store.recentStories(at(-60));
    expect(
      stories.map((story) => [story.id, story.first.sourceName, story.sources.map((s) => s.name)]),
    ).toEqual([
      [opened!.id, 'BleepingComputer', ['The Record']],
      [expect.any(Number), 'The Record', []],
    ]);
    expect(stories[0]!.updatedAt).toBe(at(30));
    const rows = await ctx.store.pendingOutbox(10);
    expect(rows.map((row) => [row.itemKey, row.kind, row.storyId])).toEqual([
      ['bc-ivanti', 'alert', opened!.id],
      ['tr-ivanti', 'edit', opened!.id],
      ['tr-sandworm', 'alert', stories[1]!.id],
    ]);
  });

  it('gives the plan only stories created since `since` and only the records that will be recorded', async () => {
    const old = clusterPlan(new Map([['old-ivanti', ivantiReport('SecurityWeek')]]), {
      now: at(-3 * 24 * 60),
      since: at(-5 * 24 * 60),
    });
    await ctx.store.recordItems([item('old-ivanti')], at(-3 * 24 * 60), old);
    await ctx.store.recordItems([item('already-seen')], at(0));
    const plan = clusterPlan(
      new Map([
        ['already-seen', ivantiReport('The Record')],
        ['fresh-ivanti', ivantiReport('BleepingComputer')],
      ]),
      { now: at(10), since: at(-48 * 60) },
    );
    await ctx.store.recordItems([item('already-seen'), item('fresh-ivanti')], at(10), plan);
    expect(plan.calls).toEqual([{ stories: [], keys: ['fresh-ivanti'] }]);
    // The three-day-old story was out of the window: the report opened a story of its own.
    expect((await ctx.store.recentStories(at(-5 * 24 * 60))).map((story) => story.first.sourceName)).toEqual([
      'SecurityWeek',
      'BleepingComputer',
    ]);
  });

  it("coalesces a story's edits per destination: a newer edit replaces one waiting (pending or held), never a sent one", async () => {
    const claimAt = (minute: number) => ({ worker: 'w1', now: at(minute), until: at(minute + 60) });
    await ctx.store.acquireLeases(['destination:soc'], claimAt(0));
    const report = async (key: string, outlet: string, minute: number): Promise<void> => {
      const plan = clusterPlan(new Map([[key, ivantiReport(outlet)]]), {
        now: at(minute),
        since: at(-60),
        destinations: ['soc', 'cti'],
      });
      await ctx.store.recordItems([item(key)], at(minute), plan);
    };
    const waiting = async (): Promise<unknown[]> =>
      [...(await ctx.store.pendingOutbox(50)), ...(await ctx.store.heldOutbox())]
        .sort((a, b) => a.id - b.id)
        .map((row) => [row.itemKey, row.kind, row.destination, row.status]);
    await report('r1', 'BleepingComputer', 0);
    await report('r2', 'The Record', 1);
    const [alertSoc, editSoc] = await ctx.store.claimOutbox(10, ['soc'], claimAt(2));
    expect([alertSoc?.kind, editSoc?.kind]).toEqual(['alert', 'edit']);
    expect(await ctx.store.markSent(alertSoc!.id, 'w1', at(2), '1310000000000000002')).toBe(true);
    await report('r3', 'SecurityWeek', 3);
    expect(await waiting()).toEqual([
      ['r1', 'alert', 'cti', 'pending'],
      ['r3', 'edit', 'soc', 'pending'],
      ['r3', 'edit', 'cti', 'pending'],
    ]);
    const [edit3] = await ctx.store.claimOutbox(10, ['soc'], claimAt(3));
    expect(await ctx.store.markHeld(edit3!.id, 'w1')).toBe(true);
    await report('r4', 'Dark Reading', 4);
    const [edit4] = await ctx.store.claimOutbox(10, ['soc'], claimAt(4));
    expect(edit4).toMatchObject({ itemKey: 'r4', kind: 'edit' });
    expect(await ctx.store.markSent(edit4!.id, 'w1', at(5), '1310000000000000002')).toBe(true);
    await report('r5', 'The Hacker News', 6);
    expect(await waiting()).toEqual([
      ['r1', 'alert', 'cti', 'pending'],
      ['r5', 'edit', 'soc', 'pending'],
      ['r5', 'edit', 'cti', 'pending'],
    ]);
    expect((await ctx.store.outboxCounts()).sent).toBe(2);
  });

  it('lists stories oldest first since a time and newest updated first up to a limit', async () => {
    const reports = new Map([
      ['s1', ivantiReport('BleepingComputer', 'CVE-2026-0001')],
      ['s2', sandwormReport('The Record')],
      ['s3', lazarusReport('SecurityWeek')],
    ]);
    for (const [index, key] of ['s1', 's2', 's3'].entries()) {
      const plan = clusterPlan(new Map([[key, reports.get(key)!]]), { now: at(index * 10), since: at(-60) });
      await ctx.store.recordItems([item(key)], at(index * 10), plan);
    }
    const join = clusterPlan(new Map([['s1-again', ivantiReport('Dark Reading', 'CVE-2026-0001')]]), {
      now: at(40),
      since: at(-60),
    });
    await ctx.store.recordItems([item('s1-again')], at(40), join);
    expect((await ctx.store.recentStories(at(5))).map((story) => story.first.sourceName)).toEqual([
      'The Record',
      'SecurityWeek',
    ]);
    expect((await ctx.store.latestStories(2)).map((story) => story.first.sourceName)).toEqual([
      'BleepingComputer',
      'SecurityWeek',
    ]);
  });

  it('queues admin notices without an item, in order', async () => {
    await ctx.store.enqueueNotices(
      [
        alert('admins', 'Feed https://therecord.media/feed/ failing for 6 hours'),
        alert('admins', 'Feed moved'),
      ],
      at(3),
    );
    const rows = await ctx.store.pendingOutbox(10);
    expect(rows.map((row) => [row.kind, row.itemKey, row.storyId, row.destination, row.createdAt])).toEqual([
      ['notice', null, null, 'admins', at(3)],
      ['notice', null, null, 'admins', at(3)],
    ]);
    expect(titles(rows)).toEqual(['Feed https://therecord.media/feed/ failing for 6 hours', 'Feed moved']);
  });

  it('counts outbox rows per status', async () => {
    await ctx.store.recordItems(
      [
        item('c1', { alerts: [alert('soc', 'a'), alert('soc', 'b'), alert('soc', 'c'), alert('soc', 'd')] }),
        item('c2', { alerts: [alert('soc', 'held', { hold: true })] }),
      ],
      at(0),
    );
    await ctx.store.acquireLeases(['destination:soc'], { worker: 'w1', now: at(0), until: at(5) });
    const [a, b, c] = await ctx.store.claimOutbox(3, ['soc'], { worker: 'w1', now: at(0), until: at(5) });
    expect(await ctx.store.markSent(a!.id, 'w1', at(1), '1310000000000000001')).toBe(true);
    expect(await ctx.store.markRejected(b!.id, 'w1', 'Invalid Form Body')).toBe(true);
    expect(await ctx.store.markHeld(c!.id, 'w1')).toBe(true);
    expect(await ctx.store.outboxCounts()).toEqual({
      pending: 1,
      sent: 1,
      rejected: 1,
      held: 2,
      digested: 0,
    });
  });

  it('probes read and write access without changing anything', async () => {
    await ctx.store.probe();
    expect(await ctx.store.getFeedState('attribot:health-probe')).toBeNull();
  });

  it('keeps everything across a restart', async () => {
    await ctx.store.recordItems([item('kept', { alerts: [alert('soc', 'kept')] })], at(0));
    const store = await ctx.reopen();
    expect(await store.unseenKeys(['kept'])).toEqual(new Set());
    expect(titles(await store.pendingOutbox(10))).toEqual(['kept']);
  });

  it('refuses a database whose schema a newer attribot wrote', async () => {
    await ctx.database.setSchemaVersion(99);
    await expect(ctx.worker()).rejects.toThrow(/schema version 99 is newer than this attribot/);
  });
}
