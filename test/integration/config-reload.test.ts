import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, loadEffectiveConfig } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
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
    app = new App(loaded.effective!, { log: silentLogger(), stdout: new PassThrough() });
    app.watchConfig(file, env());
  });
  afterEach(async () => {
    await app.stop();
    temp.cleanup();
  });

  it('applies a valid edit without a restart', async () => {
    writeFileSync(file, 'settings:\n  interval: 30m\nfeeds:\n  - url: https://one.example/feed\n  - url: https://two.example/rss\n');
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
});
