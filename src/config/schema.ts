import { z } from 'zod';

/** "90s", "10m", "2h", "1d" or a bare number of minutes → milliseconds. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 60_000 : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 'm').toLowerCase();
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
  return factor === undefined ? null : Math.round(amount * factor);
}

const Duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({
      code: 'custom',
      message: `not a duration: ${JSON.stringify(value)} (use e.g. 90s, 10m, 2h, 1d)`,
    });
    return z.NEVER;
  }
  return ms;
});

const HttpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), {
    message: 'must be an absolute http(s) URL',
  });

export const Feed = z
  .object({
    url: HttpUrl.describe('Feed URL (RSS, Atom, RDF or JSON Feed).'),
    name: z.string().trim().min(1).optional().describe('Display name; defaults to the feed host.'),
    interval: Duration.optional().describe(
      'How often to poll this feed (e.g. 10m); defaults to settings.interval.',
    ),
  })
  .strict();
export type Feed = z.infer<typeof Feed>;

export const Settings = z
  .object({
    schedule: z
      .string()
      .default('* * * * *')
      .describe(
        'node-cron expression for the scheduler tick; each tick polls the feeds whose interval is due.',
      ),
    interval: Duration.prefault('10m').describe('Default poll interval per feed.'),
    adaptive: z
      .boolean()
      .default(true)
      .describe("Learn each feed's publishing rhythm and poll at about a quarter of its usual gap, within minInterval..maxInterval."),
    minInterval: Duration.prefault('2m').describe('Shortest adaptive interval.'),
    maxInterval: Duration.prefault('2h').describe('Longest adaptive interval, also the cap on Cache-Control.'),
    jitter: z.number().min(0).max(0.5).default(0.1).describe('± fraction of the interval added at random.'),
    maxBackoff: Duration.prefault('6h').describe('Longest wait between polls of a failing feed.'),
    disableAfterFailures: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe('Consecutive failures after which a feed is disabled (probed daily; 410 Gone disables at once).'),
    perHostConcurrency: z.number().int().min(1).max(16).default(2).describe('Requests at once to one host:port.'),
    churnRatio: z
      .number()
      .min(0.3)
      .max(1)
      .default(0.8)
      .describe('Share of a known feed\'s items that may look new at once before they are quarantined as id churn.'),
    silenceFactor: z
      .number()
      .min(2)
      .default(5)
      .describe("Report a feed quiet for this many times its usual gap between items (at least 2 days)."),
    firstSightWindow: Duration.prefault('24h').describe(
      'On the first poll of a feed, only items published this recently are processed; older ones are recorded as seen. 0 processes everything.',
    ),
    concurrency: z.number().int().min(1).max(64).default(4).describe('Feeds fetched at once.'),
    requestTimeout: Duration.prefault('20s').describe('Total deadline of one HTTP request, body included.'),
    maxFeedBytes: z
      .number()
      .int()
      .min(1024)
      .default(5 * 1024 * 1024)
      .describe('Largest feed body accepted, after decompression.'),
    userAgent: z
      .string()
      .default('attribot/0.1 (+https://github.com/attribot/attribot; security news attribution alerts)')
      .describe('User-Agent sent to publishers.'),
    minConfidence: z.number().min(0).max(1).default(0).describe('Alerts below this confidence are not sent.'),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

export const DeliveryTarget = z.discriminatedUnion('type', [
  z
    .object({
      name: z.string().trim().min(1).describe('Name routes refer to.'),
      type: z.literal('webhook'),
      webhookUrlEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
        .describe('Environment variable holding the webhook URL (secrets never live in YAML).'),
    })
    .strict(),
  z
    .object({
      name: z.string().trim().min(1),
      type: z.literal('console'),
    })
    .strict(),
]);
export type DeliveryTarget = z.infer<typeof DeliveryTarget>;

export const Config = z
  .object({
    settings: Settings.prefault({}).describe('Scheduling, HTTP and alert thresholds.'),
    feeds: z.array(Feed).default([]).describe('Feeds to watch.'),
    destinations: z
      .array(DeliveryTarget)
      .default([])
      .describe('Where alerts go. With none, DISCORD_WEBHOOK_URL or else the console is used.'),
  })
  .strict();
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
