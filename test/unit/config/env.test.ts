import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEnvironment, OFFLINE_WEBHOOK_URL, type SecretReader } from '../../../src/config/env.js';
import { Config } from '../../../src/config/schema.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const base = Config.parse({ feeds: [{ url: 'https://configured.example/feed' }] });
const HOOK = 'https://discord.com/api/webhooks/123456789012345678/abcDEF-token_x';

describe('applyEnvironment', () => {
  it('falls back to the console with no Discord configured', () => {
    const { effective } = applyEnvironment(base, {});
    expect(effective?.destinations).toEqual([{ name: 'default', type: 'console' }]);
    expect(effective?.database).toBe('data/attribot.db');
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
    expect(effective?.database).toBe('/tmp/x.db');
    expect(effective?.config.feeds).toEqual([
      { url: 'https://a.example/rss' },
      { url: 'https://b.example/atom' },
    ]);
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

  it('resolves bot destinations from a variable or a trimmed file, and webhooks from files', () => {
    const config = Config.parse({
      destinations: [
        {
          name: 'soc',
          type: 'bot',
          tokenEnv: 'BOT_TOKEN',
          channelId: CHANNEL,
          guildId: GUILD,
          adminRoleIds: [GUILD],
        },
        { name: 'alt', type: 'bot', tokenFile: '/run/secrets/bot', channelId: CHANNEL },
        { name: 'intel', type: 'webhook', webhookUrlFile: '/run/secrets/hook' },
      ],
    });
    const files = fakeFiles({ '/run/secrets/bot': 'Bot file.token\n', '/run/secrets/hook': `  ${HOOK}\n` });
    const { effective, errors } = applyEnvironment(config, { BOT_TOKEN: ' env.token ' }, files);
    expect(errors).toEqual([]);
    expect(effective?.destinations).toEqual([
      {
        name: 'soc',
        type: 'bot',
        token: 'env.token',
        channelId: CHANNEL,
        guildId: GUILD,
        adminRoleIds: [GUILD],
      },
      { name: 'alt', type: 'bot', token: 'file.token', channelId: CHANNEL, adminRoleIds: [] },
      { name: 'intel', type: 'webhook', webhookUrl: HOOK },
    ]);
  });

  it('reads a real secret file', () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const file = join(dir, 'hook');
      writeFileSync(file, `${HOOK}\n`);
      const config = Config.parse({
        destinations: [{ name: 'intel', type: 'webhook', webhookUrlFile: file }],
      });
      expect(applyEnvironment(config, {}).effective?.destinations).toEqual([
        { name: 'intel', type: 'webhook', webhookUrl: HOOK },
      ]);
      expect(applyEnvironment(base, { DISCORD_WEBHOOK_URL_FILE: file }).effective?.destinations).toEqual([
        { name: 'default', type: 'webhook', webhookUrl: HOOK },
      ]);
    } finally {
      cleanup();
    }
  });

  it('names the variable or file behind a bad secret and never its contents', () => {
    const config = Config.parse({
      destinations: [
        { name: 'a', type: 'bot', tokenEnv: 'A_TOKEN', channelId: CHANNEL },
        { name: 'b', type: 'bot', tokenFile: '/missing', channelId: CHANNEL },
        { name: 'c', type: 'webhook', webhookUrlFile: '/hook' },
        { name: 'd', type: 'webhook', webhookUrlEnv: 'D_HOOK' },
        { name: 'e', type: 'bot', tokenFile: '/empty', channelId: CHANNEL },
      ],
    });
    const files = fakeFiles({
      '/hook': 'https://evil.example/api/webhooks/123456789012345678/s3cret-token',
      '/empty': ' \n',
    });
    const { effective, errors } = applyEnvironment(
      config,
      { A_TOKEN: 'has s3cret spaces', D_HOOK: 'http://discord.com/api/webhooks/1/s3cret' },
      files,
    );
    expect(effective).toBeNull();
    expect(errors.map((error) => `${error.path}: ${error.message}`)).toEqual([
      'A_TOKEN: destination "a": the bot token has spaces or unexpected characters',
      '/missing: destination "b": cannot read its secret file /missing (ENOENT)',
      '/hook: destination "c": Discord webhook URL host "evil.example" is not discord.com; expected https://discord.com/api/webhooks/<id>/<token>',
      'D_HOOK: destination "d": Discord webhook URL must use https; expected https://discord.com/api/webhooks/<id>/<token>',
      '/empty: destination "e": its secret file /empty is empty',
    ]);
    expect(JSON.stringify(errors)).not.toContain('s3cret');
  });

  it('accepts webhook URLs under DISCORD_API_BASE (a local fake Discord)', () => {
    const local = 'http://127.0.0.1:4000/api/webhooks/123456789012345678/tok';
    const config = Config.parse({
      destinations: [{ name: 'intel', type: 'webhook', webhookUrlEnv: 'HOOK' }],
    });
    expect(applyEnvironment(config, { HOOK: local }).errors).toHaveLength(1);
    expect(
      applyEnvironment(config, { HOOK: local, DISCORD_API_BASE: 'http://127.0.0.1:4000/api' }).errors,
    ).toEqual([]);
  });

  it('fills in the default route to every destination but admin, and keeps configured routes', () => {
    const config = Config.parse({
      destinations: [
        { name: 'log', type: 'console' },
        { name: 'admin', type: 'console' },
      ],
    });
    expect(applyEnvironment(config, {}).effective?.config.routes).toEqual([
      {
        name: 'default',
        destinations: ['log'],
        watchlists: [],
        match: { actors: [], countries: [], products: [], cves: [], keywords: [] },
        feeds: [],
        sources: [],
        exclude: { actors: [], countries: [], products: [], cves: [], keywords: [] },
        attributionOnly: true,
        minConfidence: 0,
        mentionRoles: [],
        digest: false,
      },
    ]);
    expect(applyEnvironment(base, {}).effective?.config.routes.map((route) => route.destinations)).toEqual([
      ['default'],
    ]);
    const routed = Config.parse({
      ...config,
      settings: {},
      routes: [{ name: 'only', destinations: ['admin'] }],
    });
    expect(applyEnvironment(routed, {}).effective?.config.routes.map((route) => route.name)).toEqual([
      'only',
    ]);
  });
});

const CHANNEL = '123456789012345678';
const GUILD = '223456789012345678';

function fakeFiles(files: Record<string, string>): SecretReader {
  return {
    readFile(path) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
}

describe('feed list', () => {
  it('polls a feed listed twice once', () => {
    const { effective } = applyEnvironment(Config.parse({}), {
      ATTRIBOT_FEEDS: 'https://a.example/feed,https://A.example/feed,https://b.example/feed',
    });
    expect(effective?.config.feeds.map((feed) => feed.url)).toEqual([
      'https://a.example/feed',
      'https://b.example/feed',
    ]);
  });
});

describe('a config without feeds', () => {
  const noFeeds = Config.parse({ feeds: [] });
  const noFeedsWarning = {
    file: 'environment',
    line: null,
    path: 'feeds',
    message: 'no feeds: nothing will be polled (list some under feeds:, or set ATTRIBOT_FEEDS)',
    key: ['feeds'],
  };

  it('is warned about, and still runs', () => {
    const result = applyEnvironment(noFeeds, {});
    expect(result.effective?.config.feeds).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([noFeedsWarning]);
  });

  it('is not warned about when ATTRIBOT_FEEDS lists feeds', () => {
    const result = applyEnvironment(noFeeds, { ATTRIBOT_FEEDS: 'https://a.example/feed' });
    expect(result.warnings).toEqual([]);
    expect(applyEnvironment(base, {}).warnings).toEqual([]);
  });
});

describe('operational environment variables', () => {
  const config = Config.parse({});
  it('are validated instead of failing later', () => {
    const bad = applyEnvironment(config, {
      ATTRIBOT_HTTP_PORT: 'abc',
      ATTRIBOT_ALLOW_PRIVATE_NETWORK: 'maybe',
      ATTRIBOT_LOG_LEVEL: 'verbose',
      ATTRIBOT_LOG_FORMAT: 'xml',
    });
    expect(bad.effective).toBeNull();
    expect(bad.errors.map((error) => error.path)).toEqual([
      'ATTRIBOT_ALLOW_PRIVATE_NETWORK',
      'ATTRIBOT_HTTP_PORT',
      'ATTRIBOT_LOG_LEVEL',
      'ATTRIBOT_LOG_FORMAT',
    ]);
    expect(bad.errors.find((error) => error.path === 'ATTRIBOT_LOG_FORMAT')?.message).toMatch(
      /^must be one of pretty, json/,
    );
    const good = applyEnvironment(config, {
      ATTRIBOT_HTTP_PORT: '9090',
      ATTRIBOT_ALLOW_PRIVATE_NETWORK: 'yes',
      ATTRIBOT_LOG_FORMAT: 'JSON',
    }).effective;
    expect(good?.http).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(good?.allowPrivateNetwork).toBe(true);
    expect(applyEnvironment(config, {}).effective?.http).toBeNull();
  });
});

describe('offline: checking a config without its secrets', () => {
  const config = Config.parse({
    feeds: base.feeds,
    destinations: [
      { name: 'intel', type: 'webhook', webhookUrlEnv: 'INTEL_WEBHOOK_URL' },
      { name: 'soc', type: 'bot', tokenFile: '/run/secrets/bot', channelId: CHANNEL },
      { name: 'log', type: 'console' },
    ],
    routes: [{ name: 'r', destinations: ['intel', 'soc', 'log'] }],
  });

  it('turns a missing variable or secret file into a warning and a placeholder', () => {
    const result = applyEnvironment(config, {}, fakeFiles({}), { offline: true });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((warning) => [warning.key, warning.message])).toEqual([
      [['destinations', 0, 'webhookUrlEnv'], 'destination "intel" needs INTEL_WEBHOOK_URL at run time'],
      [
        ['destinations', 1, 'tokenFile'],
        'destination "soc" needs its secret file /run/secrets/bot at run time',
      ],
    ]);
    expect(result.withoutSecret).toEqual(['intel', 'soc']);
    expect(result.effective?.destinations.map((target) => target.name)).toEqual(['intel', 'soc', 'log']);
    expect(result.effective?.destinations[0]).toEqual({
      name: 'intel',
      type: 'webhook',
      webhookUrl: OFFLINE_WEBHOOK_URL,
    });
    expect(result.effective?.config.routes[0]?.destinations).toEqual(['intel', 'soc', 'log']);
  });

  it('still refuses a secret that is set but wrong', () => {
    const result = applyEnvironment(config, { INTEL_WEBHOOK_URL: 'https://evil.example/x' }, fakeFiles({}), {
      offline: true,
    });
    expect(result.effective).toBeNull();
    expect(result.errors.map((error) => error.key)).toEqual([['destinations', 0, 'webhookUrlEnv']]);
  });

  it('keeps missing secrets errors without --offline, naming the destinations', () => {
    const result = applyEnvironment(config, {}, fakeFiles({}));
    expect(result.effective).toBeNull();
    expect(result.errors.map((error) => error.message)).toEqual([
      'destination "intel" needs INTEL_WEBHOOK_URL to be set',
      'destination "soc": cannot read its secret file /run/secrets/bot (ENOENT)',
    ]);
    expect(result.withoutSecret).toEqual(['intel', 'soc']);
  });
});

describe('DISCORD_WEBHOOK_URL beside destinations of the config', () => {
  const named = Config.parse({ feeds: base.feeds, destinations: [{ name: 'log', type: 'console' }] });

  it('is said to be ignored', () => {
    const result = applyEnvironment(named, { DISCORD_WEBHOOK_URL: HOOK });
    expect(result.effective?.destinations).toEqual([{ name: 'log', type: 'console' }]);
    expect(result.warnings).toEqual([
      {
        file: 'environment',
        line: null,
        path: 'DISCORD_WEBHOOK_URL',
        message: 'ignored: the config has its own destinations (it only applies to a config without any)',
      },
    ]);
  });

  it('is not ignored when a destination names it, nor when the config has no destinations', () => {
    const naming = Config.parse({
      feeds: base.feeds,
      destinations: [{ name: 'default', type: 'webhook', webhookUrlEnv: 'DISCORD_WEBHOOK_URL' }],
    });
    expect(applyEnvironment(naming, { DISCORD_WEBHOOK_URL: HOOK }).warnings).toEqual([]);
    expect(applyEnvironment(base, { DISCORD_WEBHOOK_URL: HOOK }).warnings).toEqual([]);
  });
});
