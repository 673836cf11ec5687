import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/alert.js';
import { DISCORD_LIMITS, embedLength, formatAlert } from '../../../src/alerts/format.js';
import { cleanText, fitItems, fitText } from '../../../src/alerts/text-safety.js';
import type { Attribution } from '../../../src/attribution/attribution.js';
import type { Embed, OutgoingMessage } from '../../../src/shared/message.js';

function makeAttribution(overrides: Partial<Attribution> = {}): Attribution {
  return {
    id: 'seed',
    is_attribution: true,
    actors: [{ name: 'Ministry of State Security', aliases: ['MSS'], country: 'China', stated: true }],
    attributed_countries: ['China'],
    attributing_parties: [
      'United States',
      'European Union',
      'United Kingdom',
      'Australia',
      'Canada',
      'New Zealand',
      'Japan',
      'NATO',
    ],
    products: ['Microsoft Exchange Server'],
    cves: [],
    confidence: 0.9,
    confidence_reason: 'official attribution by several governments',
    evidence: [
      'The agencies said an MSS-run team broke into mail servers through flaws in Microsoft Exchange Server.',
    ],
    ...overrides,
  };
}

function makeAlert(overrides: Partial<Alert> = {}, attribution: Partial<Attribution> = {}): Alert {
  return {
    attribution: makeAttribution(attribution),
    articleTitle: 'US and allies accuse China of hacking Microsoft Exchange',
    articleUrl: 'https://www.cnet.com/news/privacy/us-and-allies-accuse-china-of-microsoft-exchange-hack/',
    sourceName: 'CNET',
    published: '2021-07-19T13:05:00Z',
    ...overrides,
  };
}

function onlyEmbed(message: OutgoingMessage): Embed {
  expect(message.embeds).toHaveLength(1);
  const [embed] = message.embeds;
  if (!embed) throw new Error('no embed');
  return embed;
}

function field(embed: Embed, name: string): string | undefined {
  return embed.fields?.find((f) => f.name === name)?.value;
}

function texts(embed: Embed): string[] {
  return [
    embed.title ?? '',
    embed.description ?? '',
    ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
    embed.footer?.text ?? '',
  ];
}

function expectWithinLimits(message: OutgoingMessage): void {
  expect(message.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
  let total = 0;
  for (const embed of message.embeds) {
    expect(embed.title?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const f of embed.fields ?? []) {
      expect(f.name.length).toBeGreaterThan(0);
      expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(f.value.length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    }
    total += embedLength(embed);
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
}

/** Nothing in the message can ping, link out (other than our CVE links), or hide characters. */
function expectNeutralised(embed: Embed): void {
  for (const text of texts(embed)) {
    expect(text).not.toMatch(/@(everyone|here)/i);
    expect(text).not.toMatch(/<[@#:/at]/);
    expect(text).not.toMatch(/https?:\/\/evil/);
    expect(text.replaceAll('\n', '')).not.toMatch(/\p{Cc}/u);
    // The only zero-width spaces are those inserted to break mention, tag and link syntax.
    expect(text.replace(/[@<:]\u200b/g, '').replace(/discord\u200b/gi, '')).not.toMatch(
      /[\u200b-\u200f\u2060\ufeff]/,
    );
    // Every unescaped masked link is one of ours.
    for (const match of text.matchAll(/(?<!\\)\]\(([^)]*)\)/g)) {
      expect(match[1]).toMatch(/^https:\/\/www\.cve\.org\/CVERecord\?id=CVE-\d{4}-\d+$/);
    }
  }
}

describe('formatAlert: the seed case (China / MSS / Exchange)', () => {
  const message = formatAlert(
    makeAlert(
      { otherSources: [{ name: 'BBC' }, { name: 'Reuters' }, { name: 'The Record' }, { name: 'Wired' }] },
      {
        actors: [
          { name: 'Ministry of State Security', aliases: ['MSS'], country: 'China', stated: true },
          {
            name: 'APT40',
            aliases: ['Kryptonite Panda', 'Leviathan', 'TEMP.Periscope'],
            country: 'China',
            stated: false,
          },
        ],
        cves: ['CVE-2021-26855', 'cve-2021-27065'],
        cve_details: [
          {
            cve: 'CVE-2021-26855',
            vendor: 'Microsoft',
            product: 'Exchange Server',
            knownExploited: true,
            ransomware: true,
          },
        ],
      },
    ),
  );
  const embed = onlyEmbed(message);

  it('names country, stated actor and product in the title and links the article', () => {
    expect(embed.title).toBe(
      'China \\(Ministry of State Security\\) blamed for Microsoft Exchange Server compromise',
    );
    expect(embed.url).toBe(
      'https://www.cnet.com/news/privacy/us-and-allies-accuse-china-of-microsoft-exchange-hack/',
    );
  });

  it('summarises who attributes what to whom, then quotes the evidence', () => {
    expect(embed.description).toBe(
      'United States, European Union +6 attribute the Microsoft Exchange Server compromise to China \\(Ministry of State Security\\).\n\n' +
        '> “The agencies said an MSS-run team broke into mail servers through flaws in Microsoft Exchange Server.”',
    );
  });

  it('lists the fields in reading order', () => {
    expect(embed.fields?.map((f) => f.name)).toEqual([
      'Actors',
      'Attributed by',
      'Products',
      'CVEs',
      'Confidence',
      'Source',
    ]);
    expect(field(embed, 'Actors')).toBe(
      '**Ministry of State Security** (MSS) · China\n' +
        '**APT40** (Kryptonite Panda, Leviathan, TEMP.Periscope) · China (reference data)',
    );
    expect(field(embed, 'Attributed by')).toBe(
      'United States, European Union, United Kingdom, Australia, Canada, New Zealand, Japan, NATO',
    );
    expect(field(embed, 'Products')).toBe('Microsoft Exchange Server');
    expect(field(embed, 'CVEs')).toBe(
      '[CVE-2021-26855](https://www.cve.org/CVERecord?id=CVE-2021-26855) (KEV, ransomware), ' +
        '[CVE-2021-27065](https://www.cve.org/CVERecord?id=CVE-2021-27065)',
    );
    expect(field(embed, 'Confidence')).toBe('high \\(90%\\) — official attribution by several governments');
    expect(field(embed, 'Source')).toBe(
      'CNET · 2021-07-19\n“US and allies accuse China of hacking Microsoft Exchange”\n+4 more outlets: BBC, Reuters, The Record, Wired',
    );
  });

  it('colours by the attributed country, stamps the publication time, and never pings', () => {
    expect(embed.color).toBe(0xc0392b);
    expect(embed.timestamp).toBe('2021-07-19T13:05:00.000Z');
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.content).toBeUndefined();
    expectWithinLimits(message);
  });
});

describe('formatAlert: titles and summaries', () => {
  it.each([
    [
      'several countries, actors tied by reference data',
      {
        attributed_countries: ['Russia', 'Iran'],
        actors: [{ name: 'APT28', aliases: [], country: 'Russia', stated: false }],
      },
      'Russia \\(APT28\\) and Iran blamed for Microsoft Exchange Server compromise',
    ],
    [
      'an actor without a country',
      {
        attributed_countries: [],
        actors: [{ name: 'LockBit', aliases: [], country: null, stated: false }],
        products: [],
      },
      'LockBit blamed for malicious cyber activity',
    ],
    [
      'many products',
      { products: ['Ivanti Connect Secure', 'Citrix NetScaler', 'Fortinet FortiOS', 'Cisco ASA'] },
      'China \\(Ministry of State Security\\) blamed for compromise of Ivanti Connect Secure, Citrix NetScaler and 2 more products',
    ],
    [
      'only CVEs',
      { products: [], cves: ['CVE-2023-4966'] },
      'China \\(Ministry of State Security\\) blamed for exploitation of CVE-2023-4966',
    ],
    [
      'no claim at all: the article title',
      { is_attribution: false, actors: [], attributed_countries: [], attributing_parties: [] },
      'US and allies accuse China of hacking Microsoft Exchange',
    ],
  ])('%s', (_label, attribution, title) => {
    expect(onlyEmbed(formatAlert(makeAlert({}, attribution))).title).toBe(title);
  });

  it('falls back to "Untitled article" when there is neither a claim nor a title', () => {
    const embed = onlyEmbed(
      formatAlert(makeAlert({ articleTitle: '\u200b \u200d' }, { actors: [], attributed_countries: [] })),
    );
    expect(embed.title).toBe('Untitled article');
    expect(embed.description).toMatch(/^No attribution claim found in this article\./);
  });

  it.each([
    [['FBI'], 'FBI attributes the Microsoft Exchange Server compromise'],
    [['FBI', 'CISA'], 'FBI and CISA attribute the Microsoft Exchange Server compromise'],
    [['unnamed sources'], 'unnamed sources attribute the Microsoft Exchange Server compromise'],
    [['United States'], 'United States attributes the Microsoft Exchange Server compromise'],
    [[], 'The Microsoft Exchange Server compromise is attributed to'],
  ])('summary with parties %j', (parties, start) => {
    expect(onlyEmbed(formatAlert(makeAlert({}, { attributing_parties: parties }))).description).toContain(
      start,
    );
  });
});

describe('formatAlert: fields', () => {
  it.each([
    [0.95, 'high \\(95%\\)'],
    [0.6, 'medium \\(60%\\)'],
    [0.2, 'low \\(20%\\)'],
    [1.7, 'high \\(100%\\)'],
    [Number.NaN, 'unknown'],
  ])('confidence %s → %s', (confidence, start) => {
    const embed = onlyEmbed(formatAlert(makeAlert({}, { confidence, confidence_reason: 'vendor report' })));
    expect(field(embed, 'Confidence')?.startsWith(start)).toBe(true);
  });

  it.each([
    ['China', 0xc0392b],
    ['russia', 0x2e86c1],
    ['Iran', 0x27ae60],
    ['North Korea', 0x8e44ad],
    ['Vietnam', 0x95a5a6],
    ['constructor', 0x95a5a6],
  ])('colour for %s', (country, colour) => {
    expect(onlyEmbed(formatAlert(makeAlert({}, { attributed_countries: [country] }))).color).toBe(colour);
  });

  it('uses grey when no country is blamed', () => {
    expect(onlyEmbed(formatAlert(makeAlert({}, { attributed_countries: [] }))).color).toBe(0x95a5a6);
  });

  it.each([
    ['2021-07', undefined, 'CNET · 2021-07'],
    ['Mon, 19 Jul 2021 14:00:00 GMT', '2021-07-19T14:00:00.000Z', 'CNET · 2021-07-19'],
    ['last Tuesday', undefined, 'CNET · last Tuesday'],
    [undefined, undefined, 'CNET'],
  ])('published %j', (published, timestamp, sourceLine) => {
    const alert = makeAlert();
    if (published === undefined) delete alert.published;
    else alert.published = published;
    const embed = onlyEmbed(formatAlert(alert));
    expect(embed.timestamp).toBe(timestamp);
    expect(field(embed, 'Source')?.split('\n')[0]).toBe(sourceLine);
  });

  it.each(['javascript:alert(1)', 'not a url', 'ftp://example.org/x', ''])(
    'drops the unusable link %j',
    (articleUrl) => {
      expect(onlyEmbed(formatAlert(makeAlert({ articleUrl }))).url).toBeUndefined();
    },
  );

  it('shows denials as plain text (they are summaries, not quotations) and leaves out empty fields', () => {
    const embed = onlyEmbed(
      formatAlert(
        makeAlert(
          {},
          { products: [], denials: ['A foreign ministry spokesman called the claims groundless.'] },
        ),
      ),
    );
    expect(field(embed, 'Denied')).toBe('A foreign ministry spokesman called the claims groundless.');
    expect(field(embed, 'Products')).toBeUndefined();
    expect(field(embed, 'CVEs')).toBeUndefined();
  });

  it('does not link something that is not a CVE id', () => {
    const embed = onlyEmbed(formatAlert(makeAlert({}, { cves: ['CVE-2021-26855](https://evil.example)'] })));
    expect(field(embed, 'CVEs')).toBe('CVE-2021-26855\\]\\(https:\u200b//evil.example\\)');
  });
});

describe('formatAlert: hostile article text', () => {
  it.each([
    ['@everyone', '@\u200beveryone'],
    ['@here', '@\u200bhere'],
    ['<@&123456>', '<\u200b@&123456\\>'],
    ['<@!42> <#99> <t:1700000000:R>', '<\u200b@!42\\> <\u200b\\#99\\> <\u200bt:1700000000:R\\>'],
    ['[click](https://evil.example)', '\\[click\\]\\(https:\u200b//evil.example\\)'],
    [
      '**bold** __u__ ~~s~~ `code` ||spoiler||',
      '\\*\\*bold\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\`code\\` \\|\\|spoiler\\|\\|',
    ],
    ['# Heading > quote \\', '\\# Heading \\> quote \\\\'],
    ['- listed', '\\- listed'],
    ['join discord.gg/abc', 'join discord\u200b.gg/abc'],
    ['@\u200beveryone', '@\u200beveryone'],
    ['Micro\u200bsoft Ex\u2060change\ufeff', 'Microsoft Exchange'],
    ['line\nbreak\ttab \u001b[31mred', 'line break tab \\[31mred'],
  ])('renders %j safely', (hostile, rendered) => {
    expect(field(onlyEmbed(formatAlert(makeAlert({}, { products: [hostile] }))), 'Products')).toBe(rendered);
  });

  const tenKilobytes = `@everyone ${'lorem ipsum '.repeat(850)}`;
  const hostile = makeAlert(
    {
      articleTitle: tenKilobytes,
      articleUrl: 'https://news.example/a?b=(c)',
      sourceName: 'Feed <@&123456>',
      published: 'soon @here',
      otherSources: Array.from({ length: 30 }, (_, i) => ({ name: `Outlet ${i} @everyone` })),
    },
    {
      actors: Array.from({ length: 12 }, (_, i) => ({
        name: `APT${i} <@&123456> @everyone [click](https://evil.example) ${'x'.repeat(200)}`,
        aliases: Array.from({ length: 10 }, (__, j) => `Alias${j} @he\u200bre`),
        country: i % 2 ? 'Russia @everyone' : null,
        stated: i % 3 === 0,
      })),
      attributed_countries: ['Russ\u200bia', '<@&123456>', 'Iran', '@everyone'],
      attributing_parties: Array.from({ length: 100 }, (_, i) => `Agency ${i} <@&${1000 + i}> @here`),
      products: Array.from(
        { length: 40 },
        (_, i) => `Product ${i} [click](https://evil.example) ${'y'.repeat(i)}`,
      ),
      cves: Array.from({ length: 60 }, (_, i) => `CVE-2024-${String(10000 + i)}`),
      confidence_reason: `${'because '.repeat(200)}@everyone`,
      evidence: [tenKilobytes, '@here look', '<@&1> [x](https://evil.example)', 'fourth', 'fifth'],
      denials: [`${'denied '.repeat(300)}@everyone`],
    },
  );
  const message = formatAlert(hostile);
  const embed = onlyEmbed(message);

  it('stays within every Discord limit', () => {
    expectWithinLimits(message);
  });

  it('lets no mention, link or hidden character through', () => {
    expectNeutralised(embed);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('cuts long text at a word boundary with an ellipsis', () => {
    const title = formatAlert(
      makeAlert({ articleTitle: tenKilobytes }, { actors: [], attributed_countries: [] }),
    ).embeds[0]?.title;
    expect(title).toMatch(/^@\u200beveryone (lorem ipsum )*(lorem|lorem ipsum)…$/);
    expect(title?.length).toBeLessThanOrEqual(256);
    expect(embed.description).toMatch(/ipsum…”|lorem…”/);
  });

  it('turns what does not fit into "+N more"', () => {
    expect(field(embed, 'Attributed by')).toMatch(/, Agency \d+ <\u200b@&\d+\\> @\u200bhere \+\d+ more$/);
    expect(field(embed, 'Products')).toMatch(/ \+\d+ more$/);
    expect(field(embed, 'CVEs')).toMatch(/ \+\d+ more$/);
    expect(field(embed, 'Actors')).toMatch(/\n\+\d+ more$/);
    expect(embed.description).toContain('+2 more quotes');
  });

  it('keeps the article link usable', () => {
    expect(embed.url).toBe('https://news.example/a?b=(c)');
    expect(embed.timestamp).toBeUndefined();
  });
});

describe('text helpers', () => {
  const identity = (s: string): string => s;

  it.each([
    ['short', 10, 'short'],
    ['one two three four', 12, 'one two…'],
    ['one two, three', 10, 'one two…'],
    ['abcdefghijklmnop', 6, 'abcde…'],
  ])('fitText(%j, %i)', (text, max, expected) => {
    expect(fitText(text, max, identity)).toBe(expected);
  });

  it('measures after escaping, so an escaped cut still fits', () => {
    const out = fitText('*'.repeat(100), 21, (s) => s.replace(/\*/g, '\\*'));
    expect(out).toBe(`${'\\*'.repeat(10)}…`);
  });

  it('fitItems keeps whole items and counts the rest', () => {
    expect(fitItems(['alpha', 'beta', 'gamma', 'delta'], ', ', 24)).toBe('alpha, beta +2 more');
    expect(fitItems(['alpha', 'beta'], ', ', 40)).toBe('alpha, beta');
    expect(fitItems(['x'.repeat(50)], ', ', 10)).toBe('+1 more');
  });

  it('cleanText strips invisible and control characters and folds whitespace', () => {
    expect(cleanText(' a\u200b\u200c\u200d\u2060\ufeff\u00adb \n\t c\u202e\u0007 ')).toBe('ab c');
    expect(cleanText(null)).toBe('');
  });
});
