import { describe, expect, it } from 'vitest';
import { applyEnvironment } from '../../../src/config/env.js';
import { Config } from '../../../src/config/schema.js';

const base = Config.parse({ feeds: [{ url: 'https://configured.example/feed' }] });
const HOOK = 'https://discord.com/api/webhooks/123456789012345678/abcDEF-token_x';

describe('applyEnvironment', () => {
  it('falls back to the console with no Discord configured', () => {
    const { effective } = applyEnvironment(base, {});
    expect(effective?.destinations).toEqual([{ name: 'default', type: 'console' }]);
    expect(effective?.dbPath).toBe('data/attribot.db');
    expect(effective?.discordApiBase).toBe('https://discord.com/api');
    expect(effective?.config.feeds).toEqual([{ url: 'https://configured.example/feed' }]);
  });

  it('uses DISCORD_WEBHOOK_URL as the default destination and honours the overrides', () => {
    const { effective } = applyEnvironment(base, {
      DISCORD_WEBHOOK_URL: HOOK,
      DISCORD_API_BASE: 'http://127.0.0.1:9999/api/',
      ATTRIBOT_DB: '/tmp/x.db',
      ATTRIBOT_FEEDS: ' https://a.example/rss, https://b.example/atom ,',
    });
    expect(effective?.destinations).toEqual([{ name: 'default', type: 'webhook', webhookUrl: HOOK }]);
    expect(effective?.discordApiBase).toBe('http://127.0.0.1:9999/api');
    expect(effective?.dbPath).toBe('/tmp/x.db');
    expect(effective?.config.feeds).toEqual([{ url: 'https://a.example/rss' }, { url: 'https://b.example/atom' }]);
  });

  it('rejects a malformed webhook URL and feed URL without echoing secrets', () => {
    const { effective, errors } = applyEnvironment(base, {
      DISCORD_WEBHOOK_URL: 'https://discord.com/channels/1/2?token=secret',
      ATTRIBOT_FEEDS: 'not-a-url',
    });
    expect(effective).toBeNull();
    expect(errors.map((error) => error.path)).toEqual(['ATTRIBOT_FEEDS', 'DISCORD_WEBHOOK_URL']);
    expect(JSON.stringify(errors)).not.toContain('secret');
  });

  it('resolves named webhook destinations from the variables they name', () => {
    const config = Config.parse({
      destinations: [
        { name: 'intel', type: 'webhook', webhookUrlEnv: 'INTEL_HOOK' },
        { name: 'log', type: 'console' },
      ],
    });
    expect(applyEnvironment(config, { INTEL_HOOK: HOOK }).effective?.destinations).toEqual([
      { name: 'intel', type: 'webhook', webhookUrl: HOOK },
      { name: 'log', type: 'console' },
    ]);
    const missing = applyEnvironment(config, {});
    expect(missing.effective).toBeNull();
    expect(missing.errors[0]?.message).toContain('INTEL_HOOK');
  });
});
