/**
 * A tick's failure never skips delivery (issue 9): whatever throws before or during the polls, what
 * the outbox already holds goes out in the same cycle, and the cycle then reports the failure.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, loadEffectiveConfig } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { failingCalls } from '../helpers/faulty-store.js';
import { alertItems } from '../helpers/messages.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('a cycle whose polling part fails', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('still delivers what the outbox holds, then reports the failure', async () => {
    const database = join(temp.dir, 'attribot.db');
    const file = join(temp.dir, 'attribot.yaml');
    writeFileSync(file, 'feeds:\n  - url: https://desk.example/feed.xml\n');
    const loaded = await loadEffectiveConfig(file, { ATTRIBOT_DB: database });
    const opened = await openStore(loaded.effective!.database);
    await opened.store.recordItems(
      alertItems('default', ['Queued before the tick']),
      new Date().toISOString(),
    );
    // The lease bookkeeping before the polls fails once (a database hiccup).
    let failures = 1;
    const store = failingCalls(opened.store, 'listLeases', () => failures-- > 0);
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    const app = new App(
      loaded.effective!,
      { log: silentLogger(), stdout },
      { store, overrides: opened.overrides },
    );
    try {
      await expect(app.cycle()).rejects.toThrow(/disk I\/O error/);
      expect(printed).toContain('Queued before the tick');
    } finally {
      await app.stop();
    }
    const reopened = new SqliteStore(database);
    try {
      expect((await reopened.outbox()).map((row) => row.status)).toEqual(['sent']);
    } finally {
      await reopened.close();
    }
  });
});
