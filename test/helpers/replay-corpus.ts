/**
 * A week of security news for `attribot replay`'s tests, stored the way a worker stores it: two
 * feeds polled through the real pipeline with the real extractor and the running config's routes,
 * one poll per item at the item's time. Twelve short items written for these tests (invented events,
 * real actor names): six attributions (Russia twice, China twice, North Korea, Iran), one report of
 * an attribution by a second outlet, and five without one.
 */
import { writeFileSync } from 'node:fs';
import { routeAlert } from '../../src/alerts/route.js';
import { analyzeArticle } from '../../src/attribution/analyze.js';
import { applyEnvironment } from '../../src/config/env.js';
import { loadConfigFile } from '../../src/config/load.js';
import { Settings } from '../../src/config/schema.js';
import { loadKnowledge } from '../../src/extract/knowledge.js';
import type { FeedFetcher } from '../../src/ingest/feed-item.js';
import { pollFeed } from '../../src/pipeline.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { Store } from '../../src/store/store.js';
import { TestClock } from './test-clock.js';

/** Webhook URLs of the running config's destinations (never called: replay sends nothing). */
export const INTEL_URL = 'https://discord.com/api/webhooks/1310000000000000001/intel-token';
export const SOC_URL = 'https://discord.com/api/webhooks/1310000000000000002/soc-token';

export const DESK = { url: 'https://desk.example/feed.xml', name: 'Desk' };
export const WIRE = { url: 'https://wire.example/rss', name: 'Wire' };

interface NewsItem {
  slug: string;
  feed: typeof DESK;
  /** Hours before the test's "now" that the worker analysed it. */
  hoursAgo: number;
  title: string;
  text: string;
}

const HOURS_IN_WEEK = 7 * 24;

export const NEWS: readonly NewsItem[] = [
  {
    slug: 'sandworm-grid',
    feed: DESK,
    // Three hours before the week: its story is open when the week starts, as it was for the worker.
    hoursAgo: HOURS_IN_WEEK + 3,
    title: "Ukraine blames Russia's Sandworm for wiper attack on regional power company",
    text: "KYIV -- Ukraine's computer emergency response team CERT-UA said on Monday that Sandworm, a hacking unit of Russia's GRU military intelligence, was behind a wiper attack that knocked out billing and dispatch systems at a regional power distributor. The agency said the attackers had been inside the company's network since the summer and deleted data on more than 200 machines. Electricity supply was not interrupted, the company said.",
  },
  {
    slug: 'sandworm-grid-wire',
    feed: WIRE,
    hoursAgo: HOURS_IN_WEEK - 2,
    title: 'Sandworm wiper hit Ukrainian power distributor, CERT-UA says',
    text: "Hackers from Russia's GRU unit known as Sandworm wiped hundreds of computers at a Ukrainian electricity distributor, CERT-UA said, in the latest attack on the country's energy sector. The team said the wiper was a new variant it calls SOLOFRAME.",
  },
  {
    slug: 'patch-tuesday',
    feed: DESK,
    hoursAgo: 150,
    title: 'Microsoft fixes 61 flaws, including two exploited zero-days',
    text: 'Microsoft released fixes for 61 vulnerabilities on Tuesday, including two that attackers were already exploiting, in Windows and Microsoft Exchange Server. The company did not say who was behind the attacks. Administrators should apply the updates as soon as possible.',
  },
  {
    slug: 'volt-typhoon-water',
    feed: DESK,
    hoursAgo: 130,
    title: "US agencies say China's Volt Typhoon breached water utilities through Ivanti flaw",
    text: "WASHINGTON -- CISA and the FBI said on Tuesday that Volt Typhoon, a Chinese state-sponsored hacking group, exploited a vulnerability in Ivanti Connect Secure appliances to break into the networks of two water utilities in the Midwest. The agencies said the intruders did not tamper with treatment systems but stole network diagrams. China's embassy said the accusations were groundless.",
  },
  {
    slug: 'hospital-ransomware',
    feed: WIRE,
    hoursAgo: 110,
    title: 'Ransomware attack forces Ohio hospital to divert ambulances',
    text: 'A ransomware attack forced a hospital in Dayton, Ohio, to divert ambulances and return to paper records on Friday. The hospital said it was working with outside experts to restore its systems. No group has claimed responsibility for the attack.',
  },
  {
    slug: 'apt41-shipping',
    feed: WIRE,
    hoursAgo: 100,
    title: 'Mandiant ties shipping company intrusions to Chinese group APT41',
    text: 'Mandiant said on Wednesday that APT41, a group it has long linked to the Chinese government, broke into the networks of three container shipping companies in Southeast Asia. The researchers said the hackers used stolen VPN credentials and a backdoor called DUSTTRAP to collect cargo manifests.',
  },
  {
    slug: 'retail-breach',
    feed: DESK,
    hoursAgo: 90,
    title: 'Retailer says breach exposed data of 2 million customers',
    text: 'A European clothing retailer said on Monday that an intruder had copied the names, addresses and order histories of about 2 million customers from a marketing database. The company said payment card data was not affected and that it had informed regulators.',
  },
  {
    slug: 'lazarus-exchange',
    feed: DESK,
    hoursAgo: 70,
    title: "FBI blames North Korea's Lazarus Group for $40 million crypto exchange theft",
    text: 'The FBI said on Thursday that the Lazarus Group, a hacking operation run by the North Korean government, stole about $40 million in cryptocurrency from a Singapore-based exchange last month. The bureau said the hackers tricked an employee into running a fake job interview application.',
  },
  {
    slug: 'chrome-update',
    feed: WIRE,
    hoursAgo: 60,
    title: 'Google ships Chrome update with fixes for 12 security bugs',
    text: 'Google has released a Chrome update that fixes 12 security vulnerabilities, including a high-severity flaw in the V8 JavaScript engine reported by an outside researcher. The company said it was not aware of any exploitation.',
  },
  {
    slug: 'iran-water-israel',
    feed: WIRE,
    hoursAgo: 40,
    title: 'Israel says Iranian hackers targeted its water systems',
    text: "Israel's National Cyber Directorate said on Sunday that hackers working for Iran's Ministry of Intelligence tried to break into the control systems of several water facilities in the north of the country. The directorate said the attempts were blocked and no damage was done.",
  },
  {
    slug: 'funding-round',
    feed: DESK,
    hoursAgo: 30,
    title: 'Security startup raises $30 million to protect email',
    text: 'An email security startup based in Tel Aviv said on Wednesday that it had raised $30 million in a funding round led by venture capital firms. The company plans to hire 50 engineers next year.',
  },
  {
    slug: 'apt28-ministries',
    feed: DESK,
    hoursAgo: 20,
    title: 'Poland says Russian APT28 hackers targeted government email',
    text: "Poland's cyber command said on Friday that APT28, a group run by Russia's GRU military intelligence, sent phishing emails to officials at several ministries in an attempt to steal passwords. The command said a small number of accounts were compromised and have since been secured.",
  },
];

/** The headline of a corpus item. */
export function headline(slug: string): string {
  const found = NEWS.find((item) => item.slug === slug);
  if (!found) throw new Error(`no corpus item ${slug}`);
  return found.title;
}

/**
 * The running config: a Russia watchlist to `intel`, every attribution to `soc` (webhooks whose
 * URLs come from INTEL_WEBHOOK_URL and SOC_WEBHOOK_URL).
 */
export const RUNNING_CONFIG = `feeds:
  - { url: "${DESK.url}", name: Desk }
  - { url: "${WIRE.url}", name: Wire }
destinations:
  - { name: intel, type: webhook, webhookUrlEnv: INTEL_WEBHOOK_URL }
  - { name: soc, type: webhook, webhookUrlEnv: SOC_WEBHOOK_URL }
watchlists:
  - name: russia
    countries: [Russia]
routes:
  - name: russia-desk
    destinations: [intel]
    watchlists: [russia]
  - name: all-attributions
    destinations: [soc]
`;

const xmlText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function rss(feed: typeof DESK, items: readonly NewsItem[], now: number): string {
  const entries = items.map(
    (item) =>
      `<item><title>${xmlText(item.title)}</title><link>https://${new URL(feed.url).host}/news/${item.slug}</link>` +
      `<guid>${item.slug}</guid><pubDate>${new Date(now - item.hoursAgo * 3_600_000).toUTCString()}</pubDate>` +
      `<description>${xmlText(item.text)}</description></item>`,
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${feed.name}</title><link>https://${new URL(feed.url).host}/</link>${entries.join('')}</channel></rss>`;
}

/**
 * Polls the corpus into `store` as a worker running `configFile` would have over the last week:
 * each item at its time, its feed listing everything it published so far. `now` is the test's now.
 */
export async function storeCorpus(store: Store, configFile: string, now = Date.now()): Promise<void> {
  writeFileSync(configFile, RUNNING_CONFIG);
  const loaded = await loadConfigFile(configFile);
  const effective = applyEnvironment(loaded.config!, {
    INTEL_WEBHOOK_URL: INTEL_URL,
    SOC_WEBHOOK_URL: SOC_URL,
  }).effective!;
  const { routes, watchlists } = effective.config;
  const knowledge = loadKnowledge();
  const settings = Settings.parse({ firstSightWindow: 0, adaptive: false });
  const ordered = [...NEWS].sort((a, b) => b.hoursAgo - a.hoursAgo);
  for (const [index, item] of ordered.entries()) {
    const clock = new TestClock(new Date(now - item.hoursAgo * 3_600_000).toISOString());
    const published = ordered.slice(0, index + 1).filter((each) => each.feed === item.feed);
    const fetcher: FeedFetcher = {
      fetchFeed: async (url) => ({ status: 'ok', url, body: rss(item.feed, published, now), validators: {} }),
    };
    await pollFeed(
      item.feed,
      {
        store,
        fetcher,
        clock,
        log: silentLogger(),
        analyze: (article) => analyzeArticle(article, knowledge).attribution,
        route: (input) => routeAlert(input, routes, watchlists),
        noticeDestinations: [],
      },
      settings,
    );
  }
}
