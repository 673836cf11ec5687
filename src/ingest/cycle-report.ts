/**
 * What one cycle's polls add up to (the "Cycle finished" line, the status page, /metrics), and,
 * when most feeds failed, what to check: many feeds failing at once is rarely the publishers' doing.
 * Pure.
 */
import { redactSecrets } from '../shared/redact.js';

/** What one feed's poll in a cycle came to (pipeline's FeedOutcome adds its notices' details). */
export interface PolledFeed {
  feedUrl: string;
  /** skipped: not polled because the worker is stopping; elsewhere: another worker holds or just did it. */
  status: 'ok' | 'not-modified' | 'failed' | 'skipped' | 'elsewhere';
  items: number;
  newItems: number;
  seeded: number;
  quarantined: number;
  /** Known items whose content changed and were analysed again. */
  revised: number;
  /** Summary-only items whose article page was read. */
  pagesFetched: number;
  /** Summary-only items analysed from the feed text because the poll's page cap was reached. */
  pagesSkipped: number;
  alerts: number;
  notices: readonly unknown[];
  error?: string;
  /** The failure's kind (dns, connect, timeout, tls, http, not-a-feed...), for the cycle's hint. */
  errorKind?: string;
  /** The HTTP status of a failure, when there was one. */
  errorStatus?: number;
}

export interface CycleCounts {
  feeds: number;
  failed: number;
  notModified: number;
  items: number;
  newItems: number;
  seeded: number;
  quarantined: number;
  revised: number;
  notices: number;
  pagesFetched: number;
  alerts: number;
}

export function cycleCounts(outcomes: readonly PolledFeed[]): CycleCounts {
  const total = (
    key: 'items' | 'newItems' | 'seeded' | 'quarantined' | 'revised' | 'pagesFetched' | 'alerts',
  ) => outcomes.reduce((sum, outcome) => sum + outcome[key], 0);
  return {
    feeds: outcomes.length,
    failed: outcomes.filter((outcome) => outcome.status === 'failed').length,
    notModified: outcomes.filter((outcome) => outcome.status === 'not-modified').length,
    items: total('items'),
    newItems: total('newItems'),
    seeded: total('seeded'),
    quarantined: total('quarantined'),
    revised: total('revised'),
    notices: outcomes.reduce((sum, outcome) => sum + outcome.notices.length, 0),
    pagesFetched: total('pagesFetched'),
    alerts: total('alerts'),
  };
}

export interface CycleHint {
  /** "17 of 22 feeds failed; 15 with dns (Request failed (dns): ENOTFOUND): check …" */
  hint: string;
  /** The most common failure: its kind (with the HTTP status for http), how many feeds, one message. */
  commonError: { kind: string; feeds: number; example: string };
  /** A few of the failing feeds, to try by hand. */
  failingFeeds: string[];
}

/** What to look at first, by the kind of failure most feeds share. */
const WHAT_TO_CHECK: Record<string, string> = {
  dns: "name resolution fails: check this host's DNS (resolv.conf, the container's network) and that it can reach the internet",
  connect:
    'connections fail: check the network, the firewall and, behind a corporate proxy, HTTPS_PROXY/HTTP_PROXY/NO_PROXY',
  timeout: 'requests time out: check the network, the proxy (HTTPS_PROXY) and settings.requestTimeout',
  tls: 'TLS handshakes fail: check the system clock, the CA certificates and any TLS-inspecting proxy',
  'http 407': 'the proxy wants credentials: put them in HTTPS_PROXY (http://user:password@proxy:port)',
  'http 403':
    "publishers refuse this host: check settings.userAgent and whether this host's address is blocked or behind a VPN",
  'http 429':
    'publishers rate-limit this host: poll less often (settings.interval) or share fewer feeds per host',
  http: 'publishers answer with errors: check the failing feeds (attribot feeds) and, if they work elsewhere, the proxy',
  'not-a-feed':
    'the answers are not feeds: a captive portal, a proxy or a login page may be answering for the publishers',
  challenge:
    "publishers serve bot-challenge pages: check settings.userAgent and this host's address (a datacentre or VPN range)",
  blocked:
    'redirects lead to private addresses: a proxy or captive portal may be answering for the publishers',
  store: "the database fails: check the disk (or PostgreSQL's connection) and the worker's log above",
};

const FALLBACK_CHECK =
  'check the network, proxy (HTTPS_PROXY) and DNS first, then the feeds (attribot feeds)';

function kindOf(outcome: PolledFeed): string {
  const kind = outcome.errorKind ?? 'unknown';
  return kind === 'http' && outcome.errorStatus !== undefined ? `http ${outcome.errorStatus}` : kind;
}

/**
 * A hint when most polled feeds failed (more than half of those that were fetched, at least two),
 * null otherwise. One feed failing alone is that feed's problem; its error is in its own log line.
 */
export function cycleHint(outcomes: readonly PolledFeed[]): CycleHint | null {
  const polled = outcomes.filter(
    (outcome) => outcome.status === 'ok' || outcome.status === 'not-modified' || outcome.status === 'failed',
  );
  const failed = polled.filter((outcome) => outcome.status === 'failed');
  if (failed.length < 2 || failed.length * 2 <= polled.length) return null;
  const byKind = new Map<string, PolledFeed[]>();
  for (const outcome of failed)
    byKind.set(kindOf(outcome), [...(byKind.get(kindOf(outcome)) ?? []), outcome]);
  const [kind, feeds] = [...byKind].sort((a, b) => b[1].length - a[1].length)[0] as [string, PolledFeed[]];
  const example = redactSecrets(feeds[0]?.error ?? 'no message');
  const check = WHAT_TO_CHECK[kind] ?? WHAT_TO_CHECK[kind.split(' ')[0] ?? ''] ?? FALLBACK_CHECK;
  return {
    hint: `${failed.length} of ${polled.length} feeds failed; ${feeds.length} with ${kind} (${example}): ${check}`,
    commonError: { kind, feeds: feeds.length, example },
    failingFeeds: failed.slice(0, 5).map((outcome) => outcome.feedUrl),
  };
}
