/**
 * Operations endpoints: GET /healthz (is the worker alive and ticking?), GET /readyz (is it doing its
 * job?), GET /metrics (Prometheus text) and GET / (the status page). Bound to loopback unless
 * ATTRIBOT_HTTP_HOST says otherwise, with a connection cap and short timeouts: whoever reaches the
 * port cannot exhaust the worker's sockets.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorMessage } from '../shared/errors.js';
import type { Readiness } from './readiness.js';

/** What /metrics serves (PrometheusMetrics). */
export interface MetricsText {
  readonly contentType: string;
  render(): Promise<string>;
}

export interface Health {
  healthy: boolean;
  detail: Record<string, unknown>;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** Connections served at once; more are closed on arrival, so slow clients cannot take the process's file descriptors. */
export const OPS_MAX_CONNECTIONS = 32;
/** A client gets this long to send its request head, and a request this long in all. */
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';
/** The page loads nothing from anywhere and runs no script, whatever a feed managed to put in it. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

interface Answer {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

/** A probe's JSON answer: 200 when it holds, 503 otherwise. */
function probeAnswer(ok: boolean, body: Record<string, unknown>): Answer {
  return { status: ok ? 200 : 503, type: JSON_TYPE, body: JSON.stringify(body) };
}

/** Writes what `make` answers, or what `fail` makes of its error (a plain 500 by default). */
function answer(
  response: ServerResponse,
  head: boolean,
  make: () => Promise<Answer>,
  fail: (error: unknown) => Answer = (error) => ({
    status: 500,
    type: 'text/plain; charset=utf-8',
    body: `${errorMessage(error)}\n`,
  }),
): void {
  make()
    .catch(fail)
    .then((result) => {
      if (response.headersSent || response.destroyed) return;
      response.writeHead(result.status, { 'content-type': result.type, ...result.headers });
      response.end(head ? undefined : result.body);
    });
}

export async function startOpsServer(options: {
  host: string;
  port: number;
  metrics: MetricsText;
  health: () => Promise<Health> | Health;
  readiness?: () => Promise<Readiness>;
  /** The status page's HTML. */
  statusPage?: () => Promise<string>;
  maxConnections?: number;
  /** Time to send a request head (tests shorten it). */
  headersTimeoutMs?: number;
}): Promise<OpsServer> {
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const server: Server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, REQUEST_TIMEOUT_MS),
      keepAliveTimeout: 2_000,
    },
    (request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const head = request.method === 'HEAD';
      if (path === '/metrics') {
        answer(response, head, async () => ({
          status: 200,
          type: options.metrics.contentType,
          body: await options.metrics.render(),
        }));
        return;
      }
      if (path === '/healthz') {
        answer(
          response,
          head,
          async () => {
            const health = await options.health();
            return probeAnswer(health.healthy, {
              status: health.healthy ? 'ok' : 'unhealthy',
              ...health.detail,
            });
          },
          () => probeAnswer(false, { status: 'unhealthy' }),
        );
        return;
      }
      if (path === '/readyz' && options.readiness) {
        const readiness = options.readiness;
        answer(
          response,
          head,
          async () => {
            const ready = await readiness();
            return probeAnswer(ready.ready, { status: ready.ready ? 'ready' : 'not ready', ...ready });
          },
          (error) =>
            probeAnswer(false, { status: 'not ready', ready: false, reasons: [errorMessage(error)] }),
        );
        return;
      }
      if (path === '/' && options.statusPage) {
        const page = options.statusPage;
        answer(
          response,
          head,
          async () => ({ status: 200, type: HTML_TYPE, body: await page(), headers: PAGE_HEADERS }),
          (error) => ({
            status: 503,
            type: 'text/plain; charset=utf-8',
            body: `The status page cannot be shown: ${errorMessage(error)}\n`,
          }),
        );
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    },
  );
  server.maxConnections = options.maxConnections ?? OPS_MAX_CONNECTIONS;
  // Node enforces headersTimeout only when its connection check runs (every 30 s), and an idle
  // timer restarts with each byte: a client trickling a request head would hold a slot for half a
  // minute, and 32 of them every slot. Each connection gets headersTimeout to complete each head.
  const headDeadlines = new WeakMap<Socket, NodeJS.Timeout>();
  const awaitHead = (socket: Socket): void => {
    clearTimeout(headDeadlines.get(socket));
    headDeadlines.set(
      socket,
      setTimeout(() => socket.destroy(), headersTimeout),
    );
  };
  server.on('connection', (socket: Socket) => {
    awaitHead(socket);
    socket.on('close', () => clearTimeout(headDeadlines.get(socket)));
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    clearTimeout(headDeadlines.get(socket));
    // A kept-alive connection gets the same time for its next request head.
    response.on('finish', () => {
      if (!socket.destroyed) awaitHead(socket);
    });
  });
  server.maxRequestsPerSocket = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
