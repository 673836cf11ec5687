/**
 * Operations endpoints: GET /healthz (is the worker ticking?) and GET /metrics (Prometheus text).
 * Bound to loopback unless ATTRIBOT_HTTP_HOST says otherwise, with a connection cap and short
 * timeouts: whoever reaches the port cannot exhaust the worker's sockets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

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

export async function startOpsServer(options: {
  host: string;
  port: number;
  metrics: Metrics;
  health: () => Promise<Health> | Health;
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
      if (path === '/metrics') {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        response.end(request.method === 'HEAD' ? undefined : options.metrics.render());
        return;
      }
      if (path === '/healthz') {
        Promise.resolve(options.health()).then(
          (health) => {
            response.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ status: health.healthy ? 'ok' : 'unhealthy', ...health.detail }));
          },
          () => response.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"unhealthy"}'),
        );
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    },
  );
  server.maxConnections = options.maxConnections ?? OPS_MAX_CONNECTIONS;
  // A connection that sends nothing at all is covered neither by headersTimeout nor by
  // server.timeout (both start with the first byte): it is closed after this long without one.
  server.on('connection', (socket) => socket.setTimeout(2 * headersTimeout, () => socket.destroy()));
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
