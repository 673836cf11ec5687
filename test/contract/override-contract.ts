/** The OverrideStore contract, registered per adapter: slash-command entries shared by every worker. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedStore } from '../../src/store/open-store.js';

export interface OverrideTarget {
  /** A fresh database; `open` opens it (again), each call another process on it. */
  createDatabase(): Promise<{ open(): Promise<OpenedStore>; drop(): Promise<void> }>;
}

const at = '2026-11-28T12:00:00.000Z';

export function overrideContract(name: string, target: OverrideTarget | null): void {
  describe.skipIf(target === null)(`OverrideStore contract: ${name}`, () => {
    let database: Awaited<ReturnType<OverrideTarget['createDatabase']>>;
    const opened: OpenedStore[] = [];
    const open = async (): Promise<OpenedStore> => {
      const store = await database.open();
      opened.push(store);
      return store;
    };
    beforeEach(async () => {
      database = await target!.createDatabase();
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.store.close();
      await database.drop();
    });

    it('keeps one entry per case-folded value, in the order added, for every worker', async () => {
      const { overrides } = await open();
      expect(
        await overrides.addWatch({ kind: 'actors', value: 'Salt Typhoon', addedBy: '42', addedAt: at }),
      ).toBe(true);
      expect(
        await overrides.addWatch({ kind: 'actors', value: 'SALT TYPHOON', addedBy: '7', addedAt: at }),
      ).toBe(false);
      await overrides.addWatch({ kind: 'products', value: 'Cisco IOS XE', addedBy: null, addedAt: at });
      await overrides.putMute({
        kind: 'cves',
        value: 'CVE-2026-20198',
        until: '2026-11-29T00:00:00.000Z',
        addedBy: '42',
        addedAt: at,
      });
      await overrides.putMute({
        kind: 'cves',
        value: 'cve-2026-20198',
        until: '2026-11-30T00:00:00.000Z',
        addedBy: '7',
        addedAt: at,
      });
      await overrides.putMute({
        kind: 'keywords',
        value: 'botnet',
        until: '2026-11-28T18:00:00.000Z',
        addedBy: null,
        addedAt: at,
      });
      const other = await open();
      expect(await other.overrides.loadOverrides()).toEqual({
        watches: [
          { kind: 'actors', value: 'Salt Typhoon', addedBy: '42', addedAt: at },
          { kind: 'products', value: 'Cisco IOS XE', addedBy: null, addedAt: at },
        ],
        mutes: [
          {
            kind: 'keywords',
            value: 'botnet',
            until: '2026-11-28T18:00:00.000Z',
            addedBy: null,
            addedAt: at,
          },
          {
            kind: 'cves',
            value: 'cve-2026-20198',
            until: '2026-11-30T00:00:00.000Z',
            addedBy: '7',
            addedAt: at,
          },
        ],
      });
    });

    it('removes entries by case-folded value and prunes mutes that ended', async () => {
      const { overrides } = await open();
      await overrides.addWatch({ kind: 'countries', value: 'North Korea', addedBy: null, addedAt: at });
      expect(await overrides.removeWatch('countries', 'north korea')).toBe(true);
      expect(await overrides.removeWatch('countries', 'North Korea')).toBe(false);
      await overrides.putMute({
        kind: 'keywords',
        value: 'wiper',
        until: '2026-11-28T13:00:00.000Z',
        addedBy: null,
        addedAt: at,
      });
      await overrides.putMute({
        kind: 'keywords',
        value: 'infostealer',
        until: '2026-11-28T15:00:00.000Z',
        addedBy: null,
        addedAt: at,
      });
      expect(await overrides.pruneMutes('2026-11-28T14:00:00.000Z')).toBe(1);
      expect(await overrides.removeMute('keywords', 'INFOSTEALER')).toBe(true);
      expect(await overrides.removeMute('keywords', 'infostealer')).toBe(false);
      expect(await overrides.loadOverrides()).toEqual({ watches: [], mutes: [] });
    });
  });
}
