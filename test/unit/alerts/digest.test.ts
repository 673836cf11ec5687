import { describe, expect, it } from 'vitest';
import { formatDigest } from '../../../src/alerts/digest.js';
import { DISCORD_LIMITS, embedLength } from '../../../src/alerts/format.js';

describe('formatDigest', () => {
  it('lists alerts as links and never pings', () => {
    const message = formatDigest(
      [{ title: 'China blamed for Exchange hack', url: 'https://news.example/a' }, { title: 'No link' }],
      'flood',
    );
    expect(message.embeds).toEqual([
      {
        title: 'Digest: 2 alerts (flood)',
        description: '• [China blamed for Exchange hack](<https://news.example/a>)\n• No link',
      },
    ]);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('stays within Discord limits for a huge backlog and says how many were left out', () => {
    const entries = Array.from({ length: 500 }, (_, n) => ({
      title: `Alert number ${n} ${'x'.repeat(120)}`,
      url: `https://news.example/${n}`,
    }));
    const message = formatDigest(entries, 'flood');
    const total = message.embeds.reduce((sum, embed) => sum + embedLength(embed), 0);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(message.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
    for (const embed of message.embeds)
      expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(message.embeds.at(-1)?.description).toMatch(/\+\d+ more$/);
  });

  it('drops a link that is not http(s)', () => {
    expect(formatDigest([{ title: 'x', url: 'javascript:alert(1)' }], 'r').embeds[0]?.description).toBe(
      '• x',
    );
  });
});
