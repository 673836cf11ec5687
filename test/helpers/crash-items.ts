/**
 * The news the crash harness publishes: short attribution reports generated from templates, with
 * varied actors, accusers, victims and products, each naming the one state it blames (so the
 * harness knows which country desk it must reach) and carrying a unique marker in its link (so the
 * alert it becomes can be told apart on the fake Discord). Written for these tests; no real article.
 */

export interface Actor {
  name: string;
  /** The state the text ties it to; the harness routes on it. */
  country: string;
  adjective: string;
}

/** Threat actors by the state they work for (names the dictionaries know). */
export const ACTORS: readonly Actor[] = [
  { name: 'APT28', country: 'Russia', adjective: 'Russian' },
  { name: 'Sandworm', country: 'Russia', adjective: 'Russian' },
  { name: 'APT29', country: 'Russia', adjective: 'Russian' },
  { name: 'Turla', country: 'Russia', adjective: 'Russian' },
  { name: 'APT41', country: 'China', adjective: 'Chinese' },
  { name: 'APT40', country: 'China', adjective: 'Chinese' },
  { name: 'Volt Typhoon', country: 'China', adjective: 'Chinese' },
  { name: 'Mustang Panda', country: 'China', adjective: 'Chinese' },
  { name: 'Lazarus Group', country: 'North Korea', adjective: 'North Korean' },
  { name: 'Kimsuky', country: 'North Korea', adjective: 'North Korean' },
  { name: 'Andariel', country: 'North Korea', adjective: 'North Korean' },
  { name: 'APT37', country: 'North Korea', adjective: 'North Korean' },
  { name: 'APT33', country: 'Iran', adjective: 'Iranian' },
  { name: 'APT34', country: 'Iran', adjective: 'Iranian' },
  { name: 'Charming Kitten', country: 'Iran', adjective: 'Iranian' },
  { name: 'MuddyWater', country: 'Iran', adjective: 'Iranian' },
];

/** Who makes the claim: vendors, researchers and governments of states that are no desk. */
const PARTIES: readonly string[] = [
  'Mandiant',
  'Microsoft',
  'ESET',
  'CrowdStrike',
  'Proofpoint',
  'Recorded Future',
  'Secureworks',
  'Palo Alto Networks',
];

/** [full phrase, short headline phrase]; none in a state the harness routes on. */
const VICTIMS: ReadonlyArray<readonly [string, string]> = [
  ['a Norwegian shipping company', 'Norwegian shipper'],
  ['a Dutch water utility', 'Dutch water utility'],
  ['a Canadian engineering firm', 'Canadian engineering firm'],
  ['a German defence supplier', 'German defence supplier'],
  ['an Australian university', 'Australian university'],
  ['a Polish energy company', 'Polish energy company'],
  ['a Kenyan telecom operator', 'Kenyan telecom operator'],
  ['a Danish wind-turbine maker', 'Danish turbine maker'],
  ['a Mexican regional bank', 'Mexican bank'],
  ['a Swiss law firm', 'Swiss law firm'],
  ['a hospital network in Ohio', 'Ohio hospital network'],
  ['a Brazilian airline', 'Brazilian airline'],
];

const PRODUCTS: readonly string[] = [
  'Ivanti Connect Secure',
  'Fortinet FortiOS',
  'Citrix NetScaler ADC',
  'Microsoft Exchange Server',
  'Atlassian Confluence',
  'Progress MOVEit Transfer',
];

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'] as const;

interface Slots {
  actor: Actor;
  party: string;
  victim: string;
  victimShort: string;
  product: string;
  weekday: string;
}

type Template = (s: Slots) => { title: string; text: string };

const TEMPLATES: readonly Template[] = [
  (s) => ({
    title: `${s.party} ties ${s.actor.adjective} group ${s.actor.name} to breach at ${s.victimShort}`,
    text:
      `${s.party} said on ${s.weekday} that ${s.actor.name}, a hacking group working for the ${s.actor.adjective} government, ` +
      `broke into the network of ${s.victim} last month. The intruders got in through an unpatched ${s.product} ` +
      'appliance and copied email archives before they were found, the company said.',
  }),
  (s) => ({
    title: `${s.actor.adjective} state hackers behind ${s.victimShort} intrusion, ${s.party} says`,
    text:
      `Researchers at ${s.party} said the ${s.actor.adjective} state-sponsored group ${s.actor.name} was behind the intrusion at ${s.victim}. ` +
      `The attackers exploited a flaw in ${s.product} to get a foothold and then moved to the company's file servers. ` +
      'The victim said it had restored its systems from backups.',
  }),
  (s) => ({
    title: `${s.actor.name} exploited ${s.product} flaw to spy on ${s.victimShort}, researchers say`,
    text:
      `${s.party} on ${s.weekday} attributed a months-long espionage campaign against ${s.victim} to ${s.actor.name}, ` +
      `which it described as a ${s.actor.adjective} state-backed hacking group. The group exploited a vulnerability in ${s.product}, ` +
      'according to the report, and read the mailboxes of senior staff.',
  }),
  (s) => ({
    title: `${s.party} blames ${s.actor.country} for cyberattack on ${s.victimShort}`,
    text:
      `${s.party} has blamed ${s.actor.country} for the cyberattack that disrupted ${s.victim} this week, ` +
      `saying the ${s.actor.adjective} group ${s.actor.name} carried it out. The attackers used stolen credentials for a ${s.product} ` +
      'gateway, the researchers said, and wiped several servers on their way out.',
  }),
];

export interface NewsItem {
  /** Unique in the run; appears in the link, and so in the alert. */
  marker: string;
  /** Index of the feed that publishes it. */
  feed: number;
  title: string;
  text: string;
  link: string;
  /** The state the text blames. */
  country: string;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same run plan. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)] as T;
}

/** `count` items spread at random over `feeds` feeds; markers start with `tag`. */
export function generateItems(count: number, feeds: number, random: () => number, tag: string): NewsItem[] {
  return Array.from({ length: count }, (_, index) => {
    const [victim, victimShort] = pick(VICTIMS, random);
    const slots: Slots = {
      actor: pick(ACTORS, random),
      party: pick(PARTIES, random),
      victim,
      victimShort,
      product: pick(PRODUCTS, random),
      weekday: pick(WEEKDAYS, random),
    };
    const { title, text } = pick(TEMPLATES, random)(slots);
    const feed = Math.floor(random() * feeds);
    const marker = `${tag}-${index.toString().padStart(5, '0')}`;
    const slug = title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60);
    return {
      marker,
      feed,
      title,
      text,
      link: `https://desk-${feed}.example/news/${slug}-${marker}`,
      country: slots.actor.country,
    };
  });
}

/** Every template with every actor, party, victim and product once (to check them against the extractor). */
export function everyCombination(): NewsItem[] {
  const items: NewsItem[] = [];
  let index = 0;
  for (const template of TEMPLATES) {
    for (const actor of ACTORS) {
      for (const [victim, victimShort] of VICTIMS) {
        const slots: Slots = {
          actor,
          party: PARTIES[index % PARTIES.length] as string,
          victim,
          victimShort,
          product: PRODUCTS[index % PRODUCTS.length] as string,
          weekday: WEEKDAYS[index % WEEKDAYS.length] as string,
        };
        const { title, text } = template(slots);
        const marker = `all-${index}`;
        items.push({
          marker,
          feed: 0,
          title,
          text,
          link: `https://desk-0.example/${marker}`,
          country: actor.country,
        });
        index++;
      }
    }
  }
  return items;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An RSS 2.0 document of one feed's items, newest first, as a news site serves it. */
export function rssDocument(
  feed: number,
  items: ReadonlyArray<{ item: NewsItem; publishedAt: number }>,
): string {
  const entries = [...items]
    .reverse()
    .map(
      ({ item, publishedAt }) => `
    <item>
      <title>${xml(item.title)}</title>
      <link>${xml(item.link)}</link>
      <guid isPermaLink="true">${xml(item.link)}</guid>
      <pubDate>${new Date(publishedAt).toUTCString()}</pubDate>
      <description>${xml(item.text)}</description>
    </item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Security Desk ${feed}</title><link>https://desk-${feed}.example/</link>
<description>Threat intelligence news</description>${entries}
</channel></rss>`;
}
