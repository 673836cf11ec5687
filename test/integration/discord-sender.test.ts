import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { formatAlert } from '../../src/alerts/format.js';
import {
  DiscordBotSender,
  type DiscordSenderOptions,
  DiscordWebhookSender,
  type DiscordWebhookSenderOptions,
} from '../../src/deliver/discord-sender.js';
import { DeliveryError } from '../../src/deliver/sender.js';
import { ConfigError } from '../../src/shared/errors.js';
import type { OutgoingMessage } from '../../src/shared/message.js';
import { type FakeDiscord, type FakeWebhook, startFakeDiscord } from '../helpers/fake-discord.js';

const seed: Alert = {
  attribution: {
    id: 'seed',
    is_attribution: true,
    actors: [{ name: 'Ministry of State Security', aliases: ['MSS'], country: 'China', stated: true }],
    attributed_countries: ['China'],
    attributing_parties: ['United States', 'European Union', 'United Kingdom', 'NATO'],
    products: ['Microsoft Exchange Server'],
    cves: ['CVE-2021-26855'],
    confidence: 0.9,
    confidence_reason: 'official attribution by several governments',
    evidence: ['An MSS-run team broke into the mail servers, officials said. @everyone <@&123456>'],
  },
  articleTitle: 'US and allies accuse China of Microsoft Exchange hack',
  articleUrl: 'https://www.cnet.com/news/us-and-allies-accuse-china/',
  sourceName: 'CNET',
  published: '2021-07-19T13:05:00Z',
};

const hostile: Alert = {
  ...seed,
  articleTitle: `@everyone ${'breaking '.repeat(1200)}`,
  attribution: {
    ...seed.attribution,
    attributing_parties: Array.from({ length: 100 }, (_, i) => `Agency ${i} <@&${100 + i}> @here`),
    products: Array.from({ length: 40 }, (_, i) => `Product ${i} [click](https://evil.example)`),
    evidence: [`${'quote '.repeat(2000)}@everyone`, 'x\u200b@here'],
  },
};

function plain(title: string): OutgoingMessage {
  return { embeds: [{ title }], allowed_mentions: { parse: [] } };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(error)}`);
  return error;
}

let discord: FakeDiscord;
const opened: Array<{ close(): void }> = [];

beforeEach(async () => {
  discord = await startFakeDiscord();
});

afterEach(async () => {
  for (const sender of opened.splice(0)) sender.close();
  await discord.close();
  expect(discord.violations).toEqual([]);
});

function webhookSender(webhook: FakeWebhook, options: DiscordSenderOptions = {}): DiscordWebhookSender {
  const sender = new DiscordWebhookSender({
    id: webhook.id,
    token: webhook.token,
    apiBase: discord.apiBase,
    name: 'alerts',
    timeoutMs: 2_000,
    ...options,
  });
  opened.push(sender);
  return sender;
}

function botSender(token: string, channelId: string, options: DiscordSenderOptions = {}): DiscordBotSender {
  const sender = new DiscordBotSender({
    token,
    channelId,
    apiBase: discord.apiBase,
    timeoutMs: 2_000,
    ...options,
  });
  opened.push(sender);
  return sender;
}

describe('DiscordWebhookSender through discord.js', () => {
  it('posts the formatted alert with ?wait=true and returns Discord message id', async () => {
    const webhook = discord.createWebhook();
    const result = await webhookSender(webhook).send(formatAlert(seed));

    const [message] = discord.messages(webhook.id);
    expect(discord.messages(webhook.id)).toHaveLength(1);
    expect(result).toEqual({ messageId: message?.id });
    expect(message?.embeds[0]).toMatchObject({ type: 'rich', url: seed.articleUrl });
    expect(message).toMatchObject({ webhook_id: webhook.id, mention_everyone: false, mention_roles: [] });
    expect(message?.allowed_mentions).toEqual({ parse: [] });

    const [request] = discord.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: `/api/v10/webhooks/${webhook.id}/${webhook.token}`,
      query: { wait: 'true' },
      status: 200,
    });
    expect(request?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(request?.headers.authorization).toBeUndefined();
  });

  it('accepts the webhook URL form under the configured API base', async () => {
    const webhook = discord.createWebhook();
    const sender = new DiscordWebhookSender({ webhookUrl: webhook.url, apiBase: discord.apiBase });
    opened.push(sender);
    await sender.send(plain('hello'));
    expect(discord.messages(webhook.id)).toHaveLength(1);
  });

  it('delivers a hostile alert that Discord accepts and that cannot ping', async () => {
    const webhook = discord.createWebhook();
    await webhookSender(webhook).send(formatAlert(hostile));
    const [message] = discord.messages(webhook.id);
    expect(discord.requests[0]?.status).toBe(200);
    expect(message).toMatchObject({ mention_everyone: false, mention_roles: [], mentions: [] });
  });

  it('edits a posted message in place', async () => {
    const webhook = discord.createWebhook();
    const sender = webhookSender(webhook);
    const { messageId } = await sender.send(plain('first'));
    if (!messageId) throw new Error('no message id');

    await expect(sender.edit(messageId, plain('second'))).resolves.toEqual({ messageId });

    expect(discord.messages(webhook.id)).toHaveLength(1);
    expect(discord.messages(webhook.id)[0]?.embeds[0]).toMatchObject({ title: 'second' });
    expect(discord.requests[1]).toMatchObject({
      method: 'PATCH',
      path: `/api/v10/webhooks/${webhook.id}/${webhook.token}/messages/${messageId}`,
    });
  });

  it.each([
    ['per-route', { status: 429, retryAfter: 0.25 }],
    ['shared', { status: 429, retryAfter: 0.25, scope: 'shared' as const }],
    ['global', { status: 429, retryAfter: 0.25, global: true }],
  ])('waits out a short %s 429 and never asks again before retry_after', async (_label, fault) => {
    const webhook = discord.createWebhook();
    discord.failNext(1, fault);

    await webhookSender(webhook).send(plain('after a 429'));

    const [limited, retried] = discord.requests;
    expect(discord.requests.map((r) => r.status)).toEqual([429, 200]);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(250);
    expect(discord.messages(webhook.id)).toHaveLength(1);
    expect(discord.violations).toEqual([]);
  });

  it('hands a long 429 to the outbox as retryable with retryAfterMs, after one request', async () => {
    const webhook = discord.createWebhook();
    discord.failNext(1, { status: 429, retryAfter: 30 });

    const error = await failure(webhookSender(webhook, { maxRateLimitWaitMs: 1_000 }).send(plain('x')));

    expect(error).toMatchObject({ kind: 'retryable', status: 429 });
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(30_000);
    expect(discord.requests).toHaveLength(1);
  });

  it('follows the bucket headers: a burst over the limit waits instead of hitting 429', async () => {
    await discord.close();
    discord = await startFakeDiscord({ rateLimit: { limit: 2, windowMs: 200 } });
    const webhook = discord.createWebhook();
    const sender = webhookSender(webhook);

    await Promise.all([1, 2, 3, 4, 5].map((n) => sender.send(plain(`burst ${n}`))));

    expect(discord.messages(webhook.id)).toHaveLength(5);
    expect(discord.requests.every((r) => r.status === 200)).toBe(true);
    expect(discord.violations).toEqual([]);
  });

  it.each([500, 502, 503])(
    'answers %i with a retryable DeliveryError after exactly one request',
    async (status) => {
      const webhook = discord.createWebhook();
      discord.failNext(1, { status });

      const error = await failure(webhookSender(webhook).send(plain('x')));

      expect(error).toMatchObject({ kind: 'retryable', status });
      expect(discord.requests).toHaveLength(1);
      expect(discord.messages(webhook.id)).toHaveLength(0);
    },
  );

  it('maps an unknown webhook (404, code 10015) to permanent, without the token in the message', async () => {
    const webhook = discord.createWebhook();
    const sender = webhookSender({ ...webhook, id: '1234567890123456789' });

    const error = await failure(sender.send(plain('x')));

    expect(error).toMatchObject({ kind: 'permanent', status: 404 });
    expect(error.message).toContain('code 10015');
    expect(error.message).not.toContain(webhook.token);
    expect(String(error.cause)).not.toContain(webhook.token);
  });

  it('maps a wrong webhook token (401) to permanent', async () => {
    const webhook = discord.createWebhook();
    const error = await failure(webhookSender({ ...webhook, token: 'wrong-token' }).send(plain('x')));
    expect(error).toMatchObject({ kind: 'permanent', status: 401 });
  });

  it('maps an invalid form body (400) to permanent', async () => {
    const webhook = discord.createWebhook();
    const error = await failure(webhookSender(webhook).send(plain('t'.repeat(300))));
    expect(error).toMatchObject({ kind: 'permanent', status: 400 });
    expect(error.message).toContain('embeds[0].title[BASE_TYPE_MAX_LENGTH]');
    expect(discord.messages(webhook.id)).toHaveLength(0);
  });

  it('gives up on a hanging request within timeoutMs, as retryable', async () => {
    const webhook = discord.createWebhook();
    discord.hangNext(1);
    const started = performance.now();

    const error = await failure(webhookSender(webhook, { timeoutMs: 300 }).send(plain('x')));

    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ kind: 'retryable', status: undefined });
    expect(error.message).toContain('timed out after 300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_000);
    expect(discord.requests).toHaveLength(1);
  });

  it('maps an unreachable API to retryable', async () => {
    const webhook = discord.createWebhook();
    const apiBase = discord.apiBase;
    await discord.close();
    const sender = new DiscordWebhookSender({
      id: webhook.id,
      token: webhook.token,
      apiBase,
      timeoutMs: 1_000,
    });
    opened.push(sender);
    discord = await startFakeDiscord();

    const error = await failure(sender.send(plain('x')));
    expect(error.kind).toBe('retryable');
    expect(error.message).not.toContain(webhook.token);
  });
});

describe('DiscordBotSender through discord.js', () => {
  it('posts to the channel with the bot token, a nonce and enforce_nonce, and edits', async () => {
    const token = discord.createBot();
    const channelId = discord.createChannel();
    const sender = botSender(token, channelId);

    const { messageId } = await sender.send(formatAlert(seed));
    if (!messageId) throw new Error('no message id');
    await sender.edit(messageId, plain('corrected'));

    const [post, patch] = discord.requests;
    expect(post).toMatchObject({
      method: 'POST',
      path: `/api/v10/channels/${channelId}/messages`,
      status: 200,
    });
    expect(post?.headers.authorization).toBe(`Bot ${token}`);
    expect(post?.body).toMatchObject({
      enforce_nonce: true,
      allowed_mentions: { parse: [] },
      nonce: expect.any(String),
    });
    expect(patch).toMatchObject({
      method: 'PATCH',
      path: `/api/v10/channels/${channelId}/messages/${messageId}`,
    });
    expect(discord.messages(channelId)).toHaveLength(1);
    expect(discord.messages(channelId)[0]?.embeds[0]).toMatchObject({ title: 'corrected' });
  });

  it('replies to an earlier message when asked (a story update answers its alert)', async () => {
    const channelId = discord.createChannel();
    const sender = botSender(discord.createBot(), channelId);
    const { messageId } = await sender.send(plain('alert'));
    await sender.send({ ...plain('update'), replyTo: messageId! });
    const reply = discord.requests.filter((request) => request.method === 'POST').at(-1);
    expect(reply?.body).toMatchObject({
      message_reference: { message_id: messageId, fail_if_not_exists: false },
    });
    expect(discord.messages(channelId)).toHaveLength(2);
  });

  it('a repeated send of the same message is deduplicated by its nonce', async () => {
    const channelId = discord.createChannel();
    const sender = botSender(discord.createBot(), channelId);

    const first = await sender.send(formatAlert(seed));
    const second = await sender.send(formatAlert(seed));

    expect(second).toEqual(first);
    expect(discord.messages(channelId)).toHaveLength(1);
  });

  it('maps a refused bot token (401) to permanent, every time', async () => {
    const sender = botSender('not-a-real-token', discord.createChannel());
    for (const _attempt of [1, 2]) {
      const error = await failure(sender.send(plain('x')));
      expect(error).toMatchObject({ kind: 'permanent', status: 401 });
      expect(error.message).not.toContain('not-a-real-token');
    }
    expect(discord.requests).toHaveLength(2);
  });

  it('maps an unknown channel (404) to permanent', async () => {
    const error = await failure(botSender(discord.createBot(), '1234567890123456789').send(plain('x')));
    expect(error).toMatchObject({ kind: 'permanent', status: 404 });
  });

  it('answers a 500 with a retryable DeliveryError after exactly one request', async () => {
    const sender = botSender(discord.createBot(), discord.createChannel());
    discord.failNext(1, { status: 500 });
    const error = await failure(sender.send(plain('x')));
    expect(error).toMatchObject({ kind: 'retryable', status: 500 });
    expect(discord.requests).toHaveLength(1);
  });

  it('waits out a short 429 and gives up on a hang within timeoutMs', async () => {
    const channelId = discord.createChannel();
    const sender = botSender(discord.createBot(), channelId, { timeoutMs: 300 });
    discord.failNext(1, { status: 429, retryAfter: 0.1 });
    await sender.send(plain('after 429'));
    expect(discord.messages(channelId)).toHaveLength(1);

    discord.hangNext(1);
    const error = await failure(sender.send(plain('hang')));
    expect(error).toMatchObject({ kind: 'retryable' });
    expect(error.message).toContain('timed out after 300 ms');
  });
});

describe('fake Discord checks what it claims to check', () => {
  async function post(url: string, body: unknown): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  it('records a request that ignores retry_after as a violation', async () => {
    const webhook = discord.createWebhook();
    discord.failNext(1, { status: 429, retryAfter: 0.5 });

    const limited = await post(webhook.url, { content: 'a' });
    const tooSoon = await post(webhook.url, { content: 'a' });

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(await limited.json()).toEqual({
      message: 'You are being rate limited.',
      retry_after: 0.5,
      global: false,
    });
    expect(tooSoon.status).toBe(429);
    expect(discord.violations).toMatchObject([{ scope: 'route', method: 'POST' }]);
    // afterEach asserts a clean run; start a fresh peer for it.
    await discord.close();
    discord = await startFakeDiscord();
  });

  it('answers like Discord: 204 without wait, limits as 50035, rate-limit headers everywhere', async () => {
    const webhook = discord.createWebhook();
    const noWait = await post(webhook.url, { content: 'hi' });
    const tooBig = await post(`${webhook.url}?wait=true`, {
      content: 'c'.repeat(2001),
      embeds: [{ description: 'd'.repeat(4000) }, { description: 'd'.repeat(2500) }],
    });
    const unknown = await post(`${discord.apiBase}/webhooks/1234567890123456789/abc`, { content: 'x' });

    const created = await post(`${webhook.url}?wait=true`, {
      content: 'hi',
      allowed_mentions: { parse: [] },
    });
    expect(await created.json()).not.toHaveProperty('allowed_mentions');
    expect(noWait.status).toBe(204);
    expect(tooBig.status).toBe(400);
    expect(await tooBig.json()).toEqual({
      code: 50035,
      message: 'Invalid Form Body',
      errors: {
        content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
        embeds: {
          _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }],
        },
      },
    });
    expect(await unknown.json()).toEqual({ message: 'Unknown Webhook', code: 10015 });
    for (const response of [noWait, tooBig, unknown]) {
      expect(response.headers.get('x-ratelimit-limit')).toBe('5');
      expect(response.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
      expect(response.headers.get('x-ratelimit-reset-after')).toMatch(/^\d+\.\d{3}$/);
      expect(response.headers.get('x-ratelimit-reset')).toMatch(/^\d+\.\d{3}$/);
      expect(response.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});

// A webhook's per-destination options: threads and forum posts (`?thread_id=` on execute and on
// edit), and the per-message name and avatar.

function alert(title: string): OutgoingMessage {
  return {
    embeds: [{ title, description: 'Sandworm blamed for a grid intrusion' }],
    allowed_mentions: { parse: [] },
  };
}

function optionsSender(
  webhook: FakeWebhook,
  options: Omit<DiscordWebhookSenderOptions, 'webhookUrl' | 'id' | 'token'> & { webhookUrl?: string } = {},
): DiscordWebhookSender {
  const built = new DiscordWebhookSender({
    webhookUrl: webhook.url,
    apiBase: discord.apiBase,
    name: 'intel',
    timeoutMs: 2_000,
    ...options,
  });
  opened.push(built);
  return built;
}

describe('webhook destination in a thread', () => {
  it('posts into the thread and edits the story message there, with thread_id on both requests', async () => {
    const channel = discord.createChannel();
    const thread = discord.createThread(channel);
    const webhook = discord.createWebhook({ channelId: channel });
    const intel = optionsSender(webhook, { threadId: thread });

    const { messageId } = await intel.send(alert('Sandworm blamed'));
    await intel.edit(messageId as string, alert('Sandworm blamed (+2 outlets)'));

    const [posted, edited] = discord.requests;
    expect(posted?.query).toEqual({ wait: 'true', thread_id: thread });
    expect(edited?.method).toBe('PATCH');
    expect(edited?.path).toBe(`/api/v10/webhooks/${webhook.id}/${webhook.token}/messages/${messageId}`);
    expect(edited?.query).toEqual({ thread_id: thread });
    expect(edited?.status).toBe(200);
    expect(discord.messages(thread)).toMatchObject([
      { id: messageId, channel_id: thread, embeds: [{ title: 'Sandworm blamed (+2 outlets)' }] },
    ]);
    expect(discord.messages(channel).filter((m) => m.channel_id === channel)).toEqual([]);
  });

  it('reads the thread from a webhook URL that carries ?thread_id=', async () => {
    const channel = discord.createChannel();
    const thread = discord.createThread(channel);
    const webhook = discord.createWebhook({ channelId: channel });
    await optionsSender(webhook, { webhookUrl: `${webhook.url}?thread_id=${thread}` }).send(
      alert('In a thread'),
    );
    expect(discord.requests[0]?.query.thread_id).toBe(thread);
    expect(discord.messages(thread)).toHaveLength(1);
  });

  it('posts into a forum post, which a forum webhook cannot do without one', async () => {
    const forum = discord.createForumChannel();
    const post = discord.createThread(forum);
    const webhook = discord.createWebhook({ channelId: forum });

    const refused = await failure(optionsSender(webhook).send(alert('No post named')));
    expect(refused).toMatchObject({ kind: 'permanent', status: 400, code: 220001 });

    await optionsSender(webhook, { threadId: post }).send(alert('Into the post'));
    expect(discord.messages(post)).toMatchObject([{ embeds: [{ title: 'Into the post' }] }]);
  });

  it('an unknown or deleted thread is 404 Unknown Channel (10003): permanent, so the destination is suspended', async () => {
    const channel = discord.createChannel();
    const thread = discord.createThread(channel);
    const webhook = discord.createWebhook({ channelId: channel });
    const intel = optionsSender(webhook, { threadId: thread });
    const { messageId } = await intel.send(alert('Before the thread went'));
    discord.deleteThread(thread);

    const onSend = await failure(intel.send(alert('After')));
    expect(onSend).toMatchObject({ kind: 'permanent', status: 404, code: 10003 });
    expect(onSend.message).not.toContain(webhook.token);
    const onEdit = await failure(intel.edit(messageId as string, alert('After, edited')));
    expect(onEdit).toMatchObject({ kind: 'permanent', status: 404, code: 10003 });
  });

  it('a thread of another channel is not the webhook’s to post in', async () => {
    const webhook = discord.createWebhook();
    const elsewhere = discord.createThread(discord.createChannel());
    const error = await failure(optionsSender(webhook, { threadId: elsewhere }).send(alert('Wrong thread')));
    expect(error).toMatchObject({ status: 404, code: 10003 });
  });

  it('the fake answers an edit without the thread_id of a thread message as Discord does: Unknown Message', async () => {
    const channel = discord.createChannel();
    const thread = discord.createThread(channel);
    const webhook = discord.createWebhook({ channelId: channel });
    const { messageId } = await optionsSender(webhook, { threadId: thread }).send(
      alert('Posted in a thread'),
    );
    const error = await failure(
      optionsSender(webhook).edit(messageId as string, alert('Edited without the thread')),
    );
    expect(error).toMatchObject({ status: 404, code: 10008 });
  });

  it('refuses a threadId that differs from the URL’s ?thread_id=', () => {
    const channel = discord.createChannel();
    const webhook = discord.createWebhook({ channelId: channel });
    const [first, second] = [discord.createThread(channel), discord.createThread(channel)];
    expect(() =>
      optionsSender(webhook, { webhookUrl: `${webhook.url}?thread_id=${first}`, threadId: second }),
    ).toThrow(ConfigError);
    expect(() =>
      optionsSender(webhook, { webhookUrl: `${webhook.url}?thread_id=${first}`, threadId: first }),
    ).not.toThrow();
  });
});

describe('webhook destination with its own name and avatar', () => {
  it('sends username and avatar_url when posting, not when editing', async () => {
    const webhook = discord.createWebhook({ name: 'Captain Hook' });
    const intel = optionsSender(webhook, {
      username: 'attribot · intel desk',
      avatarUrl: 'https://cdn.example.org/attribot.png',
    });
    const { messageId } = await intel.send(alert('With a name'));
    await intel.edit(messageId as string, alert('With a name, edited'));

    expect(discord.requests[0]?.body).toMatchObject({
      username: 'attribot · intel desk',
      avatar_url: 'https://cdn.example.org/attribot.png',
    });
    expect(discord.requests[1]?.body).not.toHaveProperty('username');
    expect(discord.requests[1]?.body).not.toHaveProperty('avatar_url');
    expect(discord.messages(webhook.id)).toMatchObject([
      { author: { username: 'attribot · intel desk' }, avatar_url: 'https://cdn.example.org/attribot.png' },
    ]);
  });

  it('without them the webhook’s own name shows', async () => {
    const webhook = discord.createWebhook({ name: 'Captain Hook' });
    await optionsSender(webhook).send(alert('Plain'));
    expect(discord.requests[0]?.body).not.toHaveProperty('username');
    expect(discord.messages(webhook.id)[0]?.author.username).toBe('Captain Hook');
  });

  it('a name Discord refuses comes back as 400 Invalid Form Body, permanent', async () => {
    const webhook = discord.createWebhook();
    const error = await failure(
      optionsSender(webhook, { username: 'Discord Alerts' }).send(alert('Refused name')),
    );
    expect(error).toMatchObject({ kind: 'permanent', status: 400, code: 50035 });
    expect(discord.messages(webhook.id)).toEqual([]);
  });

  it('refuses an avatar URL that is not https before any request', () => {
    const webhook = discord.createWebhook();
    expect(() => optionsSender(webhook, { avatarUrl: 'http://cdn.example.org/a.png' })).toThrow(/https/);
    expect(discord.requests).toEqual([]);
  });
});
