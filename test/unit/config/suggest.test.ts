import { describe, expect, it } from 'vitest';
import { Config, Route } from '../../../src/config/schema.js';
import {
  allowedKeys,
  choiceMessage,
  closestKeys,
  didYouMean,
  editDistance,
} from '../../../src/config/suggest.js';

describe('editDistance', () => {
  it.each([
    ['mentionRole', 'mentionRoles', 1],
    ['destinatons', 'destinations', 1],
    ['intreval', 'interval', 1],
    ['feeds', 'feeds', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ] as const)('%s → %s: %d', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});

describe('closestKeys', () => {
  const routeKeys = allowedKeys(Route, {}, []);

  it('suggests the key one edit away', () => {
    expect(closestKeys('mentionRole', routeKeys)).toEqual(['mentionRoles']);
    expect(closestKeys('watchlist', routeKeys)).toEqual(['watchlists']);
  });

  it('ignores case and suggests keys that begin with what was typed', () => {
    expect(closestKeys('MinConfidence', routeKeys)).toEqual(['minConfidence']);
    expect(closestKeys('token', ['name', 'tokenEnv', 'tokenFile'])).toEqual(['tokenEnv', 'tokenFile']);
  });

  it('suggests nothing for a key that resembles none', () => {
    expect(closestKeys('colour', routeKeys)).toEqual([]);
    expect(didYouMean('colour', routeKeys)).toBe('');
  });

  it('words one or several suggestions', () => {
    expect(didYouMean('destinatons', ['destinations', 'feeds'])).toBe(' (did you mean "destinations"?)');
    expect(didYouMean('token', ['tokenEnv', 'tokenFile'])).toBe(' (did you mean "tokenEnv" or "tokenFile"?)');
  });
});

describe('allowedKeys, read from the zod schema', () => {
  it('knows the top level and each section', () => {
    expect(allowedKeys(Config, {}, [])).toEqual([
      'settings',
      'feeds',
      'destinations',
      'watchlists',
      'routes',
    ]);
    expect(allowedKeys(Config, {}, ['settings', 'retention'])).toEqual([
      'items',
      'stories',
      'outbox',
      'articles',
    ]);
    expect(allowedKeys(Config, { routes: [{}] }, ['routes', 0, 'exclude'])).toEqual([
      'actors',
      'countries',
      'products',
      'cves',
      'keywords',
    ]);
  });

  it('picks the destination type the entry names, or offers every type without one', () => {
    const doc = { destinations: [{ type: 'webhook' }, { type: 'bot' }, { name: 'x' }] };
    expect(allowedKeys(Config, doc, ['destinations', 0])).toEqual([
      'name',
      'type',
      'webhookUrlEnv',
      'webhookUrlFile',
      'threadId',
      'username',
      'avatarUrl',
    ]);
    expect(allowedKeys(Config, doc, ['destinations', 1])).toContain('channelId');
    expect(allowedKeys(Config, doc, ['destinations', 2])).toEqual(
      expect.arrayContaining(['webhookUrlEnv', 'tokenEnv', 'channelId']),
    );
  });

  it('finds nothing where the schema has no object', () => {
    expect(allowedKeys(Config, {}, ['feeds', 0, 'url'])).toEqual([]);
    expect(allowedKeys(Config, {}, ['nowhere'])).toEqual([]);
  });
});

describe('choiceMessage', () => {
  const kinds = ['webhook', 'bot', 'console'];

  it('names what was given, the allowed words and the closest one', () => {
    expect(choiceMessage('webhok', kinds)).toBe(
      '"webhok" is not one of "webhook", "bot", "console" (did you mean "webhook"?)',
    );
    expect(choiceMessage('discord', kinds)).toBe('"discord" is not one of "webhook", "bot", "console"');
  });

  it('says a missing word is required, and quotes a value of another kind', () => {
    expect(choiceMessage(undefined, kinds)).toBe(
      'required key is missing: one of "webhook", "bot", "console"',
    );
    expect(choiceMessage(3, kinds)).toBe('must be one of "webhook", "bot", "console", not 3');
  });
});
