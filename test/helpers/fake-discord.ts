/**
 * A local Discord REST v10 peer for integration tests, reached through discord.js's `api` option.
 * It speaks the wire protocol discord.js relies on: routes, JSON errors with Discord's codes,
 * X-RateLimit-* headers with real per-bucket counting, 429s with Retry-After and scope headers,
 * and the embed limits Discord enforces. It records every request and flags any request that
 * arrives before a rate limit it announced has passed (tests assert there are none).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RecordedRequest {
  method: string;
  /** Full path, e.g. `/api/v10/webhooks/<id>/<token>`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /**
   * Parsed JSON; the raw text when it is not JSON; undefined when empty. For a multipart body (a
   * message with files), the JSON of its `payload_json` part.
   */
  body: unknown;
  /** The file parts of a multipart body, in order (`files[0]`, `files[1]`, ...). */
  files?: RecordedFile[];
  /** Date.now() when the request arrived. */
  at: number;
  /** Status answered; 0 while (or because) the request hangs. */
  status: number;
  /** Date.now() when the answer was written; 0 until then. */
  answeredAt: number;
  /** The client's name when it came through `apiBaseFor(client)`. */
  client?: string;
  /** The message this request created (a create that a nonce deduplicated creates none). */
  createdMessageId?: string;
}

/** One file part of a multipart/form-data request, as Discord receives attachments. */
export interface RecordedFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** An attachment of a created message, as Discord returns it. */
export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
  description?: string;
}

export interface RateLimitViolation {
  method: string;
  path: string;
  scope: 'route' | 'global';
  /** How much sooner than announced the request came. */
  earlyByMs: number;
}

export interface Fault {
  /** 429, or a 5xx such as 500, 502, 503. */
  status: number;
  /** Seconds, for 429 (default 0.25). */
  retryAfter?: number;
  /** 429 only: the global limit rather than the route's. */
  global?: boolean;
  /** 429 only: scope of a per-route limit (default `user`). */
  scope?: 'user' | 'shared';
}

export interface FakeWebhook {
  id: string;
  token: string;
  /** `${apiBase}/webhooks/<id>/<token>` */
  url: string;
  channelId: string;
  name: string;
}

/** A thread (or a forum post, which is a thread of a forum channel) under a channel. */
export interface FakeThread {
  id: string;
  parentId: string;
}

export interface FakeMessage {
  id: string;
  type: 0;
  channel_id: string;
  content: string;
  embeds: Array<Record<string, unknown>>;
  author: { id: string; username: string; bot: true; avatar: null; discriminator: '0000'; global_name: null };
  webhook_id?: string;
  nonce?: string | number;
  /** As sent. Discord does not echo it; the fake keeps it for assertions and leaves it out of responses. */
  allowed_mentions?: unknown;
  /** A webhook's `avatar_url` override as sent (Discord answers with an avatar hash; the fake keeps the URL, off the wire). */
  avatar_url?: string;
  /** Set when the message was posted into a thread: `channel_id` is then the thread's id, as on Discord. */
  position?: number;
  mention_everyone: boolean;
  mention_roles: string[];
  mentions: Array<{ id: string }>;
  attachments: FakeAttachment[];
  components: [];
  pinned: false;
  tts: false;
  flags: 0;
  timestamp: string;
  edited_timestamp: string | null;
}

export interface FakeDiscordOptions {
  /** Per-bucket limit; Discord's webhook default is 5 requests per 2 s. */
  rateLimit?: { limit: number; windowMs: number };
  /**
   * How long a request that creates or edits a message waits for its answer once Discord has
   * acted on it (real Discord takes tens to hundreds of ms): a client that dies meanwhile leaves a
   * message it never heard of. Default 0.
   */
  answerDelayMs?: number;
}

interface Bucket {
  hash: string;
  count: number;
  /** performance.now() when the window resets. */
  resetAt: number;
}

/** An interaction the fake gateway delivered, and what the bot answered through REST. */
export interface FakeInteraction {
  id: string;
  token: string;
  applicationId: string;
  /** Bodies POSTed to /interactions/:id/:token/callback, in order. */
  callbacks: Array<{ type: number; data?: Record<string, unknown> }>;
  /** The original response as last set by a type 4 callback or a PATCH of @original. */
  original: { content: string; flags: number; allowed_mentions?: unknown; edited: boolean } | null;
}

type Route =
  | { kind: 'gateway-bot' }
  | { kind: 'users-me' }
  | { kind: 'guild-commands'; applicationId: string; guildId: string }
  | { kind: 'interaction-callback'; interactionId: string; token: string }
  | { kind: 'interaction-original'; applicationId: string; token: string }
  | { kind: 'webhook-create'; webhookId: string; token: string }
  | { kind: 'webhook-edit'; webhookId: string; token: string; messageId: string }
  | { kind: 'channel-create'; channelId: string }
  | { kind: 'channel-edit'; channelId: string; messageId: string };

interface MatchedRoute {
  route: Route;
  bucketKey: string;
  bucketHash: string;
}

type ErrorTree = { [key: string]: ErrorTree | Array<{ code: string; message: string }> };

const DISCORD_EPOCH = 1_420_070_400_000n;
const PREFIX = '/api';
/** `/_client/<name>/api/...`: the same API, with requests recorded under the client's name. */
const CLIENT_PREFIX = /^\/_client\/([\w.-]+)(\/.*)$/;

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const fake = new FakeDiscord(options);
  await fake.listen();
  return fake;
}

export class FakeDiscord {
  apiBase = '';
  readonly #server = createServer((req, res) => {
    this.#handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #answerDelayMs: number;
  readonly #requests: RecordedRequest[] = [];
  readonly #violations: RateLimitViolation[] = [];
  readonly #webhooks = new Map<string, FakeWebhook>();
  readonly #channels = new Set<string>();
  /** Forum channels: a webhook there must name a thread (thread_id) or open a post (thread_name). */
  readonly #forums = new Set<string>();
  readonly #threads = new Map<string, FakeThread>();
  readonly #bots = new Map<string, string>();
  readonly #messages: FakeMessage[] = [];
  readonly #faults: Array<Fault | 'hang'> = [];
  readonly #buckets = new Map<string, Bucket>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #commands = new Map<string, unknown[]>();
  readonly #interactions = new Map<string, FakeInteraction>();
  #globalUntil = 0;
  #sequence = 0;
  /** What GET /gateway/bot announces; set by the fake gateway. */
  gatewayUrl = 'ws://127.0.0.1:1';

  constructor(options: FakeDiscordOptions = {}) {
    this.#limit = options.rateLimit?.limit ?? 5;
    this.#windowMs = options.rateLimit?.windowMs ?? 2_000;
    this.#answerDelayMs = options.answerDelayMs ?? 0;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.apiBase = `http://127.0.0.1:${port}/api`;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** An API base whose requests are recorded as coming from `client` (one per process, say). */
  apiBaseFor(client: string): string {
    return this.apiBase.replace(/\/api$/, `/_client/${client}/api`);
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  get violations(): readonly RateLimitViolation[] {
    return this.#violations;
  }

  createChannel(): string {
    const id = this.#snowflake();
    this.#channels.add(id);
    return id;
  }

  /** A forum channel: messages go only into its posts (threads). */
  createForumChannel(): string {
    const id = this.createChannel();
    this.#forums.add(id);
    return id;
  }

  /** A thread under `parentId` (a text channel's thread or a forum channel's post); returns its id. */
  createThread(parentId: string): string {
    const id = this.#snowflake();
    this.#threads.set(id, { id, parentId });
    return id;
  }

  /** Deletes a thread: later posts and edits naming it get 10003 Unknown Channel. */
  deleteThread(id: string): void {
    this.#threads.delete(id);
  }

  createWebhook(options: { name?: string; channelId?: string } = {}): FakeWebhook {
    const channelId = options.channelId ?? this.createChannel();
    const id = this.#snowflake();
    const token = randomBytes(51).toString('base64url');
    const webhook = {
      id,
      token,
      url: `${this.apiBase}/webhooks/${id}/${token}`,
      channelId,
      name: options.name ?? 'attribot',
    };
    this.#webhooks.set(id, webhook);
    return webhook;
  }

  /** Registers a bot and returns its token (for `Authorization: Bot <token>`). */
  createBot(): string {
    const token = `${Buffer.from(this.#snowflake()).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
    this.#bots.set(token, this.#snowflake());
    return token;
  }

  /** The bot user id (also its application id) behind a token. */
  botId(token: string): string | undefined {
    return this.#bots.get(token);
  }

  /** A new snowflake, as Discord would assign. */
  snowflake(): string {
    return this.#snowflake();
  }

  /** Application commands last PUT for a server, or undefined when none were. */
  guildCommands(applicationId: string, guildId: string): unknown[] | undefined {
    return this.#commands.get(`${applicationId}/${guildId}`);
  }

  /** Makes an interaction answerable through the callback and @original routes (the gateway calls it). */
  registerInteraction(id: string, token: string, applicationId: string): FakeInteraction {
    const interaction: FakeInteraction = { id, token, applicationId, callbacks: [], original: null };
    this.#interactions.set(id, interaction);
    return interaction;
  }

  interaction(id: string): FakeInteraction | undefined {
    return this.#interactions.get(id);
  }

  /** Messages posted by a webhook, or all messages in a channel. */
  messages(webhookOrChannelId: string): FakeMessage[] {
    return this.#messages.filter(
      (m) => m.webhook_id === webhookOrChannelId || m.channel_id === webhookOrChannelId,
    );
  }

  /** The next `count` requests (to any route) answer with this fault instead. */
  failNext(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.#faults.push(fault);
  }

  /** The next `count` requests are never answered. */
  hangNext(count: number): void {
    for (let i = 0; i < count; i++) this.#faults.push('hang');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const client = CLIENT_PREFIX.exec(url.pathname);
    if (client?.[2]) url.pathname = client[2];
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const parsed = parseBody(raw, req.headers['content-type']);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parsed.body,
      ...(parsed.files ? { files: parsed.files } : {}),
      at: Date.now(),
      status: 0,
      answeredAt: 0,
      ...(client?.[1] ? { client: client[1] } : {}),
    };
    this.#requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      record.answeredAt = Date.now();
      respond(res, status, body, headers);
    };

    const matched = matchRoute(method, url.pathname);
    if (!matched) {
      reply(404, { message: '404: Not Found', code: 0 });
      return;
    }
    if (matched === 'method') {
      reply(405, { message: '405: Method Not Allowed', code: 0 });
      return;
    }
    const bucket = this.#bucket(matched, arrived);

    if (arrived < this.#globalUntil) {
      const waitMs = this.#globalUntil - arrived;
      this.#violations.push({ method, path: url.pathname, scope: 'global', earlyByMs: waitMs });
      reply(429, rateLimitBody(waitMs / 1000, true), {
        ...this.#rateHeaders(bucket, arrived),
        ...retryHeaders(waitMs / 1000, 'global'),
      });
      return;
    }
    if (bucket.count >= this.#limit) {
      const waitMs = bucket.resetAt - arrived;
      this.#violations.push({ method, path: url.pathname, scope: 'route', earlyByMs: waitMs });
      reply(429, rateLimitBody(waitMs / 1000, false), {
        ...this.#rateHeaders(bucket, arrived),
        ...retryHeaders(waitMs / 1000, 'user'),
      });
      return;
    }

    const fault = this.#faults.shift();
    if (fault === 'hang') {
      this.#hanging.add(res);
      res.on('close', () => this.#hanging.delete(res));
      return;
    }
    if (fault) {
      this.#answerFault(fault, bucket, arrived, reply);
      return;
    }

    bucket.count++;
    const answer = this.#route(matched.route, req.headers, record, raw);
    const headers = this.#rateHeaders(bucket, arrived);
    if (this.#answerDelayMs > 0 && answer.status < 300 && method !== 'GET') {
      this.#hanging.add(res);
      await new Promise((resolve) => setTimeout(resolve, this.#answerDelayMs));
      this.#hanging.delete(res);
      if (res.destroyed) return;
    }
    reply(answer.status, answer.body, headers);
  }

  #answerFault(
    fault: Fault,
    bucket: Bucket,
    now: number,
    reply: (s: number, b: unknown, h?: Record<string, string>) => void,
  ): void {
    if (fault.status !== 429) {
      const body =
        fault.status === 500
          ? { message: '500: Internal Server Error', code: 0 }
          : `<html><body>${fault.status} Bad Gateway</body></html>`;
      reply(fault.status, body, this.#rateHeaders(bucket, now));
      return;
    }
    const seconds = fault.retryAfter ?? 0.25;
    if (fault.global) {
      this.#globalUntil = now + seconds * 1000;
      reply(429, rateLimitBody(seconds, true), {
        ...this.#rateHeaders(bucket, now),
        ...retryHeaders(seconds, 'global'),
      });
      return;
    }
    bucket.count = this.#limit;
    bucket.resetAt = now + seconds * 1000;
    reply(429, rateLimitBody(seconds, false), {
      ...this.#rateHeaders(bucket, now),
      ...retryHeaders(seconds, fault.scope ?? 'user'),
    });
  }

  #bucket(matched: MatchedRoute, now: number): Bucket {
    let bucket = this.#buckets.get(matched.bucketKey);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { hash: matched.bucketHash, count: 0, resetAt: now + this.#windowMs };
      this.#buckets.set(matched.bucketKey, bucket);
    }
    return bucket;
  }

  #rateHeaders(bucket: Bucket, now: number): Record<string, string> {
    const resetAfterMs = Math.max(0, Math.ceil(bucket.resetAt - now));
    return {
      'X-RateLimit-Limit': String(this.#limit),
      'X-RateLimit-Remaining': String(Math.max(0, this.#limit - bucket.count)),
      'X-RateLimit-Reset': ((Date.now() + resetAfterMs) / 1000).toFixed(3),
      'X-RateLimit-Reset-After': (resetAfterMs / 1000).toFixed(3),
      'X-RateLimit-Bucket': bucket.hash,
    };
  }

  #route(
    route: Route,
    headers: IncomingHttpHeaders,
    request: RecordedRequest,
    raw: Buffer,
  ): { status: number; body: unknown } {
    if (
      route.kind === 'gateway-bot' ||
      route.kind === 'users-me' ||
      route.kind === 'guild-commands' ||
      route.kind === 'interaction-callback' ||
      route.kind === 'interaction-original'
    ) {
      return this.#applicationRoute(route, headers, request);
    }
    const { body } = request;
    let channelId: string;
    let author: FakeMessage['author'];
    let webhookId: string | undefined;
    if (route.kind === 'webhook-create' || route.kind === 'webhook-edit') {
      const webhook = this.#webhooks.get(route.webhookId);
      if (!webhook) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
      if (webhook.token !== route.token)
        return { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } };
      const target = this.#webhookTarget(webhook, route.kind, request.query.thread_id);
      if ('error' in target) return target.error;
      channelId = target.channelId;
      webhookId = webhook.id;
      author = {
        id: webhook.id,
        username: webhook.name,
        bot: true,
        avatar: null,
        discriminator: '0000',
        global_name: null,
      };
    } else {
      const auth = /^Bot (.+)$/.exec(headers.authorization ?? '');
      const botId = auth?.[1] ? this.#bots.get(auth[1]) : undefined;
      if (!botId) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
      if (!this.#channels.has(route.channelId))
        return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
      channelId = route.channelId;
      author = {
        id: botId,
        username: 'attribot',
        bot: true,
        avatar: null,
        discriminator: '0000',
        global_name: null,
      };
    }

    if (raw.length > 0 && !isObject(body) && !request.files) {
      return { status: 400, body: { message: 'The request body contains invalid JSON.', code: 50109 } };
    }
    const payload = isObject(body) ? body : {};
    const errors =
      validateMessage(payload) ?? (route.kind === 'webhook-create' ? validateWebhookIdentity(payload) : null);
    if (errors) return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors } };

    if (route.kind === 'webhook-edit' || route.kind === 'channel-edit') {
      const message = this.#messages.find(
        (m) => m.id === route.messageId && m.channel_id === channelId && m.webhook_id === webhookId,
      );
      if (!message) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      if (typeof payload.content === 'string') message.content = payload.content;
      if (Array.isArray(payload.embeds)) message.embeds = payload.embeds.filter(isObject).map(richEmbed);
      Object.assign(message, mentionsOf(message.content, payload.allowed_mentions));
      if (payload.allowed_mentions !== undefined) message.allowed_mentions = payload.allowed_mentions;
      message.edited_timestamp = new Date().toISOString();
      return { status: 200, body: onWire(message) };
    }

    const files = request.files ?? [];
    if (files.reduce((sum, file) => sum + file.data.length, 0) > MAX_UPLOAD_BYTES) {
      return { status: 413, body: { message: 'Request entity too large', code: 40005 } };
    }
    const content = typeof payload.content === 'string' ? payload.content : '';
    const embeds = Array.isArray(payload.embeds) ? payload.embeds.filter(isObject) : [];
    if (content.length === 0 && embeds.length === 0 && files.length === 0) {
      return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    }
    const nonce =
      typeof payload.nonce === 'string' || typeof payload.nonce === 'number' ? payload.nonce : undefined;
    if (nonce !== undefined && payload.enforce_nonce === true) {
      const earlier = this.#messages.find(
        (m) => m.channel_id === channelId && m.author.id === author.id && m.nonce === nonce,
      );
      if (earlier) return { status: 200, body: onWire(earlier) };
    }
    const message: FakeMessage = {
      id: this.#snowflake(),
      type: 0,
      channel_id: channelId,
      content,
      embeds: embeds.map(richEmbed),
      author,
      ...mentionsOf(content, payload.allowed_mentions),
      attachments: [],
      components: [],
      pinned: false,
      tts: false,
      flags: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
    };
    message.attachments = this.#attachments(files, payload.attachments, channelId);
    if (webhookId) message.webhook_id = webhookId;
    if (route.kind === 'webhook-create') {
      // Per-message identity: the name shows as the author; the avatar URL is fetched by Discord.
      if (typeof payload.username === 'string') author.username = payload.username;
      if (typeof payload.avatar_url === 'string') message.avatar_url = payload.avatar_url;
      if (this.#threads.has(channelId))
        message.position = this.#messages.filter((m) => m.channel_id === channelId).length;
    }
    if (nonce !== undefined) message.nonce = nonce;
    if (payload.allowed_mentions !== undefined) message.allowed_mentions = payload.allowed_mentions;
    this.#messages.push(message);
    request.createdMessageId = message.id;
    if (route.kind === 'webhook-create' && !/^(true|1)$/i.test(request.query.wait ?? '')) {
      return { status: 204, body: undefined };
    }
    return { status: 200, body: onWire(message) };
  }

  /**
   * Where a webhook request lands: its channel, or with `?thread_id=` that thread, which must
   * exist under the webhook's channel (else 10003 Unknown Channel, as Discord answers). A webhook
   * of a forum channel must name a post (220001). Edits without the thread_id of a message posted
   * in a thread do not find it (10008), which is why senders must repeat the thread_id on edits.
   */
  #webhookTarget(
    webhook: FakeWebhook,
    kind: 'webhook-create' | 'webhook-edit',
    threadId: string | undefined,
  ): { channelId: string } | { error: { status: number; body: unknown } } {
    if (threadId === undefined) {
      if (kind === 'webhook-create' && this.#forums.has(webhook.channelId)) {
        return {
          error: {
            status: 400,
            body: {
              message: 'Webhooks posted to forum channels must have a thread_name or thread_id',
              code: 220001,
            },
          },
        };
      }
      return { channelId: webhook.channelId };
    }
    if (!/^\d{17,20}$/.test(threadId)) {
      return {
        error: {
          status: 400,
          body: {
            code: 50035,
            message: 'Invalid Form Body',
            errors: {
              thread_id: {
                _errors: [{ code: 'NUMBER_TYPE_COERCE', message: `Value "${threadId}" is not snowflake.` }],
              },
            },
          },
        },
      };
    }
    const thread = this.#threads.get(threadId);
    if (!thread || thread.parentId !== webhook.channelId) {
      return { error: { status: 404, body: { message: 'Unknown Channel', code: 10003 } } };
    }
    return { channelId: thread.id };
  }

  /** Discord's attachment objects for the file parts; `files[n]` pairs with payload `attachments[].id` n. */
  #attachments(files: readonly RecordedFile[], declared: unknown, channelId: string): FakeAttachment[] {
    const described = new Map<string, Record<string, unknown>>();
    if (Array.isArray(declared))
      for (const entry of declared.filter(isObject)) described.set(String(entry.id), entry);
    return files.map((file) => {
      const index = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? '';
      const meta = described.get(index);
      const id = this.#snowflake();
      const filename = typeof meta?.filename === 'string' ? meta.filename : file.filename;
      const url = `https://cdn.discordapp.com/attachments/${channelId}/${id}/${filename}`;
      return {
        id,
        filename,
        size: file.data.length,
        url,
        proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
        content_type: file.contentType,
        ...(typeof meta?.description === 'string' ? { description: meta.description } : {}),
      };
    });
  }

  #applicationRoute(
    route: Extract<
      Route,
      {
        kind: 'gateway-bot' | 'users-me' | 'guild-commands' | 'interaction-callback' | 'interaction-original';
      }
    >,
    headers: IncomingHttpHeaders,
    request: RecordedRequest,
  ): { status: number; body: unknown } {
    const { body } = request;
    if (route.kind === 'interaction-callback' || route.kind === 'interaction-original') {
      // Interaction tokens authorise these routes; a bot token is not needed.
      const interaction =
        route.kind === 'interaction-callback'
          ? this.#interactions.get(route.interactionId)
          : [...this.#interactions.values()].find(
              (i) => i.token === route.token && i.applicationId === route.applicationId,
            );
      if (!interaction || interaction.token !== route.token) {
        return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
      }
      const payload = isObject(body) ? body : {};
      const data = isObject(payload.data) ? payload.data : undefined;
      if (route.kind === 'interaction-callback') {
        if (interaction.callbacks.length > 0) {
          return {
            status: 400,
            body: { message: 'Interaction has already been acknowledged.', code: 40060 },
          };
        }
        const type = typeof payload.type === 'number' ? payload.type : 0;
        if (type !== 4 && type !== 5)
          return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
        if (data) {
          const errors = validateMessage(data);
          if (errors)
            return {
              status: 400,
              body: { code: 50035, message: 'Invalid Form Body', errors: { data: errors } },
            };
        }
        interaction.callbacks.push(data ? { type, data } : { type });
        interaction.original = {
          content: type === 4 && typeof data?.content === 'string' ? data.content : '',
          flags: typeof data?.flags === 'number' ? data.flags : 0,
          allowed_mentions: data?.allowed_mentions,
          edited: false,
        };
        return /^(true|1)$/i.test(request.query.with_response ?? '')
          ? { status: 200, body: { interaction: { id: interaction.id, type: 2 }, resource: { type } } }
          : { status: 204, body: undefined };
      }
      if (!interaction.original) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      const errors = validateMessage(payload);
      if (errors) return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors } };
      if (typeof payload.content === 'string') interaction.original.content = payload.content;
      if (payload.allowed_mentions !== undefined)
        interaction.original.allowed_mentions = payload.allowed_mentions;
      interaction.original.edited = true;
      return {
        status: 200,
        body: {
          id: this.#snowflake(),
          type: 20,
          channel_id: '0',
          content: interaction.original.content,
          embeds: [],
          author: {
            id: interaction.applicationId,
            username: 'attribot',
            bot: true,
            avatar: null,
            discriminator: '0000',
            global_name: null,
          },
          attachments: [],
          components: [],
          mentions: [],
          mention_roles: [],
          mention_everyone: false,
          pinned: false,
          tts: false,
          flags: interaction.original.flags,
          timestamp: new Date().toISOString(),
          edited_timestamp: new Date().toISOString(),
        },
      };
    }

    const auth = /^Bot (.+)$/.exec(headers.authorization ?? '');
    const botId = auth?.[1] ? this.#bots.get(auth[1]) : undefined;
    if (!botId) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    switch (route.kind) {
      case 'gateway-bot':
        return {
          status: 200,
          body: {
            url: this.gatewayUrl,
            shards: 1,
            session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
          },
        };
      case 'users-me':
        return {
          status: 200,
          body: {
            id: botId,
            username: 'attribot',
            discriminator: '0000',
            global_name: null,
            avatar: null,
            bot: true,
            flags: 0,
          },
        };
      case 'guild-commands': {
        if (route.applicationId !== botId)
          return { status: 403, body: { message: 'Missing Access', code: 50001 } };
        if (!Array.isArray(body)) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
        const commands = body.filter(isObject).map((command) => ({
          ...command,
          id: this.#snowflake(),
          application_id: route.applicationId,
          guild_id: route.guildId,
          version: this.#snowflake(),
        }));
        this.#commands.set(`${route.applicationId}/${route.guildId}`, commands);
        return { status: 200, body: commands };
      }
    }
  }

  #snowflake(): string {
    const ms = BigInt(Date.now()) - DISCORD_EPOCH;
    this.#sequence = (this.#sequence + 1) & 0xfff;
    return ((ms << 22n) | (1n << 17n) | BigInt(this.#sequence)).toString();
  }
}

function matchRoute(method: string, pathname: string): MatchedRoute | 'method' | null {
  // Versioned as discord.js calls it; unversioned as webhook URLs are copied from Discord's UI.
  const prefix = [`${PREFIX}/v10/`, `${PREFIX}/`].find((p) => pathname.startsWith(p));
  if (!prefix) return null;
  const path = pathname.slice(prefix.length - 1);
  const bucket = (template: string, major: string): Omit<MatchedRoute, 'route'> => ({
    bucketKey: `${method} ${template} ${major}`,
    bucketHash: createHash('sha256').update(`${method} ${template}`).digest('hex').slice(0, 32),
  });
  if (path === '/gateway/bot') {
    return method === 'GET' ? { route: { kind: 'gateway-bot' }, ...bucket('/gateway/bot', '') } : 'method';
  }
  if (path === '/users/@me') {
    return method === 'GET' ? { route: { kind: 'users-me' }, ...bucket('/users/@me', '') } : 'method';
  }
  let m = /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/.exec(path);
  if (m?.[1] && m[2]) {
    if (method !== 'PUT') return 'method';
    return {
      route: { kind: 'guild-commands', applicationId: m[1], guildId: m[2] },
      ...bucket('/applications/:id/guilds/:id/commands', m[1]),
    };
  }
  m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
  if (m?.[1] && m[2]) {
    if (method !== 'POST') return 'method';
    return {
      route: { kind: 'interaction-callback', interactionId: m[1], token: m[2] },
      ...bucket('/interactions/:id/:token/callback', m[1]),
    };
  }
  m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(?:@|%40)original$/.exec(path);
  if (m?.[1] && m[2]) {
    if (method !== 'PATCH') return 'method';
    return {
      route: { kind: 'interaction-original', applicationId: m[1], token: m[2] },
      ...bucket('/webhooks/:id/:token/messages/@original', `${m[1]}/${m[2]}`),
    };
  }
  m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path);
  if (m?.[1] && m[2]) {
    if (method !== 'POST') return 'method';
    return {
      route: { kind: 'webhook-create', webhookId: m[1], token: m[2] },
      ...bucket('/webhooks/:id/:token', `${m[1]}/${m[2]}`),
    };
  }
  m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(\d+)$/.exec(path);
  if (m?.[1] && m[2] && m[3]) {
    if (method !== 'PATCH') return 'method';
    const route: Route = { kind: 'webhook-edit', webhookId: m[1], token: m[2], messageId: m[3] };
    return { route, ...bucket('/webhooks/:id/:token/messages/:id', `${m[1]}/${m[2]}`) };
  }
  m = /^\/channels\/(\d+)\/messages$/.exec(path);
  if (m?.[1]) {
    if (method !== 'POST') return 'method';
    return { route: { kind: 'channel-create', channelId: m[1] }, ...bucket('/channels/:id/messages', m[1]) };
  }
  m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
  if (m?.[1] && m[2]) {
    if (method !== 'PATCH') return 'method';
    return {
      route: { kind: 'channel-edit', channelId: m[1], messageId: m[2] },
      ...bucket('/channels/:id/messages/:id', m[1]),
    };
  }
  return null;
}

/** Discord's limit on the files of one message (10 MiB for unboosted servers). */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** JSON, or multipart/form-data as Discord takes it: `payload_json` plus `files[n]` parts. */
function parseBody(raw: Buffer, contentType: string | undefined): { body: unknown; files?: RecordedFile[] } {
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!boundary) return { body: parseJson(raw.toString('utf8')) };
  let body: unknown;
  const files: RecordedFile[] = [];
  for (const part of multipartParts(raw, boundary[1] ?? boundary[2] ?? '')) {
    if (part.name === 'payload_json') body = parseJson(part.data.toString('utf8'));
    else if (part.filename !== undefined)
      files.push({
        field: part.name,
        filename: part.filename,
        contentType: part.contentType,
        data: part.data,
      });
  }
  return { body, files };
}

interface MultipartPart {
  name: string;
  filename?: string;
  contentType: string;
  data: Buffer;
}

function multipartParts(raw: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const headersStart = start + delimiter.length;
    // "--" after the delimiter closes the body.
    if (raw.subarray(headersStart, headersStart + 2).toString() === '--') break;
    const headersEnd = raw.indexOf('\r\n\r\n', headersStart);
    const next = raw.indexOf(delimiter, headersEnd);
    if (headersEnd === -1 || next === -1) break;
    const headers = raw.subarray(headersStart, headersEnd).toString('utf8');
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
    // The part's data ends with the CRLF that precedes the next delimiter.
    const data = raw.subarray(headersEnd + 4, next - 2);
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      contentType: type,
      data: Buffer.from(data),
    });
    start = next;
  }
  return parts;
}

function respond(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/html' }).end(body);
  } else {
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }
}

function rateLimitBody(seconds: number, global: boolean): Record<string, unknown> {
  return { message: 'You are being rate limited.', retry_after: Number(seconds.toFixed(3)), global };
}

function retryHeaders(seconds: number, scope: 'user' | 'shared' | 'global'): Record<string, string> {
  const headers: Record<string, string> = {
    'Retry-After': String(Math.ceil(seconds)),
    'X-RateLimit-Scope': scope,
  };
  if (scope === 'global') headers['X-RateLimit-Global'] = 'true';
  return headers;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message object as Discord returns it. */
function onWire(message: FakeMessage): Omit<FakeMessage, 'allowed_mentions' | 'avatar_url'> {
  const { allowed_mentions: _kept, avatar_url: _avatar, ...wire } = message;
  return wire;
}

/**
 * Execute Webhook's `username` and `avatar_url`, as Discord checks them: a name of 1 to 80
 * characters that does not contain "clyde" or "discord", and an http(s) URL.
 */
export function validateWebhookIdentity(body: Record<string, unknown>): ErrorTree | null {
  const errors: ErrorTree = {};
  const { username, avatar_url: avatarUrl } = body;
  if (username !== undefined && username !== null) {
    if (typeof username !== 'string' || username.length < 1 || username.length > 80) {
      errors.username = {
        _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 80 in length.' }],
      };
    } else if (/clyde|discord/i.test(username)) {
      errors.username = {
        _errors: [
          {
            code: 'USERNAME_INVALID_CONTAINS',
            message: `Username cannot contain "${/clyde/i.test(username) ? 'clyde' : 'discord'}"`,
          },
        ],
      };
    }
  }
  if (avatarUrl !== undefined && avatarUrl !== null) {
    if (typeof avatarUrl !== 'string' || !/^https?:\/\//i.test(avatarUrl) || !URL.canParse(avatarUrl)) {
      errors.avatar_url = { _errors: [{ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }] };
    }
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

function richEmbed(embed: Record<string, unknown>): Record<string, unknown> {
  return { type: 'rich', ...embed };
}

function mentionsOf(
  content: string,
  allowed: unknown,
): Pick<FakeMessage, 'mention_everyone' | 'mention_roles' | 'mentions'> {
  const rules = isObject(allowed) ? allowed : { parse: ['everyone', 'roles', 'users'] };
  const parse = Array.isArray(rules.parse) ? rules.parse : [];
  const listed = (key: string): unknown[] => (Array.isArray(rules[key]) ? rules[key] : []);
  const roles = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1] ?? '');
  const users = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] ?? '');
  return {
    mention_everyone: parse.includes('everyone') && /@(everyone|here)/.test(content),
    mention_roles: roles.filter((id) => parse.includes('roles') || listed('roles').includes(id)),
    mentions: users
      .filter((id) => parse.includes('users') || listed('users').includes(id))
      .map((id) => ({ id })),
  };
}

/** Discord's checks on a create/edit message body; null when valid. */
export function validateMessage(body: Record<string, unknown>): ErrorTree | null {
  const tree: ErrorTree = {};
  const add = (path: Array<string | number>, code: string, message: string): void => {
    let node = tree;
    for (const key of path) {
      const next = node[String(key)];
      if (next && !Array.isArray(next)) node = next;
      else node = node[String(key)] = {};
    }
    const list = node._errors;
    if (Array.isArray(list)) list.push({ code, message });
    else node._errors = [{ code, message }];
  };
  const length = (value: unknown): number => (typeof value === 'string' ? [...value].length : 0);
  const maxLength = (path: Array<string | number>, value: unknown, max: number, required = false): void => {
    if (value === undefined || value === null) {
      if (required) add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    } else if (typeof value !== 'string')
      add(path, 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
    else if (required && value.trim().length === 0) add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    else if (length(value) > max) add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  };

  maxLength(['content'], body.content, 2000);
  if (body.nonce !== undefined && typeof body.nonce === 'string') maxLength(['nonce'], body.nonce, 25);
  if (body.embeds !== undefined) {
    const embeds = Array.isArray(body.embeds) ? body.embeds : [];
    if (!Array.isArray(body.embeds))
      add(['embeds'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    if (embeds.length > 10) add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    let total = 0;
    for (const [i, embed] of embeds.entries()) {
      if (!isObject(embed)) {
        add(['embeds', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
        continue;
      }
      maxLength(['embeds', i, 'title'], embed.title, 256);
      maxLength(['embeds', i, 'description'], embed.description, 4096);
      total += length(embed.title) + length(embed.description);
      if (
        embed.url !== undefined &&
        !(typeof embed.url === 'string' && /^https?:\/\/\S+$/.test(embed.url) && URL.canParse(embed.url))
      ) {
        add(['embeds', i, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
      }
      if (
        embed.timestamp !== undefined &&
        (typeof embed.timestamp !== 'string' || Number.isNaN(Date.parse(embed.timestamp)))
      ) {
        add(
          ['embeds', i, 'timestamp'],
          'DATE_TYPE_PARSE',
          `Could not parse ${String(embed.timestamp)}. Should be ISO8601.`,
        );
      }
      if (
        embed.color !== undefined &&
        !(Number.isInteger(embed.color) && Number(embed.color) >= 0 && Number(embed.color) <= 0xffffff)
      ) {
        add(['embeds', i, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
      }
      if (isObject(embed.footer)) {
        maxLength(['embeds', i, 'footer', 'text'], embed.footer.text, 2048, true);
        total += length(embed.footer.text);
      }
      if (isObject(embed.author)) {
        maxLength(['embeds', i, 'author', 'name'], embed.author.name, 256, true);
        total += length(embed.author.name);
      }
      const fields = Array.isArray(embed.fields) ? embed.fields : [];
      if (fields.length > 25)
        add(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      for (const [j, field] of fields.entries()) {
        if (!isObject(field)) {
          add(
            ['embeds', i, 'fields', j],
            'MODEL_TYPE_CONVERT',
            'Only dictionaries may be used in a ModelType',
          );
          continue;
        }
        maxLength(['embeds', i, 'fields', j, 'name'], field.name, 256, true);
        maxLength(['embeds', i, 'fields', j, 'value'], field.value, 1024, true);
        total += length(field.name) + length(field.value);
      }
    }
    if (total > 6000) add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  }
  if (body.allowed_mentions !== undefined) {
    const rules = isObject(body.allowed_mentions) ? body.allowed_mentions : {};
    const parse = Array.isArray(rules.parse) ? rules.parse : [];
    parse.forEach((value: unknown, i) => {
      if (value !== 'everyone' && value !== 'roles' && value !== 'users') {
        add(
          ['allowed_mentions', 'parse', i],
          'ENUM_TYPE_COERCE',
          `Value "${String(value)}" is not a valid enum value.`,
        );
      }
    });
  }
  return Object.keys(tree).length > 0 ? tree : null;
}
