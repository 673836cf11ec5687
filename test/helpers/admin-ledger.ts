/**
 * A ledger as a worker leaves it after a day, written through the Store API, for the admin commands'
 * tests: four feeds in four states, two webhook destinations (one suspended after a 404), stories
 * sent, held and pending, and an older story outside the default period.
 */
import { writeFileSync } from 'node:fs';
import { destinationLease, emptyFeedState, type LeaseRequest, type Store } from '../../src/store/store.js';
import {
  clusterPlan,
  FEEDS,
  item,
  ivantiReport,
  lazarusReport,
  sandwormReport,
} from '../contract/fixtures.js';

export const GONE_FEED = 'https://gone.example/feed';
export const MOVED_TO = 'https://therecord.media/rss';
export const REFUSAL = 'Discord send via "intel" failed with 404 (code 10015): Unknown Webhook';

/** The config the ledger belongs to: feeds by these URLs, `intel` and `soc` webhooks, a console. */
export function writeAdminConfig(file: string): void {
  writeFileSync(
    file,
    [
      'feeds:',
      `  - { url: "${FEEDS.record}", name: The Record }`,
      `  - { url: "${FEEDS.bleeping}", name: BleepingComputer }`,
      `  - { url: "${GONE_FEED}", name: Gone Weekly }`,
      `  - { url: "${FEEDS.hackerNews}", name: The Hacker News }`,
      'destinations:',
      '  - { name: intel, type: webhook, webhookUrlEnv: INTEL_WEBHOOK_URL }',
      '  - { name: soc, type: webhook, webhookUrlEnv: SOC_WEBHOOK_URL }',
      '  - { name: log, type: console }',
      'routes:',
      '  - { name: all, destinations: [intel, soc] }',
      '',
    ].join('\n'),
  );
}

const iso = (now: number, minutes: number): string => new Date(now + minutes * 60_000).toISOString();

export async function writeAdminLedger(store: Store, now = Date.now()): Promise<void> {
  await store.putFeedState({
    ...emptyFeedState(FEEDS.record),
    lastPolledAt: iso(now, -5),
    lastSuccessAt: iso(now, -5),
    initializedAt: iso(now, -600),
    nextPollAt: iso(now, 10),
    movedTo: MOVED_TO,
  });
  await store.putFeedState({
    ...emptyFeedState(FEEDS.bleeping),
    lastPolledAt: iso(now, -20),
    lastSuccessAt: iso(now, -300),
    lastError: 'HTTP 503 Service Unavailable',
    consecutiveFailures: 3,
    initializedAt: iso(now, -600),
    nextPollAt: iso(now, 100),
  });
  await store.putFeedState({
    ...emptyFeedState(GONE_FEED),
    lastPolledAt: iso(now, -60),
    lastSuccessAt: iso(now, -3 * 24 * 60),
    lastError: 'HTTP 410 Gone',
    consecutiveFailures: 1,
    nextPollAt: iso(now, 23 * 60),
    disabledAt: iso(now, -60),
    disabledReason: 'the publisher answered 410 Gone',
  });

  // Three days ago: one story, sent everywhere.
  const old = clusterPlan(new Map([['bc-lazarus', lazarusReport('BleepingComputer')]]), {
    now: iso(now, -3 * 24 * 60),
    since: iso(now, -5 * 24 * 60),
    destinations: ['intel', 'soc'],
  });
  await store.recordItems([item('bc-lazarus')], iso(now, -3 * 24 * 60), old);
  await deliver(store, 'soc', now - 3 * 24 * 3_600_000, (row) =>
    store.markSent(row.id, 'w', row.createdAt, '901'),
  );
  await deliver(store, 'intel', now - 3 * 24 * 3_600_000, (row) =>
    store.markSent(row.id, 'w', row.createdAt, '902'),
  );

  // The last hour: two stories; soc got the first and holds the second for its digest, intel refused.
  const plan = clusterPlan(
    new Map([
      ['bc-ivanti', ivantiReport('BleepingComputer')],
      ['tr-sandworm', sandwormReport('The Record')],
    ]),
    { now: iso(now, -60), since: iso(now, -48 * 60), destinations: ['intel', 'soc'] },
  );
  await store.recordItems(
    [item('bc-ivanti'), item('tr-sandworm', { feedUrl: FEEDS.record })],
    iso(now, -60),
    plan,
  );
  let socRows = 0;
  await deliver(store, 'soc', now - 50 * 60_000, (row) =>
    socRows++ === 0 ? store.markSent(row.id, 'w', iso(now, -50), '903') : store.markHeld(row.id, 'w'),
  );
  let intelRows = 0;
  await deliver(store, 'intel', now - 50 * 60_000, async (row) =>
    intelRows++ === 0 ? store.markSuspended(row.id, 'w', REFUSAL, iso(now, 10)) : false,
  );
  await store.releaseLeases('w');
}

/** Claims a destination's due rows as worker `w` at `at` and settles each with `settle`. */
async function deliver(
  store: Store,
  destination: string,
  at: number,
  settle: (row: { id: number; createdAt: string }) => Promise<boolean>,
): Promise<void> {
  const lease: LeaseRequest = {
    worker: 'w',
    now: new Date(at).toISOString(),
    until: new Date(at + 60_000).toISOString(),
  };
  await store.acquireLeases([destinationLease(destination)], lease);
  for (const row of await store.claimOutbox(10, [destination], lease)) await settle(row);
  await store.releaseLeases('w');
}
