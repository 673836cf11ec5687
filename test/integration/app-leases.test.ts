/** A worker that stops gracefully hands its feeds and destinations to the others at once. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, loadEffectiveConfig } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { workerId } from '../../src/store/worker-leases.js';
import { consoleAppWithAlert } from '../helpers/console-app.js';
import { failingCalls } from '../helpers/faulty-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('leases at shutdown', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let other: SqliteStore;

  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    await other?.close();
    temp.cleanup();
  });

  it('stop() gives up every lease of this worker and leaves the others alone', async () => {
    const database = join(temp.dir, 'attribot.db');
    const file = join(temp.dir, 'attribot.yaml');
    writeFileSync(file, 'feeds:\n  - url: https://desk.example/feed.xml\n');
    const loaded = await loadEffectiveConfig(file, { ATTRIBOT_DB: database });
    const app = await App.create(loaded.effective!, { log: silentLogger(), stdout: new PassThrough() });
    other = new SqliteStore(database);
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 120_000).toISOString();
    await other.acquireLeases(['feed:https://desk.example/feed.xml', 'destination:default'], {
      worker: workerId(),
      now,
      until,
    });
    await other.acquireLeases(['destination:intel'], { worker: 'elsewhere.example:1:abc123', now, until });
    await app.stop();
    expect((await other.listLeases()).map((lease) => [lease.name, lease.owner])).toEqual([
      ['destination:intel', 'elsewhere.example:1:abc123'],
    ]);
  });

  it('stop() records a send the store could not record during delivery, once the store is back', async () => {
    let down = true;
    const { app, database, printed } = await consoleAppWithAlert(
      temp.dir,
      'Sent while the disk failed',
      (store) => failingCalls(store, 'markSent', () => down),
    );
    // The console took the alert; every immediate attempt to record it failed.
    expect((await app.deliver()).sent).toBe(1);
    setTimeout(() => {
      down = false;
    }, 300);
    await app.stop();
    other = new SqliteStore(database);
    expect((await other.outbox()).map((row) => row.status)).toEqual(['sent']);
    expect(printed().split('Sent while the disk failed')).toHaveLength(2);
  }, 20_000);
});
