/**
 * Discord delivery through discord.js's REST client, as a webhook or as a bot.
 *
 * Retry ownership: the outbox worker owns retries. The REST client is built with `retries: 0`, so
 * a 5xx, a timeout or a network error surfaces at once as a retryable DeliveryError and is never
 * repeated here: such a request may have been executed, and only the outbox may decide to send
 * again (bot sends carry a nonce with `enforce_nonce`, so a repeat within minutes is deduplicated;
 * webhooks have no such key).
 *
 * 429 is the exception, because Discord did not execute a rate-limited request and repeating it
 * cannot duplicate a message. discord.js reads the X-RateLimit-* headers, waits before a bucket runs
 * dry and waits out a 429 itself while the wait is short (≤ maxRateLimitWaitMs). A longer wait is
 * refused through `rejectOnRateLimit` and surfaces as a retryable DeliveryError with status 429 and
 * retryAfterMs, so one slow route never holds the outbox worker. `timeoutMs` bounds each HTTP
 * attempt; a send can take at most timeoutMs plus the rate-limit waits it accepted.
 *
 * Secrets: a webhook URL carries its token, and discord.js errors quote URLs. Errors raised here
 * are rebuilt from redacted text, and the original discord.js error is never kept as `cause`.
 */
import { createHash } from 'node:crypto';
import {
  DiscordAPIError,
  HTTPError,
  type RateLimitData,
  RateLimitError,
  type RawFile,
  REST,
  Routes,
} from 'discord.js';
import { SNOWFLAKE } from '../shared/discord-ids.js';
import { ConfigError } from '../shared/errors.js';
import { type Logger, redactSecrets } from '../shared/logger.js';
import type { OutgoingMessage } from '../shared/message.js';
import { parseWebhookUrl, type WebhookRef } from '../shared/webhook-url.js';
import { DeliveryError, type Sender, type SendResult } from './sender.js';

export const DISCORD_SENDER_DEFAULTS = {
  apiBase: 'https://discord.com/api',
  timeoutMs: 15_000,
  maxRateLimitWaitMs: 10_000,
} as const satisfies Record<string, string | number>;

export interface DiscordSenderOptions {
  name?: string;
  /** Base of the REST API without the version, e.g. `https://discord.com/api`. */
  apiBase?: string;
  /** Deadline of one HTTP attempt. */
  timeoutMs?: number;
  /** Longest rate-limit wait accepted in-process; longer ones become a retryable DeliveryError. */
  maxRateLimitWaitMs?: number;
  logger?: Logger;
}

/** How a webhook's messages look and where they land: Execute Webhook's per-message options. */
export interface WebhookIdentity {
  /** A thread or forum post of the webhook's channel (`?thread_id=` on send and on edit). */
  threadId?: string;
  /** Shown instead of the webhook's name. */
  username?: string;
  /** An https image URL shown instead of the webhook's avatar. */
  avatarUrl?: string;
}

export type DiscordWebhookSenderOptions = DiscordSenderOptions &
  WebhookIdentity &
  ({ webhookUrl: string } | WebhookRef);

export interface DiscordBotSenderOptions extends DiscordSenderOptions {
  token: string;
  channelId: string;
}

type Action = 'send' | 'edit';

interface Client {
  rest: REST;
  sender: string;
  timeoutMs: number;
}

const NONCE_MAX = 25;

export class DiscordWebhookSender implements Sender {
  readonly name: string;
  readonly #webhook: WebhookRef;
  readonly #identity: Record<string, string>;
  readonly #client: Client;

  constructor(options: DiscordWebhookSenderOptions) {
    this.name = options.name ?? 'discord-webhook';
    const parsed =
      'webhookUrl' in options
        ? parseWebhookUrl(options.webhookUrl, options.apiBase ? { apiBase: options.apiBase } : {})
        : checkedWebhook(options);
    this.#webhook = { id: parsed.id, token: parsed.token, ...threadOf(parsed, options) };
    this.#identity = identityBody(options);
    this.#client = createClient(this.name, options);
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const { id, token } = this.#webhook;
    return perform(this.#client, 'send', (rest) =>
      rest.post(Routes.webhook(id, token), {
        body: { ...wireBody(message), ...this.#identity },
        ...wireFiles(message),
        query: this.#query({ wait: 'true' }),
        auth: false,
      }),
    );
  }

  /** An edit names the thread too: Discord finds a thread's message only under its thread_id. */
  async edit(messageId: string, message: OutgoingMessage): Promise<SendResult> {
    const { id, token } = this.#webhook;
    assertMessageId(messageId);
    return perform(this.#client, 'edit', (rest) =>
      rest.patch(Routes.webhookMessage(id, token, messageId), {
        body: wireBody(message),
        query: this.#query({}),
        auth: false,
      }),
    );
  }

  #query(base: Record<string, string>): URLSearchParams {
    const query = new URLSearchParams(base);
    if (this.#webhook.threadId !== undefined) query.set('thread_id', this.#webhook.threadId);
    return query;
  }

  /** Stops discord.js's sweeper timers. */
  close(): void {
    closeClient(this.#client);
  }
}

export class DiscordBotSender implements Sender {
  readonly name: string;
  readonly #token: string;
  readonly #channelId: string;
  readonly #client: Client;

  constructor(options: DiscordBotSenderOptions) {
    this.name = options.name ?? 'discord-bot';
    if (!options.token.trim()) throw new ConfigError('Discord bot token is empty');
    if (!SNOWFLAKE.test(options.channelId))
      throw new ConfigError('Discord channel id must be a numeric snowflake');
    this.#token = options.token.trim();
    this.#channelId = options.channelId;
    this.#client = createClient(this.name, options);
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const body = {
      ...wireBody(message),
      nonce: nonceFor(message),
      enforce_nonce: true,
      // A reply whose original was deleted is posted as a plain message rather than refused.
      ...(message.replyTo
        ? { message_reference: { message_id: message.replyTo, fail_if_not_exists: false } }
        : {}),
    };
    return perform(this.#client, 'send', (rest) => {
      // discord.js forgets the token after a 401; setting it each time keeps every call classified alike.
      rest.setToken(this.#token);
      return rest.post(Routes.channelMessages(this.#channelId), { body, ...wireFiles(message) });
    });
  }

  async edit(messageId: string, message: OutgoingMessage): Promise<SendResult> {
    assertMessageId(messageId);
    return perform(this.#client, 'edit', (rest) => {
      rest.setToken(this.#token);
      return rest.patch(Routes.channelMessage(this.#channelId, messageId), { body: wireBody(message) });
    });
  }

  close(): void {
    closeClient(this.#client);
  }
}

function checkedWebhook(ref: WebhookRef): WebhookRef {
  if (!SNOWFLAKE.test(ref.id)) throw new ConfigError('Discord webhook id must be a numeric snowflake');
  if (!/^[\w-]+$/.test(ref.token)) throw new ConfigError('Discord webhook token has unexpected characters');
  return { id: ref.id, token: ref.token };
}

/** The thread to post into: the option, or the URL's ?thread_id=; both must agree. */
function threadOf(parsed: WebhookRef, options: WebhookIdentity): { threadId?: string } {
  const threadId = options.threadId ?? parsed.threadId;
  if (threadId === undefined) return {};
  if (!SNOWFLAKE.test(threadId)) throw new ConfigError('Discord thread id must be a numeric snowflake');
  if (parsed.threadId !== undefined && parsed.threadId !== threadId) {
    throw new ConfigError(
      `Discord thread id ${threadId} differs from the webhook URL's ?thread_id=${parsed.threadId}`,
    );
  }
  return { threadId };
}

/** Execute Webhook's `username` and `avatar_url`; Discord takes them on create only, not on edit. */
function identityBody(options: WebhookIdentity): Record<string, string> {
  const body: Record<string, string> = {};
  if (options.username !== undefined) body.username = options.username;
  if (options.avatarUrl !== undefined) {
    if (!/^https:\/\//i.test(options.avatarUrl) || !URL.canParse(options.avatarUrl))
      throw new ConfigError('Discord webhook avatar URL must be an absolute https URL');
    body.avatar_url = options.avatarUrl;
  }
  return body;
}

function assertMessageId(messageId: string): void {
  if (!SNOWFLAKE.test(messageId)) {
    throw new DeliveryError('Discord message id to edit is not a snowflake', { kind: 'permanent' });
  }
}

function createClient(sender: string, options: DiscordSenderOptions): Client {
  const timeoutMs = options.timeoutMs ?? DISCORD_SENDER_DEFAULTS.timeoutMs;
  const maxWaitMs = options.maxRateLimitWaitMs ?? DISCORD_SENDER_DEFAULTS.maxRateLimitWaitMs;
  const log = options.logger;
  const rest = new REST({
    api: (options.apiBase ?? DISCORD_SENDER_DEFAULTS.apiBase).replace(/\/+$/, ''),
    version: '10',
    retries: 0,
    timeout: timeoutMs,
    rejectOnRateLimit: (data) => {
      const waitMs = rateLimitWaitMs(data);
      const reject = waitMs > maxWaitMs;
      // `route` has the token replaced by `:token`; `url` and `majorParameter` carry it and are not logged.
      log?.debug(
        { sender, route: data.route, scope: data.scope, global: data.global, waitMs, reject },
        'Discord rate limit',
      );
      return reject;
    },
  });
  return { rest, sender, timeoutMs };
}

function closeClient(client: Client): void {
  client.rest.clearHashSweeper();
  client.rest.clearHandlerSweeper();
}

async function perform(
  client: Client,
  action: Action,
  run: (rest: REST) => Promise<unknown>,
): Promise<SendResult> {
  let response: unknown;
  try {
    response = await run(client.rest);
  } catch (error) {
    throw toDeliveryError(error, { sender: client.sender, action, timeoutMs: client.timeoutMs });
  }
  const id = typeof response === 'object' && response !== null && 'id' in response ? response.id : undefined;
  return typeof id === 'string' ? { messageId: id } : {};
}

/** The message as Discord's create/edit body: only the keys we mean to send. */
function wireBody(message: OutgoingMessage): Record<string, unknown> {
  const body: Record<string, unknown> = {
    embeds: message.embeds,
    allowed_mentions: message.allowed_mentions,
  };
  if (message.content !== undefined) body.content = message.content;
  // Each file is the form part `files[n]`; `attachments` names it and gives its alt text.
  if (message.files && message.files.length > 0)
    body.attachments = message.files.map((file, index) => ({
      id: index,
      filename: file.name,
      ...(file.description ? { description: file.description } : {}),
    }));
  return body;
}

/** A message's files as discord.js sends them: multipart/form-data, the body as `payload_json`. */
function wireFiles(message: OutgoingMessage): { files?: RawFile[] } {
  if (!message.files || message.files.length === 0) return {};
  return {
    files: message.files.map((file, index) => ({
      key: `files[${index}]`,
      name: file.name,
      contentType: file.contentType,
      data: Buffer.from(file.data, 'base64'),
    })),
  };
}

/** A stable key per message, so the outbox's repeat of a send is deduplicated by Discord. */
export function nonceFor(message: OutgoingMessage): string {
  const given = message.nonce?.trim();
  if (given && given.length <= NONCE_MAX) return given;
  const source = given || JSON.stringify(wireBody(message));
  return createHash('sha256').update(source).digest('base64url').slice(0, NONCE_MAX);
}

type RateLimitTiming = Pick<RateLimitData, 'retryAfter' | 'timeToReset' | 'sublimitTimeout'>;

function rateLimitWaitMs(data: RateLimitTiming): number {
  return Math.max(0, Math.ceil(Math.max(data.retryAfter, data.timeToReset, data.sublimitTimeout)));
}

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('code' in value)) return undefined;
  return typeof value.code === 'string' ? value.code : undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || codeOf(error) === 'UND_ERR_ABORTED');
}

/** A stand-in for the original error that keeps its name and redacted message and nothing else. */
function safeCause(error: unknown): Error {
  const cause = new Error(redactSecrets(error instanceof Error ? error.message : String(error)));
  if (error instanceof Error) cause.name = error.name;
  return cause;
}

/** The one place a discord.js failure becomes retryable or permanent. */
export function toDeliveryError(
  error: unknown,
  context: { sender: string; action: Action; timeoutMs: number },
): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const what = `Discord ${context.action} via "${context.sender}"`;
  const cause = safeCause(error);
  if (error instanceof RateLimitError) {
    const retryAfterMs = rateLimitWaitMs(error);
    const scope = error.global ? 'global' : error.scope;
    return new DeliveryError(
      `${what} is rate limited (${scope}, ${error.route}); retry in ${retryAfterMs} ms`,
      {
        kind: 'retryable',
        status: 429,
        retryAfterMs,
        cause,
      },
    );
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' && error.code !== 0 ? ` (code ${error.code})` : '';
    const detail = redactSecrets(error.message).replace(/\s+/g, ' ');
    return new DeliveryError(`${what} failed with ${error.status}${code}: ${detail}`, {
      kind: isRetryableStatus(error.status) ? 'retryable' : 'permanent',
      status: error.status,
      ...(typeof error.code === 'number' && error.code !== 0 ? { code: error.code } : {}),
      cause,
    });
  }
  if (error instanceof HTTPError) {
    return new DeliveryError(`${what} failed with ${error.status} ${redactSecrets(error.message)}`, {
      kind: isRetryableStatus(error.status) ? 'retryable' : 'permanent',
      status: error.status,
      cause,
    });
  }
  if (isTimeout(error)) {
    return new DeliveryError(`${what} timed out after ${context.timeoutMs} ms`, { kind: 'retryable', cause });
  }
  const code = error instanceof Error ? (codeOf(error) ?? codeOf(error.cause)) : undefined;
  const detail = redactSecrets(error instanceof Error ? error.message : String(error));
  return new DeliveryError(`${what} failed: ${detail}${code ? ` (${code})` : ''}`, {
    kind: 'retryable',
    cause,
  });
}
