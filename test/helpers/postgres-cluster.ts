/**
 * vitest globalSetup: a throwaway PostgreSQL cluster for the whole run, when the server binaries
 * exist (Debian's `postgresql` package: /usr/lib/postgresql/<major>/bin). initdb refuses root, so as
 * root the cluster runs as the unprivileged `postgres` user, in a temporary directory it owns,
 * listening on 127.0.0.1 on a free port with trust authentication on loopback (except the role
 * `attribot_pw`, which needs its password, for the authentication-failure test).
 *
 * Tests read the admin URL with `inject('postgresUrl')` (null when there is no cluster; PG suites
 * then skip with a note). ATTRIBOT_TEST_DATABASE_URL set beforehand is used as is, no cluster
 * started. With ATTRIBOT_REQUIRE_POSTGRES=1 (CI) a cluster that cannot start fails the run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test cluster (superuser, database `postgres`), or null. */
    postgresUrl: string | null;
    /** Why there is no cluster, when there is none. */
    postgresSkipReason: string | null;
  }
}

/** The newest installed server's bin directory (or ATTRIBOT_POSTGRES_BIN's, for other layouts), or null. */
export function postgresBinDir(): string | null {
  const given = process.env.ATTRIBOT_POSTGRES_BIN;
  if (given) return existsSync(join(given, 'initdb')) ? given : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

export interface Cluster {
  url: string;
  stop(): void;
}

/** A throwaway cluster on loopback in a temp dir (as the `postgres` user when run as root); `stop` removes it. */
export async function startCluster(bin: string): Promise<Cluster> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'attribot-pg-'));
  const data = join(dir, 'data');
  const run = (command: string, args: string[]): void => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]]
      : [join(bin, command), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  let started = false;
  const stop = (): void => {
    if (started) {
      started = false;
      const argv = ['stop', '-D', data, '-m', 'immediate', '-w'];
      if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...argv]);
      else spawnSync(join(bin, 'pg_ctl'), argv);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      chownSync(dir, uid, gid);
    }
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    writeFileSync(
      join(data, 'pg_hba.conf'),
      [
        'local all all trust',
        'host all attribot_pw 127.0.0.1/32 scram-sha-256',
        'host all all 127.0.0.1/32 trust',
        '',
      ].join('\n'),
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        '-h 127.0.0.1',
        `-k ${dir}`,
        '-F',
        '-c max_connections=200',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ');
      try {
        run('pg_ctl', ['start', '-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60']);
        started = true;
        return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
      } catch (error) {
        // Another process took the port between the probe and the start: try another one.
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    stop();
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot start a PostgreSQL test cluster: ${stderr || String(error)}`, { cause: error });
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const given = process.env.ATTRIBOT_TEST_DATABASE_URL;
  const required = process.env.ATTRIBOT_REQUIRE_POSTGRES === '1';
  const provide = (url: string | null, reason: string | null): void => {
    project.provide('postgresUrl', url);
    project.provide('postgresSkipReason', reason);
  };
  if (given) {
    provide(given, null);
    return () => {};
  }
  const bin = postgresBinDir();
  if (!bin) {
    const reason = `no PostgreSQL server binaries in ${process.env.ATTRIBOT_POSTGRES_BIN ?? '/usr/lib/postgresql/*/bin'} (apt-get install postgresql)`;
    if (required) throw new Error(`ATTRIBOT_REQUIRE_POSTGRES=1 but ${reason}`);
    process.stderr.write(`\nNOTE: PostgreSQL suites are skipped: ${reason}\n\n`);
    provide(null, reason);
    return () => {};
  }
  let cluster: Cluster;
  try {
    cluster = await startCluster(bin);
  } catch (error) {
    if (required) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`\nNOTE: PostgreSQL suites are skipped: ${reason}\n\n`);
    provide(null, reason);
    return () => {};
  }
  // Torn down by vitest after the run, failed or not; the exit hook covers an interrupted run.
  const onExit = (): void => cluster.stop();
  process.once('exit', onExit);
  process.env.ATTRIBOT_TEST_DATABASE_URL = cluster.url;
  provide(cluster.url, null);
  return () => {
    process.off('exit', onExit);
    cluster.stop();
  };
}
