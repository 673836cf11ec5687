import { describe, expect, it } from 'vitest';
import { findCves, uniqueCves } from '../../../src/extract/cves.js';

describe('findCves', () => {
  it.each([
    ['CVE-2021-44228', 'CVE-2021-44228'],
    ['cve-2023-4966', 'CVE-2023-4966'],
    ['CVE\u20132024\u20133400', 'CVE-2024-3400'],
    ['CVE\u20142019\u20140708', 'CVE-2019-0708'],
    ['CVE 2022 41080', 'CVE-2022-41080'],
    ['CVE-2024-1234567', 'CVE-2024-1234567'],
  ])('%s → %s', (text, id) => {
    expect(findCves(`the bug (${text}) was fixed`).map((c) => c.id)).toEqual([id]);
  });

  it('ignores CWE ids and malformed numbers', () => {
    expect(findCves('CWE-288 and CVE-2024-12 and XCVE-2024-12345')).toEqual([]);
  });

  it('dedupes in order of appearance', () => {
    expect(uniqueCves(findCves('CVE-2024-2 CVE-2024-21762, cve-2024-21762 and CVE-2022-42475'))).toEqual([
      'CVE-2024-21762',
      'CVE-2022-42475',
    ]);
  });
});
