/**
 * A real HTTP peer for fetcher tests: serves fixture files or in-memory documents with
 * conditional GET, plus scripted misbehaviour (status codes, redirects, slow drip, endless body,
 * gzip bomb). Every request is recorded. Listens on 127.0.0.1, port 0.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export const FEED_FIXTURES_DIR = new URL('../fixtures/feeds/', import.meta.url);

export interface ServedDocument {
  body: string | Buffer;
  contentType: string;
  /** Sent as ETag; a matching If-None-Match gets 304. */
  etag?: string;
  /** Sent as Last-Modified; an If-Modified-Since at or after it gets 304. */
  lastModified?: string;
  /** Sent as Content-Encoding; the body must already be encoded that way. */
  contentEncoding?: string;
  status?: number;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export type RouteSpec =
  | { kind: 'document'; document: ServedDocument }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'redirect'; location: string; status?: number }
  /** Sends headers, then one byte of `body` every `intervalMs`. */
  | { kind: 'slow-drip'; intervalMs: number; body?: string; contentType?: string }
  /** Streams filler without end (until the client goes away). */
  | { kind: 'endless'; contentType?: string }
  /** A small gzip stream that inflates to `inflatedBytes` of zeros. */
  | { kind: 'gzip-bomb'; inflatedBytes: number; contentType?: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FeedServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Requests in arrival order. */
  readonly requests: readonly RecordedRequest[];
  url(path: string): string;
  /** Serves an in-memory document at `path`. */
  serve(path: string, document: ServedDocument): void;
  /** Serves test/fixtures/feeds/<file> byte-for-byte; `.gz` files go out with Content-Encoding: gzip. */
  serveFixture(path: string, file: string, options: Omit<ServedDocument, 'body'>): void;
  route(path: string, handler: RouteHandler | RouteSpec): void;
  requestsTo(path: string): RecordedRequest[];
  close(): Promise<void>;
}

export function readFeedFixture(file: string): Buffer {
  return readFileSync(new URL(file, FEED_FIXTURES_DIR));
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, RouteHandler>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const feedServer: FeedServer = {
    origin,
    requests,
    url: (path) => new URL(path, origin).href,
    serve(path, document) {
      routes.set(path, documentHandler(document));
    },
    serveFixture(path, file, options) {
      const encoding = file.endsWith('.gz') ? { contentEncoding: 'gzip' } : {};
      routes.set(path, documentHandler({ ...encoding, ...options, body: readFeedFixture(file) }));
    },
    route(path, handler) {
      routes.set(path, typeof handler === 'function' ? handler : specHandler(handler, timers));
    },
    requestsTo: (path) => requests.filter((request) => request.path === path),
    async close() {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
  return feedServer;
}

function documentHandler(document: ServedDocument): RouteHandler {
  return (req, res) => {
    const headers: Record<string, string> = { 'content-type': document.contentType, ...document.headers };
    if (document.etag) headers.etag = document.etag;
    if (document.lastModified) headers['last-modified'] = document.lastModified;
    if (document.contentEncoding) headers['content-encoding'] = document.contentEncoding;
    if (isNotModified(req, document)) {
      res.writeHead(304, headers).end();
      return;
    }
    headers['content-length'] = String(Buffer.byteLength(document.body));
    res.writeHead(document.status ?? 200, headers).end(document.body);
  };
}

/** If-None-Match wins over If-Modified-Since, as RFC 9110 says. */
function isNotModified(req: IncomingMessage, document: ServedDocument): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return document.etag !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === document.etag);
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince === undefined || document.lastModified === undefined) return false;
  return Date.parse(document.lastModified) <= Date.parse(ifModifiedSince);
}

function specHandler(spec: RouteSpec, timers: Set<NodeJS.Timeout>): RouteHandler {
  switch (spec.kind) {
    case 'document':
      return documentHandler(spec.document);
    case 'status':
      return (_req, res) => {
        res.writeHead(spec.status, { 'content-type': 'text/plain', ...spec.headers }).end(spec.body ?? '');
      };
    case 'redirect':
      return (_req, res) => {
        res.writeHead(spec.status ?? 302, { location: spec.location }).end();
      };
    case 'slow-drip':
      return (_req, res) => {
        const body = Buffer.from(
          spec.body ?? '<?xml version="1.0"?><rss version="2.0"><channel>'.padEnd(4096, ' '),
        );
        res.writeHead(200, { 'content-type': spec.contentType ?? 'application/rss+xml' });
        let offset = 0;
        const timer = setInterval(() => {
          if (offset >= body.length) {
            clearInterval(timer);
            res.end();
            return;
          }
          res.write(body.subarray(offset, offset + 1));
          offset += 1;
        }, spec.intervalMs);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
      };
    case 'endless':
      return (_req, res) => {
        const chunk = Buffer.alloc(64 * 1024, 'x');
        res.writeHead(200, { 'content-type': spec.contentType ?? 'application/rss+xml' });
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) {
            // keep writing until the socket buffer is full, then wait for drain
          }
        };
        res.on('drain', pump);
        pump();
      };
    case 'gzip-bomb': {
      let compressed: Buffer | undefined;
      return (_req, res) => {
        compressed ??= gzipBomb(spec.inflatedBytes);
        res
          .writeHead(200, {
            'content-type': spec.contentType ?? 'application/rss+xml',
            'content-encoding': 'gzip',
            'content-length': String(compressed.length),
          })
          .end(compressed);
      };
    }
  }
}

const bombs = new Map<number, Buffer>();

/** Zeros compress about 1000:1, so 50 MB of them is a ~50 KB download. */
export function gzipBomb(inflatedBytes: number): Buffer {
  let bomb = bombs.get(inflatedBytes);
  if (!bomb) {
    bomb = gzipSync(Buffer.alloc(inflatedBytes), { level: 9 });
    bombs.set(inflatedBytes, bomb);
  }
  return bomb;
}

/** A strong ETag for a body, for tests that want realistic validators. */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
}
