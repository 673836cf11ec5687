import { describe, expect, it } from 'vitest';
import { parseNoProxy, parseProxyUrl, proxyFor, proxySettingsFromEnv } from '../../../src/shared/proxy.js';

const route = (env: Record<string, string>, url: string): string | null => {
  const { settings } = proxySettingsFromEnv(env);
  return settings ? (proxyFor(new URL(url), settings)?.display ?? null) : null;
};

describe('proxy variables, as curl reads them', () => {
  it('sends http:// through http_proxy and https:// through https_proxy', () => {
    const env = {
      http_proxy: 'http://web-proxy.corp.example:3128',
      https_proxy: 'tls-proxy.corp.example:8443',
    };
    expect(route(env, 'http://news.example/feed')).toBe('http://web-proxy.corp.example:3128');
    expect(route(env, 'https://news.example/feed')).toBe('http://tls-proxy.corp.example:8443');
  });

  it('reads upper case too, lower case winning; all_proxy fills in; none set is no proxy', () => {
    expect(
      route({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }, 'https://a.example/'),
    ).toBe('http://lower:2');
    expect(route({ HTTPS_PROXY: 'http://upper:1' }, 'https://a.example/')).toBe('http://upper:1');
    expect(route({ ALL_PROXY: 'http://all:3', http_proxy: 'http://web:4' }, 'https://a.example/')).toBe(
      'http://all:3',
    );
    expect(route({ ALL_PROXY: 'http://all:3', http_proxy: 'http://web:4' }, 'http://a.example/')).toBe(
      'http://web:4',
    );
    expect(route({ https_proxy: 'http://p:1' }, 'http://a.example/')).toBeNull();
    expect(proxySettingsFromEnv({ http_proxy: '  ', NO_PROXY: '*' })).toEqual({
      settings: null,
      problems: [],
    });
  });

  it('takes curl’s port 1080 when the URL names none, and Basic credentials from its userinfo', () => {
    expect(parseProxyUrl('http://proxy.corp.example')).toEqual({
      host: 'proxy.corp.example',
      port: 1080,
      display: 'http://proxy.corp.example:1080',
    });
    expect(parseProxyUrl('http://CORP%5Csvc:p%40ss@10.1.2.3:8080/')).toEqual({
      host: '10.1.2.3',
      port: 8080,
      display: 'http://10.1.2.3:8080',
      authorization: `Basic ${Buffer.from('CORP\\svc:p@ss').toString('base64')}`,
    });
  });

  it.each([
    ['https://proxy.corp.example:443', 'https:// proxies are not supported'],
    ['socks5h://proxy.corp.example:1080', 'socks5h:// proxies are not supported'],
    ['http://proxy.corp.example:3128/pac', 'no path or query'],
    ['http://', 'not a proxy URL'],
  ])('refuses %s', (value, message) => {
    const { problems } = proxySettingsFromEnv({ HTTPS_PROXY: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ variable: 'HTTPS_PROXY', severity: 'error' });
    expect(problems[0]?.message).toContain(message);
  });

  it('ignores an all_proxy it cannot use with a warning (shells often set a socks one)', () => {
    expect(proxySettingsFromEnv({ all_proxy: 'socks5h://127.0.0.1:9050' })).toEqual({
      settings: null,
      problems: [
        {
          variable: 'all_proxy',
          message:
            'ignored: socks5h:// proxies are not supported (only http:// proxies, which tunnel https:// with CONNECT)',
          severity: 'warning',
        },
      ],
    });
  });
});

describe('no_proxy', () => {
  const env = (noProxy: string) => ({
    http_proxy: 'http://p:3128',
    https_proxy: 'http://p:3128',
    no_proxy: noProxy,
  });

  it.each([
    ['corp.example', 'http://corp.example/', true],
    ['corp.example', 'http://wiki.corp.example/', true],
    ['.corp.example', 'http://corp.example/', true],
    ['*.corp.example', 'http://a.b.corp.example/', true],
    ['CORP.example', 'https://Wiki.Corp.Example./', true],
    ['corp.example', 'http://notcorp.example/', false],
    ['corp.example', 'http://corp.example.net/', false],
    ['*', 'https://anything.example/', true],
    ['intranet:8080', 'http://intranet:8080/', true],
    ['intranet:8080', 'http://intranet/', false],
    ['news.example:443', 'https://news.example/', true],
    ['10.0.0.0/8', 'http://10.20.30.40/', true],
    ['10.0.0.0/8', 'http://11.0.0.1/', false],
    ['192.168.1.7', 'http://192.168.1.7:8000/', true],
    ['::1', 'http://[::1]:8080/', true],
    ['fd00::/8', 'http://[fd12:3456::1]/', true],
    ['fd00::/8', 'http://[fe80::1]/', false],
    ['a.example, b.example  c.example', 'http://c.example/', true],
    ['', 'http://a.example/', false],
  ])('no_proxy=%j for %s goes direct: %s', (noProxy, url, direct) => {
    expect(route(env(noProxy), url)).toBe(direct ? null : 'http://p:3128');
  });

  it('skips entries it cannot read, as curl does', () => {
    expect(parseNoProxy('300.1.1.1/99, 10.0.0.0/33, .., good.example')).toEqual([
      { kind: 'domain', domain: 'good.example' },
    ]);
  });
});
