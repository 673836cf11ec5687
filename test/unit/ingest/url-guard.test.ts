import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  createGuardedLookup,
  createUrlGuard,
  nonPublicRange,
  type ResolvedAddress,
  type ResolveHost,
  UrlBlockedError,
} from '../../../src/ingest/url-guard.js';

/** A resolver over a fixed table; unknown names fail like NXDOMAIN. */
function table(entries: Record<string, string[]>): ResolveHost & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const addresses = entries[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

const resolver = table({
  'news.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'mixed.example': ['93.184.216.34', '10.0.0.5'],
  'v6-private.example': ['2606:2800:220:1::1', 'fd00:ec2::254'],
  'metadata.example': ['169.254.169.254'],
  'intranet.corp': ['192.168.1.10'],
  'empty.example': [],
});

async function refusal(
  url: string,
  guard = createUrlGuard({ allowPrivateNetwork: false, lookup: resolver }),
) {
  const error: unknown = await guard(new URL(url)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof UrlBlockedError)) throw new Error(`expected UrlBlockedError for ${url}`);
  return error;
}

describe('nonPublicRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'this-network'],
    ['0.1.2.3', 'this-network'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['fc00::1', 'private (unique local)'],
    ['fd00:ec2::254', 'private (unique local)'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved (documentation)'],
    ['not-an-ip', 'not an IP address'],
  ])('refuses %s as %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '1.1.1.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('accepts the public address %s', (address) => {
    expect(nonPublicRange(address)).toBeNull();
  });
});

describe('createUrlGuard', () => {
  it('accepts a host whose every address is public', async () => {
    const guard = createUrlGuard({ allowPrivateNetwork: false, lookup: resolver });
    await expect(guard(new URL('https://news.example/story'))).resolves.toBeUndefined();
  });

  it.each([
    ['ftp://news.example/file', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['https://user:secret@news.example/', 'credentials'],
    ['https://user@news.example/', 'credentials'],
  ])('refuses %s (%s)', async (url, reason) => {
    expect((await refusal(url)).reason).toBe(reason);
  });

  it.each([
    // IP literals, including the forms URL parsing normalises to dotted quads or compressed IPv6.
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fd00:ec2::254]/',
    'http://[::]/',
  ])('refuses the private literal %s', async (url) => {
    const error = await refusal(url);
    expect(error.kind).toBe('blocked');
    expect(error.reason).toBe('address');
  });

  it('checks every resolved address, not only the first', async () => {
    expect((await refusal('https://mixed.example/')).message).toMatch(/10\.0\.0\.5/);
    expect((await refusal('https://v6-private.example/')).message).toMatch(/fd00:ec2::254/);
    expect((await refusal('http://metadata.example/')).message).toMatch(/link-local/);
  });

  it('refuses a host that does not resolve or has no address', async () => {
    expect((await refusal('https://nowhere.example/')).reason).toBe('unresolvable');
    expect((await refusal('https://empty.example/')).reason).toBe('unresolvable');
  });

  it('allows private addresses when the admin says so, but still refuses schemes and credentials', async () => {
    const guard = createUrlGuard({ allowPrivateNetwork: true, lookup: resolver });
    await expect(guard(new URL('http://127.0.0.1:8080/'))).resolves.toBeUndefined();
    await expect(guard(new URL('http://intranet.corp/'))).resolves.toBeUndefined();
    expect((await refusal('https://a:b@intranet.corp/', guard)).reason).toBe('credentials');
  });

  it('exempts allow-listed hosts and their subdomains only', async () => {
    const guard = createUrlGuard({ allowPrivateNetwork: false, allowHosts: ['.corp'], lookup: resolver });
    await expect(guard(new URL('http://intranet.corp/'))).resolves.toBeUndefined();
    expect((await refusal('http://metadata.example/', guard)).reason).toBe('address');
  });
});

describe('createGuardedLookup', () => {
  function lookupOnce(
    hostname: string,
    options: { all?: boolean; family?: number },
    allowPrivateNetwork = false,
  ): Promise<{ error: NodeJS.ErrnoException | null; result: unknown }> {
    const lookup = createGuardedLookup({ allowPrivateNetwork, lookup: resolver });
    return new Promise((resolve) => {
      lookup(hostname, options, (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => {
        resolve({ error, result: options.all ? address : { address, family } });
      });
    });
  }

  it('hands the socket only checked addresses, in the shape it asked for', async () => {
    const all = await lookupOnce('news.example', { all: true });
    expect(all.error).toBeNull();
    expect((all.result as LookupAddress[]).map((entry) => entry.address)).toEqual([
      '93.184.216.34',
      '2606:2800:220:1:248:1893:25c8:1946',
    ]);
    const v6 = await lookupOnce('news.example', { family: 6 });
    expect(v6.result).toEqual({ address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
  });

  it('fails the connection when any address is private', async () => {
    const { error } = await lookupOnce('mixed.example', { all: true });
    expect(error).toBeInstanceOf(UrlBlockedError);
  });

  it('resolves private hosts when the admin allows private networks', async () => {
    const { error, result } = await lookupOnce('intranet.corp', {}, true);
    expect(error).toBeNull();
    expect(result).toEqual({ address: '192.168.1.10', family: 4 });
  });
});
