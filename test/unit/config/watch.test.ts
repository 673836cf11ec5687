import { describe, expect, it } from 'vitest';
import { applyEnvironment } from '../../../src/config/env.js';
import { Config } from '../../../src/config/schema.js';
import { describeChanges } from '../../../src/config/watch.js';

function effective(input: unknown) {
  return applyEnvironment(Config.parse(input), {}).effective!;
}

describe('describeChanges', () => {
  it('names added, removed and changed feeds, destinations and settings', () => {
    const before = effective({ feeds: [{ url: 'https://a.example/' }, { url: 'https://b.example/' }] });
    const after = effective({
      settings: { interval: '30m' },
      feeds: [{ url: 'https://b.example/', name: 'B' }, { url: 'https://c.example/' }],
      destinations: [{ name: 'log', type: 'console' }],
    });
    const changes = describeChanges(before, after);
    expect(changes.slice(0, 6)).toEqual([
      'feed added: https://c.example/',
      'feed removed: https://a.example/',
      'feed changed: https://b.example/',
      'destination added: log',
      'destination removed: default',
      'settings.interval changed',
    ]);
    expect(changes.slice(6).every((change) => /^\w+ changed$/.test(change))).toBe(true);
  });

  it('reports nothing for an identical config', () => {
    const config = { feeds: [{ url: 'https://a.example/' }] };
    expect(describeChanges(effective(config), effective(config))).toEqual([]);
  });
});
