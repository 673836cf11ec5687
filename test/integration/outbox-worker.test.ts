import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleSender } from '../../src/deliver/console-sender.js';
import { backoffMs, classifyFailure, drainOutbox, SUSPEND_MS } from '../../src/deliver/outbox-worker.js';
import type { Sender, SendResult } from '../../src/deliver/sender.js';
import { DeliveryError } from '../../src/deliver/sender.js';
import { createLogger, type Logger, silentLogger } from '../../src/shared/logger.js';
import type { OutgoingMessage } from '../../src/shared/message.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { alertItems, plainMessage } from '../helpers/messages.js';
import { permanent, retryable, ScriptedSender } from '../helpers/scripted-sender.js';
import { TestClock } from '../helpers/test-clock.js';

const START = '2026-11-28T12:00:00.000Z';

describe('drainOutbox against SQLite', () => {
  let store: SqliteStore;
  let clock: TestClock;

  beforeEach(() => {
    store = new SqliteStore(':memory:');
    clock = new TestClock(START);
  });
  afterEach(() => store.close());

  async function queue(destination: string, ...titles: string[]): Promise<void> {
    await store.recordItems(alertItems(destination, titles, { keyPrefix: `${destination}:` }), START);
  }

  function drain(...senders: Sender[]) {
    return drainOutbox({
      store,
      clock,
      log: silentLogger(),
      senders: new Map(senders.map((s) => [s.name, s])),
    });
  }

  it('sends in order and marks rows sent with the Discord message id', async () => {
    await queue('main', 'first', 'second', 'third');
    const sender = new ScriptedSender('main');
    expect(await drain(sender)).toEqual({ sent: 3, retried: 0, rejected: 0, held: 0 });
    expect(sender.sent.map((m) => m.embeds[0]?.title)).toEqual(['first', 'second', 'third']);
    const nonces = sender.sent.map((m) => m.nonce);
    expect(new Set(nonces).size).toBe(3);
    expect(nonces.every((nonce) => nonce !== undefined && nonce.length <= 25)).toBe(true);
    expect((await store.outbox()).map((row) => [row.status, row.discordMessageId])).toEqual([
      ['sent', '1000'],
      ['sent', '1001'],
      ['sent', '1002'],
    ]);
    expect(await drain(sender)).toEqual({ sent: 0, retried: 0, rejected: 0, held: 0 });
  });

  it('on a retryable failure keeps the order: nothing later is sent before the failed row', async () => {
    await queue('main', 'first', 'second');
    const sender = new ScriptedSender('main', [retryable(503)]);
    expect(await drain(sender)).toEqual({ sent: 0, retried: 1, rejected: 0, held: 0 });
    expect(sender.attempts).toHaveLength(1);

    // Not due yet: the whole destination waits.
    clock.advance(1_000);
    expect(await drain(sender)).toEqual({ sent: 0, retried: 0, rejected: 0, held: 0 });

    clock.advance(backoffMs(0));
    expect(await drain(sender)).toEqual({ sent: 2, retried: 0, rejected: 0, held: 0 });
    // The retry of a row carries the nonce of its first attempt.
    expect(sender.attempts[1]?.nonce).toBe(sender.attempts[0]?.nonce);
    expect(sender.sent.map((m) => m.embeds[0]?.title)).toEqual(['first', 'second']);
  });

  it('waits at least the retry_after Discord asked for', async () => {
    await queue('main', 'only');
    const sender = new ScriptedSender('main', [retryable(429, 120_000)]);
    await drain(sender);
    const [row] = await store.outbox();
    expect(Date.parse(row!.nextAttemptAt) - Date.parse(START)).toBe(120_000);
  });

  it('suspends a destination that refuses credentials without losing its alerts', async () => {
    await queue('dead', 'a', 'b');
    await queue('live', 'c');
    const dead = new ScriptedSender('dead', [permanent(404)]);
    const live = new ScriptedSender('live');
    expect(await drain(dead, live)).toEqual({ sent: 1, retried: 1, rejected: 0, held: 0 });
    const rows = await store.outbox();
    expect(rows.map((row) => [row.destination, row.status])).toEqual([
      ['dead', 'pending'],
      ['dead', 'pending'],
      ['live', 'sent'],
    ]);
    expect(Date.parse(rows[0]!.nextAttemptAt) - Date.parse(START)).toBe(SUSPEND_MS);
    expect(dead.attempts).toHaveLength(1);
    // Marked as a suspension (what `attribot destinations` shows), not an ordinary retry.
    const [deadStatus, liveStatus] = await store.destinationStatus(['dead', 'live']);
    expect(deadStatus?.head).toMatchObject({ suspended: true, nextAttemptAt: rows[0]!.nextAttemptAt });
    expect(liveStatus).toMatchObject({ pending: 0, head: null, lastSentAt: START });
  });

  it('tells the admin destination once when a destination is suspended', async () => {
    await queue('dead', 'a');
    const dead = new ScriptedSender('dead', [permanent(401), permanent(401)]);
    const admin = new ScriptedSender('admin');
    const senders = new Map<string, Sender>([
      ['dead', dead],
      ['admin', admin],
    ]);
    const run = () => drainOutbox({ store, clock, log: silentLogger(), senders, adminDestination: 'admin' });
    await run();
    await run();
    expect(admin.sent).toHaveLength(1);
    expect(admin.sent[0]?.embeds[0]?.title).toBe('Destination suspended: dead');
    clock.advance(SUSPEND_MS);
    await run();
    await run();
    expect(admin.sent).toHaveLength(1);
    expect(dead.attempts).toHaveLength(2);
  });

  it('rejects a message Discord refuses as invalid and moves on', async () => {
    await queue('main', 'bad', 'good');
    const sender = new ScriptedSender('main', [permanent(400)]);
    expect(await drain(sender)).toEqual({ sent: 1, retried: 0, rejected: 1, held: 0 });
    expect((await store.outbox()).map((row) => row.status)).toEqual(['rejected', 'sent']);
  });

  it('a destination with a long backlog that must wait never starves the others', async () => {
    await queue('dead', ...Array.from({ length: 150 }, (_, n) => `d${n}`));
    await queue('gone', ...Array.from({ length: 150 }, (_, n) => `g${n}`));
    await queue('live', 'l0');
    const dead = new ScriptedSender('dead', [permanent(404)]);
    const live = new ScriptedSender('live');
    await drain(dead, live);
    clock.advance(1_000);
    await drain(dead, live);
    expect(live.sent.map((m) => m.embeds[0]?.title)).toEqual(['l0']);
    expect(dead.attempts).toHaveLength(1);
    expect(await store.nextOutboxAttempt({ destinations: ['dead', 'live'] })).toBe(
      new Date(Date.parse(START) + SUSPEND_MS).toISOString(),
    );
  });

  it('keeps rows for a destination that is no longer configured', async () => {
    await queue('gone', 'x');
    expect(await drain(new ScriptedSender('main'))).toEqual({ sent: 0, retried: 0, rejected: 0, held: 0 });
    expect((await store.outbox())[0]?.status).toBe('pending');
  });
});

describe('drainOutbox story edits', () => {
  let store: SqliteStore;
  const clock = new TestClock(START);
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  async function storyRows(rows: Array<[kind: 'alert' | 'edit' | 'update', title: string]>): Promise<void> {
    const story = {
      id: null,
      createdAt: START,
      updatedAt: START,
      first: { title: 't', sourceName: 'Desk', attribution: {} as never },
      attribution: {} as never,
      sources: [],
      destinations: ['main'],
    };
    await store.recordItems(
      rows.map(([kind, title], index) => ({
        key: `item-${index}`,
        feedUrl: 'https://f.example/',
        title,
        link: null,
        published: null,
        disposition: 'processed' as const,
        alerts: [{ destination: 'main', kind, message: plainMessage(title) }],
        story: { key: 'new:1', data: story },
      })),
      START,
    );
  }

  it('PATCHes the message the story alert became, after the alert is sent', async () => {
    await storyRows([
      ['alert', 'first'],
      ['edit', 'first, +1 outlet'],
      ['update', 'new claim'],
    ]);
    const sender = new ScriptedSender('main');
    expect(
      await drainOutbox({ store, clock, log: silentLogger(), senders: new Map([['main', sender]]) }),
    ).toEqual({
      sent: 3,
      retried: 0,
      rejected: 0,
      held: 0,
    });
    expect(sender.sent.map((m) => m.embeds[0]?.title)).toEqual(['first', 'new claim']);
    expect(sender.edits).toEqual([{ messageId: '1000', message: plainMessage('first, +1 outlet') }]);
    // The update replies to the alert (bots show it as a reply; webhooks ignore it).
    expect(sender.sent[0]?.replyTo).toBeUndefined();
    expect(sender.sent[1]?.replyTo).toBe('1000');
  });

  /** A logger whose lines are kept, to see what a drain warns about. */
  function recordingLogger(): { log: Logger; lines: Array<{ level: string; msg: string }> } {
    const lines: Array<{ level: string; msg: string }> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as { level: string; msg: string });
        done();
      },
    });
    return { log: createLogger({ level: 'debug', format: 'json', stream }), lines };
  }

  it('prints an edit on the console as a marked update of the story, without a warning', async () => {
    await storyRows([
      ['alert', 'first'],
      ['edit', 'first, +1 outlet'],
    ]);
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    const { log, lines } = recordingLogger();
    const sender = new ConsoleSender({ name: 'main', out });
    const summary = await drainOutbox({ store, clock, log, senders: new Map([['main', sender]]) });
    expect(summary).toMatchObject({ sent: 2, rejected: 0 });
    const blocks = printed.trim().split('\n\n');
    expect(blocks).toEqual(['== first ==', 'Update to: first, +1 outlet\n== first, +1 outlet ==']);
    expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('posts an edit whose Discord alert got no message id, and warns', async () => {
    await storyRows([
      ['alert', 'first'],
      ['edit', 'first, +1 outlet'],
    ]);
    class NoIdSender extends ScriptedSender {
      override async send(message: OutgoingMessage): Promise<SendResult> {
        await super.send(message);
        return {};
      }
    }
    const sender = new NoIdSender('main');
    const { log, lines } = recordingLogger();
    await drainOutbox({ store, clock, log, senders: new Map([['main', sender]]) });
    expect(sender.sent.map((m) => m.embeds[0]?.title)).toEqual(['first', 'first, +1 outlet']);
    expect(sender.edits).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'Story alert to edit has no message id; posting instead',
      }),
    );
  });

  it('rejects an edit whose message was deleted (Unknown Message) without suspending the destination', async () => {
    await storyRows([
      ['alert', 'first'],
      ['edit', 'edited'],
      ['update', 'later'],
    ]);
    const gone = Object.assign(permanent(404), { code: 10008 });
    const sender = new ScriptedSender('main', ['ok', gone]);
    const summary = await drainOutbox({
      store,
      clock,
      log: silentLogger(),
      senders: new Map([['main', sender]]),
    });
    expect(summary).toEqual({ sent: 2, retried: 0, rejected: 1, held: 0 });
  });
});

describe('flood control and digests', () => {
  let store: SqliteStore;
  let clock: TestClock;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
    clock = new TestClock(START);
  });
  afterEach(() => store.close());

  const flood = { cap: 2, windowMs: 3_600_000, digestIntervalMs: 1_800_000 };

  async function queue(titles: string[], hold = false): Promise<void> {
    const message = (title: string) => ({
      ...plainMessage(title),
      embeds: [{ title, url: `https://news.example/${title}` }],
    });
    await store.recordItems(alertItems('main', titles, { hold, message }), clock.now().toISOString());
  }

  it('holds alerts over the cap and sends them as one digest after the interval', async () => {
    await queue(['a', 'b', 'c', 'd']);
    const sender = new ScriptedSender('main');
    const drain = () =>
      drainOutbox({ store, clock, log: silentLogger(), senders: new Map([['main', sender]]), flood });
    expect(await drain()).toEqual({ sent: 2, retried: 0, rejected: 0, held: 2 });
    expect(sender.sent.map((m) => m.embeds[0]?.title)).toEqual(['a', 'b']);

    clock.advance(1_000_000);
    expect(await drain()).toMatchObject({ sent: 0, held: 0 });

    clock.advance(900_000);
    expect(await drain()).toMatchObject({ sent: 1 });
    const digest = sender.sent[2]!;
    expect(digest.embeds[0]?.title).toBe('Digest: 2 alerts (flood control and digest routes)');
    expect(digest.embeds[0]?.description).toBe(
      '• [c](<https://news.example/c>)\n• [d](<https://news.example/d>)',
    );
    expect((await store.outbox()).map((row) => row.status)).toEqual([
      'sent',
      'sent',
      'digested',
      'digested',
      'sent',
    ]);
  });

  it('sends alerts again once the window has passed', async () => {
    await queue(['a', 'b']);
    const sender = new ScriptedSender('main');
    const drain = () =>
      drainOutbox({ store, clock, log: silentLogger(), senders: new Map([['main', sender]]), flood });
    await drain();
    clock.advance(3_700_000);
    await queue(['c']);
    expect(await drain()).toMatchObject({ sent: 1, held: 0 });
  });

  it('routes marked for the digest skip the individual message', async () => {
    await queue(['low-confidence'], true);
    const sender = new ScriptedSender('main');
    expect(
      await drainOutbox({ store, clock, log: silentLogger(), senders: new Map([['main', sender]]), flood }),
    ).toMatchObject({ sent: 0 });
    clock.advance(1_800_000);
    await drainOutbox({ store, clock, log: silentLogger(), senders: new Map([['main', sender]]), flood });
    expect(sender.sent.map((m) => m.embeds[0]?.title)).toEqual([
      'Digest: 1 alert (flood control and digest routes)',
    ]);
  });
});

describe('classifyFailure', () => {
  it.each([
    [permanent(400), 'reject'],
    [permanent(401), 'suspend'],
    [permanent(403), 'suspend'],
    [permanent(404), 'suspend'],
    [
      new DeliveryError('forum webhook without a post', { kind: 'permanent', status: 400, code: 220001 }),
      'suspend',
    ],
    [new DeliveryError('unknown message', { kind: 'permanent', status: 404, code: 10008 }), 'reject'],
    [retryable(500), 'retry'],
    [new Error('socket hang up'), 'retry'],
  ])('%s → %s', (error, action) => {
    expect(classifyFailure(error, 0).action).toBe(action);
  });

  it('backs off exponentially with a cap', () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffMs(30)).toBe(3_600_000);
    expect(backoffMs(0, 90_000)).toBe(90_000);
  });
});
