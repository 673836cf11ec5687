import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, loadEffectiveConfig } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteOverrideStore } from '../../src/store/sqlite/sqlite-overrides.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { waitFor } from '../helpers/peers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('config hot reload', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  let app: App;
  const env = () => ({ ATTRIBOT_DB: join(temp.dir, 'attribot.db') });

  beforeEach(async () => {
    temp = makeTempDir();
    file = join(temp.dir, 'attribot.yaml');
    writeFileSync(file, 'feeds:\n  - url: https://one.example/feed\n');
    const loaded = await loadEffectiveConfig(file, env());
    app = await App.create(loaded.effective!, { log: silentLogger(), stdout: new PassThrough() });
    app.watchConfig(file, env());
  });
  afterEach(async () => {
    await app.stop();
    temp.cleanup();
  });

  it('applies a valid edit without a restart', async () => {
    writeFileSync(
      file,
      'settings:\n  interval: 30m\nfeeds:\n  - url: https://one.example/feed\n  - url: https://two.example/rss\n',
    );
    await waitFor(() => app.effective.config.feeds.length === 2);
    expect(app.effective.config.settings.interval).toBe(1_800_000);
  });

  it('keeps the running config when the edit is invalid', async () => {
    writeFileSync(file, 'feeds:\n  - url: not a url\n');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(app.effective.config.feeds).toEqual([{ url: 'https://one.example/feed' }]);
    writeFileSync(file, 'feeds:\n  - url: https://three.example/feed\n');
    await waitFor(() => app.effective.config.feeds[0]?.url === 'https://three.example/feed');
  });

  it('keeps slash-command mutes in force when the YAML reloads', async () => {
    const store = new SqliteStore(join(temp.dir, 'attribot.db'));
    await new SqliteOverrideStore(store.database).putMute({
      kind: 'countries',
      value: 'Iran',
      addedBy: null,
      addedAt: new Date().toISOString(),
      until: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await store.close();
    await app.refreshRouting();
    const muted = (config: typeof app.routing) =>
      config.routes.every((route) => route.exclude.countries.includes('Iran'));
    expect(muted(app.routing)).toBe(true);
    writeFileSync(file, 'feeds:\n  - url: https://four.example/feed\n');
    await waitFor(() => app.effective.config.feeds[0]?.url === 'https://four.example/feed');
    expect(muted(app.routing)).toBe(true);
  });

  it('survives schedule changes in quick succession and still stops cleanly', async () => {
    app.start();
    writeFileSync(file, 'settings:\n  schedule: "*/2 * * * *"\nfeeds:\n  - url: http://127.0.0.1:9/feed\n');
    await waitFor(() => app.effective.config.settings.schedule === '*/2 * * * *');
    writeFileSync(file, 'settings:\n  schedule: "*/3 * * * *"\nfeeds:\n  - url: http://127.0.0.1:9/feed\n');
    await waitFor(() => app.effective.config.settings.schedule === '*/3 * * * *');
    await app.stop();
    // The store is closed: health says so rather than answering from a dead database.
    const health = await app.health();
    expect(health.healthy).toBe(false);
    expect(health.detail.database).toMatch(/not open/i);
  });
});
