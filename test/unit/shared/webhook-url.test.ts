import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/shared/errors.js';
import { parseWebhookUrl } from '../../../src/shared/webhook-url.js';

const ID = '1234567890123456789';
const THREAD = '1198765432109876543';
const TOKEN = 'Zx9-_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstuvwxy';

describe('parseWebhookUrl', () => {
  it.each([
    `https://discord.com/api/webhooks/${ID}/${TOKEN}`,
    `https://discord.com/api/webhooks/${ID}/${TOKEN}/`,
    `https://discord.com/api/v10/webhooks/${ID}/${TOKEN}`,
    `https://discordapp.com/api/webhooks/${ID}/${TOKEN}`,
    `https://ptb.discord.com/api/webhooks/${ID}/${TOKEN}`,
    `https://canary.discord.com/api/webhooks/${ID}/${TOKEN}`,
    `  https://discord.com/api/webhooks/${ID}/${TOKEN}\n`,
  ])('reads %s', (url) => {
    expect(parseWebhookUrl(url)).toEqual({ id: ID, token: TOKEN });
  });

  it.each([
    `https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=${THREAD}`,
    `https://discord.com/api/webhooks/${ID}/${TOKEN}/?thread_id=${THREAD}`,
  ])('reads the thread of %s', (url) => {
    expect(parseWebhookUrl(url)).toEqual({ id: ID, token: TOKEN, threadId: THREAD });
  });

  it('accepts URLs under a configured API base (tests, proxies)', () => {
    const apiBase = 'http://127.0.0.1:4567/api';
    expect(parseWebhookUrl(`${apiBase}/webhooks/${ID}/${TOKEN}`, { apiBase })).toEqual({
      id: ID,
      token: TOKEN,
    });
    expect(() => parseWebhookUrl(`http://127.0.0.1:9999/api/webhooks/${ID}/${TOKEN}`, { apiBase })).toThrow(
      /https/,
    );
  });

  it.each([
    ['not a url', /not a URL/],
    [`http://discord.com/api/webhooks/${ID}/${TOKEN}`, /must use https/],
    [
      `https://discord.com.evil.example/api/webhooks/${ID}/${TOKEN}`,
      /host "discord\.com\.evil\.example" is not discord\.com/,
    ],
    [`https://discord.com:8443/api/webhooks/${ID}/${TOKEN}`, /is not discord\.com/],
    [`https://discord.com/webhooks/${ID}/${TOKEN}`, /path is not/],
    [`https://discord.com/api/webhooks/${ID}`, /path is not/],
    [`https://discord.com/api/webhooks/${ID}/${TOKEN}/messages/1`, /path is not/],
    [`https://discord.com/api/channels/${ID}/${TOKEN}`, /path is not/],
    [`https://discord.com/api/webhooks/abc/${TOKEN}`, /id must be a numeric snowflake/],
    [`https://discord.com/api/webhooks/${ID}/${TOKEN}%20x`, /token has unexpected characters/],
    [`https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=1`, /thread_id must be a numeric snowflake/],
    [`https://discord.com/api/webhooks/${ID}/${TOKEN}?wait=true`, /only \?thread_id=<thread id>.*"wait"/],
    [
      `https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=${THREAD}&thread_id=${ID}`,
      /thread_id twice/,
    ],
    [`https://discord.com/api/webhooks/${ID}/${TOKEN}#top`, /fragment/],
  ])('refuses %s', (url, message) => {
    let caught: unknown;
    try {
      parseWebhookUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain(TOKEN);
    expect((caught as Error).message).toContain('https://discord.com/api/webhooks/<id>/<token>');
  });
});
