import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { overrideContract } from '../contract/override-contract.js';
import { createTestDatabase, postgresSkipNote, postgresUrl } from '../helpers/pg-database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

overrideContract('SQLite', {
  async createDatabase() {
    const temp = makeTempDir();
    return { open: () => openStore(join(temp.dir, 'attribot.db')), drop: async () => temp.cleanup() };
  },
});

overrideContract(
  `PostgreSQL${postgresSkipNote()}`,
  postgresUrl()
    ? {
        async createDatabase() {
          const database = await createTestDatabase();
          return { open: () => openStore(database.url), drop: () => database.drop() };
        },
      }
    : null,
);
