/**
 * A local TAXII 2.1 server for integration tests, speaking the routes and answers of the
 * specification (sections 4 and 5): discovery, API root, collections, GET/POST objects with the
 * TAXII media type, 202 and a status resource, 401 with WWW-Authenticate, 403 on a read-only
 * collection, 404 for an unknown one, 406/415 for a wrong media type. Objects are stored per id
 * and version (`modified`, else `created`), so a repeat of a version replaces it, as on a real server.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type PeerRequest, startJsonPeer } from './json-peer.js';

export const TAXII_TYPE = 'application/taxii+json;version=2.1';

export type TaxiiRequest = PeerRequest;

export interface StoredObject {
  type: string;
  id: string;
  [property: string]: unknown;
}

export interface FakeTaxii {
  /** The API root URL, ending in a slash. */
  apiRoot: string;
  /** The writable collection's id. */
  collection: string;
  /** A collection that exists but attribot may only read. */
  readOnlyCollection: string;
  /** The credential accepted: "user:password" for basic auth, and this token for bearer auth. */
  basic: string;
  token: string;
  requests: TaxiiRequest[];
  /** The newest version of every object of the writable collection. */
  objects(): StoredObject[];
  /** The versions held for one id, oldest first. */
  versions(id: string): string[];
  /** The next `times` POSTs of objects answer this status (with Retry-After when given). */
  failNext(status: number, times?: number, retryAfter?: string): void;
  /** Objects of this type are refused (reported in the status resource's failures). */
  refuseType(type: string | null): void;
  close(): Promise<void>;
}

function error(
  res: ServerResponse,
  status: number,
  title: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': TAXII_TYPE, ...headers });
  res.end(JSON.stringify({ title, http_status: String(status) }));
}

function versionOf(object: StoredObject): string {
  const version = object.modified ?? object.created;
  return typeof version === 'string' ? version : 'unversioned';
}

export async function startFakeTaxii(): Promise<FakeTaxii> {
  const collection = randomUUID();
  const readOnlyCollection = randomUUID();
  const basic = 'attribot:correct-horse';
  const token = `taxii-token-${randomUUID()}`;
  const store = new Map<string, Map<string, StoredObject>>();
  const failures: Array<{ status: number; retryAfter: string | undefined }> = [];
  let refused: string | null = null;

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    if (header === `Bearer ${token}`) return true;
    return header === `Basic ${Buffer.from(basic).toString('base64')}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/taxii2/') {
      res.writeHead(200, { 'content-type': TAXII_TYPE });
      res.end(
        JSON.stringify({ title: 'Fake TAXII', api_roots: [`${base}/api1/`], default: `${base}/api1/` }),
      );
      return;
    }
    if (!authorized(req)) {
      error(res, 401, 'Unauthorized', { 'www-authenticate': 'Basic realm="taxii"' });
      return;
    }
    const match = /^\/api1\/collections\/([^/]+)\/(objects\/)?$/.exec(path);
    if (!match) {
      error(res, 404, 'Not found');
      return;
    }
    const id = decodeURIComponent(match[1] ?? '');
    if (id !== collection && id !== readOnlyCollection) {
      error(res, 404, 'Collection not found');
      return;
    }
    if (!(req.headers.accept ?? '').includes('application/taxii+json')) {
      error(res, 406, 'Not Acceptable');
      return;
    }
    if (!match[2]) {
      res.writeHead(200, { 'content-type': TAXII_TYPE });
      res.end(
        JSON.stringify({
          id,
          title: id === collection ? 'attribot stories' : 'read only',
          can_read: true,
          can_write: id === collection,
          media_types: [TAXII_TYPE],
        }),
      );
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': TAXII_TYPE });
      res.end(JSON.stringify({ more: false, objects: latest() }));
      return;
    }
    if (req.method !== 'POST') {
      error(res, 405, 'Method Not Allowed');
      return;
    }
    if (id !== collection) {
      error(res, 403, 'The collection cannot be written');
      return;
    }
    if ((req.headers['content-type'] ?? '').replace(/\s/g, '') !== TAXII_TYPE) {
      error(res, 415, 'Unsupported Media Type');
      return;
    }
    const failure = failures.shift();
    if (failure) {
      error(
        res,
        failure.status,
        'Scripted failure',
        failure.retryAfter ? { 'retry-after': failure.retryAfter } : {},
      );
      return;
    }
    const objects = (body as { objects?: unknown } | null)?.objects;
    if (!Array.isArray(objects)) {
      error(res, 422, 'The envelope has no objects');
      return;
    }
    const successes: Array<{ id: string; version: string }> = [];
    const failed: Array<{ id: string; version: string; message: string }> = [];
    for (const raw of objects as StoredObject[]) {
      if (typeof raw?.id !== 'string' || typeof raw.type !== 'string' || raw.type === refused) {
        failed.push({
          id: String(raw?.id),
          version: '',
          message: `objects of type ${raw?.type} are not accepted`,
        });
        continue;
      }
      const versions = store.get(raw.id) ?? new Map<string, StoredObject>();
      versions.set(versionOf(raw), raw);
      store.set(raw.id, versions);
      successes.push({ id: raw.id, version: versionOf(raw) });
    }
    res.writeHead(202, { 'content-type': TAXII_TYPE });
    res.end(
      JSON.stringify({
        id: randomUUID(),
        status: 'complete',
        request_timestamp: new Date().toISOString(),
        total_count: objects.length,
        success_count: successes.length,
        successes,
        failure_count: failed.length,
        failures: failed,
        pending_count: 0,
      }),
    );
  };

  const latest = (): StoredObject[] =>
    [...store.values()].map(
      (versions) =>
        [...versions.entries()].sort(([a], [b]) => a.localeCompare(b)).at(-1)?.[1] as StoredObject,
    );

  const peer = await startJsonPeer((req, res, body) => {
    void handle(req, res, body);
  });
  const base = peer.base;
  return {
    apiRoot: `${base}/api1/`,
    collection,
    readOnlyCollection,
    basic,
    token,
    requests: peer.requests,
    objects: latest,
    versions: (id) => [...(store.get(id)?.keys() ?? [])].sort(),
    failNext(status, times = 1, retryAfter) {
      for (let i = 0; i < times; i++) failures.push({ status, retryAfter });
    },
    refuseType(type) {
      refused = type;
    },
    close: () => peer.close(),
  };
}
