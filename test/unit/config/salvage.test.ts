import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/salvage.js';

describe('validateConfig keeps what passes the schema', () => {
  it('passes a valid document through with no issues', () => {
    const result = validateConfig({ feeds: [{ url: 'https://a.example/feed' }] });
    expect(result.issues).toEqual([]);
    expect(result.config?.feeds).toEqual([{ url: 'https://a.example/feed' }]);
  });

  it('takes out the rejected entries and keys, and maps what is left to the file indexes', () => {
    const result = validateConfig({
      settings: { interval: 'soon', concurrency: 2 },
      feeds: [
        { url: 'ftp://x' },
        { url: 'https://a.example/' },
        { name: 'no url' },
        { url: 'https://b.example/' },
      ],
      routes: [{ name: 'r', destinations: ['d'], match: { cves: ['bad', 'CVE-2021-26855'] } }],
    });
    expect(result.issues.map((issue) => issue.path)).toEqual([
      ['settings', 'interval'],
      ['feeds', 0, 'url'],
      ['feeds', 2, 'url'],
      ['routes', 0, 'match', 'cves', 0],
    ]);
    expect(result.issues[2]?.message).toBe('required key is missing');
    expect(result.config?.settings.concurrency).toBe(2);
    expect(result.config?.settings.interval).toBe(600_000);
    expect(result.config?.feeds.map((feed) => feed.url)).toEqual([
      'https://a.example/',
      'https://b.example/',
    ]);
    expect(result.toFilePath(['feeds', 1, 'url'])).toEqual(['feeds', 3, 'url']);
    expect(result.config?.routes[0]?.match.cves).toEqual(['CVE-2021-26855']);
    expect(result.toFilePath(['routes', 0, 'match', 'cves', 0])).toEqual(['routes', 0, 'match', 'cves', 1]);
  });

  it('names the unknown keys of an object and keeps the rest of it', () => {
    const result = validateConfig({
      routes: [{ name: 'r', destinations: ['d'], mentionRole: [], colour: 1 }],
    });
    expect(result.issues).toEqual([
      expect.objectContaining({ path: ['routes', 0], unknownKeys: ['mentionRole', 'colour'] }),
    ]);
    expect(result.config?.routes.map((route) => route.name)).toEqual(['r']);
  });

  it('remembers the names of destinations and watchlists it had to take out', () => {
    const result = validateConfig({
      destinations: [
        { name: 'intel', type: 'webhok' },
        { name: 'log', type: 'console' },
      ],
      watchlists: [{ name: 'china', cves: ['nope'] }],
    });
    expect(result.rejected).toEqual({ destinations: ['intel'], watchlists: ['china'], feeds: [] });
    expect(result.config?.destinations.map((target) => target.name)).toEqual(['log']);
  });

  it('reports a refinement zod only runs once the rest of its object is valid', () => {
    const result = validateConfig({
      settings: { interval: 'soon', storyWindow: '96h', retention: { stories: '1d' } },
    });
    expect(result.issues.map((issue) => issue.path)).toEqual([
      ['settings', 'interval'],
      ['settings', 'retention', 'stories'],
    ]);
    expect(result.config).not.toBeNull();
  });

  it('gives up on a document that is not a mapping', () => {
    const result = validateConfig(['feeds']);
    expect(result.config).toBeNull();
    expect(result.issues).toHaveLength(1);
  });
});
