/**
 * Outbound proxies from the environment, read the way curl reads them: `http_proxy` for http://
 * URLs, `https_proxy` for https://, `all_proxy` for either when the specific one is unset, and
 * `no_proxy` for the hosts that go direct; each in lower or upper case (lower case wins when both
 * are set). Pure: the fetch in shared/http.ts uses what this decides.
 */
import { isIP } from 'node:net';

/** An HTTP proxy to send requests through (plain http:// to the proxy; https targets tunnel with CONNECT). */
export interface ProxyEndpoint {
  host: string;
  port: number;
  /** `Basic …` from the URL's userinfo, or undefined. */
  authorization?: string;
  /** `http://host:port` without credentials, for messages and logs. */
  display: string;
}

export interface ProxySettings {
  http: ProxyEndpoint | null;
  https: ProxyEndpoint | null;
  noProxy: readonly NoProxyEntry[];
}

/** One `no_proxy` entry: `*`, a domain (its subdomains too), an IP, a CIDR block, each maybe with a port. */
export type NoProxyEntry =
  | { kind: 'all' }
  | { kind: 'domain'; domain: string; port?: number }
  | { kind: 'ip'; bytes: readonly number[]; prefix: number; port?: number };

export interface ProxyProblem {
  variable: string;
  message: string;
  /**
   * A warning for all_proxy, which many tools share (a socks5:// one set for a shell is common): it
   * is ignored rather than stopping the worker. An unusable http_proxy or https_proxy is an error.
   */
  severity: 'error' | 'warning';
}

/** curl's port for a proxy URL that names none. */
export const DEFAULT_PROXY_PORT = 1080;

type Environment = Readonly<Record<string, string | undefined>>;

/** The first set (non-blank) of these variables, lower case first as curl reads them. */
function variable(env: Environment, name: string): { name: string; value: string } | null {
  for (const candidate of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[candidate]?.trim();
    if (value) return { name: candidate, value };
  }
  return null;
}

/**
 * The proxies the environment asks for, or null when it asks for none. A variable that is not a
 * usable proxy URL is a problem (check-config reports it) rather than silently going direct.
 */
export function proxySettingsFromEnv(env: Environment): {
  settings: ProxySettings | null;
  problems: ProxyProblem[];
} {
  const problems: ProxyProblem[] = [];
  const endpoint = (name: string): ProxyEndpoint | null => {
    const found = variable(env, name);
    if (!found) return null;
    const parsed = parseProxyUrl(found.value);
    if ('error' in parsed) {
      const shared = name === 'all_proxy';
      problems.push({
        variable: found.name,
        message: shared ? `ignored: ${parsed.error}` : parsed.error,
        severity: shared ? 'warning' : 'error',
      });
      return null;
    }
    return parsed;
  };
  const all = endpoint('all_proxy');
  const http = endpoint('http_proxy') ?? all;
  const https = endpoint('https_proxy') ?? all;
  const noProxy = parseNoProxy(variable(env, 'no_proxy')?.value ?? '');
  if (http === null && https === null) return { settings: null, problems };
  return { settings: { http, https, noProxy }, problems };
}

/** `[http://][user:password@]host[:port][/]` → an endpoint; other schemes and paths are refused. */
export function parseProxyUrl(value: string): ProxyEndpoint | { error: string } {
  const text = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  if (!URL.canParse(text)) return { error: 'not a proxy URL (expected http://[user:password@]host:port)' };
  const url = new URL(text);
  if (url.protocol !== 'http:') {
    return {
      error: `${url.protocol}// proxies are not supported (only http:// proxies, which tunnel https:// with CONNECT)`,
    };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    return { error: 'a proxy URL has no path or query (expected http://[user:password@]host:port)' };
  if (url.hostname === '') return { error: 'a proxy URL needs a host' };
  const port = url.port ? Number(url.port) : DEFAULT_PROXY_PORT;
  const display = `http://${url.hostname}:${port}`;
  const endpoint: ProxyEndpoint = { host: bareHostname(url.hostname), port, display };
  if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    endpoint.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  return endpoint;
}

/**
 * `no_proxy`: entries separated by commas (or spaces); `*` alone is every host; a name matches
 * itself and its subdomains (`example.com` and `.example.com` both take `www.example.com` and
 * `example.com`); an IP matches itself and `10.0.0.0/8` a block; `host:port` only that port.
 * Unreadable entries are ignored, as curl ignores them.
 */
export function parseNoProxy(value: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const token = raw.trim().toLowerCase();
    if (token === '') continue;
    if (token === '*') {
      entries.push({ kind: 'all' });
      continue;
    }
    const { host, port } = splitPort(token);
    const [address = '', bits] = host.split('/');
    const bytes = ipBytes(address);
    if (bytes !== null) {
      const prefix = bits === undefined ? bytes.length * 8 : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > bytes.length * 8) continue;
      entries.push({ kind: 'ip', bytes, prefix, ...(port === undefined ? {} : { port }) });
      continue;
    }
    const domain = host.replace(/^\*?\.+/, '').replace(/\.$/, '');
    if (domain === '' || bits !== undefined) continue;
    entries.push({ kind: 'domain', domain, ...(port === undefined ? {} : { port }) });
  }
  return entries;
}

/** The proxy a request to `target` goes through, or null to connect directly. */
export function proxyFor(target: URL, settings: ProxySettings): ProxyEndpoint | null {
  const proxy =
    target.protocol === 'https:' ? settings.https : target.protocol === 'http:' ? settings.http : null;
  if (proxy === null) return null;
  const host = bareHostname(target.hostname);
  const port = target.port ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
  return settings.noProxy.some((entry) => bypasses(entry, host, port)) ? null : proxy;
}

function bypasses(entry: NoProxyEntry, host: string, port: number): boolean {
  if (entry.kind === 'all') return true;
  if (entry.port !== undefined && entry.port !== port) return false;
  if (entry.kind === 'domain') return host === entry.domain || host.endsWith(`.${entry.domain}`);
  const bytes = ipBytes(host);
  return bytes !== null && bytes.length === entry.bytes.length && inPrefix(bytes, entry.bytes, entry.prefix);
}

function inPrefix(address: readonly number[], block: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((address[byte] ?? 0) & mask) !== ((block[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** `host:port`, `[v6]:port`, `v6`, `host` → parts; a bare IPv6 address has no port. */
function splitPort(token: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(token);
  if (bracketed) return withPort(bracketed[1] ?? '', bracketed[2]);
  if ((token.match(/:/g) ?? []).length > 1) return { host: token };
  const [host = '', port] = token.split(':');
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): { host: string; port?: number } {
  const number = port === undefined ? Number.NaN : Number(port);
  return Number.isInteger(number) && number > 0 && number < 65536 ? { host, port: number } : { host };
}

/** URL.hostname keeps IPv6 brackets and may end with the root dot. */
function bareHostname(hostname: string): string {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return host.toLowerCase().replace(/\.$/, '');
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address as bytes, or null. */
function ipBytes(text: string): number[] | null {
  const family = isIP(text);
  if (family === 4) return text.split('.').map(Number);
  if (family !== 6) return null;
  const [head = '', tail] = text.split('::');
  const words = (part: string): number[] => (part === '' ? [] : part.split(':').flatMap(wordOrV4));
  const left = words(head);
  const right = tail === undefined ? [] : words(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...new Array<number>(Math.max(0, fill)).fill(0), ...right];
  return all.flatMap((word) => [word >> 8, word & 0xff]);
}

/** An IPv6 group, or the two groups of an embedded dotted IPv4 tail. */
function wordOrV4(part: string): number[] {
  if (!part.includes('.')) return [Number.parseInt(part, 16)];
  const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}
