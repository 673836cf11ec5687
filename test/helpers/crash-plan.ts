/**
 * What a crash-harness run sets up and expects: the workers' config (country desks routed on the
 * state a story blames, one of them to a bot as well), the destinations' secrets in the workers'
 * environment, and the alerts each item must become, per destination, from the config's own routes.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConfigInput } from '../../src/config/schema.js';
import type { NewsItem } from './crash-items.js';
import { type CliFlavour, cliArgs } from './crash-workers.js';
import type { FakeDiscord } from './fake-discord.js';

const execFileAsync = promisify(execFile);

/** Country desks: one webhook each, routed on the state a story blames. */
const DESKS = [
  { destination: 'russia-desk', country: 'Russia' },
  { destination: 'china-desk', country: 'China' },
  { destination: 'dprk-desk', country: 'North Korea' },
  { destination: 'iran-desk', country: 'Iran' },
] as const;
export const BOT_DESTINATION = 'dprk-bot';
const BOT_COUNTRY = 'North Korea';

export type Routes = NonNullable<ConfigInput['routes']>;

/** Each desk's country to its webhook, and (with `bot`) one country to the bot as well. */
export function deskRoutes(bot: boolean): Routes {
  const routes: Routes = DESKS.map((desk) => ({
    name: desk.country.toLowerCase().replace(/\s+/g, '-'),
    destinations: [desk.destination],
    match: { countries: [desk.country] },
  }));
  if (bot)
    routes.push({ name: 'dprk-bot', destinations: [BOT_DESTINATION], match: { countries: [BOT_COUNTRY] } });
  return routes;
}

export function workerConfig(
  routes: Routes,
  feeds: ConfigInput['feeds'],
  botChannel: string | null,
): ConfigInput {
  const destinations: NonNullable<ConfigInput['destinations']> = DESKS.map((desk) => ({
    name: desk.destination,
    type: 'webhook' as const,
    webhookUrlEnv: envName(desk.destination),
  }));
  if (botChannel !== null)
    destinations.push({
      name: BOT_DESTINATION,
      type: 'bot',
      tokenEnv: 'CRASH_BOT_TOKEN',
      channelId: botChannel,
    });
  return {
    settings: {
      // Every second, each feed every second: the run is about delivery, not politeness.
      schedule: '* * * * * *',
      interval: '1s',
      adaptive: false,
      jitter: 0,
      firstSightWindow: 0,
      concurrency: 16,
      perHostConcurrency: 16,
      fetchArticlePages: false,
      // One alert per item: no story joins another (similarity never reaches 2), no flood cap.
      storyThreshold: 2,
      floodCap: 1_000_000,
      churnRatio: 1,
      requestTimeout: '10s',
    },
    feeds,
    destinations,
    routes,
  };
}

function envName(destination: string): string {
  return `CRASH_WEBHOOK_${destination.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** marker → destinations, from the config's own routes and the state each item blames. */
export function expectedDeliveries(items: readonly NewsItem[], routes: Routes): Map<string, Set<string>> {
  const expected = new Map<string, Set<string>>();
  for (const item of items) {
    const destinations = routes
      .filter((route) => route.match?.countries?.includes(item.country))
      .flatMap((route) => route.destinations);
    expected.set(item.marker, new Set(destinations));
  }
  return expected;
}

export function expectedCount(expected: ReadonlyMap<string, ReadonlySet<string>>): number {
  let count = 0;
  for (const destinations of expected.values()) count += destinations.size;
  return count;
}

/** Runs every item through `attribot extract`: each must be an attribution of its template's state alone. */
export async function checkItems(
  items: readonly NewsItem[],
  routes: Routes,
  dir: string,
  flavour: CliFlavour,
): Promise<void> {
  const input = join(dir, 'items.jsonl');
  writeFileSync(
    input,
    items.map((item) => JSON.stringify({ id: item.marker, title: item.title, text: item.text })).join('\n'),
  );
  const { stdout } = await execFileAsync(process.execPath, cliArgs(flavour, ['extract', '--input', input]), {
    maxBuffer: 256 * 1024 * 1024,
    cwd: dir,
  });
  const routed = new Set(routes.flatMap((route) => route.match?.countries ?? []));
  const wrong = stdout
    .trim()
    .split('\n')
    .map((line, index) => ({ item: items[index] as NewsItem, out: JSON.parse(line) as ExtractLine }))
    .filter(({ item, out }) => {
      const states = new Set([
        ...out.attributed_countries,
        ...out.actors.flatMap((actor) => actor.country ?? []),
      ]);
      const desks = [...states].filter((state) => routed.has(state));
      return !out.is_attribution || desks.length !== 1 || desks[0] !== item.country;
    });
  if (wrong.length > 0) {
    const example = wrong[0] as { item: NewsItem; out: ExtractLine };
    throw new Error(
      `${wrong.length} generated item(s) are not attributions of their template's state alone, e.g. "${example.item.title}" → ` +
        `${JSON.stringify({ is_attribution: example.out.is_attribution, countries: example.out.attributed_countries })}; fix test/helpers/crash-items.ts`,
    );
  }
}

interface ExtractLine {
  is_attribution: boolean;
  attributed_countries: string[];
  actors: Array<{ country?: string | null }>;
}

export function destinationsEnv(
  discord: FakeDiscord,
  bot: boolean,
): {
  env: Record<string, string>;
  destinationOf: (path: string) => string | null;
  botChannel: string | null;
} {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TZ: 'UTC',
    ATTRIBOT_LOG_LEVEL: 'info',
  };
  const byPath = new Map<string, string>();
  let botChannel: string | null = null;
  for (const desk of DESKS) {
    const webhook = discord.createWebhook({ name: desk.destination });
    env[envName(desk.destination)] = `https://discord.com/api/webhooks/${webhook.id}/${webhook.token}`;
    byPath.set(`/webhooks/${webhook.id}/${webhook.token}`, desk.destination);
  }
  if (bot) {
    env.CRASH_BOT_TOKEN = discord.createBot();
    botChannel = discord.createChannel();
    byPath.set(`/channels/${botChannel}/messages`, BOT_DESTINATION);
  }
  return {
    env,
    botChannel,
    destinationOf: (path) => byPath.get(path.replace(/^\/api(?:\/v\d+)?/, '')) ?? null,
  };
}
