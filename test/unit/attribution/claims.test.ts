import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../../../src/attribution/analyze.js';
import { loadKnowledge } from '../../../src/extract/knowledge.js';

const knowledge = loadKnowledge();
function run(text: string, title: string | null = null) {
  return analyzeArticle({ id: 't', title, text }, knowledge);
}
function countries(text: string): string[] {
  return run(text).attribution.attributed_countries;
}

describe('state claims by family', () => {
  it.each([
    ['state-link', 'A China-backed hacking group stole credentials from the agency.', ['China']],
    [
      'state-link (state-sponsored)',
      'Investigators blamed an Iranian state-sponsored group for the intrusion.',
      ['Iran'],
    ],
    ['nexus', 'A Russia-nexus threat actor exploited the flaw for months.', ['Russia']],
    ['hacker noun', 'North Korean hackers stole $40 million from the exchange.', ['North Korea']],
    [
      'hacker noun with a named group between',
      'The Russian APT28 group exploited a router flaw.',
      ['Russia'],
    ],
    ['link before', 'Hackers tied to the Chinese government breached the telecom networks.', ['China']],
    [
      'on behalf of',
      'The hackers were working on behalf of Iran when they breached the dam controls.',
      ['Iran'],
    ],
    ['blame … on', 'The government blamed the cyberattack on Russia.', ['Russia']],
    ['attributed … to', 'Officials attributed the hack of the ministry to China.', ['China']],
    ['accused', 'Taiwan accused China of cyber espionage against its ministries.', ['China']],
    ['behind', 'Officials said Iran is behind the hacking of the campaign.', ['Iran']],
    ['possessive', "The allies condemned Russia's malicious cyber activities.", ['Russia']],
    ['organ', "Hackers working for Russia's GRU breached the network.", ['Russia']],
    [
      'origin',
      'The group, a nation-state espionage actor operating out of China, hacked the email servers.',
      ['China'],
    ],
    ['metonym', "Pyongyang's hackers stole the funds in a cyber heist.", ['North Korea']],
    ['subject hacked', 'Iran hacked the campaign email accounts, officials said.', ['Iran']],
    [
      'sponsored by the state',
      'The intrusion was sponsored by the Chinese state, the researchers said of the hack.',
      ['China'],
    ],
    ['metonym link', 'Beijing-backed hackers breached the ministry email servers.', ['China']],
    ['regime', 'Hackers backed by the North Korean regime stole the tokens in the hack.', ['North Korea']],
    ['state-backed criminals', 'Kremlin-backed cyber criminals encrypted the hospital servers.', ['Russia']],
  ])('%s', (_family, text, want) => {
    expect(countries(text)).toEqual(want);
  });
});

describe('what is not a state claim', () => {
  it.each([
    ['criminal gang base', 'The Russia-based ransomware gang encrypted the hospital servers.'],
    ['gang language', 'The Russian-speaking extortion crew leaked the data after the hack.'],
    ['members nationality', 'A Russian national was charged with running the ransomware operation.'],
    ['victim', 'Hackers broke into Ukrainian government systems and stole data.'],
    ['non-cyber sanctions', 'The US sanctioned Russia over the oil price cap.'],
    ['negated', 'Officials said it was not Russia that hacked the grid.'],
    ['conditional', 'The US will respond if it determines Russia is behind the hack.'],
    ['no evidence', 'There is no evidence that Chinese hackers were behind the outage.'],
    ['sympathisers', 'Pro-Russian hackers knocked the ministry websites offline.'],
    ['hacking as a modifier', 'China rejects Dutch hacking allegation over the breach.'],
    ['unnamed nation-state', 'A nation-state actor breached the software maker, the company said.'],
  ])('%s', (_case, text) => {
    expect(countries(text)).toEqual([]);
  });
});

describe('attributing parties', () => {
  it.each([
    [
      'closing speaker',
      'Chinese hackers breached the grid operator, the German Interior Ministry said on Friday.',
      ['Germany'],
    ],
    [
      'forward speaker',
      'Microsoft said a Russian state-sponsored group breached the mailboxes.',
      ['Microsoft'],
    ],
    [
      'list subject of a blame verb',
      'Canada and Japan joined Britain in accusing Russia of the cyberattacks.',
      ['Canada', 'Japan', 'United Kingdom'],
    ],
    [
      'according to media',
      'Chinese state-backed hackers stole the designs, according to The Wall Street Journal.',
      ['The Wall Street Journal'],
    ],
    [
      'unnamed sources',
      'Iranian hackers hit the utility, according to people familiar with the matter.',
      ['unnamed sources'],
    ],
    ['agency to its state', 'The FBI said North Korean hackers stole the cryptocurrency.', ['United States']],
    [
      'possessive claim noun',
      "India's charge that Chinese hackers attacked its ministries was rejected.",
      ['India'],
    ],
    [
      'passive agent',
      'The hacking group was identified by Mandiant as a Chinese state-sponsored actor.',
      ['Mandiant'],
    ],
    [
      'relative clause subject',
      'Volt Typhoon, a Chinese state-sponsored group that US officials have accused of hacking utilities, resurfaced.',
      ['United States'],
    ],
    [
      'titled person',
      'Foreign Minister Jane Roe said Russian military hackers were behind the attack.',
      ['Jane Roe'],
    ],
    [
      'agent list after by',
      'Chinese hackers hit ports, according to an advisory issued by CISA, the NSA and the FBI.',
      ['United States'],
    ],
    [
      'the government of the opening state',
      'Germany summoned the envoy after the government concluded that Russian hackers were behind the breach.',
      ['Germany'],
    ],
    [
      'person resolved to full name',
      'Jane Doe, the governor, spoke first. Doe told reporters that Russian hackers hit the state.',
      ['Jane Doe'],
    ],
  ])('%s', (_case, text, want) => {
    expect(run(text).attribution.attributing_parties).toEqual(want);
  });

  it('does not list the perpetrator speaking for itself', () => {
    const a = run(
      'The LockBit ransomware gang claimed responsibility for the attack on the port.',
    ).attribution;
    expect(a.attributing_parties).toEqual([]);
    expect(a.actors.map((x) => x.name)).toEqual(['LockBit']);
  });

  it('does not list the listener of "told"', () => {
    const a = run(
      'The Clop gang told BleepingComputer that it was behind the data theft attacks.',
    ).attribution;
    expect(a.attributing_parties).toEqual([]);
  });

  it('ignores the news agency in a dateline', () => {
    const a = run(
      'WASHINGTON (Reuters) - Iranian hackers breached the water utility, the FBI said.',
    ).attribution;
    expect(a.attributing_parties).toEqual(['United States']);
  });
});

describe('actors merged when the text equates them', () => {
  it('merges "also known as" chains into one actor', () => {
    const a = run(
      'Microsoft said the extortion crew Lace Tempest, also known as FIN11 and TA505, stole files through the flaw.',
    ).attribution;
    expect(a.actors).toHaveLength(1);
    expect([a.actors[0]?.name, ...(a.actors[0]?.aliases ?? [])]).toEqual(
      expect.arrayContaining(['Lace Tempest', 'TA505', 'FIN11']),
    );
  });

  it('merges a parenthesised alias', () => {
    const a = run('The FBI said the Lazarus Group (APT38) stole the funds in the hack.').attribution;
    expect(a.actors).toHaveLength(1);
  });

  it('keeps an actor and the agency it works for apart', () => {
    const a = run("APT28, a group linked to Russia's GRU, hacked the parliament.").attribution;
    expect(a.actors.map((x) => x.name).sort()).toEqual(['APT28', 'GRU']);
  });

  it('marks stated versus reference countries', () => {
    const stated = run('APT29, a Russian state-sponsored group, breached the ministry.').attribution
      .actors[0];
    expect(stated).toMatchObject({ name: 'APT29', country: 'Russia', stated: true });
    const reference = run('Researchers said APT29 used a new backdoor in the breach.').attribution;
    expect(reference.actors[0]).toMatchObject({ name: 'APT29', country: 'Russia', stated: false });
    expect(reference.attributed_countries).toEqual([]);
  });
});

describe('hedges, denials and confidence', () => {
  it('lowers confidence for hedged claims and says why', () => {
    const firm = run('The FBI said North Korean hackers stole the funds in the hack.').attribution;
    const hedged = run(
      'The FBI said suspected North Korean hackers likely stole the funds in the hack.',
    ).attribution;
    expect(hedged.confidence).toBeLessThan(firm.confidence);
    expect(hedged.confidence_reason).toMatch(/hedged/);
  });

  it('does not read firm estimative wording as a hedge', () => {
    const firm = run(
      'The NCSC said it was highly likely that Russian military hackers were behind the attack.',
    ).attribution;
    const hedged = run('The NCSC said Russian hackers were likely behind the attack.').attribution;
    expect(firm.confidence_reason).toBe('official government attribution');
    expect(hedged.confidence_reason).toBe('official government attribution, hedged');
    expect(
      run('The NCSC said with high confidence that Russian hackers were behind the attack.').attribution
        .attributing_parties,
    ).toEqual(['United Kingdom']);
  });

  it('reads the month of May as a date, and the modal "may" as a hedge', () => {
    const month = run('Last May, the NCSC said Russian military hackers were behind the attack.').attribution;
    const modal = run('The NCSC said Russian military hackers may have been behind the attack.').attribution;
    expect(month.confidence_reason).toBe('official government attribution');
    expect(modal.confidence_reason).toBe('official government attribution, hedged');
  });

  it('reports a denial by the accused beside the claim', () => {
    const a = run(
      'Britain blamed Russia for the cyberattack on the ministry. Russia denied the accusation.',
    ).attribution;
    expect(a.attributed_countries).toEqual(['Russia']);
    expect(a.denials).toEqual(['Russia denied']);
  });

  it('closes a quotation the denial opens', () => {
    const a = run(
      'Canada blamed China for the intrusion at the research council. China called the accusation "a groundless smear" and said it opposes hacking.',
    ).attribution;
    expect(a.denials).toEqual(['China called the accusation "a groundless smear"']);
  });

  it('gives several governments the highest confidence', () => {
    const a = run(
      'The US, Britain and Canada blamed China for the cyberattack on the email servers.',
    ).attribution;
    expect(a.confidence).toBe(0.9);
    expect(a.confidence_reason).toBe('official attribution by several governments');
  });
});
