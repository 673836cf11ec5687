/**
 * A destination suspended for refusing delivery (a deleted webhook answers 404) is released by a
 * changed webhook URL, at start and on reload, without waiting out the hour: the worker compares
 * each destination's credential fingerprint with the one the store remembered.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, loadEffectiveConfig } from '../../src/app.js';
import { credentialFingerprint } from '../../src/deliver/credentials.js';
import { silentLogger } from '../../src/shared/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { type FakeDiscord, type FakeWebhook, startFakeDiscord } from '../helpers/fake-discord.js';
import { alertItems } from '../helpers/messages.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('a changed webhook URL lifts its destination’s suspension', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let discord: FakeDiscord;
  let webhook: FakeWebhook;
  let deleted: string;
  let file: string;
  let database: string;

  beforeEach(async () => {
    temp = makeTempDir();
    discord = await startFakeDiscord();
    webhook = discord.createWebhook();
    // A webhook URL whose webhook is gone: Discord answers 404 Unknown Webhook.
    deleted = `${discord.apiBase}/webhooks/${discord.snowflake()}/${webhook.token}`;
    file = join(temp.dir, 'attribot.yaml');
    database = join(temp.dir, 'attribot.db');
    writeFileSync(
      file,
      [
        'feeds:',
        '  - url: http://127.0.0.1:9/feed',
        'destinations:',
        '  - { name: intel, type: webhook, webhookUrlEnv: INTEL_WEBHOOK_URL }',
        '',
      ].join('\n'),
    );
    const { store } = await openStore(database);
    await store.recordItems(
      alertItems('intel', ['Volt Typhoon blamed for Ivanti intrusions']),
      new Date().toISOString(),
    );
    await store.close();
  });
  afterEach(async () => {
    await discord.close();
    temp.cleanup();
  });

  async function effective(webhookUrl: string) {
    const env = { ATTRIBOT_DB: database, DISCORD_API_BASE: discord.apiBase, INTEL_WEBHOOK_URL: webhookUrl };
    return (await loadEffectiveConfig(file, env)).effective!;
  }

  async function start(webhookUrl: string): Promise<App> {
    return App.create(await effective(webhookUrl), { log: silentLogger(), stdout: new PassThrough() });
  }

  async function intelStatus() {
    const { store } = await openStore(database);
    try {
      return (await store.destinationStatus(['intel']))[0]!;
    } finally {
      await store.close();
    }
  }

  it('at start: the next worker with the new URL sends the waiting alert at once', async () => {
    const broken = await start(deleted);
    await broken.once();
    await broken.stop();
    const suspended = await intelStatus();
    expect(suspended.head).toMatchObject({ suspended: true, lastError: expect.stringMatching(/404/) });
    expect(Date.parse(suspended.head!.nextAttemptAt)).toBeGreaterThan(Date.now() + 50 * 60_000);

    const fixed = await start(webhook.url);
    await fixed.once();
    await fixed.stop();
    expect(discord.messages(webhook.id).map((message) => message.embeds[0]?.title)).toEqual([
      'Volt Typhoon blamed for Ivanti intrusions',
    ]);
    expect(await intelStatus()).toMatchObject({ pending: 0, head: null });
  });

  it('on reload, and a restart with the same URL lifts nothing', async () => {
    const first = await start(deleted);
    await first.once();
    await first.stop();
    const app = await start(deleted);
    await app.once();
    expect((await intelStatus()).head).toMatchObject({ suspended: true, attempts: 1 });
    app.reconfigure(await effective(webhook.url));
    await app.cycle();
    await app.stop();
    expect(discord.messages(webhook.id)).toHaveLength(1);
    expect((await intelStatus()).pending).toBe(0);
  });

  it('remembers a fingerprint, never the URL itself', async () => {
    const app = await start(webhook.url);
    await app.once();
    await app.stop();
    const { store } = await openStore(database);
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(database, { readonly: true });
    const rows = db.prepare('SELECT destination, fingerprint FROM destination_credentials').all();
    db.close();
    expect(rows).toEqual([
      {
        destination: 'intel',
        fingerprint: credentialFingerprint({ name: 'intel', type: 'webhook', webhookUrl: webhook.url }),
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain(webhook.token);
  });
});
