/**
 * A local Discord gateway (v10, JSON encoding, no compression) for the real discord.js Client. It
 * speaks the protocol's session start: HELLO (op 10) → IDENTIFY (op 2, token checked against the
 * fake REST's bots) → READY dispatch (servers as unavailable) → GUILD_CREATE per server; answers
 * heartbeats (op 1 → op 11) and lets tests inject INTERACTION_CREATE dispatches. The fake REST
 * (fake-discord.ts) announces this server in GET /gateway/bot and answers the interactions.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeDiscord } from './fake-discord.js';

export interface FakeGuild {
  id: string;
  name?: string;
  /** Extra roles (besides @everyone, whose id is the guild id). */
  roleIds?: string[];
  channelIds?: string[];
}

export interface GatewayConnection {
  /** Query string of the upgrade request (v, encoding, compress). */
  query: Record<string, string>;
  identify: Record<string, unknown> | null;
  heartbeats: number;
}

export interface InjectedCommand {
  guildId: string;
  channelId: string;
  userId: string;
  /** Decimal permission bits of the member in the channel, e.g. '32' for Manage Server. */
  permissions: string;
  roleIds?: string[];
  /** e.g. ['watch', 'add'] or ['recent']. */
  path: readonly string[];
  options?: Record<string, string | number>;
}

const HEARTBEAT_MS = 500;

export async function startFakeGateway(
  rest: FakeDiscord,
  guilds: readonly FakeGuild[],
): Promise<FakeGateway> {
  const gateway = new FakeGateway(rest, guilds);
  await gateway.listen();
  return gateway;
}

export class FakeGateway {
  readonly connections: GatewayConnection[] = [];
  readonly #rest: FakeDiscord;
  readonly #guilds: readonly FakeGuild[];
  readonly #server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  readonly #sockets = new Set<WebSocket>();
  #ready: { socket: WebSocket; botId: string } | null = null;
  #sequence = 0;
  #readyWaiters: Array<() => void> = [];

  constructor(rest: FakeDiscord, guilds: readonly FakeGuild[]) {
    this.#rest = rest;
    this.#guilds = guilds;
    this.#server.on('connection', (socket, request) => this.#accept(socket, request.url ?? '/'));
  }

  async listen(): Promise<void> {
    if (!this.#server.address())
      await new Promise<void>((resolve) => this.#server.once('listening', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#rest.gatewayUrl = `ws://127.0.0.1:${port}`;
  }

  /** Resolves once a client has identified and received READY. */
  async ready(): Promise<void> {
    if (this.#ready) return;
    await new Promise<void>((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Sends an INTERACTION_CREATE for `/attribot …` and registers it with the fake REST; returns its id. */
  injectCommand(command: InjectedCommand): string {
    const session = this.#ready;
    if (!session) throw new Error('no identified gateway session');
    const id = this.#rest.snowflake();
    const token = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    this.#rest.registerInteraction(id, token, session.botId);
    const [first = '', second] = command.path;
    const leaves = Object.entries(command.options ?? {}).map(([name, value]) => ({
      type: typeof value === 'number' ? 4 : 3,
      name,
      value,
    }));
    const sub = (name: string) => ({ type: 1, name, ...(leaves.length > 0 ? { options: leaves } : {}) });
    const options = second === undefined ? [sub(first)] : [{ type: 2, name: first, options: [sub(second)] }];
    const user = {
      id: command.userId,
      username: `user${command.userId.slice(-4)}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
    };
    this.#dispatch(session.socket, 'INTERACTION_CREATE', {
      id,
      application_id: session.botId,
      type: 2,
      token,
      version: 1,
      guild_id: command.guildId,
      channel_id: command.channelId,
      channel: { id: command.channelId, type: 0, guild_id: command.guildId, name: 'alerts' },
      member: {
        user,
        roles: command.roleIds ?? [],
        permissions: command.permissions,
        joined_at: '2024-01-01T00:00:00.000Z',
        deaf: false,
        mute: false,
        flags: 0,
        nick: null,
        avatar: null,
        premium_since: null,
        pending: false,
      },
      data: { id: this.#rest.snowflake(), name: 'attribot', type: 1, guild_id: command.guildId, options },
      app_permissions: '2251799813685247',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': command.guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
    });
    return id;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: WebSocket, url: string): void {
    const connection: GatewayConnection = {
      query: Object.fromEntries(new URL(url, 'ws://fake.invalid').searchParams),
      identify: null,
      heartbeats: 0,
    };
    this.connections.push(connection);
    this.#sockets.add(socket);
    socket.on('close', () => {
      this.#sockets.delete(socket);
      if (this.#ready?.socket === socket) this.#ready = null;
    });
    if (connection.query.encoding !== 'json' || connection.query.compress !== undefined) {
      socket.close(4002, 'Decode error: this gateway speaks uncompressed JSON only');
      return;
    }
    socket.on('message', (raw, isBinary) => {
      if (isBinary) {
        socket.close(4002, 'Decode error');
        return;
      }
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
      } catch {
        socket.close(4002, 'Decode error');
        return;
      }
      this.#receive(socket, connection, payload);
    });
    this.#send(socket, { op: 10, d: { heartbeat_interval: HEARTBEAT_MS }, s: null, t: null });
  }

  #receive(socket: WebSocket, connection: GatewayConnection, payload: { op?: unknown; d?: unknown }): void {
    switch (payload.op) {
      case 1:
        connection.heartbeats++;
        this.#send(socket, { op: 11, d: null, s: null, t: null });
        return;
      case 2: {
        const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Record<
          string,
          unknown
        >;
        connection.identify = d;
        const botId = typeof d.token === 'string' ? this.#rest.botId(d.token) : undefined;
        if (!botId) {
          socket.close(4004, 'Authentication failed.');
          return;
        }
        this.#identified(socket, botId);
        return;
      }
      default:
        // Presence updates, request guild members and the like are accepted and ignored.
        return;
    }
  }

  #identified(socket: WebSocket, botId: string): void {
    this.#sequence = 0;
    this.#dispatch(socket, 'READY', {
      v: 10,
      user: {
        id: botId,
        username: 'attribot',
        discriminator: '0000',
        global_name: null,
        avatar: null,
        bot: true,
        flags: 0,
      },
      guilds: this.#guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: randomBytes(16).toString('hex'),
      resume_gateway_url: this.#rest.gatewayUrl,
      shard: [0, 1],
      application: { id: botId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
    });
    for (const guild of this.#guilds) {
      this.#dispatch(socket, 'GUILD_CREATE', {
        id: guild.id,
        name: guild.name ?? 'Threat Intel',
        icon: null,
        owner_id: '100000000000000001',
        unavailable: false,
        member_count: 3,
        large: false,
        joined_at: '2024-01-01T00:00:00.000Z',
        features: [],
        emojis: [],
        stickers: [],
        roles: [guild.id, ...(guild.roleIds ?? [])].map((id, position) => ({
          id,
          name: position === 0 ? '@everyone' : `role-${position}`,
          permissions: '0',
          position,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        })),
        channels: (guild.channelIds ?? []).map((id, position) => ({
          id,
          type: 0,
          name: `alerts-${position}`,
          position,
          permission_overwrites: [],
        })),
        threads: [],
        members: [],
        voice_states: [],
        presences: [],
        stage_instances: [],
        guild_scheduled_events: [],
        system_channel_flags: 0,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        mfa_level: 0,
        premium_tier: 0,
        nsfw_level: 0,
        preferred_locale: 'en-US',
      });
    }
    this.#ready = { socket, botId };
    for (const wake of this.#readyWaiters.splice(0)) wake();
  }

  #dispatch(socket: WebSocket, event: string, data: unknown): void {
    this.#sequence++;
    this.#send(socket, { op: 0, t: event, s: this.#sequence, d: data });
  }

  #send(socket: WebSocket, payload: unknown): void {
    socket.send(JSON.stringify(payload));
  }
}
