import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open-store.js';
import { storeContract } from '../contract/store-contract.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// A file per test; two stores on one file are two processes sharing it (`once` beside `run`).
storeContract('SQLite', {
  raceRounds: 5,
  async createDatabase() {
    const temp = makeTempDir();
    const path = join(temp.dir, 'attribot.db');
    return {
      open: async () => (await openStore(path)).store,
      async setSchemaVersion(version) {
        const db = new Database(path);
        db.pragma(`user_version = ${version}`);
        db.close();
      },
      drop: async () => temp.cleanup(),
    };
  },
});
