import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEnvironment } from '../../../src/config/env.js';
import { formatProblem, parseConfigText } from '../../../src/config/load.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const HOOK = 'https://discord.com/api/webhooks/123456789012345678/readme-token';

describe('the README configuration examples', () => {
  it('are a valid config together', () => {
    const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const loaded = parseConfigText(blocks.join('\n'), 'README.md');
    expect(loaded.errors.map(formatProblem)).toEqual([]);
    const applied = applyEnvironment(loaded.config!, { INTEL_WEBHOOK_URL: HOOK, ADMIN_WEBHOOK_URL: HOOK });
    expect(applied.errors.map(formatProblem)).toEqual([]);
    expect(applied.effective?.config.routes.map((route) => route.name)).toEqual([
      'china-desk',
      'government-advisories',
      'everything-else',
      'state-actors',
    ]);
    expect(applied.effective?.config.routes.at(-1)?.summary).toEqual({
      every: 'weekly',
      day: 'monday',
      at: '09:00',
      timezone: 'Europe/Paris',
      top: 8,
      grace: 12 * 3_600_000,
    });
  });
});
