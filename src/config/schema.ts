import { z } from 'zod';

/**
 * "90s", "10m", "2h", "1d" (or "500ms") → milliseconds. A bare number is ambiguous (seconds? minutes?)
 * and is refused, except 0.
 */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return value === 0 ? 0 : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) return null;
  const amount = Number(match[1]);
  if (match[2] === undefined) return amount === 0 ? 0 : null;
  const unit = match[2].toLowerCase();
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
  return factor === undefined ? null : Math.round(amount * factor);
}

/** A duration as the config writes it (see parseDuration), read as milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({
      code: 'custom',
      message: `not a duration: ${JSON.stringify(value)} (give a unit: e.g. 90s, 10m, 2h, 1d; a bare number must be 0)`,
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

/** A feed's display name: its configured name, else its host. Routes' `feeds` name feeds by it. */
export function feedName(feed: Feed): string {
  return feed.name ?? new URL(feed.url).host;
}

/** Feed names compare in any case and with runs of spaces as one. */
export function normalizeFeedName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

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
      .describe(
        "Learn each feed's publishing rhythm and poll at about a quarter of its usual gap, within minInterval..maxInterval.",
      ),
    minInterval: Duration.prefault('2m').describe('Shortest adaptive interval.'),
    maxInterval: Duration.prefault('2h').describe(
      'Longest adaptive interval, also the cap on Cache-Control.',
    ),
    jitter: z.number().min(0).max(0.5).default(0.1).describe('± fraction of the interval added at random.'),
    maxBackoff: Duration.prefault('6h').describe('Longest wait between polls of a failing feed.'),
    disableAfterFailures: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe(
        'Consecutive failures after which a feed is disabled (probed daily; 410 Gone disables at once).',
      ),
    perHostConcurrency: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(2)
      .describe('Requests at once to one host:port.'),
    churnRatio: z
      .number()
      .min(0.3)
      .max(1)
      .default(0.8)
      .describe(
        "Share of a known feed's items that may look new at once before they are quarantined as id churn.",
      ),
    storyWindow: Duration.prefault('72h').describe(
      'Reports of the same incident within this window are one story: later ones edit the first alert.',
    ),
    storyThreshold: z
      .number()
      .min(0.3)
      .max(2)
      .default(0.6)
      .describe(
        'Similarity (shared actors 0.5, products 0.3, countries 0.25, a CVE 0.2, headline up to 0.6; CVEs that are at least half of the longer CVE list 1) that joins a story.',
      ),
    silenceFactor: z
      .number()
      .min(2)
      .default(5)
      .describe('Report a feed quiet for this many times its usual gap between items (at least 2 days).'),
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
    fetchArticlePages: z
      .boolean()
      .default(true)
      .describe('When a feed item carries only a summary, fetch the article page and read its main text.'),
    maxPagesPerPoll: z
      .number()
      .int()
      .min(0)
      .default(30)
      .describe(
        'Article pages one poll of one feed may fetch; further summary-only items are analysed from the feed text.',
      ),
    documentBudget: Duration.prefault('10s').describe(
      'Time a worker thread may spend parsing one feed document or extracting one article page; past it the work is abandoned and that feed or item fails.',
    ),
    summaryChars: z
      .number()
      .int()
      .min(0)
      .default(700)
      .describe('A feed item whose text is shorter than this counts as a summary.'),
    allowPrivateNetwork: z
      .boolean()
      .default(false)
      .describe(
        'Let article-page fetches reach loopback/private/link-local addresses (off: links come from third parties). ATTRIBOT_ALLOW_PRIVATE_NETWORK=1 also sets it.',
      ),
    floodCap: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Alerts one destination gets per floodWindow; the rest wait for the digest.'),
    floodWindow: Duration.prefault('1h').describe('The window of floodCap.'),
    digestInterval: Duration.prefault('1h').describe(
      'How long held alerts wait before they go out as one digest message.',
    ),
    retention: z
      .object({
        items: Duration.prefault('180d').describe(
          'A recorded item is forgotten once no feed has listed it for this long (a feed that keeps old items forever keeps them known).',
        ),
        stories: Duration.prefault('30d').describe('A story is forgotten this long after its last report.'),
        outbox: Duration.prefault('30d').describe(
          'Delivered, rejected and digested outbox rows are deleted this long after; pending and held rows never are.',
        ),
        articles: Duration.prefault('30d').describe(
          'How long the text of each analysed article is kept, for `attribot replay` (article text is most of the database).',
        ),
      })
      .strict()
      .prefault({})
      .describe('How long the database keeps what it has dealt with (pruned hourly, by one worker).'),
    readiness: z
      .object({
        minFeedSuccessRatio: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe(
            'Share of the polled feeds whose last poll answered (not failing, backing off or disabled) needed to be ready; 0 leaves the feeds out.',
          ),
        staleFactor: z
          .number()
          .min(1)
          .default(2)
          .describe(
            'Not ready when no cycle has finished for this many times settings.interval (and at least three scheduler ticks).',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        'When GET /readyz answers 200: config loaded, database reachable, a recent cycle, enough feeds answering. /healthz is liveness only.',
      ),
  })
  .strict()
  .superRefine((settings, ctx) => {
    // A story still open to new reports needs itself and its sent alerts (the message ids edits target).
    for (const key of ['stories', 'outbox'] as const) {
      if (settings.retention[key] < settings.storyWindow)
        ctx.addIssue({
          code: 'custom',
          path: ['retention', key],
          message: `must be at least storyWindow (${settings.storyWindow / 3_600_000} h): stories in the window are still edited`,
        });
    }
  });
export type Settings = z.infer<typeof Settings>;

/** The destination that receives admin notices (feed disabled, churn, …) instead of alerts. */
export const ADMIN_DESTINATION = 'admin';

/** The watchlist slash commands add to (and mutes suppress across); see src/config/overrides.ts. */
export const DISCORD_WATCHLIST = 'discord';

const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name');
const SecretFile = z.string().trim().min(1);

/** Discord ids are 64-bit: YAML reads unquoted long numbers imprecisely, so they must be strings. */
export const Snowflake = z
  .string({ error: 'must be a quoted Discord id (YAML reads long unquoted numbers imprecisely)' })
  .regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');

/** Discord refuses a webhook name outside 1..80 characters or containing "discord" or "clyde". */
const WebhookUsername = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((value) => !/discord|clyde/i.test(value), {
    message: 'Discord refuses webhook names containing "discord" or "clyde"',
  });

const HttpsUrl = z
  .string()
  .trim()
  .refine((value) => /^https:\/\//i.test(value) && URL.canParse(value), {
    message: 'must be an absolute https URL',
  });

const Name = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'use letters, digits, and . _ : - only');

const WebhookTarget = z
  .object({
    name: Name.describe('Name routes refer to.'),
    type: z.literal('webhook'),
    webhookUrlEnv: EnvName.optional().describe(
      'Environment variable holding the webhook URL (secrets never live in YAML). One of webhookUrlEnv, webhookUrlFile.',
    ),
    webhookUrlFile: SecretFile.optional().describe(
      'File holding the webhook URL (e.g. a Docker secret under /run/secrets); trimmed. Relative paths start at the working directory.',
    ),
    threadId: Snowflake.optional().describe(
      "Post into this thread or forum post of the webhook's channel (Discord's thread_id); edits of a story's alert go there too. A webhook URL ending in ?thread_id=<id> does the same.",
    ),
    username: WebhookUsername.optional().describe(
      'Name the messages show instead of the webhook\'s own (1 to 80 characters; Discord refuses names containing "discord" or "clyde").',
    ),
    avatarUrl: HttpsUrl.optional().describe(
      "Avatar image (an https URL) the messages show instead of the webhook's own.",
    ),
  })
  .strict();

const BotTarget = z
  .object({
    name: Name.describe('Name routes refer to.'),
    type: z.literal('bot'),
    tokenEnv: EnvName.optional().describe(
      'Environment variable holding the bot token. One of tokenEnv, tokenFile.',
    ),
    tokenFile: SecretFile.optional().describe('File holding the bot token; trimmed.'),
    channelId: Snowflake.describe('Channel the bot posts alerts to.'),
    guildId: Snowflake.optional().describe(
      'Server of the channel. With it, the /attribot slash commands are registered in that server.',
    ),
    adminRoleIds: z
      .array(Snowflake)
      .default([])
      .describe('Roles that may change watches and mutes, besides members with Manage Server.'),
  })
  .strict();

const ConsoleTarget = z
  .object({
    name: Name.describe('Name routes refer to.'),
    type: z.literal('console'),
  })
  .strict();

/** An http(s) URL in the config (not a secret: credentials go in the variable or file named beside it). */
const ServiceUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an http(s) URL')
  .refine((value) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    return !url?.username && !url?.password;
  }, 'must not contain credentials (name the variable or file that holds them)');

const TaxiiTarget = z
  .object({
    name: Name.describe('Name routes refer to.'),
    type: z.literal('taxii'),
    url: ServiceUrl.describe(
      'The TAXII 2.1 API root, e.g. https://taxii.example.org/api1/ (objects are POSTed to {url}collections/{collection}/objects/).',
    ),
    collection: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('Id of the collection stories are added to (the server must let attribot write it).'),
    auth: z
      .enum(['basic', 'bearer'])
      .default('basic')
      .describe('basic: the secret is "user:password"; bearer: the secret is a token.'),
    secretEnv: EnvName.optional().describe(
      'Environment variable holding the credential ("user:password" or the token). One of secretEnv, secretFile.',
    ),
    secretFile: SecretFile.optional().describe('File holding the credential; trimmed.'),
  })
  .strict();

const MispTarget = z
  .object({
    name: Name.describe('Name routes refer to.'),
    type: z.literal('misp'),
    url: ServiceUrl.describe('The MISP instance, e.g. https://misp.example.org/'),
    keyEnv: EnvName.optional().describe(
      "Environment variable holding a MISP automation key (the user's auth key). One of keyEnv, keyFile.",
    ),
    keyFile: SecretFile.optional().describe('File holding the MISP key; trimmed.'),
    distribution: z
      .union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)])
      .default(0)
      .describe(
        'Who may see the events: 0 your organisation only, 1 this community, 2 connected communities, 3 all.',
      ),
  })
  .strict();

/** Destinations that take a story as a standard document (STIX, MISP) rather than a Discord message. */
export const EXPORT_DESTINATION_TYPES = ['taxii', 'misp'] as const;

export const DeliveryTarget = z.discriminatedUnion('type', [
  WebhookTarget,
  BotTarget,
  ConsoleTarget,
  TaxiiTarget,
  MispTarget,
]);
export type DeliveryTarget = z.infer<typeof DeliveryTarget>;

const Values = z.array(z.string().trim().min(1).max(200));

/**
 * What a story is matched on. Every list is "any of": one hit in any list matches.
 * Actors: a story actor's name or any of its aliases, case-insensitive. Countries: attributed
 * countries and the countries of named actors. Products: whole words of a product name (`Exchange`
 * matches `Microsoft Exchange Server`), including KEV vendor/product of the story's CVEs. CVEs:
 * exact id. Keywords: whole words or phrases in title and evidence, or `/regex/flags`.
 */
export const Match = z
  .object({
    actors: Values.default([]).describe('Threat actors, by any name or alias.'),
    countries: Values.default([]).describe('States the story attributes activity to.'),
    products: Values.default([]).describe('Products or vendors (whole words of the product name).'),
    cves: z
      .array(
        z
          .string()
          .trim()
          .regex(/^CVE-\d{4}-\d{4,}$/i, 'must be a CVE id such as CVE-2021-26855'),
      )
      .default([])
      .describe('CVE ids.'),
    keywords: Values.default([]).describe(
      'Words or phrases (case-insensitive, whole words) or /regex/flags (flags i, m, s, u).',
    ),
  })
  .strict();
export type Match = z.infer<typeof Match>;
export type MatchKind = keyof Match;
export const MATCH_KINDS = [
  'actors',
  'countries',
  'products',
  'cves',
  'keywords',
] as const satisfies readonly MatchKind[];

export const Watchlist = Match.extend({
  name: Name.describe('Name routes refer to.'),
  excludes: Match.prefault({}).describe('Stories matching any of these never match this watchlist.'),
}).strict();
export type Watchlist = z.infer<typeof Watchlist>;

/**
 * A host name as `sources` lists it: `cisa.gov` (its subdomains included), any case, no scheme,
 * port or path. Read as the URL parser reads a host (lower case, IDN as punycode), so it compares
 * with article and feed URLs as they are parsed.
 */
const SourceHost = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const host =
      /^[^\s/:@?#[\]]+$/.test(value) && URL.canParse(`http://${value}/`)
        ? new URL(`http://${value}/`).hostname
        : null;
    if (host === null || host === '' || host.startsWith('.') || host.endsWith('.')) {
      ctx.addIssue({
        code: 'custom',
        message: `not a host name: ${JSON.stringify(value)} (write it as cisa.gov, or gov for every .gov site: no scheme, port or path; subdomains match too)`,
      });
      return z.NEVER;
    }
    return host;
  });

export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * A route's scheduled summary (not the flood-control digest: that one batches alerts held back
 * from a busy channel; a summary reports a whole day or week of what the route matched, with a chart).
 */
export const Summary = z
  .object({
    every: z
      .enum(['daily', 'weekly'])
      .describe('Period the summary covers: the day or the week that ends at `at` (and `day`).'),
    at: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as 09:00')
      .default('09:00')
      .describe('Local time (HH:MM, in `timezone`) at which a period ends and its summary is sent.'),
    day: z.enum(WEEKDAYS).default('monday').describe('Weekly summaries: the day of the week they are sent.'),
    timezone: z
      .string()
      .trim()
      .default('UTC')
      .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Paris' })
      .describe('IANA time zone of `at` and `day` (e.g. Europe/Paris); also how the period is shown.'),
    top: z.number().int().min(1).max(15).default(8).describe('Stories listed under "Top stories".'),
    grace: Duration.prefault('12h').describe(
      'A summary whose time passed while attribot was down is sent on start when at most this late; an older one is skipped (logged).',
    ),
  })
  .strict()
  .superRefine((summary, ctx) => {
    const periodMs = (summary.every === 'daily' ? 1 : 7) * 86_400_000;
    if (summary.grace >= periodMs)
      ctx.addIssue({
        code: 'custom',
        path: ['grace'],
        message: `must be shorter than the period (${summary.every === 'daily' ? '1d' : '7d'})`,
      });
  });
export type Summary = z.infer<typeof Summary>;

export const Route = z
  .object({
    name: Name.describe('Name shown in explain output and logs.'),
    destinations: z.array(Name).min(1).describe('Destination names this route sends to.'),
    watchlists: z
      .array(Name)
      .default([])
      .describe(
        'Watchlists whose matches this route sends. With no watchlists and no match, every story matches.',
      ),
    match: Match.prefault({}).describe('Inline watch entries, in addition to the watchlists.'),
    feeds: z
      .array(z.string().trim().min(1))
      .default([])
      .describe(
        "Only stories one of whose reports came from one of these feeds, by the feed's name (its host when it has none; any case). With sources too, either one is enough.",
      ),
    sources: z
      .array(SourceHost)
      .default([])
      .describe(
        'Only stories one of whose reports links to, or came from a feed on, one of these hosts or their subdomains (cisa.gov takes www.cisa.gov; any case). With feeds too, either one is enough.',
      ),
    exclude: Match.prefault({}).describe(
      'Stories matching any of these are not sent by this route (excludes win).',
    ),
    attributionOnly: z
      .boolean()
      .default(true)
      .describe(
        'Only stories that attribute an attack to someone; false sends any story mentioning a watched entity.',
      ),
    minConfidence: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('Lowest attribution confidence (0..1) this route sends.'),
    mentionRoles: z
      .array(Snowflake)
      .default([])
      .describe(
        'Role ids pinged with each alert of this route (opt-in; nothing else in a message can ping).',
      ),
    digest: z
      .boolean()
      .default(false)
      .describe(
        "Send this route's alerts in the flood-control digest (held alerts batched every settings.digestInterval) instead of one message each.",
      ),
    summary: Summary.optional().describe(
      "A scheduled daily or weekly summary of the stories this route matched, with a chart, sent to the route's destinations (besides its alerts).",
    ),
  })
  .strict();
export type Route = z.infer<typeof Route>;
export type RouteInput = z.input<typeof Route>;

export const Config = z
  .object({
    settings: Settings.prefault({}).describe('Scheduling, HTTP and alert thresholds.'),
    feeds: z.array(Feed).default([]).describe('Feeds to watch.'),
    destinations: z
      .array(DeliveryTarget)
      .default([])
      .describe(
        `Where alerts go. With none, DISCORD_WEBHOOK_URL or else the console is used. One named "${ADMIN_DESTINATION}" receives admin notices instead of alerts.`,
      ),
    watchlists: z
      .array(Watchlist)
      .default([])
      .describe('Named lists of actors, countries, products, CVEs and keywords.'),
    routes: z
      .array(Route)
      .default([])
      .describe(
        `Which stories go where. With none, every attribution goes to every destination except "${ADMIN_DESTINATION}".`,
      ),
  })
  .strict();
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
