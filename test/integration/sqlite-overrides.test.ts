import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteOverrideStore } from '../../src/store/sqlite/sqlite-overrides.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let temp: { dir: string; cleanup: () => void };
let path: string;

beforeEach(() => {
  temp = makeTempDir();
  path = join(temp.dir, 'attribot.db');
});
afterEach(() => temp.cleanup());

async function withStore<T>(run: (overrides: SqliteOverrideStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(path);
  try {
    return await run(new SqliteOverrideStore(store.database));
  } finally {
    await store.close();
  }
}

const at = '2024-05-01T12:00:00.000Z';

describe('SqliteOverrideStore', () => {
  it('keeps watches and mutes across reopening the database', async () => {
    await withStore(async (overrides) => {
      expect(await overrides.addWatch({ kind: 'actors', value: 'APT41', addedBy: '42', addedAt: at })).toBe(
        true,
      );
      expect(await overrides.addWatch({ kind: 'actors', value: 'apt41', addedBy: '43', addedAt: at })).toBe(
        false,
      );
      expect(
        await overrides.addWatch({ kind: 'products', value: 'Ivanti', addedBy: null, addedAt: at }),
      ).toBe(true);
      await overrides.putMute({
        kind: 'cves',
        value: 'CVE-2024-3400',
        until: '2024-05-02T00:00:00.000Z',
        addedBy: '42',
        addedAt: at,
      });
      await overrides.putMute({
        kind: 'cves',
        value: 'cve-2024-3400',
        until: '2024-05-03T00:00:00.000Z',
        addedBy: '42',
        addedAt: at,
      });
    });
    const loaded = await withStore((overrides) => overrides.loadOverrides());
    expect(loaded).toEqual({
      watches: [
        { kind: 'actors', value: 'APT41', addedBy: '42', addedAt: at },
        { kind: 'products', value: 'Ivanti', addedBy: null, addedAt: at },
      ],
      mutes: [
        {
          kind: 'cves',
          value: 'cve-2024-3400',
          until: '2024-05-03T00:00:00.000Z',
          addedBy: '42',
          addedAt: at,
        },
      ],
    });
  });

  it('removes entries by case-folded value and prunes ended mutes', async () => {
    await withStore(async (overrides) => {
      await overrides.addWatch({ kind: 'actors', value: 'Volt Typhoon', addedBy: null, addedAt: at });
      expect(await overrides.removeWatch('actors', 'VOLT typhoon')).toBe(true);
      expect(await overrides.removeWatch('actors', 'Volt Typhoon')).toBe(false);
      await overrides.putMute({
        kind: 'keywords',
        value: 'wiper',
        until: '2024-05-01T13:00:00.000Z',
        addedBy: null,
        addedAt: at,
      });
      await overrides.putMute({
        kind: 'keywords',
        value: 'botnet',
        until: '2024-05-01T15:00:00.000Z',
        addedBy: null,
        addedAt: at,
      });
      expect(await overrides.pruneMutes('2024-05-01T14:00:00.000Z')).toBe(1);
      expect(await overrides.removeMute('keywords', 'BOTNET')).toBe(true);
      expect(await overrides.loadOverrides()).toEqual({ watches: [], mutes: [] });
    });
  });
});
