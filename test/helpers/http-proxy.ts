/**
 * A small forward proxy for tests, as corporate proxies behave: absolute-form requests
 * (`GET http://host/path HTTP/1.1`) are forwarded, `CONNECT host:port` opens a tunnel, and with
 * `credentials` set anything without the matching `Proxy-Authorization: Basic` gets 407. A request
 * in origin form (a client that forgot it talks to a proxy) gets 400. Every request is recorded.
 * Listens on 127.0.0.1, port 0.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** The request target as sent: an absolute URL, or `host:port` for CONNECT. */
  target: string;
  headers: IncomingHttpHeaders;
  /** What the proxy answered (200 for an established tunnel). */
  status: number;
}

export interface TestProxy {
  /** `http://127.0.0.1:<port>` (without credentials). */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly ProxiedRequest[];
  /** Tunnels and forwarded requests currently open. */
  readonly openSockets: number;
  close(): Promise<void>;
}

export async function startTestProxy(
  options: { credentials?: { user: string; password: string } } = {},
): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : null;
  const authorized = (headers: IncomingHttpHeaders): boolean =>
    expected === null || headers['proxy-authorization'] === expected;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const record: ProxiedRequest = {
      method: req.method ?? 'GET',
      target: req.url ?? '',
      headers: req.headers,
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, headers).end();
    };
    if (!authorized(req.headers)) {
      answer(407, { 'proxy-authenticate': 'Basic realm="test"' });
      return;
    }
    if (!/^https?:\/\//i.test(record.target)) {
      answer(400);
      return;
    }
    const target = new URL(record.target);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: record.method,
        headers,
      },
      (reply) => {
        record.status = reply.statusCode ?? 502;
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) answer(502);
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const record: ProxiedRequest = {
      method: 'CONNECT',
      target: req.url ?? '',
      headers: req.headers,
      status: 0,
    };
    requests.push(record);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const refuse = (status: number, reason: string, extra = ''): void => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\n\r\n`);
    };
    if (!authorized(req.headers)) {
      refuse(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="test"\r\n');
      return;
    }
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(record.target);
    if (!match) {
      refuse(400, 'Bad Request');
      return;
    }
    const upstream = connect({ host: match[1], port: Number(match[2]) });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (record.status === 0) refuse(502, 'Bad Gateway');
      client.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get openSockets() {
      return sockets.size;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
