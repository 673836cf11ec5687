import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import {
  DiscordBotSender,
  DiscordWebhookSender,
  nonceFor,
  toDeliveryError,
} from '../../../src/deliver/discord-sender.js';
import { DeliveryError } from '../../../src/deliver/sender.js';
import { ConfigError } from '../../../src/shared/errors.js';
import type { OutgoingMessage } from '../../../src/shared/message.js';

const ID = '1234567890123456789';
const TOKEN = 'sEcReT-token_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS';
const URL_WITH_TOKEN = `https://discord.com/api/v10/webhooks/${ID}/${TOKEN}?wait=true`;
const context = { sender: 'alerts', action: 'send' as const, timeoutMs: 2_000 };

function apiError(status: number, code: number, message: string): DiscordAPIError {
  return new DiscordAPIError({ code, message }, code, status, 'POST', URL_WITH_TOKEN, {
    body: { embeds: [] },
  });
}

describe('toDeliveryError', () => {
  it.each([
    [400, 50035, 'Invalid Form Body', 'permanent'],
    [401, 50027, 'Invalid Webhook Token', 'permanent'],
    [403, 50013, 'Missing Permissions', 'permanent'],
    [404, 10015, 'Unknown Webhook', 'permanent'],
    [413, 40005, 'Request entity too large', 'permanent'],
    [408, 0, 'Request Timeout', 'retryable'],
  ] as const)('DiscordAPIError %i (code %i) is %s', (status, code, text, kind) => {
    const error = toDeliveryError(apiError(status, code, text), context);
    expect(error).toMatchObject({ kind, status, retryAfterMs: undefined });
    expect(error.message).toContain(text);
  });

  it.each([500, 502, 503, 504])('HTTPError %i is retryable', (status) => {
    const error = toDeliveryError(new HTTPError(status, 'Bad Gateway', 'POST', URL_WITH_TOKEN, {}), context);
    expect(error).toMatchObject({ kind: 'retryable', status });
  });

  it('a refused rate-limit wait is retryable with the time to wait', () => {
    const error = toDeliveryError(
      new RateLimitError({
        global: false,
        hash: 'abc',
        limit: 5,
        majorParameter: `${ID}/${TOKEN}`,
        method: 'POST',
        retryAfter: 30_050,
        route: '/webhooks/:id/:token',
        scope: 'shared',
        sublimitTimeout: 0,
        timeToReset: 29_000,
        url: URL_WITH_TOKEN,
      }),
      context,
    );
    expect(error).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 30_050 });
    expect(error.message).toBe(
      'Discord send via "alerts" is rate limited (shared, /webhooks/:id/:token); retry in 30050 ms',
    );
  });

  it('a timeout is retryable and names the deadline', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(toDeliveryError(abort, context)).toMatchObject({
      kind: 'retryable',
      status: undefined,
      message: 'Discord send via "alerts" timed out after 2000 ms',
    });
  });

  it('a network error is retryable and keeps its code', () => {
    const network = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(toDeliveryError(network, context).message).toBe(
      'Discord send via "alerts" failed: fetch failed (ECONNREFUSED)',
    );
  });

  it('never carries the webhook token, in the message or in the cause', () => {
    const original = new Error(`request to ${URL_WITH_TOKEN} failed`);
    for (const error of [apiError(404, 10015, 'Unknown Webhook'), original]) {
      const mapped = toDeliveryError(error, context);
      expect(mapped.message).not.toContain(TOKEN);
      expect(mapped.cause).not.toBe(error);
      expect(JSON.stringify({ message: mapped.message, cause: String(mapped.cause) })).not.toContain(TOKEN);
      expect(Object.values(mapped.cause as object).join(' ')).not.toContain(TOKEN);
    }
  });

  it('passes a DeliveryError through unchanged', () => {
    const error = new DeliveryError('already mapped', { kind: 'permanent' });
    expect(toDeliveryError(error, context)).toBe(error);
  });
});

describe('nonceFor', () => {
  const message: OutgoingMessage = { embeds: [{ title: 'x' }], allowed_mentions: { parse: [] } };

  it('is stable for the same message and at most 25 characters', () => {
    expect(nonceFor(message)).toBe(nonceFor({ ...message, embeds: [{ title: 'x' }] }));
    expect(nonceFor(message)).not.toBe(nonceFor({ ...message, embeds: [{ title: 'y' }] }));
    expect(nonceFor(message).length).toBeLessThanOrEqual(25);
  });

  it('uses the caller key, hashed when too long', () => {
    expect(nonceFor({ ...message, nonce: 'outbox-42' })).toBe('outbox-42');
    expect(nonceFor({ ...message, nonce: 'x'.repeat(40) })).toHaveLength(25);
  });
});

describe('constructors', () => {
  it('refuse a malformed webhook', () => {
    expect(() => new DiscordWebhookSender({ webhookUrl: 'https://example.com/hook' })).toThrow(ConfigError);
    expect(() => new DiscordWebhookSender({ id: '12', token: TOKEN })).toThrow(/snowflake/);
    expect(() => new DiscordWebhookSender({ id: ID, token: '../../channels' })).toThrow(
      /unexpected characters/,
    );
  });

  it('refuse a bot without token or with a bad channel id', () => {
    expect(() => new DiscordBotSender({ token: ' ', channelId: ID })).toThrow(/token is empty/);
    expect(() => new DiscordBotSender({ token: 'abc', channelId: 'general' })).toThrow(/snowflake/);
  });

  it('refuse to edit something that is not a message id, before any request', async () => {
    const sender = new DiscordWebhookSender({ id: ID, token: TOKEN, apiBase: 'http://127.0.0.1:9/api' });
    await expect(
      sender.edit('../../x', { embeds: [], allowed_mentions: { parse: [] } }),
    ).rejects.toMatchObject({
      kind: 'permanent',
    });
    sender.close();
  });
});
