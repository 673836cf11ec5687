/**
 * The one outbound HTTP wrapper: a single deadline over redirects and body, manual redirects
 * (so every hop can be checked), a byte cap on the decompressed body, and errors classified into
 * kinds callers can act on. Feed and page fetchers add their own headers and meaning on top.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, connect as netConnect } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { type ConnectionOptions as TlsConnectionOptions, connect as tlsConnect } from 'node:tls';
import { createBrotliDecompress, createGunzip, createInflate, constants as zlibConstants } from 'node:zlib';
import { AppError } from './errors.js';
import { type ProxyEndpoint, type ProxySettings, proxyFor } from './proxy.js';

export type HttpErrorKind =
  | 'invalid-url'
  | 'dns'
  | 'connect'
  /** The proxy could not be reached, or refused the tunnel (CONNECT answered other than 200). */
  | 'proxy'
  | 'timeout'
  | 'tls'
  | 'http'
  | 'too-large'
  | 'too-many-redirects';

/** An HTTP failure with a kind callers act on; feed and page fetchers add kinds of their own. */
export class HttpFailure<Kind extends string> extends AppError {
  readonly kind: Kind;
  readonly url: string;
  declare readonly status?: number;
  declare readonly retryAfterMs?: number;

  constructor(
    kind: Kind,
    message: string,
    details: { url: string; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.url = details.url;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

export class HttpError extends HttpFailure<HttpErrorKind> {}

/** Status line and headers, shown to `inspect` before the body is read. */
export interface HttpResponseHead {
  url: string;
  status: number;
  headers: Headers;
}

export interface HttpResponse extends HttpResponseHead {
  /** Decompressed body; empty for 304. */
  body: Uint8Array;
  /** Where the request landed through permanent redirects (301/308) only, when it was redirected so. */
  permanentUrl?: string;
}

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** Deadline for the whole exchange: every redirect hop and the body. */
  timeoutMs: number;
  /** Cap on the decompressed body. */
  maxBytes: number;
  maxRedirects: number;
  /** Injected for tests and for a future SSRF-guarded dispatcher. */
  fetch?: typeof fetch;
  /** Called before every hop; throw to refuse a URL (SSRF guard seam). */
  beforeRequest?: (url: URL) => void | Promise<void>;
  /** Called once the final response's head is in, before its body is read; throw to stop. */
  inspect?: (head: HttpResponseHead) => void;
  /** Time source for Retry-After dates. */
  now?: () => Date;
  /** Caller cancellation (shutdown); reported as the abort reason, not as a timeout. */
  signal?: AbortSignal;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GET with a deadline, manual redirects and a capped body. Resolves for 2xx and 304;
 * every other outcome is an HttpError.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  const fetchImpl = options.fetch ?? fetch;
  const controller = new AbortController();
  const deadline = new Error(`Deadline of ${options.timeoutMs} ms exceeded`);
  const timer = setTimeout(() => controller.abort(deadline), options.timeoutMs);
  const onCallerAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let current = parseHttpUrl(url);
  // Still true while every hop so far was permanent: then `current` is the resource's new home.
  let permanentSoFar = true;
  let permanentUrl: string | undefined;
  try {
    for (let hop = 0; ; hop++) {
      await options.beforeRequest?.(current);
      let response: Response;
      try {
        response = await fetchImpl(current, {
          method: 'GET',
          headers: options.headers ?? {},
          redirect: 'manual',
          signal: controller.signal,
        });
      } catch (error) {
        // A seam's own refusal (the SSRF guard's connect-time lookup) is already classified.
        if (error instanceof AppError && !controller.signal.aborted) throw error;
        throw networkError(error, current.href, controller.signal, deadline);
      }
      const location = response.headers.get('location');
      if (REDIRECT_STATUSES.has(response.status) && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        if (hop >= options.maxRedirects) {
          throw new HttpError('too-many-redirects', `More than ${options.maxRedirects} redirects`, {
            url: current.href,
            status: response.status,
          });
        }
        current = parseHttpUrl(location, current);
        permanentSoFar &&= response.status === 301 || response.status === 308;
        if (permanentSoFar) permanentUrl = current.href;
        continue;
      }
      const head = {
        url: current.href,
        status: response.status,
        headers: response.headers,
        ...(permanentUrl ? { permanentUrl } : {}),
      };
      if (response.status === 304) {
        await response.body?.cancel().catch(() => undefined);
        return { ...head, body: new Uint8Array(0) };
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel().catch(() => undefined);
        throw statusError(response, current.href, options.now?.() ?? new Date());
      }
      try {
        options.inspect?.(head);
      } catch (error) {
        await response.body?.cancel().catch(() => undefined);
        throw error;
      }
      const body = await readCapped(response, options.maxBytes, current.href, controller, deadline);
      return { ...head, body };
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function parseHttpUrl(value: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch (error) {
    throw new HttpError('invalid-url', `Invalid URL: ${value}`, { url: value, cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpError('invalid-url', `Unsupported URL scheme ${url.protocol}`, { url: url.href });
  }
  return url;
}

/** Reads the (already decompressed) body stream, stopping as soon as it passes maxBytes. */
async function readCapped(
  response: Response,
  maxBytes: number,
  url: string,
  controller: AbortController,
  deadline: Error,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  // Content-Length counts compressed bytes, which only ever grow once decompressed.
  if (Number.isFinite(declared) && declared > maxBytes) {
    controller.abort();
    throw tooLarge(url, maxBytes);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        controller.abort();
        throw tooLarge(url, maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw networkError(error, url, controller.signal, deadline);
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, total);
}

function tooLarge(url: string, maxBytes: number): HttpError {
  return new HttpError('too-large', `Body exceeds ${maxBytes} bytes`, { url });
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function statusError(response: Response, url: string, now: Date): HttpError {
  const retryAfter =
    response.status === 429 || response.status === 503
      ? parseRetryAfter(response.headers.get('retry-after'), now)
      : undefined;
  return new HttpError('http', `HTTP ${response.status} ${response.statusText}`.trim(), {
    url,
    status: response.status,
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });
}

/**
 * Longest Retry-After taken from a header at all (a year); callers cap it further (maxBackoff).
 * Without a ceiling "99999999999999" seconds overflows every date computed from it.
 */
export const RETRY_AFTER_CEILING_MS = 365 * 86_400_000;

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined if unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_CEILING_MS);
  // An HTTP date names its day and month; V8 would read "-5" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(RETRY_AFTER_CEILING_MS, Math.max(0, at - now.getTime()));
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/**
 * Classifies what fetch threw (undici wraps the socket error in `cause`) into a kind.
 * A caller's own abort is handed back unchanged: it is not a failure of the URL.
 */
function networkError(error: unknown, url: string, signal: AbortSignal, deadline: Error): unknown {
  if (signal.aborted) {
    if (signal.reason !== deadline) return signal.reason;
    return new HttpError('timeout', deadline.message, { url, cause: error });
  }
  const codes = errorCodes(error);
  const has = (test: (code: string) => boolean): boolean => codes.some(test);
  let kind: HttpErrorKind = 'connect';
  if (has((code) => DNS_CODES.has(code))) kind = 'dns';
  else if (has((code) => TIMEOUT_CODES.has(code))) kind = 'timeout';
  else if (has((code) => TLS_CODE.test(code))) kind = 'tls';
  const detail = codes[0] ?? (error instanceof Error ? error.message : String(error));
  return new HttpError(kind, `Request failed (${kind}): ${detail}`, { url, cause: error });
}

/** Every `code` along the cause chain, including inside AggregateErrors (happy eyeballs). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const queue: unknown[] = [error];
  for (let depth = 0; queue.length > 0 && depth < 20; depth++) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null) continue;
    const record = next as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.code === 'string') codes.push(record.code);
    if (record.cause !== undefined) queue.push(record.cause);
    if (Array.isArray(record.errors)) queue.push(...record.errors);
  }
  return codes;
}

/** Transient failures worth an earlier retry; 4xx other than 408/429 and caps are not. */
export function isRetryableHttpFailure(kind: string, status?: number): boolean {
  switch (kind) {
    case 'dns':
    case 'connect':
    case 'proxy':
    case 'timeout':
      return true;
    case 'http':
      return status === undefined || status === 408 || status === 429 || status >= 500;
    default:
      return false;
  }
}

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export interface LookupFetchOptions {
  /** Proxies from the environment (shared/proxy.ts); null or absent: every request goes direct. */
  proxy?: ProxySettings | null;
  /**
   * Run on a target's host name before a request goes through a proxy, which resolves the name
   * itself: the guard's check (throw to refuse) stands in for the pinned lookup there. Default:
   * the `lookup` itself, its answer discarded.
   */
  checkProxiedTarget?: (hostname: string) => Promise<void>;
  /** Certificates (PEM) trusted for https targets instead of Node's roots; tests with a local TLS server. */
  ca?: string;
}

/**
 * A `fetch` (GET only, as httpGet uses it) over node:http/https whose sockets connect through
 * `lookup`. Node's built-in fetch cannot take a lookup without importing undici by name, which
 * Node 20 does not allow; node:http can, so the address a guard checked is the address connected
 * to. Never follows redirects; decompresses gzip, deflate and br; the body stream is pull-based,
 * so a byte cap stops a decompression bomb after the cap, not after the whole bomb.
 *
 * Through a proxy (options.proxy, unless no_proxy exempts the host) an http:// request is sent to
 * the proxy in absolute form and an https:// one tunnels through CONNECT, with Proxy-Authorization
 * from the proxy URL. The proxy is reached without the guard (corporate proxies live on private
 * addresses); the target is checked with `checkProxiedTarget` first.
 */
export function createLookupFetch(lookup: LookupFunction, options: LookupFetchOptions = {}): typeof fetch {
  // Own keep-alive pools: a socket another client connected (without this lookup) is never reused.
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const proxied = new ProxyAgents();
  const checkTarget = options.checkProxiedTarget ?? lookupCheck(lookup);
  const tls = options.ca === undefined ? {} : { ca: options.ca };
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    const proxy = options.proxy ? proxyFor(url, options.proxy) : null;
    if (proxy) await checkTarget(url.hostname);
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const headers: OutgoingHttpHeaders = {};
      new Headers(init?.headers).forEach((value, name) => {
        headers[name] = value;
      });
      const method = init?.method ?? 'GET';
      const secure = url.protocol === 'https:';
      let req: ClientRequest;
      if (proxy === null) {
        const send = secure ? httpsRequest : httpRequest;
        req = send(url, { method, headers, lookup, agent: secure ? agents.https : agents.http, ...tls });
      } else if (secure) {
        req = httpsRequest(url, { method, headers, agent: proxied.tunnel(proxy), ...tls });
      } else {
        // Absolute form to the proxy: it connects to the target named in the request line.
        if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
        headers.host = url.host;
        req = httpRequest({
          host: proxy.host,
          port: proxy.port,
          method,
          path: url.href,
          headers,
          agent: proxied.forward,
        });
      }
      let body: Readable | undefined;
      let answered = false;
      const onAbort = (): void => {
        req.destroy(signal?.reason);
        body?.destroy(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      req.on('error', (error) => {
        settle();
        // Before any answer, a socket error of an absolute-form request is the proxy's (the target is
        // the proxy's business); a tunnel's own failures come classified from TunnelAgent, and TLS
        // errors inside a tunnel are the target's.
        const viaProxy =
          proxy !== null && !secure && !answered && !signal?.aborted && !(error instanceof AppError);
        reject(viaProxy ? proxyUnreachable(proxy, url, error) : error);
      });
      req.on('response', () => {
        answered = true;
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (NULL_BODY_STATUSES.has(status)) {
          res.resume();
          settle();
          resolve(
            new Response(null, { status, statusText: res.statusMessage ?? '', headers: toHeaders(res) }),
          );
          return;
        }
        if (status < 200 || status > 599) {
          res.destroy();
          settle();
          reject(new Error(`Unexpected HTTP status ${status}`));
          return;
        }
        body = decodedBody(res);
        body.once('close', settle);
        resolve(
          new Response(pullStream(body), {
            status,
            statusText: res.statusMessage ?? '',
            headers: toHeaders(res),
          }),
        );
      });
      req.end();
    });
  };
}

/** Resolves a host through `lookup` (which throws what the guard refuses), the address unused. */
function lookupCheck(lookup: LookupFunction): (hostname: string) => Promise<void> {
  return (hostname) =>
    new Promise((resolve, reject) => {
      const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
      lookup(host, { all: true }, (error) => (error ? reject(error) : resolve()));
    });
}

function proxyUnreachable(proxy: ProxyEndpoint, target: URL, error: unknown): HttpError {
  const code = errorCodes(error)[0] ?? (error instanceof Error ? error.message : String(error));
  return new HttpError('proxy', `Proxy ${proxy.display} failed: ${code}`, { url: target.href, cause: error });
}

/**
 * Keep-alive pools for proxied requests: one for absolute-form requests (sockets to the proxies),
 * and per proxy one tunnelling agent whose connections are CONNECT tunnels wrapped in TLS.
 */
class ProxyAgents {
  readonly forward = new HttpAgent({ keepAlive: true });
  readonly #tunnels = new Map<string, HttpsAgent>();

  tunnel(proxy: ProxyEndpoint): HttpsAgent {
    const key = `${proxy.display}\0${proxy.authorization ?? ''}`;
    let agent = this.#tunnels.get(key);
    if (!agent) {
      agent = new TunnelAgent(proxy);
      this.#tunnels.set(key, agent);
    }
    return agent;
  }
}

/** Longest CONNECT answer head read from a proxy. */
const CONNECT_HEAD_MAX = 16 * 1024;
/** How long a proxy may take to answer CONNECT (the request's own deadline applies once it has). */
const CONNECT_TIMEOUT_MS = 30_000;

/** An https Agent whose sockets are TLS over a CONNECT tunnel through `proxy`. */
class TunnelAgent extends HttpsAgent {
  readonly #proxy: ProxyEndpoint;

  constructor(proxy: ProxyEndpoint) {
    super({ keepAlive: true });
    this.#proxy = proxy;
  }

  override createConnection(
    options: TlsConnectionOptions,
    callback?: (error: Error | null, socket: Duplex) => void,
  ): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const proxy = this.#proxy;
    const host = String(options.host ?? 'localhost');
    const port = Number(options.port ?? 443);
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const url = `https://${target}/`;
    const socket = netConnect({ host: proxy.host, port: proxy.port });
    let head = Buffer.alloc(0);
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      done(error, socket);
    };
    const onError = (error: Error): void => fail(proxyUnreachable(proxy, new URL(url), error));
    const onClose = (): void =>
      fail(
        new HttpError('proxy', `Proxy ${proxy.display} closed the connection before answering CONNECT`, {
          url,
        }),
      );
    // The request's deadline cannot reach a socket the agent has not handed over yet.
    socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
      fail(
        new HttpError(
          'proxy',
          `Proxy ${proxy.display} did not answer CONNECT within ${CONNECT_TIMEOUT_MS / 1000} s`,
          { url },
        ),
      ),
    );
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > CONNECT_HEAD_MAX)
          fail(new HttpError('proxy', `Proxy ${proxy.display} sent an oversized answer to CONNECT`, { url }));
        return;
      }
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.setTimeout(0);
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      if (status !== 200) {
        fail(
          new HttpError(
            'proxy',
            `Proxy ${proxy.display} refused CONNECT ${target}: ${statusLine.replace(/^HTTP\/1\.[01] /, '') || 'no status'}`,
            {
              url,
              ...(status > 0 ? { status } : {}),
            },
          ),
        );
        return;
      }
      // Nothing follows a 200 before the client speaks: TLS starts with our ClientHello.
      settled = true;
      const servername = options.servername || (isIP(host) === 0 ? host : undefined);
      done(null, tlsConnect({ ...options, socket, ...(servername ? { servername } : {}) }));
    };
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('data', onData);
    socket.once('connect', () => {
      const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
    });
    return undefined;
  }
}

function toHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] ?? '', raw[i + 1] ?? '');
    } catch {
      // A header value fetch would reject (control characters): dropped, as browsers do.
    }
  }
  return headers;
}

function decodedBody(res: IncomingMessage): Readable {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  // Truncated compressed streams yield what arrived instead of failing outright, as undici does.
  const lenient = { flush: zlibConstants.Z_SYNC_FLUSH, finishFlush: zlibConstants.Z_SYNC_FLUSH };
  let decoder: NodeJS.ReadWriteStream | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip(lenient);
  else if (encoding === 'deflate') decoder = createInflate(lenient);
  else if (encoding === 'br') decoder = createBrotliDecompress();
  if (decoder === undefined) return res;
  return pipeline(res, decoder, () => undefined) as unknown as Readable;
}

/** A ReadableStream that reads from the node stream only when asked (no read-ahead). */
function pullStream(source: Readable): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else
          controller.enqueue(
            typeof value === 'string'
              ? Buffer.from(value)
              : new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
          );
      },
      cancel(reason) {
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
