import type { Attribution } from '../attribution/attribution.js';

/** Another outlet reporting the same story (filled by clustering). */
export interface AlertSource {
  name: string;
  url?: string;
  /** The URL of the feed the report came from (absent on stories stored before it was kept). */
  feedUrl?: string;
}

/** Where one report of a story came from, as routes' `feeds` and `sources` see it. */
export interface ReportOrigin {
  /** The feed's display name. */
  feed: string;
  /** The article link. */
  url?: string;
  feedUrl?: string;
}

/**
 * What `formatAlert` turns into one Discord message. Everything except `sourceName` comes from a
 * feed or an article and is untrusted text.
 */
export interface Alert {
  attribution: Attribution;
  articleTitle: string | null;
  articleUrl?: string;
  /** The feed's display name (admin config). */
  sourceName: string;
  /** As the feed gave it: ISO 8601, RFC 2822, or partial such as "2021-07". */
  published?: string;
  otherSources?: AlertSource[];
}
