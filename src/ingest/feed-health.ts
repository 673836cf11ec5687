/**
 * When to poll a feed next, and what its recent behaviour tells the admins. Pure: the clock and the
 * random source come in as arguments.
 */
import type { Feed, Settings } from '../config/schema.js';

export interface PollPolicy {
  /** The feed's configured interval (feed.interval ?? settings.interval). */
  baseIntervalMs: number;
  minIntervalMs: number;
  maxIntervalMs: number;
  adaptive: boolean;
  /** ± fraction of the interval, so feeds of one host do not fall into lockstep. */
  jitter: number;
  maxBackoffMs: number;
  disableAfterFailures: number;
}

export interface FailureInfo {
  /** HttpError/FeedFetchError kind, or 'parse' / 'unknown'. */
  kind: string;
  status?: number;
  retryAfterMs?: number;
}

/** A feed's polling policy from its own interval and the global settings. */
export function pollPolicy(feed: Feed, settings: Settings): PollPolicy {
  return {
    baseIntervalMs: feed.interval ?? settings.interval,
    minIntervalMs: settings.minInterval,
    maxIntervalMs: Math.max(settings.maxInterval, feed.interval ?? 0),
    // An interval set on the feed itself is the admin's explicit choice.
    adaptive: settings.adaptive && feed.interval === undefined,
    jitter: settings.jitter,
    maxBackoffMs: settings.maxBackoff,
    disableAfterFailures: settings.disableAfterFailures,
  };
}

/** How many publication times are kept to learn a feed's rhythm. */
export const RHYTHM_SAMPLES = 20;
/** A feed that is disabled is probed again this long after, so a recovered publisher comes back by itself. */
export const DISABLED_PROBE_MS = 24 * 3_600_000;

/** Median gap between distinct publication times, or null with fewer than 3 of them. */
export function medianGapMs(publishTimes: readonly string[]): number | null {
  const times = [...new Set(publishTimes.map((time) => Date.parse(time)).filter(Number.isFinite))].sort(
    (a, b) => a - b,
  );
  if (times.length < 3) return null;
  const gaps = times.slice(1).map((time, index) => time - (times[index] as number));
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? null;
}

/** A publication time further ahead than this is a wrong date, not a rhythm (it would hide a silence for good). */
const FUTURE_SLACK_MS = 86_400_000;

/** Keeps the newest `RHYTHM_SAMPLES` publication times, newest last; times in the future are dropped. */
export function rememberPublishTimes(
  previous: readonly string[],
  added: readonly string[],
  now: Date,
): string[] {
  const latest = now.getTime() + FUTURE_SLACK_MS;
  const all = [...new Set([...previous, ...added])].filter((time) => {
    const at = Date.parse(time);
    return Number.isFinite(at) && at <= latest;
  });
  all.sort((a, b) => Date.parse(a) - Date.parse(b));
  return all.slice(-RHYTHM_SAMPLES);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The interval after a successful poll: the configured one, or (adaptive) a quarter of the feed's
 * usual gap between items, clamped to [min, max]; never sooner than the publisher's Cache-Control allows.
 */
export function successInterval(
  policy: PollPolicy,
  publishTimes: readonly string[],
  cacheFreshMs?: number,
): number {
  let interval = policy.baseIntervalMs;
  if (policy.adaptive) {
    const gap = medianGapMs(publishTimes);
    if (gap !== null) interval = clamp(gap / 4, policy.minIntervalMs, policy.maxIntervalMs);
  }
  if (cacheFreshMs !== undefined && cacheFreshMs > interval)
    interval = Math.min(cacheFreshMs, policy.maxIntervalMs);
  return interval;
}

export function withJitter(intervalMs: number, jitter: number, random: () => number): number {
  return Math.round(intervalMs * (1 + jitter * (2 * random() - 1)));
}

export type FailureVerdict = {
  disable: boolean;
  reason?: string;
  retryInMs: number;
  /** The publisher's Retry-After, when it asked for longer than maxBackoff (which was used instead). */
  cappedRetryAfterMs?: number;
};

/**
 * Exponential backoff from the feed's interval, capped at maxBackoff, at least the publisher's
 * Retry-After (itself capped at maxBackoff: a publisher cannot park a feed for days); 410 or too
 * many failures disable.
 */
export function failureVerdict(
  policy: PollPolicy,
  consecutiveFailures: number,
  failure: FailureInfo,
): FailureVerdict {
  if (failure.status === 410)
    return { disable: true, reason: 'the publisher answered 410 Gone', retryInMs: DISABLED_PROBE_MS };
  if (consecutiveFailures >= policy.disableAfterFailures) {
    return {
      disable: true,
      reason: `${consecutiveFailures} consecutive failures`,
      retryInMs: DISABLED_PROBE_MS,
    };
  }
  const exponential = Math.min(
    policy.maxBackoffMs,
    policy.baseIntervalMs * 2 ** Math.max(0, consecutiveFailures - 1),
  );
  const requested = failure.retryAfterMs ?? 0;
  const asked = Number.isNaN(requested) ? 0 : Math.max(0, requested);
  const retryAfter = Math.min(asked, policy.maxBackoffMs);
  return {
    disable: false,
    retryInMs: Math.max(exponential, retryAfter),
    ...(asked > policy.maxBackoffMs ? { cappedRetryAfterMs: asked } : {}),
  };
}

/**
 * GUID churn: a known feed whose items suddenly nearly all look new (a CMS migration, a changed
 * guid scheme). Small feeds are exempt: one with 3 items can legitimately turn over completely.
 */
export function isGuidChurn(totalItems: number, unseenItems: number, ratio: number, minItems = 8): boolean {
  return totalItems >= minItems && unseenItems / totalItems >= ratio;
}

/**
 * Silence: a feed that used to publish regularly has had nothing new for `factor` times its usual
 * gap (and at least two days, so a quiet weekend is not news).
 */
export function isSilent(
  publishTimes: readonly string[],
  lastNewItemAt: string | null,
  now: Date,
  factor: number,
): boolean {
  const gap = medianGapMs(publishTimes);
  const newest = publishTimes.at(-1);
  const reference = [lastNewItemAt, newest].filter((value): value is string => !!value).map(Date.parse);
  if (gap === null || reference.length === 0) return false;
  const quietFor = now.getTime() - Math.max(...reference);
  return quietFor > Math.max(factor * gap, 2 * 86_400_000);
}

/** A challenge or block page served where the feed used to be (Cloudflare, bot walls). */
export function looksLikeChallengePage(body: string): boolean {
  const head = body.slice(0, 4096).toLowerCase();
  if (!/<html[\s>]/.test(head) && !head.includes('<!doctype html')) return false;
  return /just a moment|checking your browser|cf-chl|captcha|access denied|attention required|ddos protection|enable javascript and cookies/.test(
    body.slice(0, 20_000).toLowerCase(),
  );
}
