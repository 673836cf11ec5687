/** Realistic ledger data for the store contract: feeds, items, attributions, and a clustering plan. */
import { addReport, findStory, newStory, type Story, type StoryReport } from '../../src/alerts/cluster.js';
import { storyMessages } from '../../src/alerts/story-messages.js';
import type { Attribution } from '../../src/attribution/attribution.js';
import type { OutgoingMessage } from '../../src/shared/message.js';
import type { ItemRecord, OutboxInsert, StoryPlan } from '../../src/store/store.js';

export const FEEDS = {
  bleeping: 'https://www.bleepingcomputer.com/feed/',
  record: 'https://therecord.media/feed/',
  hackerNews: 'https://feeds.feedburner.com/TheHackersNews',
} as const;

const T0 = Date.parse('2026-11-28T10:00:00.000Z');

/** ISO time `minutes` after the suite's epoch (2026-11-28 10:00 UTC). */
export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

export function message(title: string, description?: string): OutgoingMessage {
  return {
    embeds: [{ title, ...(description ? { description } : {}) }],
    allowed_mentions: { parse: [] },
  };
}

export function alert(destination: string, title: string, extra: Partial<OutboxInsert> = {}): OutboxInsert {
  return { destination, message: message(title), ...extra };
}

/** One feed item as the pipeline records it; `alerts` are queued with it. */
export function item(key: string, extra: Partial<ItemRecord> = {}): ItemRecord {
  return {
    key,
    feedUrl: FEEDS.bleeping,
    title: `Report ${key}`,
    link: `https://www.bleepingcomputer.com/news/security/${key}/`,
    published: '2026-11-28T09:30:00.000Z',
    disposition: 'processed',
    alerts: [],
    contentHash: `sha256:${key}`,
    fingerprint: '[true,["volt typhoon"],["china"]]',
    ...extra,
  };
}

/** An item recorded without analysis (a backlog item on first sight): no hashes. */
export function seeded(key: string, extra: Partial<ItemRecord> = {}): ItemRecord {
  const record = item(key, { disposition: 'seeded', ...extra });
  delete record.contentHash;
  delete record.fingerprint;
  return record;
}

export function attribution(fields: {
  actor: string;
  country: string;
  parties?: string[];
  products?: string[];
  cves?: string[];
}): Attribution {
  return {
    id: fields.actor,
    is_attribution: true,
    actors: [{ name: fields.actor, aliases: [], country: fields.country, stated: true }],
    attributed_countries: [fields.country],
    attributing_parties: fields.parties ?? ['CISA'],
    products: fields.products ?? [],
    cves: fields.cves ?? [],
    confidence: 0.8,
    confidence_reason: 'government attribution',
    evidence: [`Officials said ${fields.actor} was behind the intrusions.`],
  };
}

/** Three outlets reporting one incident: Volt Typhoon exploiting Ivanti Connect Secure. */
export function ivantiReport(outlet: string, cve = 'CVE-2026-21887'): StoryReport {
  return {
    attribution: attribution({
      actor: 'Volt Typhoon',
      country: 'China',
      parties: ['CISA', 'FBI'],
      products: ['Ivanti Connect Secure'],
      cves: [cve],
    }),
    title: `Chinese state hackers exploit Ivanti Connect Secure zero-day (${cve})`,
    sourceName: outlet,
    url: `https://news.example/${outlet.toLowerCase().replace(/\W+/g, '-')}/${cve}`,
  };
}

export function sandwormReport(outlet: string): StoryReport {
  return {
    attribution: attribution({
      actor: 'Sandworm',
      country: 'Russia',
      parties: ['ESET'],
      products: ['Industroyer2'],
      cves: [],
    }),
    title: 'Sandworm hackers target Ukrainian energy grid with new wiper',
    sourceName: outlet,
    url: `https://news.example/${outlet.toLowerCase()}/sandworm-wiper`,
  };
}

export function lazarusReport(outlet: string): StoryReport {
  return {
    attribution: attribution({
      actor: 'Lazarus Group',
      country: 'North Korea',
      parties: ['Mandiant'],
      products: ['3CX Desktop App'],
      cves: ['CVE-2026-29059'],
    }),
    title: 'North Korean hackers behind 3CX supply chain attack, Mandiant says',
    sourceName: outlet,
    url: `https://news.example/${outlet.toLowerCase()}/3cx-supply-chain`,
  };
}

/**
 * The pipeline's clustering as a StoryPlan: each record with a report joins the best recent story
 * (real `findStory`/`addReport`) or opens one, and is routed to `destinations`. `calls` keeps what
 * the store passed in, to check the plan saw the stories and only the records being recorded.
 */
export function clusterPlan(
  reports: ReadonlyMap<string, StoryReport>,
  options: { now: string; since: string; destinations?: string[] },
): StoryPlan & { calls: Array<{ stories: Story[]; keys: string[] }> } {
  const destinations = options.destinations ?? ['soc-alerts'];
  const now = new Date(options.now);
  const calls: Array<{ stories: Story[]; keys: string[] }> = [];
  return {
    since: options.since,
    calls,
    assign(stories, records) {
      calls.push({ stories: structuredClone(stories), keys: records.map((record) => record.key) });
      const entries = stories.map((story) => ({ key: `id:${story.id}`, story }));
      for (const record of records) {
        const report = reports.get(record.key);
        if (!report) continue;
        const match = findStory(
          entries.map((entry) => entry.story),
          report,
          now,
          { windowMs: 48 * 3_600_000, threshold: 0.6 },
        );
        const entry = match ? entries.find((candidate) => candidate.story === match) : undefined;
        const { story, change } = entry
          ? addReport(entry.story, report, now)
          : { story: newStory(report, now), change: 'new-story' as const };
        const decisions = destinations.map((destination) => ({
          destination,
          route: 'state-actors',
          mentionRoleIds: [],
          digest: false,
        }));
        record.alerts = storyMessages(story, change, report, decisions);
        const routed: Story = {
          ...story,
          destinations: [...new Set([...story.destinations, ...destinations])],
        };
        const key = entry?.key ?? `new:${record.key}`;
        if (entry) entry.story = routed;
        else entries.push({ key, story: routed });
        record.story = { key, data: routed };
      }
    },
  };
}
