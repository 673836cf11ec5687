/**
 * SSRF guard for article-page fetches. Article links come from third parties, so a page fetch must
 * never reach loopback, private, link-local or metadata addresses. Two halves share one rule:
 * `createUrlGuard` checks a URL before each hop (scheme, credentials, IP literals, every resolved
 * address), and `createGuardedLookup` is handed to the socket so the connection goes to an address
 * that passed the same check in the same resolution, which closes the DNS-rebinding gap between
 * "checked" and "connected". Feed URLs are trusted as the admin configured them; a feed's redirect
 * to another host gets both halves, like an article link.
 */
import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '../shared/errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (dns.lookup with `all: true`). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlGuardOptions {
  /** Admin override (config or ATTRIBOT_ALLOW_PRIVATE_NETWORK=1): skip the address check. */
  allowPrivateNetwork: boolean;
  /** Host names exempt from the address check: exact, or `.example.org` / `*.example.org` for subdomains. */
  allowHosts?: readonly string[];
  /** Injected resolver for tests; defaults to dns.lookup(all). */
  lookup?: ResolveHost;
}

export type UrlBlockedReason = 'scheme' | 'credentials' | 'address' | 'unresolvable';

/** A URL the guard refuses; never worth a retry. */
export class UrlBlockedError extends AppError {
  readonly kind = 'blocked' as const;
  readonly url: string;
  readonly reason: UrlBlockedReason;

  constructor(reason: UrlBlockedReason, message: string, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.url = url;
  }
}

export type UrlGuard = (url: URL) => Promise<void>;

export const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

/** The check run before every request hop; throws UrlBlockedError. */
export function createUrlGuard(options: UrlGuardOptions): UrlGuard {
  const resolve = options.lookup ?? systemResolve;
  const allowed = hostMatcher(options.allowHosts ?? []);
  return async (url: URL): Promise<void> => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UrlBlockedError('scheme', `Scheme ${url.protocol} is not allowed`, url.href);
    }
    if (url.username !== '' || url.password !== '') {
      throw new UrlBlockedError('credentials', 'URLs with credentials are not fetched', url.href);
    }
    if (options.allowPrivateNetwork) return;
    const host = bareHost(url.hostname);
    if (allowed(host)) return;
    if (isIP(host) !== 0) {
      assertPublic(host, url.href);
      return;
    }
    await resolveChecked(host, resolve, url.href);
  };
}

/**
 * A `lookup` for net/tls connect (http.request's `lookup` option): resolves, refuses the host
 * unless every address is public, and hands the socket only the addresses it checked.
 */
export function createGuardedLookup(options: UrlGuardOptions): LookupFunction {
  const resolve = options.lookup ?? systemResolve;
  const allowed = hostMatcher(options.allowHosts ?? []);
  const skipCheck = (host: string): boolean => options.allowPrivateNetwork || allowed(host);
  return (hostname, lookupOptions, callback) => {
    const host = bareHost(hostname);
    const addresses = skipCheck(host) ? resolve(host) : resolveChecked(host, resolve, `//${host}`);
    addresses.then(
      (all) => {
        const family = lookupOptions.family;
        const wanted = family === 4 || family === 6 ? all.filter((entry) => entry.family === family) : all;
        if (wanted.length === 0) {
          callback(lookupError(host), '', 0);
          return;
        }
        if (lookupOptions.all) {
          (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, wanted);
          return;
        }
        const first = wanted[0] as ResolvedAddress;
        callback(null, first.address, first.family);
      },
      (error: unknown) => {
        callback(error as NodeJS.ErrnoException, '', 0);
      },
    );
  };
}

/**
 * The check a proxied request's target gets before the proxy is asked (the proxy resolves the name
 * itself, so no socket lookup can pin it): refused unless every address is public, as the guard
 * does. Skipped, with no local resolution needed, where the guard would not check.
 */
export function createTargetCheck(options: UrlGuardOptions): (hostname: string) => Promise<void> {
  const resolve = options.lookup ?? systemResolve;
  const allowed = hostMatcher(options.allowHosts ?? []);
  return async (hostname) => {
    const host = bareHost(hostname);
    if (options.allowPrivateNetwork || allowed(host)) return;
    if (isIP(host) !== 0) assertPublic(host, `//${hostname}`);
    else await resolveChecked(host, resolve, `//${host}`);
  };
}

async function resolveChecked(host: string, resolve: ResolveHost, url: string): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    throw new UrlBlockedError('unresolvable', `Cannot resolve ${host}`, url, { cause: error });
  }
  if (addresses.length === 0) throw new UrlBlockedError('unresolvable', `${host} has no address`, url);
  for (const entry of addresses) assertPublic(entry.address, url, host);
  return addresses;
}

function assertPublic(address: string, url: string, host?: string): void {
  const range = nonPublicRange(address);
  if (range === null) return;
  const via = host === undefined ? '' : ` (${host})`;
  throw new UrlBlockedError('address', `Address ${address}${via} is ${range}, not public`, url);
}

function lookupError(host: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`No usable address for ${host}`);
  error.code = 'ENOTFOUND';
  return error;
}

/** URL.hostname keeps IPv6 brackets and may end with the root dot. */
export function bareHost(hostname: string): string {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return host.toLowerCase().replace(/\.$/, '');
}

function hostMatcher(patterns: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of patterns) {
    const pattern = bareHost(raw.trim());
    if (pattern.startsWith('*.')) suffixes.push(pattern.slice(1));
    else if (pattern.startsWith('.')) suffixes.push(pattern);
    else if (pattern !== '') exact.add(pattern);
  }
  return (host) => exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix));
}

type Cidr4 = readonly [base: number, bits: number, name: string];

/** Every IPv4 range that is not globally routable unicast (IANA special-purpose registry). */
const IPV4_BLOCKED: readonly Cidr4[] = [
  [ipv4Number(0, 0, 0, 0), 8, 'this-network'],
  [ipv4Number(10, 0, 0, 0), 8, 'private'],
  [ipv4Number(100, 64, 0, 0), 10, 'carrier-grade NAT'],
  [ipv4Number(127, 0, 0, 0), 8, 'loopback'],
  [ipv4Number(169, 254, 0, 0), 16, 'link-local'],
  [ipv4Number(172, 16, 0, 0), 12, 'private'],
  [ipv4Number(192, 0, 0, 0), 24, 'reserved'],
  [ipv4Number(192, 0, 2, 0), 24, 'reserved'],
  [ipv4Number(192, 88, 99, 0), 24, 'reserved'],
  [ipv4Number(192, 168, 0, 0), 16, 'private'],
  [ipv4Number(198, 18, 0, 0), 15, 'reserved'],
  [ipv4Number(198, 51, 100, 0), 24, 'reserved'],
  [ipv4Number(203, 0, 113, 0), 24, 'reserved'],
  [ipv4Number(224, 0, 0, 0), 4, 'multicast'],
  [ipv4Number(240, 0, 0, 0), 4, 'reserved'],
];

function ipv4Number(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function inCidr4(value: number, base: number, bits: number): boolean {
  if (bits === 0) return true;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return (value & mask) >>> 0 === (base & mask) >>> 0;
}

function nonPublicIpv4(value: number): string | null {
  if (value === 0xffffffff) return 'broadcast';
  for (const [base, bits, name] of IPV4_BLOCKED) if (inCidr4(value, base, bits)) return name;
  return null;
}

/**
 * Why an address is not public ("loopback", "private", ...), or null when it is. Anything that
 * does not parse as an IP address counts as not public.
 */
export function nonPublicRange(address: string): string | null {
  const host = bareHost(address).replace(/%.*$/, '');
  const v4 = parseIpv4(host);
  if (v4 !== null) return nonPublicIpv4(v4);
  const v6 = parseIpv6(host);
  if (v6 === null) return 'not an IP address';
  return nonPublicIpv6(v6);
}

function nonPublicIpv6(words: readonly number[]): string | null {
  const w = (index: number): number => words[index] ?? 0;
  const embeddedV4 = ((w(6) << 16) | w(7)) >>> 0;
  const zeroUpTo = (end: number): boolean => words.slice(0, end).every((word) => word === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && w(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (deprecated IPv4-compatible) reach the IPv4 host.
  if (zeroUpTo(5) && w(5) === 0xffff) return nonPublicIpv4(embeddedV4);
  if (zeroUpTo(6)) return nonPublicIpv4(embeddedV4) ?? 'reserved';
  // NAT64 well-known prefix 64:ff9b::/96 translates to the embedded IPv4 address.
  if (w(0) === 0x64 && w(1) === 0xff9b && w(2) === 0 && w(3) === 0 && w(4) === 0 && w(5) === 0) {
    return nonPublicIpv4(embeddedV4);
  }
  // 6to4 2002::/16 carries the IPv4 address in bits 16-47.
  if (w(0) === 0x2002) return nonPublicIpv4(((w(1) << 16) | w(2)) >>> 0);
  const first = w(0);
  if ((first & 0xfe00) === 0xfc00) return 'private (unique local)';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xffc0) === 0xfec0) return 'site-local';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is allocated as global unicast; inside it, the IETF and documentation blocks are not.
  if ((first & 0xe000) !== 0x2000) return 'reserved';
  if (first === 0x2001 && w(1) < 0x0200) return 'reserved';
  if (first === 0x2001 && w(1) === 0x0db8) return 'reserved (documentation)';
  if (first === 0x3fff && w(1) < 0x1000) return 'reserved (documentation)';
  return null;
}

/** Dotted-quad only: URL parsing has already normalised decimal, octal and hex forms. */
function parseIpv4(host: string): number | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return null;
  const parts = match.slice(1).map(Number);
  if (parts.some((part) => part > 255)) return null;
  const [a = 0, b = 0, c = 0, d = 0] = parts;
  return ipv4Number(a, b, c, d);
}

/** Eight 16-bit words, or null; accepts `::` compression and a dotted IPv4 tail. */
function parseIpv6(host: string): number[] | null {
  if (!host.includes(':')) return null;
  let text = host;
  const tail: number[] = [];
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted?.[1]) {
    const v4 = parseIpv4(dotted[1]);
    if (v4 === null) return null;
    tail.push(v4 >>> 16, v4 & 0xffff);
    text = text.slice(0, dotted.index + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseWords = (part: string | undefined): number[] | null => {
    if (!part) return [];
    const words: number[] = [];
    for (const piece of part.split(':')) {
      if (!/^[\da-f]{1,4}$/i.test(piece)) return null;
      words.push(Number.parseInt(piece, 16));
    }
    return words;
  };
  const head = parseWords(halves[0]);
  const rest = parseWords(halves[1]);
  if (head === null || rest === null) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1) return known === 8 ? [...head, ...tail] : null;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}
