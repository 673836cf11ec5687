/**
 * A tick's failure never skips delivery (issue 9): whatever throws before or during the polls, what
 * the outbox already holds goes out in the same cycle, and the cycle then reports the failure.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { consoleAppWithAlert } from '../helpers/console-app.js';
import { failingCalls } from '../helpers/faulty-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('a cycle whose polling part fails', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('still delivers what the outbox holds, then reports the failure', async () => {
    // The lease bookkeeping before the polls fails once (a database hiccup).
    let failures = 1;
    const { app, database, printed } = await consoleAppWithAlert(
      temp.dir,
      'Queued before the tick',
      (store) => failingCalls(store, 'listLeases', () => failures-- > 0),
    );
    try {
      await expect(app.cycle()).rejects.toThrow(/disk I\/O error/);
      expect(printed()).toContain('Queued before the tick');
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
