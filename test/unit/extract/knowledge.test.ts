import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Knowledge, loadKnowledge } from '../../../src/extract/knowledge.js';
import { keyTokens } from '../../../src/extract/tokens.js';

const knowledge = loadKnowledge();

function actorOf(k: Knowledge, name: string): string | undefined {
  let node = 0;
  for (const t of keyTokens(name)) {
    const next = k.trie.edges.get(`${node}\u0001${t}`);
    if (next === undefined) return undefined;
    node = next;
  }
  const ref = k.trie.out[node]?.find((r) => r.type === 'actor');
  return ref?.type === 'actor' ? k.actors[ref.id]?.name : undefined;
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

  it('never lets an actor take a country word or a malware name', () => {
    expect(actorOf(knowledge, 'Russian')).toBeUndefined();
    expect(actorOf(knowledge, 'Snake')).toBeUndefined();
  });

  it('maps countries with the contract names and KEV CVEs', () => {
    expect(knowledge.countries.get('CZ')?.name).toBe('Czech Republic');
    expect(knowledge.countries.get('US')?.name).toBe('United States');
    expect(knowledge.kev.get('CVE-2021-34527')).toMatchObject({ vendor: 'Microsoft' });
  });

  it('loads fast enough to do once per process', () => {
    const t0 = performance.now();
    loadKnowledge();
    // The target is < 300 ms; allow head-room for slow CI machines.
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('validates curated.json and reports the bad field', () => {
    const src = fileURLToPath(new URL('../../../config/dictionaries/', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'attribot-dict-'));
    cpSync(src, dir, { recursive: true });
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
