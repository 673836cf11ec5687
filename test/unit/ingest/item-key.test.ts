import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalLink, itemKey } from '../../../src/ingest/item-key.js';

describe('canonicalLink', () => {
  it.each([
    ['lower-cases scheme and host', 'HTTPS://Example.COM/Path/To', 'https://example.com/Path/To'],
    ['drops the default https port', 'https://example.com:443/a', 'https://example.com/a'],
    ['drops the default http port', 'http://example.com:80/a', 'http://example.com/a'],
    ['keeps a non-default port', 'http://example.com:8080/a', 'http://example.com:8080/a'],
    ['drops the fragment', 'https://example.com/a#comments', 'https://example.com/a'],
    [
      'drops utm_* parameters',
      'https://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x',
      'https://example.com/a',
    ],
    ['drops click ids', 'https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4', 'https://example.com/a'],
    [
      'drops heise wt_mc',
      'http://www.heise.de/newsticker/meldung/x-3173304.html?wt_mc=rss.ho.beitrag.rdf',
      'http://www.heise.de/newsticker/meldung/x-3173304.html',
    ],
    [
      'keeps and sorts selecting parameters',
      'https://example.com/article.pl?sid=05/11&from=rss&a=2',
      'https://example.com/article.pl?a=2&from=rss&sid=05%2F11',
    ],
    ['drops a trailing slash on a path', 'https://example.com/blog/post/', 'https://example.com/blog/post'],
    ['keeps the root slash', 'https://example.com/', 'https://example.com/'],
    ['adds the root slash to a bare host', 'https://example.com', 'https://example.com/'],
    ['trims whitespace around the URL', '  https://example.com/a \n', 'https://example.com/a'],
    ['leaves a non-URL alone', 'not a url', 'not a url'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalLink(input)).toBe(expected);
  });

  it('gives the same link for the same article with different tracking', () => {
    expect(canonicalLink('https://www.Example.com/story/?utm_source=twitter#top')).toBe(
      canonicalLink('https://www.example.com:443/story?fbclid=abc'),
    );
  });
});

describe('itemKey', () => {
  const feedUrl = 'https://feeds.example.com/rss';

  it.each([
    [
      'link wins over guid',
      { link: 'https://Example.com/a/?utm_source=rss', guid: 'g-1', title: 'T' },
      'link:https://example.com/a',
    ],
    [
      'guid scoped to the feed when there is no link',
      { guid: 'tag:blogger.com,1999:post-1', title: 'T' },
      `guid:${feedUrl}#tag:blogger.com,1999:post-1`,
    ],
  ])('%s', (_name, item, expected) => {
    expect(itemKey(feedUrl, item)).toBe(expected);
  });

  it('is the same for one article reached through two feeds', () => {
    const item = { link: 'https://example.com/story?utm_source=a', title: 'Story' };

    expect(itemKey('https://a.example/feed', { ...item, title: 'Story' })).toBe(
      itemKey('https://b.example/feed', {
        link: 'https://example.com/story?utm_source=b',
        title: 'Other title',
      }),
    );
  });

  it('hashes feed, title and date when there is neither link nor guid', () => {
    const key = itemKey(feedUrl, { title: 'Snowden', published: '2013-10-03T23:34:59.000Z' });
    const expected = createHash('sha256')
      .update(JSON.stringify([feedUrl, 'Snowden', '2013-10-03T23:34:59.000Z']))
      .digest('hex');

    expect(key).toBe(`hash:${expected}`);
    expect(itemKey(feedUrl, { title: 'Snowden', published: '2013-10-04T00:00:00.000Z' })).not.toBe(key);
    expect(
      itemKey('https://other.example/rss', { title: 'Snowden', published: '2013-10-03T23:34:59.000Z' }),
    ).not.toBe(key);
  });
});
