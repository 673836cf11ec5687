import { describe, expect, it } from 'vitest';
import { FeedParseError, parseFeed, parseFeedDate, sanitizeXml } from '../../../src/ingest/parse-feed.js';

const FEED_URL = 'https://news.example.com/feeds/security.xml';

function rss(items: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"${extra}>
<channel><title>Security News</title><link>https://news.example.com/</link>${items}</channel></rss>`;
}

async function parseError(document: string): Promise<FeedParseError> {
  const error: unknown = await parseFeed(document, FEED_URL).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof FeedParseError)) throw new Error(`expected FeedParseError, got ${String(error)}`);
  return error;
}

describe('parseFeed: RSS 2.0 items', () => {
  it('maps guid, absolute link, trimmed title, plain text and ISO date', async () => {
    const feed = await parseFeed(
      rss(`<item>
        <title>  China blamed for Exchange hack
        </title>
        <link>/2021/07/19/exchange</link>
        <guid isPermaLink="false">item-42</guid>
        <pubDate>Mon, 19 Jul 2021 14:00:00 +0000</pubDate>
        <description>Short &lt;b&gt;summary&lt;/b&gt;</description>
        <content:encoded><![CDATA[<p>The US joined the EU.</p><p>Hackers linked to the MSS&nbsp;exploited flaws.</p><script>track()</script>]]></content:encoded>
      </item>`),
      FEED_URL,
    );

    expect(feed.title).toBe('Security News');
    expect(feed.link).toBe('https://news.example.com/');
    expect(feed.items).toEqual([
      {
        guid: 'item-42',
        link: 'https://news.example.com/2021/07/19/exchange',
        title: 'China blamed for Exchange hack',
        text: 'The US joined the EU.\nHackers linked to the MSS exploited flaws.',
        published: '2021-07-19T14:00:00.000Z',
      },
    ]);
  });

  it('uses the longest of description and content:encoded', async () => {
    const feed = await parseFeed(
      rss(
        '<item><title>t</title><description>&lt;p&gt;A much longer description than the content&lt;/p&gt;</description><content:encoded>short</content:encoded></item>',
      ),
      FEED_URL,
    );

    expect(feed.items[0]?.text).toBe('A much longer description than the content');
  });

  it.each([
    ['two-digit year', '<pubDate>Thu, 07 Dec 17 10:00:29 -0800</pubDate>', '2017-12-07T18:00:29.000Z'],
    ['ISO 8601 in pubDate', '<pubDate>2026-02-17T17:36:36-0500</pubDate>', '2026-02-17T22:36:36.000Z'],
    ['dc:date only', '<dc:date>2022-12-17</dc:date>', '2022-12-17T00:00:00.000Z'],
    [
      'invalid pubDate falls back to dc:date',
      '<pubDate>Seg, 24 Set 2018 19:18:49 -0300</pubDate><dc:date>2018-09-24T22:18:49Z</dc:date>',
      '2018-09-24T22:18:49.000Z',
    ],
    [
      'newline-padded pubDate',
      '<pubDate>\n   Wed, 15 May 2019 20:48:02 +0000\n</pubDate>',
      '2019-05-15T20:48:02.000Z',
    ],
  ])('reads the date: %s', async (_name, dateXml, expected) => {
    const feed = await parseFeed(rss(`<item><title>t</title>${dateXml}</item>`), FEED_URL);

    expect(feed.items[0]?.published).toBe(expected);
  });

  it('leaves published undefined for an unreadable date', async () => {
    const feed = await parseFeed(
      rss('<item><title>t</title><pubDate>sometime soon</pubDate></item>'),
      FEED_URL,
    );

    expect(feed.items[0]).not.toHaveProperty('published');
  });

  it('keeps the first of duplicated guid elements and uses a permalink guid as the link', async () => {
    const feed = await parseFeed(
      rss(
        '<item><title>t</title><guid>http://example.com/1.html</guid><guid>http://example.com/1.html</guid></item>',
      ),
      FEED_URL,
    );

    expect(feed.items[0]).toMatchObject({
      guid: 'http://example.com/1.html',
      link: 'http://example.com/1.html',
    });
  });

  it('does not use a guid marked isPermaLink="false" as the link', async () => {
    const feed = await parseFeed(
      rss('<item><title>t</title><guid isPermaLink="false">http://example.com/1</guid></item>'),
      FEED_URL,
    );

    expect(feed.items[0]).not.toHaveProperty('link');
  });

  it('removes items repeating a guid', async () => {
    const item = (guid: string, title: string): string =>
      `<item><title>${title}</title><guid>${guid}</guid></item>`;
    const feed = await parseFeed(
      rss(item('a', 'first') + item('b', 'second') + item('a', 'repeat')),
      FEED_URL,
    );

    expect(feed.items.map((i) => i.title)).toEqual(['first', 'second']);
  });

  it('prefers feedburner:origLink over the redirector link', async () => {
    const feed = await parseFeed(
      rss(
        '<item><title>t</title><link>http://feedproxy.google.com/~r/x/~3/abc/</link><feedburner:origLink>https://blog.example.com/post</feedburner:origLink></item>',
        ' xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"',
      ),
      FEED_URL,
    );

    expect(feed.items[0]?.link).toBe('https://blog.example.com/post');
  });

  it('resolves links against xml:base when the root has one', async () => {
    const feed = await parseFeed(
      rss('<item><title>t</title><link>story/1</link></item>', ' xml:base="https://base.example.org/news/"'),
      FEED_URL,
    );

    expect(feed.items[0]?.link).toBe('https://base.example.org/news/story/1');
  });

  it('accepts <rss> without a version attribute as RSS 2.0', async () => {
    const feed = await parseFeed(
      '<rss><channel><title>x</title><item><title>one</title></item></channel></rss>',
      FEED_URL,
    );

    expect(feed.items).toHaveLength(1);
  });

  it('strips HTML markup from titles', async () => {
    const feed = await parseFeed(
      rss('<item><title>&#060;i&gt;The Pitt&#060;/i&gt; and deepfakes</title></item>'),
      FEED_URL,
    );

    expect(feed.items[0]?.title).toBe('The Pitt and deepfakes');
  });
});

describe('parseFeed: Atom, RDF and JSON Feed', () => {
  it('maps an Atom entry (id, alternate link, published, content)', async () => {
    const feed = await parseFeed(
      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
       <entry><id>tag:example.com,2024:1</id><title type="html">Lazarus &amp;amp; friends</title>
       <link rel="alternate" href="/posts/1"/><published>2024-03-01T10:00:00+01:00</published>
       <updated>2024-03-02T10:00:00Z</updated><summary>short</summary>
       <content type="html">&lt;p&gt;Full &lt;em&gt;text&lt;/em&gt; here&lt;/p&gt;</content></entry></feed>`,
      FEED_URL,
    );

    expect(feed.items).toEqual([
      {
        guid: 'tag:example.com,2024:1',
        link: 'https://news.example.com/posts/1',
        title: 'Lazarus & friends',
        text: 'Full text here',
        published: '2024-03-01T09:00:00.000Z',
      },
    ]);
  });

  it('survives an unparseable Atom date instead of rejecting the feed', async () => {
    const feed = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>t</title><published>yesterday</published><updated>2024-01-02T00:00:00Z</updated></entry></feed>',
      FEED_URL,
    );

    expect(feed.items[0]?.published).toBe('2024-01-02T00:00:00.000Z');
  });

  it('maps an RSS 1.0 item, using rdf:about as the guid', async () => {
    const feed = await parseFeed(
      `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
       <channel rdf:about="https://www.debian.org/"><title>Debian News</title><link>https://www.debian.org/</link></channel>
       <item rdf:about="https://www.debian.org/News/2022/20221217"><title>Updated Debian 11</title>
       <link>https://www.debian.org/News/2022/20221217</link><dc:date>2022-12-17</dc:date></item></rdf:RDF>`,
      FEED_URL,
    );

    expect(feed.title).toBe('Debian News');
    expect(feed.items).toEqual([
      {
        guid: 'https://www.debian.org/News/2022/20221217',
        link: 'https://www.debian.org/News/2022/20221217',
        title: 'Updated Debian 11',
        text: '',
        published: '2022-12-17T00:00:00.000Z',
      },
    ]);
  });

  it('maps a JSON Feed', async () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'JSON News',
      home_page_url: 'https://json.example.com/',
      items: [
        {
          id: '1',
          url: '/a',
          title: 'APT28 again',
          content_html: '<p>Fancy <b>Bear</b></p>',
          date_published: '2024-05-01T12:00:00Z',
        },
        {
          id: 2,
          external_url: 'https://other.example/b',
          content_text: 'plain text',
          date_modified: 'not a date',
        },
        { id: '1', url: '/a', title: 'duplicate' },
      ],
    });

    const feed = await parseFeed(json, FEED_URL);

    expect(feed).toEqual({
      title: 'JSON News',
      link: 'https://json.example.com/',
      items: [
        {
          guid: '1',
          link: 'https://news.example.com/a',
          title: 'APT28 again',
          text: 'Fancy Bear',
          published: '2024-05-01T12:00:00.000Z',
        },
        { guid: '2', link: 'https://other.example/b', title: null, text: 'plain text' },
      ],
    });
  });
});

describe('parseFeed: repairs and refusals', () => {
  it.each([
    ['blank lines before the prolog', `\n\n\n${rss('<item><title>ok</title></item>')}`],
    [
      'a bogus <?phpxml?> prolog',
      `<?phpxml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><item><title>ok</title></item></channel></rss>`,
    ],
    [
      'an undefined HTML entity',
      rss('<item><title>ok</title><description>a&nbsp;b &eacute;</description></item>'),
    ],
    ['a bare ampersand', rss('<item><title>ok</title><description>AT&T</description></item>')],
    ['an illegal control character', rss('<item><title>ok\u000f</title></item>')],
    ['a BOM left in the string', `\uFEFF${rss('<item><title>ok</title></item>')}`],
  ])('parses a feed with %s', async (_name, document) => {
    const feed = await parseFeed(document, FEED_URL);

    expect(feed.items.map((item) => item.title)).toEqual(['ok']);
  });

  it('turns HTML-only entities into the characters they name', async () => {
    const feed = await parseFeed(
      rss('<item><title>a&nbsp;b</title><description>caf&eacute; AT&T &hellip;</description></item>'),
      FEED_URL,
    );

    expect(feed.items[0]).toMatchObject({ title: 'a b', text: 'café AT&T …' });
  });

  it.each([
    [
      'drops whitespace before the prolog',
      '\n\n  <?xml version="1.0"?><rss/>',
      '<?xml version="1.0" encoding="UTF-8"?><rss/>',
    ],
    [
      'replaces a bogus prolog',
      '<?phpxml version="1.0" encoding="UTF-8"?>\n<rss/>',
      '<?xml version="1.0" encoding="UTF-8"?>\n<rss/>',
    ],
    [
      'drops a lying encoding from the prolog',
      "<?xml version='1.0' encoding='utf-16'?><rss/>",
      '<?xml version="1.0" encoding="UTF-8"?><rss/>',
    ],
    [
      'keeps stylesheet PIs',
      '<?xml-stylesheet href="a.css"?><rss/>',
      '<?xml-stylesheet href="a.css"?><rss/>',
    ],
    [
      'strips control characters but keeps tab and newlines',
      '<a>x\u0000\u000f\ty\r\nz\uFFFE</a>',
      '<a>x\ty\r\nz</a>',
    ],
    ['escapes a bare ampersand', '<a>AT&T & co</a>', '<a>AT&amp;T &amp; co</a>'],
    ['escapes an unknown entity name', '<a>&bogus;</a>', '<a>&amp;bogus;</a>'],
  ])('sanitizeXml %s', (_name, input, expected) => {
    expect(sanitizeXml(input)).toBe(expected);
  });

  it('leaves CDATA sections untouched by the entity repair', () => {
    const xml = '<a><![CDATA[x &nbsp; & y]]></a>&nbsp;&copy;&amp;&#38;';

    expect(sanitizeXml(xml)).toBe('<a><![CDATA[x &nbsp; & y]]></a>&#160;&#169;&amp;&#38;');
  });

  it.each([
    [
      'an HTML page',
      '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>',
    ],
    ['plain text', 'Service unavailable'],
    ['an empty document', ''],
    ['a non-feed XML document', '<?xml version="1.0"?><error><code>403</code></error>'],
    ['JSON that is not a JSON Feed', '{"error":"not found"}'],
  ])('refuses %s as not-a-feed', async (_name, document) => {
    const error = await parseError(document);

    expect(error.kind).toBe('not-a-feed');
    expect(error.feedUrl).toBe(FEED_URL);
  });

  it('reads an Atom feed wrapped in an XHTML page', async () => {
    const feed = await parseFeed(
      '<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><body><feed xmlns="http://www.w3.org/2005/Atom"><title>Wrapped</title><entry><id>1</id><title>inside</title></entry></feed></body></html>',
      FEED_URL,
    );

    expect(feed.items.map((item) => item.title)).toEqual(['inside']);
  });

  it.each([
    ['a truncated document', rss('<item><title>cut off').slice(0, -20)],
    ['broken JSON', '{"version":"https://jsonfeed.org/version/1", "items": ['],
  ])('refuses %s as malformed, with the parser error as cause', async (_name, document) => {
    const error = await parseError(document);

    expect(error.kind).toBe('malformed');
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('parseFeedDate with localised names', () => {
  it.each([
    ['Seg, 24 Set 2018 19:18:49 -0300', '2018-09-24T22:18:49.000Z'], // Portuguese (uol)
    ['Sáb, 01 Dez 2018 10:00:00 +0000', '2018-12-01T10:00:00.000Z'],
    ['Domingo, 13 de janeiro de 2019 10:00:00 -0200', '2019-01-13T12:00:00.000Z'],
    ['Di, 05 Mai 2020 10:00:00 +0200', '2020-05-05T08:00:00.000Z'], // German
    ['Do, 03. März 2020 10:00:00 +0100', '2020-03-03T09:00:00.000Z'],
    ['3. Okt. 2021 um 10:00 Uhr', '2021-10-03T10:00:00.000Z'],
    ['mar., 05 oct. 2021 10:00:00 +0200', '2021-10-05T08:00:00.000Z'], // French
    ['lun, 1er févr. 2021 09:30:00 +0100', '2021-02-01T08:30:00.000Z'],
    ['jeu., 17 août 2023 07:45:00 +0200', '2023-08-17T05:45:00.000Z'],
    ['mar, 14 dic 2021 17:00:00 -0500', '2021-12-14T22:00:00.000Z'], // Spanish
    ['Mié, 10 Ago 2022 12:00:00 GMT', '2022-08-10T12:00:00.000Z'],
    ['Mon, 24 Sep 2018 19:18:49 -0300', '2018-09-24T22:18:49.000Z'],
  ])('%s → %s', (value, expected) => {
    expect(new Date(parseFeedDate(value)).toISOString()).toBe(expected);
  });

  it('still refuses what is not a date', () => {
    expect(parseFeedDate('not a date')).toBeNaN();
    expect(parseFeedDate('Seg, sem data')).toBeNaN();
  });

  it('fills published for an RSS item with a Portuguese pubDate', async () => {
    const xml = `<rss version="2.0"><channel><title>t</title><item><title>a</title><link>https://example.com/a</link>
      <pubDate>Qua, 26 Set 2018 08:05:00 -0300</pubDate></item></channel></rss>`;
    const feed = await parseFeed(xml, 'https://example.com/feed');
    expect(feed.items[0]?.published).toBe('2018-09-26T11:05:00.000Z');
  });
});
