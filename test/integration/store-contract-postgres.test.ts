import { openStore } from '../../src/store/open-store.js';
import { storeContract } from '../contract/store-contract.js';
import { adminQuery, createTestDatabase, postgresSkipNote, postgresUrl } from '../helpers/pg-database.js';

// A database per test, on the run's throwaway cluster (test/helpers/postgres-cluster.ts).
storeContract(
  `PostgreSQL${postgresSkipNote()}`,
  postgresUrl()
    ? {
        raceRounds: 40,
        async createDatabase() {
          const database = await createTestDatabase();
          return {
            open: async () => (await openStore({ location: database.url, poolSize: 3 })).store,
            async setSchemaVersion(version) {
              await adminQuery('INSERT INTO attribot_schema (version) VALUES ($1)', [version], database.url);
            },
            drop: () => database.drop(),
          };
        },
      }
    : null,
);
