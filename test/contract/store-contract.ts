/**
 * The Store contract as one suite, registered once per adapter (store-contract-sqlite.test.ts,
 * store-contract-postgres.test.ts). Each test gets a fresh database; `worker()` opens a second
 * store on it, which acts as another `attribot run` process sharing the ledger.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { adminCases } from './admin-cases.js';
import { articleCases } from './article-cases.js';
import { deliveryCases } from './delivery-cases.js';
import { ledgerCases } from './ledger-cases.js';
import { retentionCases } from './retention-cases.js';
import { summaryCases } from './summary-cases.js';
import { workerCases } from './worker-cases.js';

export interface ContractDatabase {
  /** Opens a store (one worker) on this database; each call is another worker. */
  open(): Promise<Store>;
  /** Records `version` as the schema version, as a newer attribot would have left it. */
  setSchemaVersion(version: number): Promise<void>;
  /** Removes the database once every store on it is closed. */
  drop(): Promise<void>;
}

export interface ContractTarget {
  createDatabase(): Promise<ContractDatabase>;
  /** Rounds of the concurrent-worker races (many where workers really run concurrently). */
  raceRounds: number;
}

export interface ContractContext {
  /** The first worker's store on this test's database. */
  readonly store: Store;
  /** Opens another worker's store on the same database (closed after the test). */
  worker(): Promise<Store>;
  /** Closes the first store and opens it again (a restart). */
  reopen(): Promise<Store>;
  readonly database: ContractDatabase;
  readonly raceRounds: number;
}

export function storeContract(name: string, target: ContractTarget | null): void {
  describe.skipIf(target === null)(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    let database: ContractDatabase;
    let store: Store;
    const context: ContractContext = {
      get store() {
        return store;
      },
      get database() {
        return database;
      },
      raceRounds: target?.raceRounds ?? 1,
      async worker() {
        const other = await database.open();
        opened.push(other);
        return other;
      },
      async reopen() {
        await store.close();
        store = await database.open();
        opened.push(store);
        return store;
      },
    };

    beforeEach(async () => {
      database = await target!.createDatabase();
      store = await database.open();
      opened.push(store);
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await database.drop();
    });

    describe('ledger', () => ledgerCases(context));
    describe('delivery', () => deliveryCases(context));
    describe('retention', () => retentionCases(context));
    describe('several workers', () => workerCases(context));
    describe('admin', () => adminCases(context));
    describe('articles', () => articleCases(context));
    describe('summaries', () => summaryCases(context));
  });
}
