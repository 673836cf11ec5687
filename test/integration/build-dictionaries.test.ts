/**
 * `npm run dictionaries` without the reference data (no ../shared beside the repository): a message
 * that says which options bring it, and nothing written.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ACTORS = join(ROOT, 'config/dictionaries/actors.json');

function buildDictionaries(...args: string[]): { code: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-dictionaries.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

describe('build-dictionaries without its reference data', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());
  const options = /pass --from DIR with a folder of the reduced reference data .*, or --download to re-fetch/;

  it('names the missing folder and the options, instead of an ENOENT', () => {
    const written = statSync(ACTORS).mtimeMs;
    const missing = join(temp.dir, 'shared', 'data');
    const result = buildDictionaries('--from', missing);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no reference data folder at ${missing}: `);
    expect(result.stderr).toMatch(options);
    expect(result.stderr).not.toContain('ENOENT');
    expect(statSync(ACTORS).mtimeMs).toBe(written);
  });

  it('names the missing file of a folder without it', () => {
    const result = buildDictionaries('--from', temp.dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no countries.json in ${temp.dir}: `);
    expect(result.stderr).toMatch(options);
  });
});
