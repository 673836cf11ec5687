/**
 * What a worker's log says, read as JSON lines from a real worker polling a local feed server: a
 * first poll's seeding is news, not a warning; a cycle in which most feeds fail says what to check.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { etagOf, type FeedServer, startFeedServer } from '../helpers/feed-server.js';
import { type OpsApp, startOpsApp } from '../helpers/ops-app.js';
import { makeTempDir } from '../helpers/temp-dir.js';

type Line = Record<string, unknown> & { level: string; msg: string; time: string };

function backlogFeed(): string {
  const now = Date.now();
  const item = (n: number, ageHours: number) =>
    `<item><title>Patch notes ${n}</title><link>https://vendor.example/notes/${n}</link><guid>notes-${n}</guid>
    <pubDate>${new Date(now - ageHours * 3_600_000).toUTCString()}</pubDate><description>Maintenance release ${n}.</description></item>`;
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Vendor</title><link>https://vendor.example/</link>
  ${[item(1, 24 * 30), item(2, 24 * 20), item(3, 24 * 10), item(4, 2)].join('\n')}</channel></rss>`;
}

describe('worker logs', () => {
  const temp = makeTempDir();
  const lines: Line[] = [];
  let feeds: FeedServer;
  const workers: OpsApp[] = [];

  const log = createLogger({
    level: 'info',
    format: 'json',
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
        done();
      },
    }),
  });
  const logged = (msg: string): Line[] => lines.filter((line) => line.msg === msg);

  beforeAll(async () => {
    feeds = await startFeedServer();
    const body = backlogFeed();
    feeds.serve('/vendor.xml', { body, contentType: 'application/rss+xml', etag: etagOf(body) });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await feeds?.close();
    temp.cleanup();
  });

  it("logs a first poll's seeding and an ordinary cycle at info, with ISO times", async () => {
    const worker = await startOpsApp(
      { feeds: [{ url: feeds.url('/vendor.xml'), name: 'Vendor' }] },
      { dir: temp.dir, log },
    );
    workers.push(worker);
    lines.length = 0;
    await worker.app.cycle();
    const [seeded] = logged('Admin notice');
    expect(seeded).toMatchObject({ level: 'info', notice: 'seeded' });
    expect(seeded?.text).toMatch(/^first poll: 3 older items recorded as seen without alerts/);
    const [cycle] = logged('Cycle finished');
    expect(cycle).toMatchObject({ level: 'info', feeds: 1, failed: 0, seeded: 3, newItems: 1 });
    expect(cycle).not.toHaveProperty('hint');
    expect(cycle?.durationMs).toEqual(expect.any(Number));
    for (const line of lines) expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('says what to check, at warn, when most feeds fail the same way', async () => {
    // Nothing listens on port 9 of loopback: every connection is refused, as behind a broken proxy.
    const worker = await startOpsApp(
      {
        feeds: [
          { url: 'http://127.0.0.1:9/a.xml', name: 'A' },
          { url: 'http://127.0.0.1:9/b.xml', name: 'B' },
          { url: feeds.url('/vendor.xml'), name: 'Vendor' },
        ],
      },
      { dir: temp.dir, log },
    );
    workers.push(worker);
    lines.length = 0;
    await worker.app.cycle();
    const [cycle] = logged('Cycle finished');
    expect(cycle).toMatchObject({
      level: 'warn',
      feeds: 3,
      failed: 2,
      commonError: { kind: 'connect', feeds: 2, example: expect.stringContaining('ECONNREFUSED') },
      failingFeeds: ['http://127.0.0.1:9/a.xml', 'http://127.0.0.1:9/b.xml'],
    });
    expect(cycle?.hint).toMatch(
      /^2 of 3 feeds failed; 2 with connect \(.*ECONNREFUSED.*\): connections fail: check the network, the firewall and, behind a corporate proxy, HTTPS_PROXY/,
    );
  });
});
