/**
 * Row shapes of the ledger's tables, which both adapters' schemas share column for column, and
 * their mapping to the contract's types: one place to change when a column is added.
 */
import type { MuteEntry, WatchEntry } from '../config/overrides.js';
import type { MatchKind } from '../config/schema.js';
import type { OutgoingMessage } from '../shared/message.js';
import type { FeedState, OutboxKind, OutboxRow, OutboxStatus, SeenItem } from './store.js';

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
