/** Ordered schema migrations; PRAGMA user_version holds how many have run. Never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE feed_state (
    feed_url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_polled_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    initialized_at TEXT,
    next_poll_at TEXT,
    disabled_at TEXT,
    disabled_reason TEXT,
    publish_times TEXT NOT NULL DEFAULT '[]',
    last_new_item_at TEXT,
    silence_reported_at TEXT,
    moved_to TEXT
  );
  CREATE TABLE seen_items (
    item_key TEXT PRIMARY KEY,
    feed_url TEXT NOT NULL,
    title TEXT,
    link TEXT,
    published TEXT,
    disposition TEXT NOT NULL CHECK (disposition IN ('processed', 'seeded', 'quarantined')),
    content_hash TEXT,
    fingerprint TEXT,
    seen_at TEXT NOT NULL
  );
  CREATE TABLE stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX stories_created ON stories (created_at);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'update', 'edit', 'notice', 'digest')),
    item_key TEXT REFERENCES seen_items(item_key),
    story_id INTEGER REFERENCES stories(id),
    destination TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'rejected', 'held', 'digested')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    discord_message_id TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
  );
  CREATE INDEX outbox_pending ON outbox (status, id);
  CREATE INDEX outbox_sent ON outbox (destination, status, sent_at);
  CREATE INDEX outbox_destination_pending ON outbox (destination, status, id);
  `,
  // Slash-command overrides over the YAML config (store/overrides.ts).
  `
  CREATE TABLE override_watches (
    kind TEXT NOT NULL CHECK (kind IN ('actors', 'countries', 'products', 'cves', 'keywords')),
    value_key TEXT NOT NULL,
    value TEXT NOT NULL,
    added_by TEXT,
    added_at TEXT NOT NULL,
    PRIMARY KEY (kind, value_key)
  );
  CREATE TABLE override_mutes (
    kind TEXT NOT NULL CHECK (kind IN ('actors', 'countries', 'products', 'cves', 'keywords')),
    value_key TEXT NOT NULL,
    value TEXT NOT NULL,
    until TEXT NOT NULL,
    added_by TEXT,
    added_at TEXT NOT NULL,
    PRIMARY KEY (kind, value_key)
  );
  `,
  // Several workers on one database: leases, claimed outbox rows, and when a feed last listed an item.
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until TEXT NOT NULL
  );
  ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
  ALTER TABLE outbox ADD COLUMN claim_until TEXT;
  ALTER TABLE seen_items ADD COLUMN listed_at TEXT;
  UPDATE seen_items SET listed_at = seen_at;
  CREATE INDEX seen_items_listed ON seen_items (listed_at);
  CREATE INDEX outbox_item ON outbox (item_key);
  CREATE INDEX outbox_story ON outbox (story_id);
  CREATE INDEX outbox_done ON outbox (status, sent_at);
  CREATE INDEX stories_updated ON stories (updated_at);
  `,
  // Admin tools: which pending row waits because its destination refused delivery, and a fingerprint
  // of each destination's credential (never the credential), so a changed one lifts a suspension.
  `
  ALTER TABLE outbox ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE destination_credentials (
    destination TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    noted_at TEXT NOT NULL
  );
  CREATE INDEX seen_items_feed ON seen_items (feed_url);
  `,
  // What each item's analysis read, for `attribot replay`: the text deflated (store/rows.ts), kept
  // for settings.retention.articles, read in (analysed_at, id) order.
  `
  CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    item_key TEXT NOT NULL UNIQUE,
    feed_url TEXT NOT NULL,
    title TEXT,
    link TEXT,
    published TEXT,
    text BLOB NOT NULL,
    analysed_at TEXT NOT NULL
  );
  CREATE INDEX articles_analysed ON articles (analysed_at);
  `,
  // Scheduled summaries: a new outbox kind (SQLite changes a CHECK only by rebuilding the table; the
  // id counter is carried over so ids are never reused) and one row per route and period sent, so
  // no second worker and no restart queues a period twice.
  `
  CREATE TABLE outbox_v6 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'update', 'edit', 'notice', 'digest', 'summary')),
    item_key TEXT REFERENCES seen_items(item_key),
    story_id INTEGER REFERENCES stories(id),
    destination TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'rejected', 'held', 'digested')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    discord_message_id TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    claimed_by TEXT,
    claim_until TEXT,
    suspended INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO outbox_v6 (id, kind, item_key, story_id, destination, message, status, attempts, next_attempt_at,
      last_error, discord_message_id, created_at, sent_at, claimed_by, claim_until, suspended)
    SELECT id, kind, item_key, story_id, destination, message, status, attempts, next_attempt_at,
      last_error, discord_message_id, created_at, sent_at, claimed_by, claim_until, suspended FROM outbox;
  DELETE FROM sqlite_sequence WHERE name = 'outbox_v6';
  UPDATE sqlite_sequence SET name = 'outbox_v6' WHERE name = 'outbox';
  DROP TABLE outbox;
  ALTER TABLE outbox_v6 RENAME TO outbox;
  CREATE INDEX outbox_pending ON outbox (status, id);
  CREATE INDEX outbox_sent ON outbox (destination, status, sent_at);
  CREATE INDEX outbox_destination_pending ON outbox (destination, status, id);
  CREATE INDEX outbox_item ON outbox (item_key);
  CREATE INDEX outbox_story ON outbox (story_id);
  CREATE INDEX outbox_done ON outbox (status, sent_at);
  CREATE TABLE summaries (
    route TEXT NOT NULL,
    period_end TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    PRIMARY KEY (route, period_end)
  );
  `,
];
