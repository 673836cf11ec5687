/**
 * GET / on the ops port: the admin reports (feeds, destinations, recent stories) and the last cycle
 * as one server-rendered HTML page that reads on a phone. No script, no outside resource; every
 * string from a feed, a publisher or the database is escaped, and only http(s) links are links.
 * Pure.
 */
import type { CycleCounts } from '../ingest/cycle-report.js';
import { formatDelay } from '../ingest/poll-decisions.js';
import type { DestinationReport } from './destination-report.js';
import { describeHealth, type FeedHealth, type FeedReport } from './feed-report.js';
import { describeOutcome, type RecentStory } from './recent-report.js';
import { count, shown, when } from './when.js';

export interface LastCycle {
  finishedAt: string;
  durationMs: number;
  counts: CycleCounts;
  /** Deliveries by result (sent, retried, rejected, held). */
  delivery: Readonly<Record<string, number>>;
  /** What to check when most feeds failed (see cycleHint). */
  hint: string | null;
}

export interface StatusPageData {
  now: Date;
  version: string;
  readiness: { ready: boolean; reasons: readonly string[] };
  lastCycle: LastCycle | null;
  feeds: readonly FeedReport[];
  destinations: readonly DestinationReport[];
  stories: readonly RecentStory[];
  /** The period `stories` covers, in words ("24 h"). */
  storyPeriod: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/** A link when `url` is http(s), else the text alone: a feed cannot smuggle a javascript: URL in. */
function link(url: string | null, text: string): string {
  if (url === null || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return escapeHtml(text);
  return `<a href="${escapeHtml(new URL(url).href)}" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

/** Worst first: what needs an admin is at the top of a long list. */
const HEALTH_ORDER: Record<FeedHealth, number> = {
  disabled: 0,
  failing: 1,
  'backing-off': 2,
  'never-polled': 3,
  ok: 4,
};

const HEALTH_CLASS: Record<FeedHealth, 'ok' | 'warn' | 'bad' | 'idle'> = {
  ok: 'ok',
  'never-polled': 'idle',
  'backing-off': 'warn',
  failing: 'bad',
  disabled: 'bad',
};

function feedItem(report: FeedReport, now: Date): string {
  const error = report.lastError ? `<p class="error">${escapeHtml(shown(report.lastError))}</p>` : '';
  return `<li class="card">
<div class="row"><strong>${link(report.url, shown(report.name, 120))}</strong><span class="badge ${HEALTH_CLASS[report.health]}">${report.health}</span></div>
<p class="muted">${escapeHtml(describeHealth(report, now))}</p>
<p class="muted">last success ${escapeHtml(when(report.lastSuccessAt, now))} · alerts sent ${report.alertsSent}</p>
${error}</li>`;
}

function destinationItem(report: DestinationReport, now: Date): string {
  const state = report.suspendedUntil
    ? `<span class="badge bad">suspended</span>`
    : report.retryAt
      ? `<span class="badge warn">retrying</span>`
      : `<span class="badge ok">ok</span>`;
  const waiting = report.suspendedUntil
    ? `<p class="muted">suspended until ${escapeHtml(when(report.suspendedUntil, now))}: it refused delivery; run attribot destinations test ${escapeHtml(report.name)} once fixed</p>`
    : report.retryAt
      ? `<p class="muted">next try ${escapeHtml(when(report.retryAt, now))}</p>`
      : '';
  const error = report.lastError ? `<p class="error">${escapeHtml(shown(report.lastError))}</p>` : '';
  return `<li class="card">
<div class="row"><span><strong>${escapeHtml(report.name)}</strong> <span class="muted">${report.type}</span></span>${state}</div>
<p class="depth"><span data-pending="${report.pending}">${report.pending} pending</span> · ${report.held} held for the digest${report.rejected > 0 ? ` · ${report.rejected} rejected` : ''}</p>
<p class="muted">last alert delivered ${escapeHtml(when(report.lastSentAt, now))}</p>
${waiting}${error}</li>`;
}

function storyItem(story: RecentStory, now: Date): string {
  const who = [...story.actors, ...story.countries.filter((country) => !story.actors.includes(country))];
  const where =
    story.destinations.length > 0
      ? story.destinations.map(describeOutcome).join(', ')
      : 'no delivery recorded (past the outbox retention)';
  return `<li class="card">
<strong>${link(story.url, shown(story.title, 200) || 'Untitled')}</strong>
<p class="muted">${escapeHtml(when(story.updatedAt, now))} · ${escapeHtml(count(story.outlets, 'outlet'))}${who.length > 0 ? ` · ${escapeHtml(shown(who.join(', '), 200))}` : ''}</p>
<p>→ ${escapeHtml(where)}</p>
</li>`;
}

function cycleSection(cycle: LastCycle | null, now: Date): string {
  if (cycle === null) return '<p class="muted">No cycle has finished since the worker started.</p>';
  const { counts, delivery } = cycle;
  const facts: Array<[string, string | number]> = [
    ['finished', when(cycle.finishedAt, now)],
    [
      'took',
      cycle.durationMs < 60_000 ? `${(cycle.durationMs / 1000).toFixed(1)} s` : formatDelay(cycle.durationMs),
    ],
    ['feeds polled', counts.feeds],
    ['failed', counts.failed],
    ['not modified', counts.notModified],
    ['new items', counts.newItems],
    ['seeded', counts.seeded],
    ['alerts', counts.alerts],
    ['sent', delivery.sent ?? 0],
    ['retried', delivery.retried ?? 0],
    ['held', delivery.held ?? 0],
    ['rejected', delivery.rejected ?? 0],
  ];
  const hint = cycle.hint ? `<p class="error">${escapeHtml(cycle.hint)}</p>` : '';
  return `<dl class="facts">${facts
    .map(([term, value]) => `<div><dt>${term}</dt><dd>${escapeHtml(String(value))}</dd></div>`)
    .join('')}</dl>${hint}`;
}

const STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--idle:#6e7781;--line:#d0d7de;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--line:#30363d;--card:#161b22;--ok:#3fb950;--warn:#d29922;--bad:#f85149}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:56rem;padding:1rem;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
p{margin:.2rem 0}a{color:inherit}
ul{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.6rem .75rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline;justify-content:space-between}
.muted{color:var(--idle);font-size:.9rem}.error{color:var(--bad);font-size:.9rem}
.badge{font-size:.8rem;font-weight:600;border-radius:1rem;padding:0 .5rem;border:1px solid currentColor;white-space:nowrap}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.idle{color:var(--idle)}
.state{font-weight:600}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(6.5rem,1fr));gap:.4rem;margin:0}
.facts div{background:var(--card);border:1px solid var(--line);border-radius:.4rem;padding:.3rem .5rem}
dt{font-size:.8rem;color:var(--idle)}dd{margin:0;font-weight:600}
@media (min-width:40rem){ul.cols{grid-template-columns:1fr 1fr}}
`;

export function renderStatusPage(data: StatusPageData): string {
  const { now, readiness } = data;
  const troubled = data.feeds.filter((report) => report.health !== 'ok' && report.health !== 'never-polled');
  const feeds = [...data.feeds].sort((a, b) => HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health]);
  const pending = data.destinations.reduce((sum, report) => sum + report.pending, 0);
  const state = readiness.ready
    ? '<p class="state ok">Ready</p>'
    : `<p class="state bad">Not ready</p><ul>${readiness.reasons
        .map((reason) => `<li class="error">${escapeHtml(reason)}</li>`)
        .join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<meta name="referrer" content="no-referrer">
<title>attribot status</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>attribot</h1>
${state}
<p class="muted">version ${escapeHtml(data.version)} · as of ${escapeHtml(when(now.toISOString(), now))} · refreshes every minute</p>
</header>
<section id="cycle">
<h2>Last cycle</h2>
${cycleSection(data.lastCycle, now)}
</section>
<section id="destinations">
<h2>Destinations <span class="muted">${escapeHtml(count(pending, 'alert'))} pending</span></h2>
${data.destinations.length > 0 ? `<ul class="cols">${data.destinations.map((report) => destinationItem(report, now)).join('\n')}</ul>` : '<p class="muted">No destinations.</p>'}
</section>
<section id="feeds">
<h2>Feeds <span class="muted">${escapeHtml(count(data.feeds.length, 'feed'))}, ${troubled.length} not ok</span></h2>
${feeds.length > 0 ? `<ul class="cols">${feeds.map((report) => feedItem(report, now)).join('\n')}</ul>` : '<p class="muted">No feeds are configured.</p>'}
</section>
<section id="stories">
<h2>Recent stories <span class="muted">last ${escapeHtml(data.storyPeriod)}</span></h2>
${data.stories.length > 0 ? `<ul>${data.stories.map((story) => storyItem(story, now)).join('\n')}</ul>` : `<p class="muted">No stories in the last ${escapeHtml(data.storyPeriod)}.</p>`}
</section>
</body>
</html>
`;
}
