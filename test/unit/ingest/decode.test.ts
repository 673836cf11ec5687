import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody } from '../../../src/ingest/decode.js';
import { readFeedFixture } from '../../helpers/feed-server.js';

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

describe('decodeBody with real fixtures', () => {
  it.each([
    // [fixture, Content-Type as served, text that only the right decoding yields]
    [
      'xakep-ru-security-news.windows-1251.rss',
      'application/rss+xml; charset=windows-1251',
      'Руководители разведки США шутят об убийстве Сноудена',
    ],
    [
      'xakep-ru-security-news.windows-1251.rss',
      'application/rss+xml',
      'Руководители разведки США шутят об убийстве Сноудена',
    ],
    [
      'golem-it-news.iso-8859-1.rss',
      'application/rss+xml; charset=ISO-8859-1',
      'Viele Spieler wünschen sich eine PC-Version',
    ],
    ['golem-it-news.iso-8859-1.rss', 'application/rss+xml', 'Viele Spieler wünschen sich eine PC-Version'],
    [
      'kc0011.gb2312-nonstandard-dates.rss',
      'application/rss+xml; charset=gb2312',
      '建国35周年纪念，华表，和平鸽',
    ],
    ['kc0011.gb2312-nonstandard-dates.rss', undefined, '建国35周年纪念，华表，和平鸽'],
    [
      'uol-noticias.no-prolog-undeclared-latin1-pt-dates.rss',
      'application/rss+xml',
      'em simulações de 2º turno',
    ],
    [
      'univers-freebox.rss092-iso-8859-1-crlf.rss',
      'application/rss+xml',
      '« sans initiative privée, pas de révolution',
    ],
    [
      'dailymail.declared-iso-8859-1-but-utf8.rss',
      'application/rss+xml; charset=ISO-8859-1',
      '>© Bettmann/CORBIS<',
    ],
    ['dailymail.declared-iso-8859-1-but-utf8.rss', 'application/rss+xml', '>© Bettmann/CORBIS<'],
    ['eliot-jones.declared-utf-16-but-utf8.rss', 'application/rss+xml', 'Piscina Corporación Deportiva'],
    [
      'eliot-jones.declared-utf-16-but-utf8.rss',
      'application/rss+xml; charset=utf-16',
      'Piscina Corporación Deportiva',
    ],
    // Double-encoded at the source: the mojibake is the publisher's, and must survive as-is.
    [
      'hubspot-marketing.bom-double-encoded-mojibake.rss',
      'application/rss+xml; charset=UTF-8',
      'HubSpotâ€™s Marke',
    ],
  ])('%s served as %s contains %j', (file, contentType, expected) => {
    const text = decodeBody(readFeedFixture(file), contentType);

    expect(text).toContain(expected);
    expect(text).not.toContain('\uFFFD');
  });

  it('strips the UTF-8 BOM (hubspot)', () => {
    const text = decodeBody(readFeedFixture('hubspot-marketing.bom-double-encoded-mojibake.rss'));

    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  });

  it('does not produce Latin-1 mojibake for the dailymail lie', () => {
    const text = decodeBody(
      readFeedFixture('dailymail.declared-iso-8859-1-but-utf8.rss'),
      'text/xml; charset=iso-8859-1',
    );

    expect(text).not.toContain('Â©');
  });
});

describe('decodeBody rules', () => {
  it.each([
    ['UTF-16LE BOM', bytes(0xff, 0xfe, 0x3c, 0x00, 0xe9, 0x00, 0x3e, 0x00), undefined, '<é>'],
    ['UTF-16BE BOM', bytes(0xfe, 0xff, 0x00, 0x3c, 0x00, 0xe9, 0x00, 0x3e), undefined, '<é>'],
    [
      'UTF-8 BOM beats a Content-Type charset',
      bytes(0xef, 0xbb, 0xbf, 0xc3, 0xa9),
      'text/xml; charset=windows-1251',
      'é',
    ],
    [
      'Content-Type charset beats the prolog',
      ascii('<?xml version="1.0" encoding="iso-8859-1"?><a>\xe9</a>'),
      'text/xml; charset=windows-1251',
      '<?xml version="1.0" encoding="iso-8859-1"?><a>й</a>',
    ],
    [
      'prolog encoding when the header has none',
      ascii('<?xml version="1.0" encoding="windows-1251"?><a>\xe9</a>'),
      'text/xml',
      '<?xml version="1.0" encoding="windows-1251"?><a>й</a>',
    ],
    [
      'HTML meta charset',
      ascii('<html><head><meta charset="windows-1251"></head>\xe9'),
      'text/html',
      '<html><head><meta charset="windows-1251"></head>й',
    ],
    ['quoted Content-Type charset', ascii('<a>\xe9</a>'), 'text/xml; charset="koi8-r"', '<a>И</a>'],
    [
      'iso-8859-1 decodes as windows-1252 (WHATWG)',
      ascii('<a>\x80</a>'),
      'text/xml; charset=iso-8859-1',
      '<a>€</a>',
    ],
    [
      'undeclared invalid UTF-8 falls back to windows-1252',
      ascii('<a>caf\xe9 \x93ok\x94</a>'),
      undefined,
      '<a>café “ok”</a>',
    ],
    [
      'header utf-8 over Latin-1 bytes trusts the bytes',
      ascii('<a>caf\xe9</a>'),
      'text/xml; charset=utf-8',
      '<a>café</a>',
    ],
    [
      'unknown charset label is ignored',
      Uint8Array.from(Buffer.from('<a>é</a>')),
      'text/xml; charset=x-no-such-thing',
      '<a>é</a>',
    ],
    ['plain ASCII with no declaration', ascii('<a>plain</a>'), undefined, '<a>plain</a>'],
    [
      'a stray bad byte in UTF-8 text stays UTF-8',
      Uint8Array.from([...Buffer.from('<a>ééé'), 0xff, ...Buffer.from('</a>')]),
      undefined,
      '<a>ééé\uFFFD</a>',
    ],
  ])('%s', (_name, input, contentType, expected) => {
    expect(decodeBody(input, contentType)).toBe(expected);
  });
});

describe('charsetFromContentType', () => {
  it.each([
    ['application/rss+xml; charset=UTF-8', 'UTF-8'],
    ['text/xml;charset="gb2312"', 'gb2312'],
    ['text/html; boundary=x; CHARSET=windows-1251', 'windows-1251'],
    ['application/xml', undefined],
    [undefined, undefined],
  ])('%s → %s', (contentType, expected) => {
    expect(charsetFromContentType(contentType)).toBe(expected);
  });
});
