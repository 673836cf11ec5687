/**
 * The admin reports read from the ledger: what `attribot feeds`, `destinations` and `recent` print
 * and what the status page shows, gathered in one place so both say the same.
 */
import type { Feed } from '../config/schema.js';
import type { Store } from '../store/store.js';
import { type DestinationReport, destinationReport } from './destination-report.js';
import { type FeedReport, feedReport } from './feed-report.js';
import { type RecentStory, recentStory } from './recent-report.js';

export async function feedReports(store: Store, feeds: readonly Feed[], now: Date): Promise<FeedReport[]> {
  const totals = await store.feedTotals();
  const reports: FeedReport[] = [];
  for (const feed of feeds)
    reports.push(feedReport(feed, await store.getFeedState(feed.url), totals.get(feed.url), now));
  return reports;
}

export async function destinationReports(
  store: Store,
  destinations: readonly { name: string; type: DestinationReport['type'] }[],
  now: Date,
): Promise<DestinationReport[]> {
  const statuses = await store.destinationStatus(destinations.map((target) => target.name));
  return destinations.map((target, index) => destinationReport(target, statuses[index]!, now));
}

/** Stories updated since `since`, newest first, at most `limit`, with what each destination got. */
export async function recentStories(store: Store, since: Date, limit: number): Promise<RecentStory[]> {
  return (await store.storyDeliveries(since.toISOString(), limit)).map(recentStory);
}
