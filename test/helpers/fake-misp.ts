/**
 * A local MISP REST API for integration tests: the routes and answers attribot relies on.
 * `Authorization: <key>` or 403 "Authentication failed"; POST /events/add (403 "Event already
 * exists" for a known uuid, as MISP answers); POST /events/edit/{id|uuid} (404 "Invalid event." for
 * an unknown one), merging attributes by uuid and tags by name as MISP does; GET /events/view/{uuid};
 * GET /servers/getVersion.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type PeerRequest, startJsonPeer } from './json-peer.js';

export type MispRequest = PeerRequest;

export interface StoredEvent {
  id: string;
  uuid: string;
  info: string;
  timestamp: string;
  distribution: string;
  Attribute: Array<{ uuid: string; type: string; value: string; [key: string]: unknown }>;
  Tag: Array<{ name: string }>;
  [key: string]: unknown;
}

export interface FakeMisp {
  url: string;
  key: string;
  requests: MispRequest[];
  events(): StoredEvent[];
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeMisp(): Promise<FakeMisp> {
  const key = `misp${randomUUID().replace(/-/g, '')}`.slice(0, 40);
  const events = new Map<string, StoredEvent>();
  const failures: number[] = [];
  let nextId = 1;

  const merge = (event: StoredEvent, incoming: Partial<StoredEvent>): void => {
    const { Attribute = [], Tag = [], ...header } = incoming;
    Object.assign(event, header, { timestamp: String(Math.floor(Date.now() / 1000)) });
    for (const attribute of Attribute) {
      const at = event.Attribute.findIndex((known) => known.uuid === attribute.uuid);
      if (at >= 0) event.Attribute[at] = { ...event.Attribute[at], ...attribute };
      else event.Attribute.push(attribute);
    }
    for (const tag of Tag) if (!event.Tag.some((known) => known.name === tag.name)) event.Tag.push(tag);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: unknown): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.headers.authorization !== key) {
      json(res, 403, {
        name: 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.',
        message: 'Authentication failed.',
        url: path,
      });
      return;
    }
    if (req.method === 'GET' && path === '/servers/getVersion') {
      json(res, 200, { version: '2.5.2', pymisp_recommended_version: '2.5.2', perm_sync: false });
      return;
    }
    const failure = failures.shift();
    if (failure !== undefined) {
      json(res, failure, { name: 'Scripted failure', message: 'Scripted failure', url: path });
      return;
    }
    const incoming = (body as { Event?: Partial<StoredEvent> } | null)?.Event;
    if (req.method === 'POST' && path === '/events/add') {
      if (!incoming?.uuid || !incoming.info) {
        json(res, 403, {
          saved: false,
          name: 'Could not add Event',
          message: 'Could not add Event',
          errors: { Event: { info: ['Info cannot be empty.'] } },
        });
        return;
      }
      if (events.has(incoming.uuid)) {
        json(res, 403, {
          saved: false,
          name: 'Could not add Event',
          message: 'Could not add Event',
          errors: {
            Event: 'Event already exists, if you would like to edit it, use the url in the location header.',
          },
        });
        return;
      }
      const event: StoredEvent = {
        id: String(nextId++),
        uuid: incoming.uuid,
        info: '',
        timestamp: '',
        distribution: '0',
        Attribute: [],
        Tag: [],
      };
      merge(event, incoming);
      events.set(event.uuid, event);
      json(res, 200, { Event: event });
      return;
    }
    const edit = /^\/events\/edit\/([^/]+)$/.exec(path);
    const view = /^\/events\/view\/([^/]+)$/.exec(path);
    const wanted = decodeURIComponent((edit ?? view)?.[1] ?? '');
    const found = events.get(wanted) ?? [...events.values()].find((event) => event.id === wanted);
    if ((edit && req.method === 'POST') || (view && req.method === 'GET')) {
      if (!found) {
        json(res, 404, { name: 'Invalid event.', message: 'Invalid event.', url: path });
        return;
      }
      if (edit && incoming) merge(found, incoming);
      json(res, 200, { Event: found });
      return;
    }
    json(res, 404, { name: 'Not Found', message: 'Not Found', url: path });
  };

  const peer = await startJsonPeer((req, res, body) => {
    void handle(req, res, body);
  });
  return {
    url: `${peer.base}/`,
    key,
    requests: peer.requests,
    events: () => [...events.values()],
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    close: () => peer.close(),
  };
}
