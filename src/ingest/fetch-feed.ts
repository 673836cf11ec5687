import type { LookupFunction } from 'node:net';
import type { HttpErrorKind, HttpResponse, HttpResponseHead } from '../shared/http.js';
import {
  createLookupFetch,
  HttpError,
  HttpFailure,
  httpGet,
  isRetryableHttpFailure,
} from '../shared/http.js';
import type { ProxySettings } from '../shared/proxy.js';
import { decodeBody } from './decode.js';
import type { FeedFetcher, FetchResult, FetchValidators } from './feed-item.js';
import {
  bareHost,
  createGuardedLookup,
  createTargetCheck,
  createUrlGuard,
  UrlBlockedError,
  type UrlGuard,
  type UrlGuardOptions,
} from './url-guard.js';

export type FeedFetchErrorKind = HttpErrorKind | 'not-a-feed' | 'blocked';

/** Why one feed could not be fetched; the scheduler decides on retries from `kind` and `status`. */
export class FeedFetchError extends HttpFailure<FeedFetchErrorKind> {}

export interface HttpFeedFetcherOptions {
  userAgent: string;
  /** Deadline for the whole request, redirects and body included. */
  timeoutMs?: number;
  /** Cap on the decompressed body. */
  maxBytes?: number;
  maxRedirects?: number;
  /** Injected for tests; replaces the pinned-connection fetch, so only the per-hop check remains. */
  fetch?: typeof fetch;
  /** Time source for Retry-After dates. */
  now?: () => Date;
  /**
   * The SSRF guard for hosts other than a configured feed's: the admin trusts the feed's URL, not
   * wherever its server redirects. Each such hop is checked, and its socket connects only to an
   * address that passed the check in the same resolution. Without it redirects are not checked.
   */
  redirectGuard?: UrlGuardOptions;
  /** Proxies from the environment; a redirect to another host gets redirectGuard's check before the proxy is asked. */
  proxy?: ProxySettings | null;
}

export const FEED_FETCH_DEFAULTS = {
  timeoutMs: 20_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
} as const satisfies Partial<HttpFeedFetcherOptions>;

const ACCEPT = [
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/feed+json',
  'application/xml;q=0.9',
  'text/xml;q=0.9',
  'application/json;q=0.8',
  '*/*;q=0.5',
].join(', ');

/**
 * Media types that can never hold a feed; refused before their body is downloaded.
 * octet-stream is not among them: misconfigured servers send real feeds with it.
 */
const NOT_A_FEED_TYPE = /^(image|audio|video|font)\/|^application\/(pdf|zip|gzip|x-tar|msword)\b/i;

/** Conditional GET of a feed document over HTTP(S), decoded to a string. */
export class HttpFeedFetcher implements FeedFetcher {
  readonly #options: HttpFeedFetcherOptions &
    Required<Pick<HttpFeedFetcherOptions, keyof typeof FEED_FETCH_DEFAULTS>>;
  readonly #guard: UrlGuard | undefined;
  readonly #fetch: typeof fetch;
  /** Hosts of the feeds this fetcher was asked for: their sockets resolve without the check. */
  readonly #feedHosts = new Set<string>();

  constructor(options: HttpFeedFetcherOptions) {
    this.#options = {
      ...options,
      timeoutMs: options.timeoutMs ?? FEED_FETCH_DEFAULTS.timeoutMs,
      maxBytes: options.maxBytes ?? FEED_FETCH_DEFAULTS.maxBytes,
      maxRedirects: options.maxRedirects ?? FEED_FETCH_DEFAULTS.maxRedirects,
    };
    const guardOptions = options.redirectGuard;
    this.#guard = guardOptions ? createUrlGuard(guardOptions) : undefined;
    // node:http rather than the global fetch: its lookup pins redirect targets, and it does the
    // same conditional GET in about half the CPU, which is most of an all-304 poll.
    this.#fetch =
      options.fetch ??
      createLookupFetch(this.#lookup(guardOptions), {
        proxy: options.proxy ?? null,
        checkProxiedTarget: this.#targetCheck(guardOptions),
      });
  }

  /** Configured feed hosts are trusted (and need no local DNS behind a proxy); other hosts get the guard's check. */
  #targetCheck(guardOptions: UrlGuardOptions | undefined): (hostname: string) => Promise<void> {
    const check = guardOptions ? createTargetCheck(guardOptions) : null;
    return async (hostname) => {
      if (check && !this.#feedHosts.has(bareHost(hostname))) await check(hostname);
    };
  }

  #lookup(guardOptions: UrlGuardOptions | undefined): LookupFunction {
    const trusted = createGuardedLookup({ allowPrivateNetwork: true });
    if (!guardOptions) return trusted;
    const checked = createGuardedLookup(guardOptions);
    return (hostname, lookupOptions, callback) =>
      (this.#feedHosts.has(bareHost(hostname)) ? trusted : checked)(hostname, lookupOptions, callback);
  }

  async fetchFeed(url: string, validators: FetchValidators): Promise<FetchResult> {
    const options = this.#options;
    const configured = URL.canParse(url) ? new URL(url) : null;
    const configuredHost = configured?.host ?? null;
    if (configured) this.#feedHosts.add(bareHost(configured.hostname));
    const guard = this.#guard;
    let response: HttpResponse;
    try {
      response = await httpGet(url, {
        headers: requestHeaders(options.userAgent, validators),
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
        maxRedirects: options.maxRedirects,
        inspect: rejectNonFeedType,
        fetch: this.#fetch,
        ...(guard
          ? { beforeRequest: (hop: URL) => (hop.host === configuredHost ? undefined : guard(hop)) }
          : {}),
        ...(options.now ? { now: options.now } : {}),
      });
    } catch (error) {
      throw toFeedFetchError(error);
    }
    const now = options.now?.() ?? new Date();
    const freshMs = cacheFreshMs(response.headers, now);
    const freshness = {
      ...(freshMs === undefined ? {} : { cacheFreshMs: freshMs }),
      ...(response.permanentUrl ? { movedTo: response.permanentUrl } : {}),
    };
    if (response.status === 304) {
      const validators = responseValidators(response.headers);
      const refreshed = validators.etag !== undefined || validators.lastModified !== undefined;
      return {
        status: 'not-modified',
        url: response.url,
        ...(refreshed ? { validators } : {}),
        ...freshness,
      };
    }

    const contentType = response.headers.get('content-type') ?? undefined;
    return {
      status: 'ok',
      url: response.url,
      body: decodeBody(response.body, contentType),
      validators: responseValidators(response.headers),
      ...(contentType === undefined ? {} : { contentType }),
      ...freshness,
    };
  }
}

function requestHeaders(userAgent: string, validators: FetchValidators): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  return headers;
}

/** Validators from this response only: a server that stops sending one has dropped it. */
function responseValidators(headers: Headers): FetchValidators {
  const etag = headers.get('etag');
  const lastModified = headers.get('last-modified');
  return {
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
  };
}

/**
 * Freshness left on a response, in ms from `now`: Cache-Control max-age (or s-maxage) minus Age,
 * else Expires minus Date (RFC 9111 4.2). no-cache / no-store mean 0; nothing usable, undefined.
 */
export function cacheFreshMs(headers: Headers, now: Date): number | undefined {
  const directives = parseCacheControl(headers.get('cache-control'));
  const age = Math.max(0, Number(headers.get('age')?.trim()) || 0) * 1000;
  if (directives.has('no-store') || directives.has('no-cache')) return 0;
  const maxAge = directives.get('max-age') ?? directives.get('s-maxage');
  if (maxAge !== undefined) {
    if (!/^\d+$/.test(maxAge)) return 0;
    return Math.max(0, Number(maxAge) * 1000 - age);
  }
  const expires = headers.get('expires');
  if (expires === null) return undefined;
  const expiresAt = Date.parse(expires);
  // An invalid Expires ("0", "-1") means already expired.
  if (Number.isNaN(expiresAt) || !/[a-z]/i.test(expires)) return 0;
  const dateHeader = Date.parse(headers.get('date') ?? '');
  const servedAt = Number.isNaN(dateHeader) ? now.getTime() : dateHeader;
  return Math.max(0, expiresAt - servedAt - age);
}

function parseCacheControl(value: string | null): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  for (const part of (value ?? '').split(',')) {
    const [name, argument] = part.split('=', 2);
    const key = name?.trim().toLowerCase();
    if (!key || directives.has(key)) continue;
    directives.set(key, argument?.trim().replace(/^"(.*)"$/, '$1'));
  }
  return directives;
}

function rejectNonFeedType(head: HttpResponseHead): void {
  const contentType = head.headers.get('content-type') ?? '';
  if (NOT_A_FEED_TYPE.test(contentType.trim())) {
    throw new FeedFetchError('not-a-feed', `Response is ${contentType}, not a feed`, {
      url: head.url,
      status: head.status,
    });
  }
}

/** HttpError → FeedFetchError; anything else (a caller's abort, a bug) passes through unchanged. */
function toFeedFetchError(error: unknown): unknown {
  if (error instanceof UrlBlockedError) {
    return new FeedFetchError('blocked', `Redirect refused: ${error.message}`, {
      url: error.url,
      cause: error,
    });
  }
  if (error instanceof HttpError) {
    return new FeedFetchError(error.kind, error.message, {
      url: error.url,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      cause: error.cause ?? error,
    });
  }
  return error;
}

/** Whether a failed fetch is transient (network, timeout, 408/429/5xx) and worth an earlier retry. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof FeedFetchError || error instanceof HttpError) {
    return isRetryableHttpFailure(error.kind, error.status);
  }
  return false;
}
