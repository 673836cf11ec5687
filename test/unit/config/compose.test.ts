/**
 * compose.yaml against what it runs: the Dockerfile's paths, healthcheck and volume, the variables
 * the code reads, and the README's stop timeout. There is no Docker engine in CI; this keeps the
 * file true to the image instead.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  profiles?: string[];
  image?: string;
  build?: string;
  restart?: string;
  stop_grace_period?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[]; interval?: string; timeout?: string; start_period?: string };
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
}

/** `${NAME:-default}` and `${NAME}` as Compose interpolates them, with nothing set in the environment. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_match, _name: string, fallback?: string) => fallback ?? '',
  );
}

const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = read('Dockerfile');
const services = compose.services;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}

/** `ENV A=1 \ B=2` of the final stage, as a map. */
function dockerEnv(): Record<string, string> {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const block of finalStage.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)) {
    for (const pair of (block[1] ?? '').replace(/\\\n/g, ' ').matchAll(/(\w+)=(\S+)/g))
      env[pair[1] as string] = pair[2] as string;
  }
  return env;
}

/** Every .ts file under src, read once: the variables compose sets must be ones the code reads. */
function sourceText(dir = join(ROOT, 'src')): string {
  return readdirSync(dir)
    .map((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return sourceText(path);
      return entry.endsWith('.ts') ? readFileSync(path, 'utf8') : '';
    })
    .join('\n');
}

describe('compose.yaml', () => {
  it('has the bot alone (profile sqlite) and PostgreSQL with three workers (profile postgres)', () => {
    expect(Object.keys(services).sort()).toEqual(['attribot', 'db', 'worker']);
    expect(service('attribot').profiles).toEqual(['sqlite']);
    expect(service('db').profiles).toEqual(['postgres']);
    expect(service('worker').profiles).toEqual(['postgres']);
    expect(service('worker').deploy?.replicas).toBe(3);
    expect(service('worker').depends_on).toEqual({ db: { condition: 'service_healthy' } });
    for (const name of ['attribot', 'worker', 'db']) expect(service(name).restart).toBe('unless-stopped');
  });

  it('keeps SQLite in a named volume where the image puts its database', () => {
    const env = dockerEnv();
    expect(dockerfile).toMatch(/^VOLUME \/data$/m);
    expect(posix.dirname(env.ATTRIBOT_DB ?? '')).toBe('/data');
    expect(service('attribot').volumes).toContain('attribot-data:/data');
    expect(Object.keys(compose.volumes).sort()).toEqual(['attribot-data', 'pg-data']);
  });

  it('mounts the config folder read-only where ATTRIBOT_CONFIG points, the default one holding the file', () => {
    for (const name of ['attribot', 'worker']) {
      const { environment = {}, volumes = [] } = service(name);
      const configFile = interpolate(environment.ATTRIBOT_CONFIG ?? '');
      const mount = volumes.map(interpolate).find((volume) => volume.endsWith(':ro'));
      expect(mount, name).toBeDefined();
      const [source = '', target = ''] = (mount ?? '').split(':');
      expect(posix.dirname(configFile)).toBe(target);
      // Not over /app/config, which holds the dictionaries the image needs.
      expect(target.startsWith('/app')).toBe(false);
      expect(existsSync(join(ROOT, source, posix.basename(configFile)))).toBe(true);
    }
  });

  it('gives the workers the database the db service creates', () => {
    const db = service('db').environment ?? {};
    const url = new URL(interpolate(service('worker').environment?.DATABASE_URL ?? ''));
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('db');
    expect(url.username).toBe(db.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(interpolate(db.POSTGRES_PASSWORD ?? ''));
    expect(url.pathname).toBe(`/${db.POSTGRES_DB}`);
  });

  it('sets only variables attribot reads', () => {
    const source = sourceText();
    for (const name of ['attribot', 'worker']) {
      for (const variable of Object.keys(service(name).environment ?? {})) {
        expect(source, `${name}: ${variable}`).toMatch(new RegExp(`\\b${variable}\\b`));
      }
    }
  });

  it('uses the Dockerfile’s HEALTHCHECK command and timings', () => {
    const healthcheck =
      /^HEALTHCHECK --interval=(\S+) --timeout=(\S+) --start-period=(\S+) \\\n\s+CMD (.+)$/m.exec(dockerfile);
    expect(healthcheck).not.toBeNull();
    const [, interval, timeout, startPeriod, command] = healthcheck ?? [];
    for (const name of ['attribot', 'worker']) {
      expect(service(name).healthcheck).toEqual({
        test: ['CMD-SHELL', command],
        interval,
        timeout,
        start_period: startPeriod,
      });
      expect(service(name).build).toBe('.');
    }
  });

  it('gives a stopping worker the time the README asks docker run for', () => {
    const stopTimeout = /--stop-timeout (\d+)/.exec(read('README.md'))?.[1];
    expect(stopTimeout).toBeDefined();
    for (const name of ['attribot', 'worker'])
      expect(service(name).stop_grace_period).toBe(`${stopTimeout}s`);
  });

  it('is the one compose example: the README points to it rather than repeating services', () => {
    const readme = read('README.md');
    expect(readme).toContain('[`compose.yaml`](compose.yaml)');
    expect(readme).not.toMatch(/^services:/m);
  });
});
