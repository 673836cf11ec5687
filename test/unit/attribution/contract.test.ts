import { describe, expect, it } from 'vitest';
import { extractLine } from '../../../src/attribution/contract.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';

const knowledge = loadKnowledge();

describe('extractLine', () => {
  it('turns one article line into one contract line', () => {
    const line = JSON.stringify({
      id: 'x1',
      title: 'Britain blames Russia for cyberattack',
      text: "The British government blamed Russia's GRU for the cyberattack on the electoral commission's servers, exploiting CVE-2023-23397 in Microsoft Outlook.",
      url: 'https://example.test/a',
      published: '2024-03',
      source: 'ignored',
    });
    const { output, error } = extractLine(line, knowledge);
    expect(error).toBeUndefined();
    const out = JSON.parse(output) as Record<string, unknown>;
    expect(out).toMatchObject({
      id: 'x1',
      is_attribution: true,
      attributed_countries: ['Russia'],
      attributing_parties: ['United Kingdom'],
      products: ['Microsoft Outlook'],
      cves: ['CVE-2023-23397'],
    });
    expect(out.actors).toEqual([expect.objectContaining({ name: 'GRU', country: 'Russia', stated: true })]);
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(['confidence', 'confidence_reason', 'evidence', 'cve_details', 'denials']),
    );
  });

  it('accepts a null title and a numeric id', () => {
    const { output } = extractLine(
      JSON.stringify({ id: 7, title: null, text: 'Nothing to see.' }),
      knowledge,
    );
    expect(JSON.parse(output)).toMatchObject({ id: '7', is_attribution: false, actors: [], cves: [] });
  });

  it('reports unreadable JSON with the id when it can be recovered', () => {
    const r = extractLine('{"id": "broken-1", "text": "unterminated', knowledge);
    expect(JSON.parse(r.output)).toEqual({ id: 'broken-1', error: expect.stringMatching(/^not JSON/) });
    expect(r.error).toMatch(/not JSON/);
  });

  it('reports a line without text', () => {
    const r = extractLine('{"id": "no-text", "title": "x"}', knowledge);
    expect(JSON.parse(r.output)).toEqual({ id: 'no-text', error: expect.stringMatching(/text/) });
  });

  it('names every field of the wrong type, with the id when it can be recovered', () => {
    const r = extractLine(JSON.stringify({ id: 'typed-1', title: 7, text: ['a'], url: false }), knowledge);
    expect(JSON.parse(r.output)).toEqual({ id: 'typed-1', error: r.error });
    expect(r.error).toBe(
      'invalid article: text: expected a string, received an array; title: expected a string or null, received number; url: expected a string or null, received boolean',
    );
  });

  it('refuses a line that is not an object, or whose id is neither a string nor a number', () => {
    expect(extractLine('[1, 2]', knowledge).error).toBe('invalid article: (root): expected a JSON object');
    const r = extractLine(JSON.stringify({ id: { n: 1 }, text: 'Some text.' }), knowledge);
    expect(JSON.parse(r.output)).toEqual({
      id: null,
      error: 'invalid article: id: expected a string or a number, received object',
    });
  });

  it('keeps url and published when given, and ignores fields the contract does not name', () => {
    const { output, error } = extractLine(
      JSON.stringify({
        id: 'kept',
        title: null,
        text: 'Nothing here.',
        url: null,
        published: '2025-01',
        extra: [1],
      }),
      knowledge,
    );
    expect(error).toBeUndefined();
    expect(JSON.parse(output)).toMatchObject({ id: 'kept', is_attribution: false });
  });

  it('gives null for an id it cannot recover', () => {
    expect(JSON.parse(extractLine('garbage', knowledge).output)).toMatchObject({ id: null });
  });

  it('enriches CVEs from KEV in cve_details only', () => {
    const text = 'Attackers exploited CVE-2021-34527, the PrintNightmare flaw, in the breach.';
    const out = JSON.parse(extractLine(JSON.stringify({ id: 'k', title: null, text }), knowledge).output) as {
      products: string[];
      cve_details: { cve: string; vendor: string; knownExploited: boolean }[];
    };
    expect(out.cve_details).toEqual([
      expect.objectContaining({ cve: 'CVE-2021-34527', vendor: 'Microsoft', knownExploited: true }),
    ]);
    expect(out.products).toEqual([]);
  });
});
