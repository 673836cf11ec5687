import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../../src/extract/knowledge.js';
import { extract } from '../../../src/extract/mentions.js';

const knowledge = loadKnowledge();

function names(text: string, type: string, title: string | null = null): string[] {
  const ex = extract({ id: 't', title, text }, knowledge);
  return ex.sentences.flatMap((s) =>
    s.mentions
      .filter((m) => m.ref.type === type)
      .map((m) => {
        const r = m.ref;
        if (r.type === 'actor') return knowledge.actors[r.id]?.name ?? '';
        if (r.type === 'product') return knowledge.products[r.id]?.name ?? '';
        if (r.type === 'party') return knowledge.parties[r.id]?.name ?? '';
        return r.type === 'country' ? r.iso2 : '';
      }),
  );
}

describe('ambiguous names need context', () => {
  it('matches ordinary-word group names only beside a group cue', () => {
    expect(names('Fans queued to play the new game at launch.', 'actor')).toEqual([]);
    expect(names('The Play ransomware gang leaked the files after the attack.', 'actor')).toEqual(['Play']);
  });

  it('does not read places, metals or surnames in non-security text as actors', () => {
    expect(
      names('Cobalt and copper prices rose in Turla, a village near the river. Lazarus Smith won.', 'actor'),
    ).toEqual([]);
  });

  it('reads a plain-word actor in security text', () => {
    expect(names('Researchers said Turla used a new backdoor against embassies.', 'actor')).toEqual([
      'Turla',
    ]);
  });

  it('respects acronym case', () => {
    expect(names('Hackers said the mss of data was lost in the breach.', 'actor')).toEqual([]);
    expect(names('Hackers working for the MSS breached the network.', 'actor')).toEqual([
      'Ministry of State Security',
    ]);
  });
});

describe('products', () => {
  it('needs the vendor for single-word product names and rejects other capitalised names', () => {
    expect(names('Attackers exploited Exchange at the firm.', 'product')).toEqual([]);
    // A deployment noun ("servers", "instances") after the bare word names the product without its vendor.
    expect(names('Attackers exploited Exchange servers at the firm.', 'product')).toEqual([
      'Microsoft Exchange Server',
    ]);
    expect(names('The Exchange servers of the stock market were slow on Monday.', 'product')).toEqual([]);
    expect(names('Microsoft said attackers exploited Exchange servers.', 'product')).toEqual([
      'Microsoft Exchange Server',
    ]);
    expect(
      names('Microsoft told the Securities and Exchange Commission about the breach.', 'product'),
    ).toEqual([]);
  });
});

describe('product names from KEV', () => {
  it("reads a vendor's possessive as the vendor's product", () => {
    expect(names("Attackers abused BeyondTrust's Remote Support software.", 'product')).toEqual([
      'BeyondTrust Remote Support',
    ]);
  });
  it('never matches an alias made only of generic words ("Server", "Data Center")', () => {
    expect(
      names('Atlassian said the Server and Data Center editions were hit by the attack.', 'product'),
    ).toEqual([]);
  });
  it('keeps a product named like its vendor when the name is distinctive', () => {
    expect(names('Hackers exploited SimpleHelp and CrushFTP servers.', 'product')).toEqual([
      'SimpleHelp',
      'CrushFTP',
    ]);
  });
});

describe('naming schemes and datelines', () => {
  it("reads Unit 42's constellation names as actors of their state", () => {
    const ex = extract(
      { id: 't', title: null, text: 'Unit 42 said the threat group Jumpy Pisces hacked the firm.' },
      knowledge,
    );
    const sm = ex.sentences.flatMap((s) => s.schemeMentions);
    expect(sm.map((m) => [m.name, m.country, m.vendor])).toEqual([
      ['Jumpy Pisces', 'KP', 'Palo Alto Networks'],
    ]);
  });

  it('finds new names that follow a vendor naming scheme', () => {
    const ex = extract(
      { id: 't', title: null, text: 'Microsoft tracks the new threat actor as Umber Typhoon.' },
      knowledge,
    );
    expect(ex.sentences[0]?.schemeMentions).toMatchObject([
      { name: 'Umber Typhoon', country: 'CN', vendor: 'Microsoft' },
    ]);
  });

  it('ignores weather', () => {
    const ex = extract(
      { id: 't', title: null, text: 'Super Typhoon Haiyan hit the islands and the group of hackers fled.' },
      knowledge,
    );
    expect(ex.sentences[0]?.schemeMentions).toEqual([]);
  });

  it('reads the dateline country', () => {
    expect(
      extract({ id: 't', title: null, text: 'SEOUL, May 2 (Yonhap) -- Police said...' }, knowledge)
        .datelineCountry,
    ).toBe('KR');
    expect(extract({ id: 't', title: null, text: 'TOKYO\nPolice said.' }, knowledge).datelineCountry).toBe(
      'JP',
    );
  });
});

describe('component and model extensions after a product or vendor', () => {
  it('keeps capitalised words up to a component noun or a model code', async () => {
    const { componentExtension } = await import('../../../src/extract/mentions.js');
    const ext = (text: string, word: string) =>
      componentExtension(text, text.indexOf(word) + word.length)?.words;
    expect(ext('a flaw in the Windows Error Reporting Service was used', 'Windows')).toEqual([
      'Error',
      'Reporting',
      'Service',
    ]);
    expect(ext('broke into Exchange Online mailboxes', 'Exchange')).toEqual(['Online']);
    expect(ext('hijacked TP-Link Archer C7 routers', 'TP-Link')).toEqual(['Archer', 'C7']);
    // No component noun or model: nothing ("Windows Defender Antivirus", "Microsoft Q3 results").
    expect(ext('disabled Windows Defender Antivirus on hosts', 'Windows')).toBeUndefined();
    expect(ext('Microsoft Q3 results beat forecasts', 'Microsoft')).toBeUndefined();
    expect(ext('exploited CVE-2024-1234 in Citrix', 'exploited')).toBeUndefined();
  });
});
