/**
 * Config tooling through the real CLI: check-config with and without secrets, every mistake of a file
 * in one run, and explain refusing to route on a config it could not load.
 */

import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const MULTI = 'config/examples/multi-channel.yaml';
const HOOK = 'https://discord.com/api/webhooks/123456789012345678/cli-config-token';

/** A file with five mistakes of five kinds, one a line: YAML, schema value, unknown key, rule, environment. */
const FIVE_MISTAKES = [
  'settings:', // 1
  '  interval: 10m', // 2
  '  storyWindow: 3 days', // 3  a duration without a unit the schema knows
  '  interval: 15m', // 4  a key given twice
  'feeds:', // 5
  '  - { name: The Record, url: "https://therecord.media/feed" }', // 6
  'destinations:', // 7
  '  - { name: intel, type: webhook, webhookUrlEnv: INTEL_WEBHOOK_URL }', // 8  its variable is not set
  'watchlists:', // 9
  '  - name: china', // 10
  '    countries: [China]', // 11
  '    keywords: ["/(unclosed/"]', // 12 a regex that does not compile
  'routes:', // 13
  '  - name: china-desk', // 14
  '    destinations: [intel]', // 15
  '    watchlists: [china]', // 16
  '    mentionRole: ["112233445566778899"]', // 17 a misspelt key
  '',
].join('\n');

describe('check-config', () => {
  const temp = makeTempDir();
  const env = { ATTRIBOT_DB: join(temp.dir, 'absent.db') };
  afterAll(() => temp.cleanup());

  it('fails on the README example without its secrets, and says --offline checks the rest', async () => {
    const result = await runCli(['check-config', '--config', MULTI], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `error: ${MULTI}:16: destinations[0].webhookUrlEnv: destination "intel" needs INTEL_WEBHOOK_URL to be set`,
    );
    expect(result.stdout).toContain('check-config --offline checks the file without them');
  });

  it('rejects an ATTRIBOT_LOG_FORMAT it does not know, as it does an unknown ATTRIBOT_LOG_LEVEL', async () => {
    const result = await runCli(['check-config', '--offline', '--config', MULTI], {
      ...env,
      ATTRIBOT_LOG_FORMAT: 'xml',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^error: environment: ATTRIBOT_LOG_FORMAT: must be one of pretty, json/m);
  });

  it('warns about a config without feeds, unless ATTRIBOT_FEEDS lists some', async () => {
    const empty = join(temp.dir, 'no-feeds.yaml');
    writeFileSync(empty, 'settings:\n  interval: 10m\nfeeds: []\n');
    const result = await runCli(['check-config', '--config', empty], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `warning: ${empty}:3: feeds: no feeds: nothing will be polled (list some under feeds:, or set ATTRIBOT_FEEDS)`,
    );
    const fromEnvironment = await runCli(['check-config', '--config', empty], {
      ...env,
      ATTRIBOT_FEEDS: 'https://therecord.media/feed',
    });
    expect(fromEnvironment.code).toBe(0);
    expect(fromEnvironment.stdout).not.toContain('no feeds');
    // The bundled config, used when no file is named, has feeds.
    const bundled = await runCli(['check-config'], env);
    expect(bundled.stdout).not.toContain('no feeds');
  });

  it('--offline: missing secrets are warnings, and the file passes', async () => {
    const result = await runCli(['check-config', '--offline', '--config', MULTI], env);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('warning:'))).toEqual([
      `warning: ${MULTI}:16: destinations[0].webhookUrlEnv: destination "intel" needs INTEL_WEBHOOK_URL at run time`,
      `warning: ${MULTI}:17: destinations[1].webhookUrlEnv: destination "ics" needs ICS_WEBHOOK_URL at run time`,
      `warning: ${MULTI}:18: destinations[2].webhookUrlEnv: destination "admin" needs ADMIN_WEBHOOK_URL at run time`,
    ]);
    expect(result.stdout).toContain(
      `${MULTI}: OK offline — 3 feed(s), destinations: intel (webhook, secret not checked)`,
    );
    // The example's weekly summary: Mondays 09:00 in Paris, whatever today is.
    expect(result.stdout).toMatch(
      /^summary of state-actors: weekly, next Mon, \d{1,2} \w{3} \d{4}, 09:00 \(Europe\/Paris\)$/m,
    );
    expect(result.stdout).not.toContain('error:');
  });

  it('--offline still reports what is wrong with the file and with secrets that are set', async () => {
    const result = await runCli(['check-config', '--offline', '--config', MULTI], {
      ...env,
      INTEL_WEBHOOK_URL: 'https://evil.example/hook',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^error: .*:16: destinations\[0\]\.webhookUrlEnv: destination "intel": /m);
  });

  it('reports five mistakes of five kinds in one run, by line, with "did you mean"', async () => {
    const file = join(temp.dir, 'five.yaml');
    writeFileSync(file, FIVE_MISTAKES);
    const result = await runCli(['check-config', '--config', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('error:'))).toEqual([
      `error: ${file}:3: settings.storyWindow: not a duration: "3 days" (give a unit: e.g. 90s, 10m, 2h, 1d; a bare number must be 0)`,
      `error: ${file}:4: key "interval" appears twice in one mapping (each key may appear once)`,
      `error: ${file}:8: destinations[0].webhookUrlEnv: destination "intel" needs INTEL_WEBHOOK_URL to be set`,
      `error: ${file}:12: watchlists[0].keywords[0]: regex does not compile: /(unclosed/: Unterminated group`,
      `error: ${file}:17: routes[0].mentionRole: Unrecognized key: "mentionRole" (did you mean "mentionRoles"?)`,
    ]);
    expect(result.stdout).toContain(`${file}: 5 error(s)`);
  });

  it('says DISCORD_WEBHOOK_URL is ignored when the config has destinations, and so does the worker', async () => {
    const file = join(temp.dir, 'own.yaml');
    writeFileSync(file, 'destinations:\n  - { name: log, type: console }\n');
    const ignored = 'DISCORD_WEBHOOK_URL: ignored: the config has its own destinations';
    const check = await runCli(['check-config', '--config', file], { ...env, DISCORD_WEBHOOK_URL: HOOK });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`warning: environment: ${ignored}`);
    const once = await runCli(['once', '--config', file], {
      ATTRIBOT_DB: join(temp.dir, 'once.db'),
      DISCORD_WEBHOOK_URL: HOOK,
    });
    expect(once.code).toBe(0);
    expect(once.stderr).toContain(ignored);
    expect(once.stderr).not.toContain('cli-config-token');
  });
});

describe('explain', () => {
  const temp = makeTempDir();
  const env = { ATTRIBOT_DB: join(temp.dir, 'absent.db') };
  const article = join(temp.dir, 'article.txt');
  let server: Server;
  let port: number;
  beforeAll(async () => {
    writeFileSync(
      article,
      "The United States and its allies on Monday accused China's Ministry of State Security of hiring hackers who broke into Microsoft Exchange Server mail systems around the world.\n",
    );
    server = createServer((_request, response) => response.end('<html><body>private</body></html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    temp.cleanup();
  });

  it('refuses to route on an invalid config, with its reasons, instead of showing the defaults', async () => {
    const file = join(temp.dir, 'five.yaml');
    writeFileSync(file, FIVE_MISTAKES);
    const result = await runCli(['explain', '--config', file, article], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: ${file}:12: watchlists[0].keywords[0]: regex does not compile`);
    expect(result.stderr).toContain(
      `attribot explain: config ${file} has 5 error(s); no routing can be shown for it`,
    );
    expect(result.stderr).not.toContain('defaults');
  });

  it('takes one article: a JSON-lines file of several is refused, pointing at extract', async () => {
    const claim =
      "Researchers said the intrusions at European telecoms were the work of APT41, a group tied to China's Ministry of State Security.";
    const many = join(temp.dir, 'articles.jsonl');
    writeFileSync(
      many,
      `${JSON.stringify({ id: 'a', title: 'Telecom intrusions', text: claim })}\n${JSON.stringify({ id: 'b', title: 'Other', text: 'Nothing here.' })}\n`,
    );
    const refused = await runCli(['explain', '--offline', '--config', MULTI, many], env);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `attribot explain: ${many} has 2 lines; explain takes one article (attribot extract --input ${many} analyses one article a line)`,
    );
    // One article, as a line or spread over lines, is explained.
    const one = join(temp.dir, 'one.json');
    writeFileSync(one, `${JSON.stringify({ id: 'a', title: 'Telecom intrusions', text: claim }, null, 2)}\n`);
    const explained = await runCli(['explain', '--offline', '--config', MULTI, one], env);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('APT41');
  });

  it('refuses a missing config file', async () => {
    const file = join(temp.dir, 'nowhere.yaml');
    const result = await runCli(['explain', '--config', file, article], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${file}: config file not found`);
  });

  it('refuses a config whose secrets are not set, pointing at --offline', async () => {
    const result = await runCli(['explain', '--config', MULTI, article], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('needs INTEL_WEBHOOK_URL to be set');
    expect(result.stderr).toContain(
      'attribot explain: the secrets of "intel", "ics", "admin" are not set here; --offline shows routing with placeholders for them',
    );
  });

  it('--offline routes with placeholders for the missing secrets, and says so', async () => {
    const result = await runCli(['explain', '--offline', '--config', MULTI, article], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Routing (effective configuration ${MULTI}; offline: placeholders for the secrets of "intel", "ics", "admin"):`,
    );
    for (const route of ['all-attributions', 'confident-attributions', 'state-actors', 'industrial'])
      expect(result.stdout).toContain(route);
    expect(result.stdout).not.toMatch(/\bdefault\b/);
    expect(result.stderr).toContain('needs INTEL_WEBHOOK_URL at run time');
  });

  it('says which setting lets it read a page on a private address', async () => {
    const result = await runCli(['explain', `http://127.0.0.1:${port}/article`], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is loopback, not public');
    expect(result.stderr).toContain(
      'settings.allowPrivateNetwork: true in the config, or ATTRIBOT_ALLOW_PRIVATE_NETWORK=1',
    );
    const allowed = await runCli(['explain', `http://127.0.0.1:${port}/article`], {
      ...env,
      ATTRIBOT_ALLOW_PRIVATE_NETWORK: '1',
    });
    expect(allowed.stderr).not.toContain('settings.allowPrivateNetwork');
  });
});
