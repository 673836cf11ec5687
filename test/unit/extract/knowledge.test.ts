import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildKnowledge, type Knowledge, loadKnowledge } from '../../../src/extract/knowledge.js';
import {
  INDEX_BUILDER_MODULES,
  readDictionarySources,
  serializeKnowledge,
  sourcesFingerprint,
  writeCompiledIndex,
} from '../../../src/extract/knowledge-index.js';
import { keyTokens } from '../../../src/extract/tokens.js';
import { trieLookup } from '../../../src/extract/trie.js';

const knowledge = loadKnowledge();

function actorOf(k: Knowledge, name: string): string | undefined {
  const ref = trieLookup(k.trie, keyTokens(name)).find((r) => r.type === 'actor');
  return ref?.type === 'actor' ? k.actors[ref.id]?.name : undefined;
}

/** A copy of config/dictionaries to edit. */
function dictionariesCopy(): string {
  const src = fileURLToPath(new URL('../../../config/dictionaries/', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'attribot-dict-'));
  cpSync(src, dir, { recursive: true });
  return dir;
}

describe('loadKnowledge', () => {
  it('resolves every alias to one canonical actor', () => {
    expect(actorOf(knowledge, 'Silk Typhoon')).toBe(actorOf(knowledge, 'HAFNIUM'));
    const apt28 = actorOf(knowledge, 'APT28');
    expect(apt28).toBeDefined();
    expect(actorOf(knowledge, 'Fancy Bear')).toBe(apt28);
    expect(actorOf(knowledge, 'Forest Blizzard')).toBe(apt28);
    expect(actorOf(knowledge, 'Sofacy')).toBe(apt28);
  });

  it('keeps ATT&CK groups apart where MISP folds them (APT38 is not Lazarus Group)', () => {
    expect(actorOf(knowledge, 'Lazarus Group')).toBe('Lazarus Group');
    expect(actorOf(knowledge, 'APT38')).toBe('APT38');
    expect(actorOf(knowledge, 'Andariel')).not.toBe('Lazarus Group');
  });

  it('gives curated state organs their own records and country', () => {
    const mss = knowledge.actors.find((a) => a.name === 'Ministry of State Security');
    expect(mss).toMatchObject({ country: 'CN', organ: true, kind: 'state' });
    expect(actorOf(knowledge, 'MSS')).toBe('Ministry of State Security');
    expect(actorOf(knowledge, 'Bureau 121')).toBe('Bureau 121');
  });

  it('keeps agencies the news mostly quotes as agent-only organs, matched once as actors', () => {
    const nsa = knowledge.actors.find((a) => a.name === 'National Security Agency');
    expect(nsa).toMatchObject({ country: 'US', organ: true, agentOnly: true });
    expect(actorOf(knowledge, 'NSA')).toBe('National Security Agency');
    expect(trieLookup(knowledge.trie, keyTokens('NSA')).filter((r) => r.type === 'party')).toEqual([]);
    expect(knowledge.actors.find((a) => a.name === 'Ministry of State Security')?.agentOnly).toBeUndefined();
  });

  it('gives an intelligence-service name that several states use to none of them', () => {
    const partyOf = (name: string) =>
      trieLookup(knowledge.trie, keyTokens(name))
        .flatMap((r) => (r.type === 'party' ? [knowledge.parties[r.id]] : []))
        .map((p) => p?.country);
    // The MISP list has a "Foreign Intelligence Service" for Romania and for Russia, a "Special Branch" for
    // Pakistan and Sri Lanka: the bare name says nothing about the state.
    expect(partyOf('Foreign Intelligence Service')).toEqual([]);
    expect(partyOf('Special Branch')).toEqual([]);
    // A body every state has, named by what it does, is given to one state by the list; it names none.
    expect(partyOf('Ministry of Defence')).toEqual([]);
    expect(partyOf('Military Intelligence')).toEqual([]);
    expect(partyOf('Romanian Intelligence Service')).toEqual(['RO']);
    // An English name curated for its own state wins over a translation in the list.
    expect(partyOf('Department of Homeland Security')).toEqual(['US']);
  });

  it('never lets an actor take a country word or a malware name', () => {
    expect(actorOf(knowledge, 'Russian')).toBeUndefined();
    expect(actorOf(knowledge, 'Snake')).toBeUndefined();
  });

  it('maps countries with the contract names and KEV CVEs', () => {
    expect(knowledge.countries.get('CZ')?.name).toBe('Czech Republic');
    expect(knowledge.countries.get('US')?.name).toBe('United States');
    // Names news and the UN use, not a source's display name for one territory or a former name.
    expect(knowledge.countries.get('PS')?.name).toBe('Palestine');
    expect(knowledge.countries.get('MM')?.name).toBe('Myanmar');
    expect(knowledge.kev.get('CVE-2021-34527')).toMatchObject({ vendor: 'Microsoft' });
  });

  it('validates curated.json and reports the bad field', () => {
    const dir = dictionariesCopy();
    const curated = JSON.parse(readFileSync(join(dir, 'curated.json'), 'utf8')) as {
      actors: { kind: string }[];
    };
    const first = curated.actors[0];
    if (first) first.kind = 'pirate';
    writeFileSync(join(dir, 'curated.json'), JSON.stringify(curated));
    expect(() => loadKnowledge(dir)).toThrow(/kind/);
  });

  it('refuses a curated entry that says neither where it comes from nor why it is general knowledge', () => {
    const src = fileURLToPath(new URL('../../../config/dictionaries/', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'attribot-dict-'));
    cpSync(src, dir, { recursive: true });
    const curated = JSON.parse(readFileSync(join(dir, 'curated.json'), 'utf8')) as {
      products: { name: string; source?: string; reason?: string }[];
    };
    const first = curated.products[0];
    if (first) {
      delete first.source;
      delete first.reason;
    }
    writeFileSync(join(dir, 'curated.json'), JSON.stringify(curated));
    expect(() => loadKnowledge(dir)).toThrow(
      `curated.json: products[0] (${JSON.stringify(first?.name)}): needs a provenance: "source"`,
    );
  });
});

describe('the compiled dictionary index', () => {
  const sources = readDictionarySources();
  const fingerprint = sourcesFingerprint(sources);

  function compiledIndex(dir?: string): string {
    const path = join(mkdtempSync(join(tmpdir(), 'attribot-index-')), 'knowledge-index.json');
    const from = readDictionarySources(dir);
    writeCompiledIndex(buildKnowledge(from), from, path);
    return path;
  }

  it('holds exactly what a fresh build of the dictionaries holds', () => {
    const fresh = buildKnowledge(sources);
    const loaded = loadKnowledge(undefined, { index: compiledIndex() });
    expect(loaded.stats.from).toBe('compiled index');
    expect(serializeKnowledge(loaded, fingerprint)).toBe(serializeKnowledge(fresh, fingerprint));
    expect({ ...loaded, stats: null }).toEqual({ ...fresh, stats: null });
    expect(actorOf(loaded, 'Fancy Bear')).toBe(actorOf(fresh, 'Fancy Bear'));
  });

  it('keeps Set and Map fields of the records', () => {
    const fresh = buildKnowledge(sources);
    Object.assign(fresh.parties[0] ?? {}, {
      formerKeys: new Set(['old name']),
      byYear: new Map([[2020, 'x']]),
    });
    const index = join(mkdtempSync(join(tmpdir(), 'attribot-index-')), 'knowledge-index.json');
    writeCompiledIndex(fresh, sources, index);
    const loaded = loadKnowledge(undefined, { index });
    expect(loaded.stats.from).toBe('compiled index');
    expect(loaded.parties[0]).toEqual(fresh.parties[0]);
    expect({ ...loaded, stats: null }).toEqual({ ...fresh, stats: null });
  });

  it('is not used once the dictionaries change: they are built again and the reason is told', () => {
    const dir = dictionariesCopy();
    const index = compiledIndex(dir);
    const curated = JSON.parse(readFileSync(join(dir, 'curated.json'), 'utf8')) as { actors: unknown[] };
    curated.actors.push({
      name: 'Quillfeather Collective',
      kind: 'criminal',
      reason: 'an invented group, for this test',
    });
    writeFileSync(join(dir, 'curated.json'), JSON.stringify(curated));

    const problems: string[] = [];
    const loaded = loadKnowledge(dir, { index, onUnusableIndex: (p) => problems.push(p) });
    expect(problems).toEqual([expect.stringMatching(/built from other dictionaries.*npm run build/)]);
    expect(loaded.stats.from).toBe('dictionaries');
    expect(actorOf(loaded, 'Quillfeather Collective')).toBe('Quillfeather Collective');
  });

  it('reports an unreadable index and builds from the dictionaries', () => {
    const index = compiledIndex();
    writeFileSync(index, '{"format": 1, "finger');
    const problems: string[] = [];
    const loaded = loadKnowledge(undefined, { index, onUnusableIndex: (p) => problems.push(p) });
    expect(problems).toEqual([expect.stringMatching(/cannot be read/)]);
    expect(loaded.stats.from).toBe('dictionaries');
  });

  it('fingerprints every module that builds it', () => {
    // A module the builder imports but the fingerprint leaves out could change the index unnoticed.
    for (const module of INDEX_BUILDER_MODULES) {
      const code = readFileSync(new URL(`../../../src/extract/${module}.ts`, import.meta.url), 'utf8');
      for (const [, what, from] of code.matchAll(/^import (type )?[^;]*? from '\.\/([\w-]+)\.js';/gms))
        if (!what) expect(INDEX_BUILDER_MODULES).toContain(from);
    }
    expect(INDEX_BUILDER_MODULES).toContain('knowledge');
  });
});
