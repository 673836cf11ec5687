import { describe, expect, it } from 'vitest';
import {
  failureVerdict,
  isGuidChurn,
  isSilent,
  looksLikeChallengePage,
  medianGapMs,
  type PollPolicy,
  rememberPublishTimes,
  successInterval,
  withJitter,
} from '../../../src/ingest/feed-health.js';

const HOUR = 3_600_000;
const policy: PollPolicy = {
  baseIntervalMs: 10 * 60_000,
  minIntervalMs: 2 * 60_000,
  maxIntervalMs: 2 * HOUR,
  adaptive: true,
  jitter: 0.1,
  maxBackoffMs: 6 * HOUR,
  disableAfterFailures: 10,
};

function hourly(count: number, stepHours: number, from = '2026-11-20T00:00:00Z'): string[] {
  return Array.from({ length: count }, (_, index) =>
    new Date(Date.parse(from) + index * stepHours * HOUR).toISOString(),
  );
}

describe('rhythm', () => {
  it('takes the median gap between distinct publication times', () => {
    expect(medianGapMs(hourly(5, 6))).toBe(6 * HOUR);
    expect(medianGapMs(['2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', '2026-11-20T01:00:00Z'])).toBeNull();
  });

  it('keeps the newest 20 valid times, oldest first', () => {
    const times = rememberPublishTimes(
      hourly(15, 1),
      [...hourly(10, 1, '2026-11-21T00:00:00Z'), 'not a date'],
      new Date('2026-11-22T00:00:00Z'),
    );
    expect(times).toHaveLength(20);
    expect(times.at(-1)).toBe('2026-11-21T09:00:00.000Z');
  });

  it('drops a far-future date, which would otherwise hide a silence for good', () => {
    const now = new Date('2026-11-22T00:00:00Z');
    const times = rememberPublishTimes(hourly(5, 24), ['9999-01-01T00:00:00.000Z'], now);
    expect(times).not.toContain('9999-01-01T00:00:00.000Z');
    expect(isSilent(times, null, new Date('2026-12-30T00:00:00Z'), 5)).toBe(true);
  });
});

describe('successInterval', () => {
  it('polls a busy feed at the minimum and a slow one at the maximum', () => {
    expect(successInterval(policy, hourly(10, 0.05))).toBe(2 * 60_000);
    expect(successInterval(policy, hourly(10, 24))).toBe(2 * HOUR);
    expect(successInterval(policy, hourly(10, 2))).toBe(30 * 60_000);
  });

  it('uses the configured interval without a rhythm or when not adaptive', () => {
    expect(successInterval(policy, [])).toBe(10 * 60_000);
    expect(successInterval({ ...policy, adaptive: false }, hourly(10, 24))).toBe(10 * 60_000);
  });

  it('never polls sooner than Cache-Control allows, within the maximum', () => {
    expect(successInterval({ ...policy, adaptive: false }, [], 30 * 60_000)).toBe(30 * 60_000);
    expect(successInterval({ ...policy, adaptive: false }, [], 10 * HOUR)).toBe(2 * HOUR);
  });

  it('spreads polls by the jitter fraction', () => {
    expect(withJitter(600_000, 0.1, () => 0)).toBe(540_000);
    expect(withJitter(600_000, 0.1, () => 1)).toBe(660_000);
  });
});

describe('failureVerdict', () => {
  it('backs off exponentially from the interval up to the cap', () => {
    const waits = [1, 2, 3, 4, 9].map(
      (n) => failureVerdict(policy, n, { kind: 'timeout' }).retryInMs / 60_000,
    );
    expect(waits).toEqual([10, 20, 40, 80, 360]);
  });

  it('waits at least what Retry-After asked', () => {
    expect(failureVerdict(policy, 1, { kind: 'http', status: 429, retryAfterMs: 3 * HOUR }).retryInMs).toBe(
      3 * HOUR,
    );
  });

  it('disables on 410 Gone at once and after too many failures', () => {
    expect(failureVerdict(policy, 1, { kind: 'http', status: 410 })).toMatchObject({ disable: true });
    expect(failureVerdict(policy, 10, { kind: 'dns' })).toMatchObject({
      disable: true,
      reason: '10 consecutive failures',
    });
    expect(failureVerdict(policy, 9, { kind: 'dns' }).disable).toBe(false);
  });

  it('caps a Retry-After beyond maxBackoff (and says so); an absurd one never overflows a date', () => {
    const asked = 1000 * HOUR;
    expect(failureVerdict(policy, 1, { kind: 'http', status: 429, retryAfterMs: asked })).toEqual({
      disable: false,
      retryInMs: policy.maxBackoffMs,
      cappedRetryAfterMs: asked,
    });
    const absurd = failureVerdict(policy, 1, {
      kind: 'http',
      status: 429,
      retryAfterMs: 99999999999999 * 1000,
    });
    expect(absurd.retryInMs).toBe(policy.maxBackoffMs);
    expect(
      failureVerdict(policy, 1, { kind: 'http', status: 429, retryAfterMs: Number.POSITIVE_INFINITY })
        .retryInMs,
    ).toBe(policy.maxBackoffMs);
  });
});

describe('churn and silence', () => {
  it.each([
    [20, 19, true],
    [20, 3, false],
    [5, 5, false],
  ])('%d items, %d unseen → churn %s', (total, unseen, expected) => {
    expect(isGuidChurn(total, unseen, 0.8)).toBe(expected);
  });

  it('reports a daily feed quiet for a week, not one quiet for a day', () => {
    const daily = hourly(10, 24);
    const last = Date.parse(daily.at(-1)!);
    expect(isSilent(daily, null, new Date(last + 7 * 24 * HOUR), 5)).toBe(true);
    expect(isSilent(daily, null, new Date(last + 30 * HOUR), 5)).toBe(false);
    expect(isSilent([], null, new Date(last + 300 * 24 * HOUR), 5)).toBe(false);
  });

  it('recognises a challenge page but not an HTML article', () => {
    expect(
      looksLikeChallengePage('<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>'),
    ).toBe(true);
    expect(looksLikeChallengePage('<html><body><p>Researchers said the attack...</p></body></html>')).toBe(
      false,
    );
    expect(looksLikeChallengePage('<?xml version="1.0"?><rss></rss>')).toBe(false);
  });
});
