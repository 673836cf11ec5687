/**
 * Article page fetch for items whose feed carries only a summary. Article links come from third
 * parties, so every hop goes through the SSRF guard and the socket connects through the guarded
 * lookup; publishers are spared with a per-host concurrency limit and a gap between requests.
 */
import type { LookupFunction } from 'node:net';
import { HostLimiter, hostKey } from '../shared/host-limits.js';
import {
  createLookupFetch,
  HttpError,
  type HttpErrorKind,
  HttpFailure,
  type HttpResponseHead,
  httpGet,
} from '../shared/http.js';
import type { ProxySettings } from '../shared/proxy.js';
import { decodeBody } from './decode.js';
import type { MainText } from './main-text.js';
import {
  createGuardedLookup,
  createTargetCheck,
  createUrlGuard,
  type ResolveHost,
  UrlBlockedError,
  type UrlGuard,
} from './url-guard.js';

export interface ArticlePage {
  /** Final URL, after redirects. */
  url: string;
  title: string | null;
  /** Main text, one paragraph a line. */
  text: string;
  /** ISO 8601 (or a bare date) when the page states when it was published. */
  published?: string;
}

/** Fetches an article page and extracts its main text. */
export interface PageFetcher {
  fetchPage(url: string): Promise<ArticlePage>;
}

export type PageFetchErrorKind = HttpErrorKind | 'blocked' | 'not-html';

export class PageFetchError extends HttpFailure<PageFetchErrorKind> {}

export interface HttpPageFetcherOptions {
  userAgent: string;
  /** Skip the SSRF address check (admin config or ATTRIBOT_ALLOW_PRIVATE_NETWORK=1). */
  allowPrivateNetwork: boolean;
  /** Hosts exempt from the address check. */
  allowHosts?: readonly string[];
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Requests at once to one host:port. */
  perHostConcurrency?: number;
  /** Least time between the starts of two requests to one host:port. */
  perHostGapMs?: number;
  /** Injected resolver (tests); the guard and the socket both use it. */
  lookup?: ResolveHost;
  /** Injected fetch (tests); replaces the pinned-connection fetch, so only the per-hop check remains. */
  fetch?: typeof fetch;
  /** Proxies from the environment; the target is checked before the proxy is asked. */
  proxy?: ProxySettings | null;
  /** Main-text extraction (the app runs it in a worker under a time budget); inline by default. */
  extract?: (html: string, url: string) => Promise<MainText>;
}

export const PAGE_FETCH_DEFAULTS = {
  timeoutMs: 20_000,
  maxBytes: 3 * 1024 * 1024,
  maxRedirects: 5,
  perHostConcurrency: 2,
  perHostGapMs: 1000,
} as const satisfies Partial<HttpPageFetcherOptions>;

type ResolvedPageOptions = HttpPageFetcherOptions &
  Required<Pick<HttpPageFetcherOptions, keyof typeof PAGE_FETCH_DEFAULTS>>;

const ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';
const HTML_TYPE = /^(text\/html|application\/xhtml\+xml)\b/i;

export class HttpPageFetcher implements PageFetcher {
  readonly #options: ResolvedPageOptions;
  readonly #guard: UrlGuard;
  readonly #fetch: typeof fetch;
  readonly #hosts: HostLimiter;

  constructor(options: HttpPageFetcherOptions) {
    this.#options = { ...PAGE_FETCH_DEFAULTS, ...definedOnly(options) } as ResolvedPageOptions;
    const guardOptions = {
      allowPrivateNetwork: options.allowPrivateNetwork,
      ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    };
    this.#guard = createUrlGuard(guardOptions);
    const lookup: LookupFunction = createGuardedLookup(guardOptions);
    this.#fetch =
      options.fetch ??
      createLookupFetch(lookup, {
        proxy: options.proxy ?? null,
        checkProxiedTarget: createTargetCheck(guardOptions),
      });
    this.#hosts = new HostLimiter(this.#options.perHostConcurrency, this.#options.perHostGapMs);
  }

  async fetchPage(url: string): Promise<ArticlePage> {
    const options = this.#options;
    // The guard runs before a host slot is taken: a link it refuses must not wait for (and
    // hold up) the per-host gap of the publishers that are fetched.
    let checked: string;
    try {
      const parsed = new URL(url);
      await this.#guard(parsed);
      checked = parsed.href;
    } catch (error) {
      if (error instanceof TypeError)
        throw new PageFetchError('invalid-url', `Invalid URL: ${url}`, { url, cause: error });
      throw toPageFetchError(error, url);
    }
    const release = await this.#hosts.acquire(hostKey(url));
    let body: Uint8Array;
    let head: { url: string; contentType: string | undefined };
    try {
      const response = await httpGet(url, {
        headers: { 'user-agent': options.userAgent, accept: ACCEPT, 'accept-encoding': 'gzip, deflate, br' },
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxBytes,
        maxRedirects: options.maxRedirects,
        fetch: this.#fetch,
        // Every redirect hop is checked; the first was checked above (the socket's lookup re-checks it).
        beforeRequest: (hop) => (hop.href === checked ? undefined : this.#guard(hop)),
        inspect: rejectNonHtml,
      });
      if (response.status === 304) {
        throw new PageFetchError('http', 'Unexpected 304 for an unconditional request', {
          url: response.url,
          status: 304,
        });
      }
      body = response.body;
      head = { url: response.url, contentType: response.headers.get('content-type') ?? undefined };
    } catch (error) {
      throw toPageFetchError(error, url);
    } finally {
      release();
    }
    const html = decodeBody(body, head.contentType);
    const extract = options.extract ?? inlineExtract;
    const page = await extract(html, head.url);
    return { url: head.url, ...page };
  }
}

async function inlineExtract(html: string, url: string): Promise<MainText> {
  const { extractMainText } = await import('./main-text.js');
  return extractMainText(html, url);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

function rejectNonHtml(head: HttpResponseHead): void {
  const contentType = head.headers.get('content-type')?.trim() ?? '';
  // No Content-Type at all: let the bytes speak (cheerio copes with anything textual).
  if (contentType === '' || HTML_TYPE.test(contentType)) return;
  throw new PageFetchError('not-html', `Response is ${contentType}, not an HTML page`, {
    url: head.url,
    status: head.status,
  });
}

function toPageFetchError(error: unknown, url: string): unknown {
  if (error instanceof PageFetchError) return error;
  if (error instanceof UrlBlockedError) {
    return new PageFetchError('blocked', error.message, { url: error.url, cause: error });
  }
  if (error instanceof HttpError) {
    return new PageFetchError(error.kind, error.message, {
      url: error.url || url,
      ...(error.status === undefined ? {} : { status: error.status }),
      cause: error.cause ?? error,
    });
  }
  return error;
}
