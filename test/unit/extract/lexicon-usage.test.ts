import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECTION_NAMES } from '../../../src/extract/lexicon.js';

const srcDir = new URL('../../../src/', import.meta.url).pathname;
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('the lexicon', () => {
  it('has no section that no rule reads (a copy of its words elsewhere would leave it dead)', () => {
    const code = walk(srcDir)
      .filter((f) => !f.endsWith('extract/lexicon.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unread = SECTION_NAMES.filter((name) => !code.includes(`'${name}'`));
    expect(unread).toEqual([]);
  });
});
