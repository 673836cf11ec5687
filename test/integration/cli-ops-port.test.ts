/**
 * `attribot run` with ATTRIBOT_HTTP_PORT set refuses to start when that port cannot be served:
 * the port was asked for, and a worker without /healthz looks dead to whatever probes it.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('run with an ops port that is taken', () => {
  const temp = makeTempDir();
  let occupier: Server;
  let takenPort: number;
  let feed: HttpServer;
  let feedRequests = 0;

  beforeAll(async () => {
    occupier = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    takenPort = (occupier.address() as AddressInfo).port;
    feed = createHttpServer((_request, response) => {
      feedRequests++;
      response
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end('<rss version="2.0"><channel/></rss>');
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => occupier.close(() => resolve()));
    await new Promise<void>((resolve) => feed.close(() => resolve()));
    temp.cleanup();
  });

  it('exits 1 naming HOST:PORT, and polls nothing', async () => {
    const feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed.xml`;
    const result = await runCli(
      ['run'],
      {
        ATTRIBOT_DB: join(temp.dir, 'attribot.db'),
        ATTRIBOT_FEEDS: feedUrl,
        ATTRIBOT_ALLOW_PRIVATE_NETWORK: '1',
        ATTRIBOT_HTTP_PORT: String(takenPort),
        ATTRIBOT_LOG_FORMAT: 'json',
      },
      // Shorter than the test's own timeout, so a worker that runs on anyway is killed, not left behind.
      15_000,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `attribot: cannot serve the ops endpoints on 127.0.0.1:${takenPort}: address in use`,
    );
    expect(feedRequests).toBe(0);
  });
});
