import { describe, expect, it } from 'vitest';
import { applyEnvironment } from '../../../src/config/env.js';
import { formatProblem, parseConfigText } from '../../../src/config/load.js';
import { Config } from '../../../src/config/schema.js';

const HOOK = 'https://discord.com/api/webhooks/123456789012345678/abcDEF-token_x';
const THREAD = '1198765432109876543';
const OTHER_THREAD = '1198765432109876500';

function withIntel(options: Record<string, unknown>): Config {
  return Config.parse({
    destinations: [{ name: 'intel', type: 'webhook', webhookUrlEnv: 'INTEL_WEBHOOK_URL', ...options }],
  });
}

describe('webhook options: threadId, username, avatarUrl', () => {
  it('carries them to the resolved destination', () => {
    const config = withIntel({
      threadId: THREAD,
      username: 'Intel desk',
      avatarUrl: 'https://cdn.example.org/intel.png',
    });
    const { effective, errors } = applyEnvironment(config, { INTEL_WEBHOOK_URL: HOOK });
    expect(errors).toEqual([]);
    expect(effective?.destinations).toEqual([
      {
        name: 'intel',
        type: 'webhook',
        webhookUrl: HOOK,
        threadId: THREAD,
        username: 'Intel desk',
        avatarUrl: 'https://cdn.example.org/intel.png',
      },
    ]);
  });

  it('takes the thread from a webhook URL with ?thread_id=, the default destination included', () => {
    const url = `${HOOK}?thread_id=${THREAD}`;
    expect(applyEnvironment(withIntel({}), { INTEL_WEBHOOK_URL: url }).effective?.destinations).toEqual([
      { name: 'intel', type: 'webhook', webhookUrl: url, threadId: THREAD },
    ]);
    expect(applyEnvironment(Config.parse({}), { DISCORD_WEBHOOK_URL: url }).effective?.destinations).toEqual([
      { name: 'default', type: 'webhook', webhookUrl: url, threadId: THREAD },
    ]);
  });

  it('accepts the same thread in both places and refuses two different ones, without quoting the URL', () => {
    const same = applyEnvironment(withIntel({ threadId: THREAD }), {
      INTEL_WEBHOOK_URL: `${HOOK}?thread_id=${THREAD}`,
    });
    expect(same.errors).toEqual([]);
    const differ = applyEnvironment(withIntel({ threadId: OTHER_THREAD }), {
      INTEL_WEBHOOK_URL: `${HOOK}?thread_id=${THREAD}`,
    });
    expect(differ.effective).toBeNull();
    expect(differ.errors.map((error) => error.message)).toEqual([
      `destination "intel": threadId ${OTHER_THREAD} differs from the webhook URL's ?thread_id=${THREAD}; give one of them`,
    ]);
    expect(JSON.stringify(differ.errors)).not.toContain('abcDEF-token_x');
  });

  it.each([
    [{ threadId: 123 }, 'destinations[0].threadId: must be a quoted Discord id'],
    [{ threadId: '12' }, 'destinations[0].threadId: must be a Discord id (17 to 20 digits)'],
    [
      { username: 'Discord alerts' },
      'destinations[0].username: Discord refuses webhook names containing "discord" or "clyde"',
    ],
    [{ username: 'x'.repeat(81) }, 'destinations[0].username: Too big'],
    [
      { avatarUrl: 'http://cdn.example.org/a.png' },
      'destinations[0].avatarUrl: must be an absolute https URL',
    ],
    [{ avatarUrl: 'avatar.png' }, 'destinations[0].avatarUrl: must be an absolute https URL'],
  ])('refuses %j', (options, expected) => {
    const yaml = `destinations:\n  - ${JSON.stringify({ name: 'intel', type: 'webhook', webhookUrlEnv: 'X', ...options })}\n`;
    const result = parseConfigText(yaml, 'c.yaml');
    expect(result.errors.map(formatProblem).join('\n')).toContain(`c.yaml:2: ${expected}`);
  });

  it.each([
    [
      'threadId',
      THREAD,
      "a bot destination posts to channelId, and a thread or forum post is a channel: set channelId to the thread's id",
    ],
    ['username', 'Intel', 'webhooks only: a bot posts under its own name'],
    ['avatarUrl', 'https://cdn.example.org/a.png', 'webhooks only: a bot posts with its own avatar'],
  ])('a bot destination with %s is told what to do instead', (key, value, hint) => {
    const yaml = [
      'destinations:',
      '  - name: soc',
      '    type: bot',
      '    tokenEnv: SOC_TOKEN',
      `    channelId: "${THREAD}"`,
      `    ${key}: "${value}"`,
      '',
    ].join('\n');
    expect(parseConfigText(yaml, 'bot.yaml').errors.map(formatProblem)).toEqual([
      `bot.yaml:6: destinations[0].${key}: Unrecognized key: "${key}" (${hint})`,
    ]);
  });
});
