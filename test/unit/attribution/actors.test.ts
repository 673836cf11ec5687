import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../../../src/attribution/analyze.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';

const knowledge = loadKnowledge();
const actorsOf = (text: string) =>
  analyzeArticle({ id: 't', title: null, text }, knowledge).attribution.actors;

describe('actor display names', () => {
  it('shows the name the text uses most, keeping the canonical and known aliases', () => {
    const actors = actorsOf(
      'Salt Typhoon hackers broke into the networks of nine telecom carriers, US officials said. ' +
        'The FBI said Salt Typhoon, which is linked to China, stole call records of senior politicians. ' +
        'Investigators believe Salt Typhoon, also tracked as GhostEmperor, still has access.',
    );
    expect(actors).toHaveLength(1);
    const [a] = actors;
    expect(a?.name).toBe('Salt Typhoon');
    expect(a?.aliases[0]).toBe('GhostEmperor');
    expect(a?.country).toBe('China');
  });

  it('puts the other names of the text before reference aliases', () => {
    const actors = actorsOf(
      'Microsoft said Forest Blizzard, the Russian military hacking group also known as APT28, targeted ' +
        'logistics firms. Forest Blizzard used stolen passwords, and Forest Blizzard later exploited a router flaw.',
    );
    expect(actors).toHaveLength(1);
    expect(actors[0]?.name).toBe('Forest Blizzard');
    expect(actors[0]?.aliases[0]).toBe('APT28');
  });

  it('keeps the dictionary spelling when the text writes the same name', () => {
    const actors = actorsOf(
      'The pro-Russian hacktivist group NoName057(16) claimed distributed denial-of-service attacks on bank websites.',
    );
    expect(actors.map((a) => a.name)).toEqual(['NoName057(16)']);
  });

  it('writes a dictionary name kept in capitals the way the text writes it, and keeps capitals the text uses', () => {
    const titled = actorsOf(
      'ESET said the Chinese group Mustang Panda was behind the intrusion at a Manila ministry.',
    );
    expect(titled.map((a) => a.name)).toEqual(['Mustang Panda']);
    const shouted = actorsOf(
      'ESET said the Chinese group MUSTANG PANDA was behind the intrusion at a Manila ministry.',
    );
    expect(shouted.map((a) => a.name)).toEqual(['MUSTANG PANDA']);
  });
});

describe('product acronyms', () => {
  it('treats an acronym beside its spelled-out name as one product', async () => {
    const { isAcronymOf } = await import('../../../src/attribution/products.js');
    expect(isAcronymOf('asa', 'adaptive security appliance')).toBe(true);
    expect(isAcronymOf('ftd', 'firepower threat defense')).toBe(true);
    expect(isAcronymOf('esxi', 'vmware esxi')).toBe(false);
    expect(isAcronymOf('asa firewall', 'adaptive security appliance')).toBe(false);
  });
});

describe('state-qualified names', () => {
  it('counts "China\'s X" and "Chinese X" as X, not as aliases of their own', async () => {
    const { isQualifiedForm } = await import('../../../src/attribution/actors.js');
    expect(isQualifiedForm('china s ministry of state security', 'ministry of state security')).toBe(true);
    expect(isQualifiedForm('chinese ministry of state security', 'ministry of state security')).toBe(true);
    expect(isQualifiedForm('ministry of state security', 'ministry of state security')).toBe(false);
    expect(isQualifiedForm('the former ministry of state security', 'ministry of state security')).toBe(
      false,
    );
    expect(isQualifiedForm('russian sandworm', 'sandworm')).toBe(false);
  });

  it('names the agency as the text does and keeps its acronym as the alias', async () => {
    const { analyzeArticle } = await import('../../../src/attribution/analyze.js');
    const { loadKnowledge } = await import('../../../src/extract/knowledge.js');
    const { attribution } = analyzeArticle(
      {
        id: 'mss',
        title: 'Allies accuse Beijing over email server hacks',
        text: "Britain and its allies on Monday said hackers working for China's Ministry of State Security breached thousands of email servers. The MSS has long relied on contractors, officials said.",
      },
      loadKnowledge(),
    );
    const actor = attribution.actors.find((entry) => entry.aliases.includes('MSS') || entry.name === 'MSS');
    expect(actor?.name).toBe('Ministry of State Security');
    expect(actor?.aliases[0]).toBe('MSS');
    expect(actor?.aliases.some((alias) => /China's|Chinese/.test(alias))).toBe(false);
  });
});
