/**
 * Delivery when several workers share one database (two SqliteStore handles on one file, as two
 * processes have): destinations are leased, rows claimed, and a send that went out is never sent
 * again because recording it failed.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_MS, drainOutbox, UnrecordedSends } from '../../src/deliver/outbox-worker.js';
import type { Sender, SendResult } from '../../src/deliver/sender.js';
import { createLogger, silentLogger } from '../../src/shared/logger.js';
import type { OutgoingMessage } from '../../src/shared/message.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { isDeadLocalWorker, workerId } from '../../src/store/worker-leases.js';
import { failingCalls } from '../helpers/faulty-store.js';
import { alertItems, plainMessage } from '../helpers/messages.js';
import { ScriptedSender } from '../helpers/scripted-sender.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { TestClock } from '../helpers/test-clock.js';

const START = '2026-11-28T12:00:00.000Z';

/** A destination shared by several workers: every post lands in one list, as in one channel. */
class ChannelSender implements Sender {
  readonly name: string;
  readonly posts: string[];
  #id = 1;
  constructor(name: string, posts: string[]) {
    this.name = name;
    this.posts = posts;
  }
  async send(message: OutgoingMessage): Promise<SendResult> {
    // A real round trip's worth of waiting, so two workers' drains interleave.
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.posts.push(message.embeds[0]?.title ?? '?');
    return { messageId: String(this.#id++) };
  }
}

describe('outbox claims', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let first: SqliteStore;
  let second: SqliteStore;
  let clock: TestClock;

  beforeEach(() => {
    temp = makeTempDir();
    const path = join(temp.dir, 'shared.db');
    first = new SqliteStore(path);
    second = new SqliteStore(path);
    clock = new TestClock(START);
  });
  afterEach(async () => {
    await first.close();
    await second.close();
    temp.cleanup();
  });

  function drain(
    store: Store,
    worker: string,
    senders: Sender[],
    extra: { unrecorded?: UnrecordedSends; budgetMs?: number } = {},
    batchSize = 100,
  ) {
    return drainOutbox(
      {
        store,
        clock,
        log: silentLogger(),
        worker,
        senders: new Map(senders.map((sender) => [sender.name, sender])),
        flood: { cap: 1000, windowMs: 3_600_000, digestIntervalMs: 3_600_000 },
        ...extra,
      },
      batchSize,
    );
  }

  it('two workers draining at once post every alert once, in order per destination', async () => {
    const titles = (prefix: string) =>
      Array.from({ length: 30 }, (_, n) => `${prefix}-${String(n).padStart(2, '0')}`);
    await first.recordItems(alertItems('alpha', titles('a'), { keyPrefix: 'a:' }), START);
    await first.recordItems(alertItems('beta', titles('b'), { keyPrefix: 'b:' }), START);
    const channels = { alpha: [] as string[], beta: [] as string[] };
    const sendersOf = () => [
      new ChannelSender('alpha', channels.alpha),
      new ChannelSender('beta', channels.beta),
    ];
    for (let round = 0; round < 10 && (await first.pendingOutbox(1)).length > 0; round++) {
      await Promise.all([drain(first, 'w1', sendersOf()), drain(second, 'w2', sendersOf())]);
    }
    expect(channels.alpha).toEqual(titles('a'));
    expect(channels.beta).toEqual(titles('b'));
    expect((await first.outboxCounts()).sent).toBe(60);
  });

  it('shares a drain fairly: one row of a small destination goes out beside 150 of a busy one', async () => {
    const busy = Array.from({ length: 150 }, (_, n) => `busy-${n}`);
    await first.recordItems(alertItems('busy', busy, { keyPrefix: 'busy:' }), START);
    await first.recordItems(alertItems('quiet', ['quiet-0'], { keyPrefix: 'quiet:' }), START);
    const loud = new ScriptedSender('busy');
    const quiet = new ScriptedSender('quiet');
    const summary = await drain(first, 'w1', [loud, quiet]);
    expect(summary.sent).toBe(100);
    expect(quiet.sent).toHaveLength(1);
    expect(loud.sent).toHaveLength(99);
  });

  it('sends to destinations in parallel: a slow one holds up only itself', async () => {
    await first.recordItems(alertItems('slow', ['s1', 's2'], { keyPrefix: 's:' }), START);
    await first.recordItems(alertItems('fast', ['f1', 'f2', 'f3'], { keyPrefix: 'f:' }), START);
    const delivered: string[] = [];
    const sender = (name: string, delayMs: number): Sender => ({
      name,
      async send(message) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delivered.push(message.embeds[0]?.title ?? '?');
        return {};
      },
    });
    const summary = await drain(first, 'w1', [sender('slow', 150), sender('fast', 1)]);
    expect(summary.sent).toBe(5);
    // Each destination in its own order; the fast one done before the slow one's first answer.
    expect(delivered).toEqual(['f1', 'f2', 'f3', 's1', 's2']);
  });

  it('drains a backlog in one go while its time budget lasts', async () => {
    const backlog = Array.from({ length: 250 }, (_, n) => `row-${n}`);
    await first.recordItems(alertItems('main', backlog, { keyPrefix: 'b:' }), START);
    const sender = new ScriptedSender('main');
    const summary = await drain(first, 'w1', [sender], { budgetMs: 60_000 });
    expect(summary.sent).toBe(250);
    expect(sender.sent.map((message) => message.embeds[0]?.title)).toEqual(backlog);
  });

  it('a destination leased by a worker that stopped answering waits for the lease, then moves on', async () => {
    await first.recordItems(alertItems('main', ['one', 'two'], { keyPrefix: 'm:' }), START);
    // w1 leased and claimed, then died without a word.
    const lease = {
      worker: 'w1',
      now: START,
      until: new Date(Date.parse(START) + DEFAULT_LEASE_MS).toISOString(),
    };
    await first.acquireLeases(['destination:main'], lease);
    const [claimed] = await first.claimOutbox(1, ['main'], lease);
    const sender = new ScriptedSender('main');
    expect((await drain(second, 'w2', [sender])).sent).toBe(0);
    clock.advance(DEFAULT_LEASE_MS + 1);
    expect((await drain(second, 'w2', [sender])).sent).toBe(2);
    expect(sender.sent.map((message) => message.embeds[0]?.title)).toEqual(['one', 'two']);
    // The dead worker's late word changes nothing.
    expect(await first.markRetry(claimed!.id, 'w1', 'late', START)).toBe(false);
    expect((await first.outboxCounts()).sent).toBe(2);
  });

  it('a send the store could not record is recorded later, never sent again', async () => {
    await first.recordItems(alertItems('main', ['one', 'two'], { keyPrefix: 'm:' }), START);
    // Every immediate attempt of the first drain fails; the next drain's record succeeds.
    let failures = 4;
    const flaky = failingCalls(first, 'markSent', () => failures-- > 0);
    const sender = new ScriptedSender('main');
    const unrecorded = new UnrecordedSends();
    const firstDrain = await drain(flaky, 'w1', [sender], { unrecorded });
    expect(firstDrain.sent).toBe(1);
    expect(unrecorded.size).toBe(1);
    // The destination owes a record: 'two' waits, and the lease stays with w1.
    expect(sender.sent.map((message) => message.embeds[0]?.title)).toEqual(['one']);
    expect((await first.listLeases()).map((held) => [held.name, held.owner])).toEqual([
      ['destination:main', 'w1'],
    ]);
    expect((await drain(second, 'w2', [new ScriptedSender('main')])).sent).toBe(0);

    const secondDrain = await drain(flaky, 'w1', [sender], { unrecorded });
    expect(secondDrain.sent).toBe(1);
    expect(unrecorded.size).toBe(0);
    expect(sender.attempts.map((message) => message.embeds[0]?.title)).toEqual(['one', 'two']);
    expect((await first.outbox()).map((row) => [row.status, row.discordMessageId])).toEqual([
      ['sent', '1000'],
      ['sent', '1001'],
    ]);
  }, 15_000);

  it('a stopping worker keeps trying to record what Discord took, and records it once the store is back', async () => {
    await first.recordItems(alertItems('main', ['one'], { keyPrefix: 's:' }), START);
    // The drain's immediate attempts fail, then the first two tries of the stopping worker.
    let failures = 6;
    const flaky = failingCalls(first, 'markSent', () => failures-- > 0);
    const sender = new ScriptedSender('main');
    const unrecorded = new UnrecordedSends();
    await drain(flaky, 'w1', [sender], { unrecorded });
    expect(unrecorded.size).toBe(1);

    expect(await unrecorded.settleBeforeExit(flaky, 'w1', silentLogger(), 10_000)).toBe(0);
    expect((await first.outbox()).map((row) => row.status)).toEqual(['sent']);
    // Nothing is left for the next worker to post again.
    const next = new ScriptedSender('main');
    expect((await drain(second, 'w2', [next])).sent).toBe(0);
    expect(sender.attempts).toHaveLength(1);
  }, 20_000);

  it('a stopping worker whose store stays down says which sent rows it could not record', async () => {
    await first.recordItems(alertItems('main', ['one'], { keyPrefix: 'd:' }), START);
    const down = failingCalls(first, 'markSent', () => true);
    const unrecorded = new UnrecordedSends();
    await drain(down, 'w1', [new ScriptedSender('main')], { unrecorded });
    const lines: Array<{ level: string; msg: string; outboxIds?: number[] }> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as (typeof lines)[number]);
        done();
      },
    });
    const log = createLogger({ level: 'info', format: 'json', stream });
    expect(await unrecorded.settleBeforeExit(down, 'w1', log, 600)).toBe(1);
    const [row] = await first.outbox();
    expect(lines.filter((line) => line.level === 'error')).toEqual([
      expect.objectContaining({
        msg: 'Stopping with sent messages the store could not record; they will be posted again',
        outboxIds: [row?.id],
      }),
    ]);
  }, 15_000);

  it('one digest when two workers fold the same held alerts', async () => {
    await first.recordItems(alertItems('main', ['x', 'y'], { keyPrefix: 'h:', hold: true }), START);
    const held = await first.heldOutbox(['main']);
    const digest = {
      destination: 'main',
      kind: 'digest' as const,
      message: plainMessage('Digest'),
    };
    const results = await Promise.all([
      first.foldIntoDigest(
        held.map((row) => row.id),
        digest,
        START,
      ),
      second.foldIntoDigest(
        held.map((row) => row.id),
        digest,
        START,
      ),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await first.outbox()).filter((row) => row.kind === 'digest')).toHaveLength(1);
  });
});

describe('leases of stopped workers on this host', () => {
  const [host] = workerId().split(':');

  it('knows a worker whose process is gone, or whose pid this process now has', () => {
    expect(isDeadLocalWorker(`${host}:999999999:abc123`)).toBe(true);
    expect(isDeadLocalWorker(`${host}:${process.pid}:000000`)).toBe(true);
    expect(isDeadLocalWorker(workerId())).toBe(false);
    // Alive: the parent process (vitest's).
    expect(isDeadLocalWorker(`${host}:${process.ppid}:abc123`)).toBe(false);
    // Another host can only let its leases expire.
    expect(isDeadLocalWorker(`elsewhere.example:999999999:abc123`)).toBe(false);
    expect(isDeadLocalWorker('not a worker name')).toBe(false);
  });
});
