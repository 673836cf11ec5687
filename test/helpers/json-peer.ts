/** The HTTP plumbing of the fake TAXII and MISP servers: one loopback server, JSON bodies, every request recorded. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PeerRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** Status answered; 0 until then. */
  status: number;
}

export interface JsonPeer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  base: string;
  requests: PeerRequest[];
  close(): Promise<void>;
}

export async function startJsonPeer(
  handle: (req: IncomingMessage, res: ServerResponse, body: unknown) => void,
): Promise<JsonPeer> {
  const requests: PeerRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const record: PeerRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        status: 0,
      };
      requests.push(record);
      res.on('finish', () => {
        record.status = res.statusCode;
      });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
