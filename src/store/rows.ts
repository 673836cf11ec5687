/**
 * Row shapes of the ledger's tables, which both adapters' schemas share column for column, and
 * their mapping to the contract's types: one place to change when a column is added.
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Story } from '../alerts/cluster.js';
import type { MuteEntry, WatchEntry } from '../config/overrides.js';
import type { MatchKind } from '../config/schema.js';
import type { OutgoingMessage } from '../shared/message.js';
import type {
  DestinationStatus,
  FeedState,
  FeedTotals,
  OutboxKind,
  OutboxRow,
  OutboxStatus,
  SeenItem,
  StoredArticle,
  StoryDeliveries,
  StoryDelivery,
} from './store.js';

export interface FeedStateRow {
  feed_url: string;
  etag: string | null;
  last_modified: string | null;
  last_polled_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  consecutive_failures: number;
  initialized_at: string | null;
  next_poll_at: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  publish_times: string;
  last_new_item_at: string | null;
  silence_reported_at: string | null;
  moved_to: string | null;
}

export interface OutboxDbRow {
  id: number;
  kind: OutboxKind;
  item_key: string | null;
  story_id: number | null;
  destination: string;
  message: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  discord_message_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export function toOutboxRow(row: OutboxDbRow): OutboxRow {
  return {
    id: row.id,
    kind: row.kind,
    itemKey: row.item_key,
    storyId: row.story_id,
    destination: row.destination,
    message: JSON.parse(row.message) as OutgoingMessage,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    discordMessageId: row.discord_message_id,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export function toFeedState(row: FeedStateRow): FeedState {
  return {
    feedUrl: row.feed_url,
    etag: row.etag,
    lastModified: row.last_modified,
    lastPolledAt: row.last_polled_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    consecutiveFailures: row.consecutive_failures,
    initializedAt: row.initialized_at,
    nextPollAt: row.next_poll_at,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    publishTimes: JSON.parse(row.publish_times) as string[],
    lastNewItemAt: row.last_new_item_at,
    silenceReportedAt: row.silence_reported_at,
    movedTo: row.moved_to,
  };
}

/** The outbox columns the contract reads, for `RETURNING` and `SELECT` lists. */
export const OUTBOX_COLUMNS =
  'id, kind, item_key, story_id, destination, message, status, attempts, next_attempt_at, last_error, discord_message_id, created_at, sent_at';

export interface SeenItemRow {
  item_key: string;
  feed_url: string;
  title: string | null;
  disposition: SeenItem['disposition'];
  content_hash: string | null;
  fingerprint: string | null;
}

export function toSeenItem(row: SeenItemRow): SeenItem {
  return {
    feedUrl: row.feed_url,
    title: row.title,
    disposition: row.disposition,
    contentHash: row.content_hash,
    fingerprint: row.fingerprint,
  };
}

export interface WatchRow {
  kind: MatchKind;
  value: string;
  added_by: string | null;
  added_at: string;
}

export interface MuteRow extends WatchRow {
  until: string;
}

export function toWatchEntry(row: WatchRow): WatchEntry {
  return { kind: row.kind, value: row.value, addedBy: row.added_by, addedAt: row.added_at };
}

export function toMuteEntry(row: MuteRow): MuteEntry {
  return { ...toWatchEntry(row), until: row.until };
}

/** The per-destination counts both adapters select for `destinationStatus`. */
export interface DestinationCountsRow {
  destination: string;
  pending: number | null;
  held: number | null;
  rejected: number | null;
  last_sent_at: string | null;
}

/** A destination's oldest pending row, as `destinationStatus` selects it. */
export interface DestinationHeadRow {
  next_attempt_at: string;
  attempts: number;
  last_error: string | null;
  suspended: number | boolean;
}

export function toDestinationStatus(
  destination: string,
  counts: DestinationCountsRow | undefined,
  head: DestinationHeadRow | undefined,
  lastRejectedError: string | null,
): DestinationStatus {
  return {
    destination,
    pending: Number(counts?.pending ?? 0),
    held: Number(counts?.held ?? 0),
    rejected: Number(counts?.rejected ?? 0),
    lastSentAt: counts?.last_sent_at ?? null,
    head: head
      ? {
          nextAttemptAt: head.next_attempt_at,
          attempts: head.attempts,
          lastError: head.last_error,
          suspended: Boolean(head.suspended),
        }
      : null,
    lastError: head?.last_error ?? lastRejectedError,
  };
}

/** One feed's recorded items by disposition and its alerts sent, as both adapters select them. */
export interface FeedTotalsRow {
  feed_url: string;
  processed: number | null;
  seeded: number | null;
  quarantined: number | null;
}

export function toFeedTotals(
  items: readonly FeedTotalsRow[],
  alerts: ReadonlyArray<{ feed_url: string; sent: number }>,
): Map<string, FeedTotals> {
  const totals = new Map<string, FeedTotals>();
  const entry = (feedUrl: string): FeedTotals => {
    let found = totals.get(feedUrl);
    if (!found) {
      found = { processed: 0, seeded: 0, quarantined: 0, alertsSent: 0 };
      totals.set(feedUrl, found);
    }
    return found;
  };
  for (const row of items) {
    const totalsOf = entry(row.feed_url);
    totalsOf.processed = Number(row.processed ?? 0);
    totalsOf.seeded = Number(row.seeded ?? 0);
    totalsOf.quarantined = Number(row.quarantined ?? 0);
  }
  for (const row of alerts) entry(row.feed_url).alertsSent = Number(row.sent);
  return totals;
}

/** An outbox row of a story, as `storyDeliveries` selects it. */
export interface StoryDeliveryRow {
  story_id: number;
  destination: string;
  kind: OutboxKind;
  status: OutboxStatus;
  created_at: string;
  sent_at: string | null;
}

export function toStoryDeliveries(
  stories: ReadonlyArray<{ data: string }>,
  rows: readonly StoryDeliveryRow[],
): StoryDeliveries[] {
  const byStory = new Map<number, StoryDelivery[]>();
  for (const row of rows) {
    const list = byStory.get(row.story_id) ?? [];
    list.push({
      destination: row.destination,
      kind: row.kind,
      status: row.status,
      createdAt: row.created_at,
      sentAt: row.sent_at,
    });
    byStory.set(row.story_id, list);
  }
  return stories.map((row) => {
    const story = JSON.parse(row.data) as Story;
    return { story, deliveries: story.id === null ? [] : (byStory.get(story.id) ?? []) };
  });
}

/**
 * Article text is stored deflated: it is most of what the database holds, SQLite never compresses
 * and PostgreSQL's TOAST only past 2 kB. News prose deflates to about half its UTF-8 size or less.
 */
export function packText(text: string): Buffer {
  return deflateRawSync(Buffer.from(text, 'utf8'));
}

export function unpackText(packed: Uint8Array): string {
  return inflateRawSync(packed).toString('utf8');
}

/** An `articles` row as both adapters select it (`text` packed). */
export interface ArticleRow {
  id: number;
  item_key: string;
  feed_url: string;
  title: string | null;
  link: string | null;
  published: string | null;
  text: Uint8Array;
  analysed_at: string;
}

/** The `articles` columns `articlesSince` reads, in the order of `ArticleRow`. */
export const ARTICLE_COLUMNS = 'id, item_key, feed_url, title, link, published, text, analysed_at';

/** Articles read per query by `articlesSince`. */
export const ARTICLE_PAGE = 200;

/** Where a page of `articlesSince` starts: after this (analysed_at, id), in that order. */
export interface ArticleCursor {
  at: string;
  id: number;
}

/**
 * Every article analysed at or after `since`, oldest first (analysis time, then insertion order),
 * a page at a time; `page` selects the rows after the cursor in that order.
 */
export async function* pagedArticles(
  since: string,
  page: (after: ArticleCursor, limit: number) => Promise<ArticleRow[]> | ArticleRow[],
): AsyncGenerator<StoredArticle> {
  let after: ArticleCursor = { at: since, id: 0 };
  for (;;) {
    const rows = await page(after, ARTICLE_PAGE);
    for (const row of rows) {
      yield {
        key: row.item_key,
        feedUrl: row.feed_url,
        title: row.title,
        link: row.link,
        published: row.published,
        text: unpackText(row.text),
        analysedAt: row.analysed_at,
      };
    }
    const last = rows.at(-1);
    if (!last || rows.length < ARTICLE_PAGE) return;
    after = { at: last.analysed_at, id: Number(last.id) };
  }
}
