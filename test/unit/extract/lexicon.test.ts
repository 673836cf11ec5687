import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkedBefore,
  compileLexicon,
  parseLexicon,
  recordLexiconChecked,
} from '../../../src/extract/lexicon.js';

const LEXICON = readFileSync(new URL('../../../config/dictionaries/lexicon.json', import.meta.url), 'utf8');
const dirs: string[] = [];
function recordFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'attribot-lexicon-'));
  dirs.push(dir);
  return join(dir, 'lexicon-checked.txt');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the lexicon file', () => {
  it('is refused with the section and the reason when a section has no provenance or no words', () => {
    const broken = JSON.parse(LEXICON) as { sections: Record<string, Record<string, unknown>> };
    delete broken.sections.sayVerbs?.reason;
    delete broken.sections.sayVerbs?.source;
    const sayVerbs = broken.sections.sayVerbs;
    if (sayVerbs) sayVerbs.words = [];
    expect(() => compileLexicon(broken)).toThrow(/lexicon is invalid: .*sections\.sayVerbs/);
  });

  it('is refused when a section the rules read is missing or an unknown one is added', () => {
    const missing = JSON.parse(LEXICON) as { sections: Record<string, unknown> };
    delete missing.sections.flawNouns;
    expect(() => parseLexicon(missing)).toThrow(/sections\.flawNouns/);
    const extra = JSON.parse(LEXICON) as { sections: Record<string, unknown> };
    extra.sections.flawNounz = { reason: 'a typo of a section name', words: ['bug'] };
    expect(() => parseLexicon(extra)).toThrow(/lexicon is invalid/);
  });

  it('is vouched for after a build checked this exact text, and no longer once the text changes', () => {
    const record = recordFile();
    expect(checkedBefore(LEXICON, record)).toBe(false);
    expect(recordLexiconChecked(LEXICON, record)).toBe(true);
    expect(checkedBefore(LEXICON, record)).toBe(true);
    const edited = LEXICON.replace('"said"', '"said",\n        "stated again"');
    expect(edited).not.toBe(LEXICON);
    expect(checkedBefore(edited, record)).toBe(false);
  });

  it('is not vouched for when validation would change it (a word to trim), nor when it is invalid', () => {
    const untrimmed = LEXICON.replace('"said"', '" said "');
    const record = recordFile();
    expect(recordLexiconChecked(untrimmed, record)).toBe(false);
    expect(checkedBefore(untrimmed, record)).toBe(false);
    writeFileSync(record, 'not a digest\n');
    expect(checkedBefore(LEXICON, record)).toBe(false);
    expect(() => recordLexiconChecked('{"about": "x", "sections": {}}', record)).toThrow(
      /lexicon is invalid/,
    );
  });
});
