/**
 * Golden checks over real feed documents: bytes → decodeBody (with the Content-Type the publisher
 * sent) → parseFeed. Each case names an item whose title only comes out right when decoding,
 * repair and mapping all work.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/ingest/decode.js';
import type { FeedItem } from '../../src/ingest/feed-item.js';
import { FeedParseError, type ParsedFeed, parseFeed } from '../../src/ingest/parse-feed.js';
import { readFeedFixture } from '../helpers/feed-server.js';

interface FixtureCase {
  file: string;
  contentType: string;
  feedUrl: string;
  count: number;
  index: number;
  item: Partial<FeedItem> & { title: string };
}

async function parseFixture(file: string, contentType: string, feedUrl: string): Promise<ParsedFeed> {
  const raw = readFeedFixture(file);
  const bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
  return parseFeed(decodeBody(bytes, contentType), feedUrl);
}

const CASES: FixtureCase[] = [
  {
    file: 'xakep-ru-security-news.windows-1251.rss',
    contentType: 'application/rss+xml; charset=windows-1251',
    feedUrl: 'http://www.xakep.ru/articles/rss/',
    count: 25,
    index: 0,
    item: {
      title: 'Руководители разведки США шутят об убийстве Сноудена',
      link: 'http://www.xakep.ru/post/61360/default.asp',
      published: '2013-10-03T23:34:59.000Z',
    },
  },
  {
    file: 'h-online-the-h-news.atom',
    contentType: 'application/atom+xml',
    feedUrl: 'http://www.h-online.com/news/atom.xml',
    count: 60,
    index: 0,
    item: {
      title: 'McAfee update brings systems down again',
      link: 'http://www.h-online.com/security/McAfee-update-brings-systems-down-again--/news/113689/from/rss',
      published: '2009-07-04T18:31:10.000Z',
    },
  },
  {
    file: 'heise-online-news.rss090-no-guid-no-dates-mixed-eol.rdf',
    contentType: 'application/rdf+xml',
    feedUrl: 'http://www.heise.de/newsticker/heise.rdf',
    count: 60,
    index: 0,
    item: {
      title: 'Facebook f8: Künstliche Intelligenz räumt den Newsfeed auf',
      link: 'http://www.heise.de/newsticker/meldung/Facebook-f8-Kuenstliche-Intelligenz-raeumt-den-Newsfeed-auf-3173304.html?wt_mc=rss.ho.beitrag.rdf',
    },
  },
  {
    file: 'golem-it-news.iso-8859-1.rss',
    contentType: 'application/rss+xml; charset=ISO-8859-1',
    feedUrl: 'https://rss.golem.de/rss.php?feed=RSS2.0',
    count: 40,
    index: 4,
    item: {
      title: 'Machine Learning: Von KI erstelltes Porträt für 432.500 US.Dollar versteigert',
      published: '2018-10-27T12:33:00.000Z',
    },
  },
  {
    file: 'cloudflare-blog.cdata-content-encoded.rss',
    contentType: 'application/rss+xml; charset=utf-8',
    feedUrl: 'https://blog.cloudflare.com/rss/',
    count: 1,
    index: 0,
    item: {
      title: 'Privacy-Preserving Compromised Credential Checking',
      link: 'https://blog.cloudflare.com/privacy-preserving-compromised-credential-checking/',
      published: '2021-10-14T12:59:53.000Z',
    },
  },
  {
    file: 'debian-news.rss10.rdf',
    contentType: 'application/rdf+xml',
    feedUrl: 'https://www.debian.org/News/news.rdf',
    count: 1,
    index: 0,
    item: {
      title: 'Updated Debian 11: 11.6 released',
      guid: 'https://www.debian.org/News/2022/20221217',
      published: '2022-12-17T00:00:00.000Z',
    },
  },
  {
    file: 'slashdot.rss10-slash-module.rdf',
    contentType: 'application/rdf+xml',
    feedUrl: 'http://rss.slashdot.org/Slashdot/slashdot',
    count: 10,
    index: 9,
    item: {
      title: 'Baltimore to Test Cell Phone Traffic Monitoring',
      link: 'http://yro.slashdot.org/article.pl?sid=05/11/19/143247&from=rss',
      published: '2005-11-19T15:10:00.000Z',
    },
  },
  {
    file: 'google-official-blog.blogger-feedburner.atom',
    contentType: 'application/atom+xml; charset=UTF-8',
    feedUrl: 'http://feeds.feedburner.com/blogspot/MKuf',
    count: 25,
    index: 3,
    item: {
      title: 'M&M’s, Beyonce and Ravens dominate game day searches on Google',
      // feedburner:origLink, not the feedproxy.google.com redirect
      link: 'http://googleblog.blogspot.com/2013/02/m-beyonce-and-ravens-dominate-game-day.html',
      published: '2013-02-04T14:00:00.000Z',
    },
  },
  {
    file: 'techcrunch.newline-before-xml-decl.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'http://feeds.feedburner.com/Techcrunch',
    count: 20,
    index: 0,
    item: {
      title: 'Angie’s List Sets Price Range IPO At $11 To $13 Per Share; Valued At Over $600M',
      link: 'http://techcrunch.com/2011/11/02/angies-list-prices-ipo-at-11-to-13-per-share-valued-at-over-600m/',
      published: '2011-11-02T17:25:27.000Z',
    },
  },
  {
    file: 'al-monitor.duplicate-items-iso8601-pubdate.rss',
    contentType: 'application/rss+xml; charset=utf-8',
    feedUrl: 'https://www.al-monitor.com/rss',
    count: 11, // 20 in the document, 3 stories repeated 4 times
    index: 2,
    item: {
      title: 'Qatar PM arrives in Venezuela on first trip since Maduro’s ouster: What to know',
      published: '2026-02-17T20:19:37.000Z',
    },
  },
  {
    file: 'uol-noticias.no-prolog-undeclared-latin1-pt-dates.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'https://rss.uol.com.br/feed/noticias.xml',
    count: 15,
    index: 0,
    item: {
      title: 'Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno',
      link: 'https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/ibope-bolsonaro-perde-de-haddad-ciro-e-alckmin-em-simulacoes-de-2-turno.htm',
      // "Seg, 24 Set 2018 19:42:40 -0300": Portuguese day and month names.
      published: '2018-09-24T22:42:40.000Z',
    },
  },
  {
    file: 'dailymail.declared-iso-8859-1-but-utf8.rss',
    contentType: 'application/rss+xml; charset=ISO-8859-1',
    feedUrl: 'http://www.dailymail.co.uk/ushome/index.rss',
    count: 1,
    index: 0,
    item: {
      title:
        'Could the infamous Black Dahlia case be about to be solved? Cadaver dog discovers death scent at Hollywood home of suspect 66 years after the horrific murder',
      published: '2013-02-03T04:13:03.000Z',
    },
  },
  {
    file: 'eliot-jones.declared-utf-16-but-utf8.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'https://eliot-jones.com/rss',
    count: 59,
    index: 58,
    item: {
      title: 'Python Development On Windows',
      link: 'https://eliot-jones.com/2013/6/python-on-windows',
      published: '2013-06-08T00:00:00.000Z',
    },
  },
  {
    file: 'hubspot-marketing.bom-double-encoded-mojibake.rss',
    contentType: 'application/rss+xml; charset=UTF-8',
    feedUrl: 'https://blog.hubspot.com/marketing/rss.xml',
    count: 50,
    index: 0,
    item: {
      title: 'The 13 Best Photo & Video Editing Apps for Mobile',
      link: 'https://blog.hubspot.com/marketing/photo-video-editing-apps-mobile',
      published: '2017-01-06T13:00:00.000Z',
    },
  },
  {
    file: 'stackoverflow-nmea.bom-illegal-control-char.atom',
    contentType: 'application/atom+xml; charset=utf-8',
    feedUrl: 'https://stackoverflow.com/feeds/tag?tagnames=nmea',
    count: 1,
    index: 0,
    item: {
      title: 'Decode NMEA bytes received via external GPS bluetooth device',
      guid: 'https://stackoverflow.com/q/49812816',
      published: '2018-04-13T08:45:41.000Z',
    },
  },
  {
    file: 'kc0011.gb2312-nonstandard-dates.rss',
    contentType: 'application/rss+xml; charset=gb2312',
    feedUrl: 'http://www.kc0011.net/rss.asp',
    count: 20,
    index: 0,
    item: {
      title: '建国35周年纪念，华表，和平鸽',
      link: 'http://www.kc0011.net/dispbbs.asp?BoardID=10&ID=25164257&Page=1',
      published: '2020-01-10T14:33:00.000Z', // no zone in the feed; tests run with TZ=UTC
    },
  },
  {
    file: 'univers-freebox.rss092-iso-8859-1-crlf.rss',
    contentType: 'application/rss+xml; charset=iso-8859-1',
    feedUrl: 'http://www.universfreebox.com/backend.php',
    count: 30,
    index: 0,
    item: {
      title: 'Retour de Xavier Niel sur Twitter, « sans initiative privée, pas de révolution #Born2code »',
      link: 'http://www.universfreebox.com/article20302.html',
      published: '2013-03-25T19:43:20.000Z',
    },
  },
  {
    file: 'fcutrecht.bogus-phpxml-prolog.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'https://www.fcutrecht.net/rss.xml',
    count: 20,
    index: 0,
    item: {
      title: 'Serdar Gözübüyük scheidsrechter bij FC Twente - FC Utrecht',
      published: '2021-09-06T10:17:00.000Z',
    },
  },
  {
    file: 'db-engines.undefined-nbsp-entity.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'https://db-engines.com/en/blog.rss',
    count: 1,
    index: 0,
    item: {
      title: 'Snowflake is the DBMS of the Year 2022, defending the title from last year',
      link: 'https://db-engines.com/en/blog_post/103',
      published: '2023-01-03T15:00:00.000Z',
    },
  },
  {
    file: 'avian-blog.atom-inside-xhtml-doc.xml',
    contentType: 'application/atom+xml',
    feedUrl: 'http://www.tablix.org/~avian/blog/atom.xml',
    count: 10,
    index: 0,
    item: {
      title: 'Down time',
      link: 'http://www.tablix.org/~avian/blog/archives/2014/07/down_time/',
      published: '2014-07-21T19:14:39.000Z',
    },
  },
  {
    file: 'nshipster.gzip-compressed.rss.gz',
    contentType: 'application/rss+xml',
    feedUrl: 'http://nshipster.com/feed.xml',
    count: 25,
    index: 24,
    item: {
      title: 'Extended File Attributes',
      link: 'http://nshipster.com/extended-file-attributes/',
      published: '2014-01-20T08:00:00.000Z',
    },
  },
  {
    file: 'braingle.duplicate-guid-elements.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'http://feeds.braingle.com/braingle/newteasers',
    count: 1,
    index: 0,
    // No <link>: the (first, permalink) guid stands in for it.
    item: {
      title: 'Huh?',
      guid: 'http://www.braingle.com/50366.html',
      link: 'http://www.braingle.com/50366.html',
    },
  },
  {
    file: 'groovehq-blog.relative-links.atom',
    contentType: 'application/atom+xml',
    feedUrl: 'https://blog1.groovehq.com/articles.xml',
    count: 10,
    index: 0,
    item: {
      title: 'SEO for Startups — How We Got Over Our Fear of SEO',
      link: 'https://blog1.groovehq.com/blog/seo-for-startups',
      published: '2014-10-16T00:00:00.000Z',
    },
  },
  {
    file: 'neverwinter.relative-urls.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'https://www.arcgames.com/en/games/neverwinter/news/rss',
    count: 2,
    index: 1,
    item: {
      title: '2x Underdark Currency & 15% off Bags!',
      link: 'https://www.arcgames.com/en/games/neverwinter/news/detail/10738994-2x-underdark-currency-%26-15%25-off-bags%21',
      published: '2017-12-07T15:00:00.000Z', // "07 Dec 17": two-digit year
    },
  },
  {
    file: 'androidauthority.leading-blank-lines-padded-values.rss',
    contentType: 'application/rss+xml',
    feedUrl: 'https://www.androidauthority.com/feed/',
    count: 1,
    index: 0,
    item: {
      title: 'Japan’s plans for 5G include 10 billion 14-digit phone numbers',
      link: 'https://www.androidauthority.com/japan-phone-numbers-14-digits-5g-986823/',
      published: '2019-05-15T20:48:02.000Z',
    },
  },
];

describe('parse real feed fixtures', () => {
  it.each(CASES)('$file', async ({ file, contentType, feedUrl, count, index, item }) => {
    const feed = await parseFixture(file, contentType, feedUrl);

    expect(feed.items).toHaveLength(count);
    expect(feed.items[index]).toMatchObject(item);
    for (const parsed of feed.items) {
      expect(parsed.title ?? '').not.toMatch(/\uFFFD|^\s|\s$/);
      if (parsed.link !== undefined) expect(parsed.link).toMatch(/^https?:\/\/[^/]/);
      if (parsed.published !== undefined)
        expect(parsed.published).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(new Set(feed.items.map((parsed) => parsed.guid ?? parsed.link)).size).toBe(count);
  });

  it('gives every item plain text without markup or tracking (cloudflare, golem)', async () => {
    const cloudflare = await parseFixture(
      'cloudflare-blog.cdata-content-encoded.rss',
      'application/rss+xml',
      'https://blog.cloudflare.com/rss/',
    );
    const golem = await parseFixture(
      'golem-it-news.iso-8859-1.rss',
      'application/rss+xml; charset=ISO-8859-1',
      'https://rss.golem.de/rss.php',
    );

    const text = cloudflare.items[0]?.text ?? '';
    expect(text.length).toBeGreaterThan(5000);
    expect(text).toContain('Today we’re announcing a public demo');
    expect(text).not.toMatch(/<\/?(p|figure|img|code)\b/);
    expect(golem.items[0]?.text).toContain('Viele Spieler wünschen sich eine PC-Version');
    expect(golem.items.map((item) => item.text).join('\n')).not.toContain('cpx.golem.de');
  });

  it('synthesises nothing for feeds without dates or guids (heise) and reads Portuguese dates (uol)', async () => {
    const heise = await parseFixture(
      'heise-online-news.rss090-no-guid-no-dates-mixed-eol.rdf',
      'application/rdf+xml',
      'http://www.heise.de/newsticker/heise.rdf',
    );
    const uol = await parseFixture(
      'uol-noticias.no-prolog-undeclared-latin1-pt-dates.rss',
      'application/rss+xml',
      'https://rss.uol.com.br/feed/noticias.xml',
    );

    expect(heise.items.filter((item) => item.published !== undefined || item.guid !== undefined)).toEqual([]);
    // Portuguese day and month names ("Seg, 24 Set 2018 19:42:40 -0300") become real dates.
    expect(uol.items.every((item) => item.published?.startsWith('2018-09-24T'))).toBe(true);
  });

  it('refuses the truncated hackernews document as malformed', async () => {
    const error = await parseFixture(
      'hackernews.malformed-truncated.rss',
      'application/rss+xml',
      'https://news.ycombinator.com/rss',
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(FeedParseError);
    expect(error).toMatchObject({ kind: 'malformed', feedUrl: 'https://news.ycombinator.com/rss' });
  });
});
