import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const RECORDER = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url));

describe('each command loads only what it needs', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  /** The packages and src/ files a CLI run resolved, recorded by a module-resolution hook. */
  async function loadedBy(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ packages: Set<string>; sources: string[] }> {
    const recorded = join(temp.dir, `imports-${args[0]}.txt`);
    const result = await runCli(args, {
      NODE_OPTIONS: `--import=${RECORDER}`,
      ATTRIBOT_RECORD_IMPORTS: recorded,
      ATTRIBOT_DB: join(temp.dir, 'absent.db'),
      ...env,
    });
    expect(result.code).toBe(0);
    const urls = readFileSync(recorded, 'utf8').split('\n');
    return {
      packages: new Set(urls.flatMap((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? [])),
      sources: urls.flatMap((url) => /\/src\/(.+)\.ts$/.exec(url)?.[1] ?? []),
    };
  }

  it('extract: the extractor, without Discord, HTML, SQLite, logger, YAML or worker modules', async () => {
    const input = join(temp.dir, 'one.jsonl');
    writeFileSync(
      input,
      `${JSON.stringify({ id: 'a', title: null, text: 'Hackers breached a network.' })}\n`,
    );
    const { packages, sources } = await loadedBy(['extract', '--input', input]);
    expect(sources).toEqual(expect.arrayContaining(['attribution/contract', 'extract/knowledge']));
    for (const heavy of [
      'discord.js',
      '@discordjs/rest',
      'cheerio',
      'better-sqlite3',
      'pino',
      'yaml',
      'rss-parser',
    ])
      expect(packages).not.toContain(heavy);
    expect(
      sources.filter((s) => /^(app|pipeline)$|^(ingest|deliver|store|server|commands|config)\//.test(s)),
    ).toEqual([]);
  });

  it('extract from the build: without zod, the lexicon having been checked when it was built', async () => {
    // The built CLI as a user runs it; `npm run build` (npm ci runs it) records the checked lexicon.
    const root = fileURLToPath(new URL('../../', import.meta.url));
    expect(existsSync(join(root, 'dist', 'extract', 'lexicon-checked.txt'))).toBe(true);
    const input = join(temp.dir, 'built.jsonl');
    writeFileSync(
      input,
      `${JSON.stringify({ id: 'b', title: null, text: 'Hackers breached a network.' })}\n`,
    );
    const recorded = join(temp.dir, 'imports-built.txt');
    // ESM imports through the recorder; CommonJS loads (zod's lazy path) through the require cache at exit.
    const reportCjs = join(temp.dir, 'report-cjs.cjs');
    writeFileSync(
      reportCjs,
      `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(recorded)}, Object.keys(require.cache).join('\\n') + '\\n'));\n`,
    );
    const child = spawnSync(
      process.execPath,
      ['--import', RECORDER, '--require', reportCjs, 'bin/attribot.js', 'extract', '--input', input],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ATTRIBOT_RECORD_IMPORTS: recorded },
        encoding: 'utf8',
      },
    );
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ id: 'b' });
    const loaded = readFileSync(recorded, 'utf8');
    expect(loaded).toMatch(/dist\/extract\/lexicon\.js/);
    expect(loaded).not.toMatch(/node_modules\/zod\//);
  });

  it('--version: the version from package.json, without loading the worker', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `attribot ${pkg.version}\n` });
    const { packages, sources } = await loadedBy(['--version']);
    // tsx runs src/ in the test; nothing else is loaded.
    expect([...packages].filter((name) => name !== 'tsx' && name !== 'esbuild')).toEqual([]);
    expect(sources.filter((source) => source !== 'cli' && source !== 'shared/errors')).toEqual([]);
  });

  it('check-config: the config modules, without Discord, HTML, SQLite (no database yet) or the extractor', async () => {
    const { packages, sources } = await loadedBy(['check-config']);
    expect(sources).toEqual(expect.arrayContaining(['config/load', 'config/effective']));
    for (const heavy of ['discord.js', '@discordjs/rest', 'cheerio', 'better-sqlite3', 'compromise', 'pino'])
      expect(packages).not.toContain(heavy);
    expect(sources).not.toContain('app');
  });

  it('feeds: the config and the store, without Discord, HTML, the extractor or the worker', async () => {
    const database = join(temp.dir, 'ledger.db');
    const { store } = await openStore(database);
    await store.close();
    const { packages, sources } = await loadedBy(['feeds'], { ATTRIBOT_DB: database });
    expect(sources).toEqual(
      expect.arrayContaining(['admin-cli', 'admin/feed-report', 'store/sqlite/sqlite-store']),
    );
    expect(packages).toContain('better-sqlite3');
    for (const heavy of ['discord.js', '@discordjs/rest', 'cheerio', 'compromise', 'rss-parser'])
      expect(packages).not.toContain(heavy);
    expect(
      sources.filter((s) => /^(app|pipeline)$|^(deliver|server|commands|extract|attribution)\//.test(s)),
    ).toEqual([]);
  });
});
