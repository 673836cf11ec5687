import { describe, expect, it } from 'vitest';
import { cycleCounts, cycleHint, type PolledFeed } from '../../../src/ingest/cycle-report.js';
import { emptyOutcome } from '../../../src/pipeline.js';

function outcome(
  feedUrl: string,
  status: PolledFeed['status'],
  fields: Partial<PolledFeed> = {},
): PolledFeed {
  return { ...emptyOutcome(feedUrl, status), ...fields };
}

const dnsFailure = (host: string): PolledFeed =>
  outcome(`https://${host}/feed`, 'failed', {
    error: 'Request failed (dns): ENOTFOUND',
    errorKind: 'dns',
  });

describe('cycle counts', () => {
  it('adds up what the polls recorded', () => {
    const counts = cycleCounts([
      outcome('https://a.example/feed', 'ok', {
        items: 20,
        newItems: 2,
        alerts: 1,
        notices: [{}],
        pagesFetched: 1,
      }),
      outcome('https://b.example/feed', 'not-modified'),
      outcome('https://c.example/feed', 'ok', { items: 30, seeded: 30, notices: [{}] }),
      dnsFailure('d.example'),
    ]);
    expect(counts).toEqual({
      feeds: 4,
      failed: 1,
      notModified: 1,
      items: 50,
      newItems: 2,
      seeded: 30,
      quarantined: 0,
      revised: 0,
      notices: 2,
      pagesFetched: 1,
      alerts: 1,
    });
  });
});

describe('the hint of a cycle in which most feeds failed', () => {
  it('names the common failure, how many feeds share it, and what to check', () => {
    const hint = cycleHint([
      dnsFailure('therecord.media'),
      dnsFailure('www.bleepingcomputer.com'),
      dnsFailure('krebsonsecurity.com'),
      outcome('https://www.cisa.gov/feed', 'failed', {
        error: 'HTTP 503 Service Unavailable',
        errorKind: 'http',
        errorStatus: 503,
      }),
      outcome('http://127.0.0.1:8000/feed.xml', 'ok'),
    ]);
    expect(hint?.commonError).toEqual({ kind: 'dns', feeds: 3, example: 'Request failed (dns): ENOTFOUND' });
    expect(hint?.hint).toBe(
      "4 of 5 feeds failed; 3 with dns (Request failed (dns): ENOTFOUND): name resolution fails: check this host's DNS (resolv.conf, the container's network) and that it can reach the internet",
    );
    expect(hint?.failingFeeds).toEqual([
      'https://therecord.media/feed',
      'https://www.bleepingcomputer.com/feed',
      'https://krebsonsecurity.com/feed',
      'https://www.cisa.gov/feed',
    ]);
  });

  it.each([
    ['connect', undefined, /HTTPS_PROXY\/HTTP_PROXY\/NO_PROXY/],
    ['timeout', undefined, /settings\.requestTimeout/],
    ['tls', undefined, /system clock, the CA certificates/],
    ['http', 407, /proxy wants credentials/],
    ['http', 403, /settings\.userAgent/],
    ['http', 502, /publishers answer with errors/],
    ['challenge', undefined, /bot-challenge pages/],
    ['something-new', undefined, /network, proxy \(HTTPS_PROXY\) and DNS first/],
  ])('%s %s: says what to check', (errorKind, errorStatus, check) => {
    const failed = (host: string) =>
      outcome(`https://${host}/feed`, 'failed', {
        error: 'failure',
        errorKind,
        ...(errorStatus !== undefined ? { errorStatus } : {}),
      });
    expect(cycleHint([failed('a.example'), failed('b.example')])?.hint).toMatch(check);
  });

  it('gives none while at least half the polled feeds answer, or when one feed fails alone', () => {
    expect(
      cycleHint([dnsFailure('a.example'), outcome('https://b.example/feed', 'not-modified')]),
    ).toBeNull();
    expect(cycleHint([dnsFailure('a.example')])).toBeNull();
    expect(cycleHint([])).toBeNull();
  });

  it('leaves out feeds this worker did not poll', () => {
    const others = [
      outcome('https://c.example/feed', 'elsewhere'),
      outcome('https://d.example/feed', 'skipped'),
    ];
    expect(cycleHint([dnsFailure('a.example'), dnsFailure('b.example'), ...others])?.hint).toMatch(
      /^2 of 2 feeds failed/,
    );
  });

  it('keeps secrets in an error out of the hint', () => {
    const leaky = (host: string) =>
      outcome(`https://${host}/feed`, 'failed', {
        error: 'HTTP 401 at https://reader:hunter2@feeds.example/x?apikey=s3cret',
        errorKind: 'http',
        errorStatus: 401,
      });
    const hint = cycleHint([leaky('a.example'), leaky('b.example')]);
    expect(hint?.hint).not.toMatch(/hunter2|s3cret/);
    expect(hint?.commonError.example).not.toMatch(/hunter2|s3cret/);
  });
});
