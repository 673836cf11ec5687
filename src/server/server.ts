/** Operations endpoints: GET /healthz (is the worker ticking?) and GET /metrics (Prometheus text). */
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

export async function startOpsServer(options: {
  host: string;
  port: number;
  metrics: Metrics;
  health: () => Promise<Health> | Health;
}): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
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
  });
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
