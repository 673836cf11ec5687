import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyEnvironment, type SecretReader } from '../../../src/config/env.js';
import { parseConfigText } from '../../../src/config/load.js';

const DIR = fileURLToPath(new URL('../../../config/examples/', import.meta.url));
const HOOK = 'https://discord.com/api/webhooks/123456789012345678/example-token';
const examples = readdirSync(DIR).filter((name) => name.endsWith('.yaml'));

/** Any secret file an example names holds a valid secret. */
const files: SecretReader = { readFile: (path) => (/token/i.test(path) ? 'example.bot.token' : HOOK) };

describe('config/examples', () => {
  it('has the documented examples', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'bot-slash-commands.yaml',
        'multi-channel.yaml',
        'threat-intel-platforms.yaml',
        'webhook-only.yaml',
      ]),
    );
  });

  it.each(examples)('%s passes check-config with its secrets set', (name) => {
    const loaded = parseConfigText(readFileSync(`${DIR}${name}`, 'utf8'), name);
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    if (!loaded.config) throw new Error('no config');
    // The variables each destination names, plus the default webhook.
    const env: Record<string, string> = { DISCORD_WEBHOOK_URL: HOOK };
    for (const target of loaded.config.destinations) {
      if (target.type === 'webhook' && target.webhookUrlEnv) env[target.webhookUrlEnv] = HOOK;
      if (target.type === 'bot' && target.tokenEnv) env[target.tokenEnv] = 'example.bot.token';
      if (target.type === 'taxii' && target.secretEnv) env[target.secretEnv] = 'attribot:example-password';
      if (target.type === 'misp' && target.keyEnv) env[target.keyEnv] = 'example-misp-key';
    }
    const applied = applyEnvironment(loaded.config, env, files);
    expect(applied.errors).toEqual([]);
    expect(applied.effective?.config.routes.length).toBeGreaterThan(0);
  });
});
