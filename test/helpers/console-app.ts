/**
 * A worker (App) on a temp SQLite file with the console as its only destination, one alert already
 * queued, and its store seen through `wrap` (a fault injected into the real store).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { App, loadEffectiveConfig } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { alertItems } from './messages.js';

export interface ConsoleApp {
  app: App;
  database: string;
  /** What the console destination printed so far. */
  printed(): string;
}

export async function consoleAppWithAlert(
  dir: string,
  title: string,
  wrap: (store: Store) => Store,
): Promise<ConsoleApp> {
  const database = join(dir, 'attribot.db');
  const file = join(dir, 'attribot.yaml');
  writeFileSync(file, 'feeds:\n  - url: https://desk.example/feed.xml\n');
  const loaded = await loadEffectiveConfig(file, { ATTRIBOT_DB: database });
  if (!loaded.effective) throw new Error('test config is invalid');
  const opened = await openStore(loaded.effective.database);
  await opened.store.recordItems(alertItems('default', [title]), new Date().toISOString());
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk: Buffer) => {
    printed += chunk.toString('utf8');
  });
  const app = new App(
    loaded.effective,
    { log: silentLogger(), stdout },
    { store: wrap(opened.store), overrides: opened.overrides },
  );
  return { app, database, printed: () => printed };
}
