import { describe, expect, it } from 'vitest';
import { htmlToText, inlineText } from '../../../src/ingest/html-text.js';

describe('htmlToText', () => {
  it.each([
    [
      'paragraphs become lines',
      '<p>First  paragraph.</p>\n<p>Second\nparagraph.</p>',
      'First paragraph.\nSecond paragraph.',
    ],
    ['br breaks a line', 'one<br>two<br/>three', 'one\ntwo\nthree'],
    [
      'entities are decoded',
      '<p>AT&amp;T &lt;3 caf&eacute; &#8217;quoted&#x2019; a&nbsp;b</p>',
      'AT&T <3 café ’quoted’ a b',
    ],
    [
      'scripts, styles and images are dropped',
      '<p>Keep<script>alert(1)</script><style>p{}</style><img src="x.png" alt="no"> this</p>',
      'Keep this',
    ],
    [
      'headings and list items are lines',
      '<h2>Title</h2><ul><li>one</li><li>two</li></ul>',
      'Title\none\ntwo',
    ],
    [
      'table cells of a row share a line',
      '<table><tr><td>CVE-2021-26855</td><td>Exchange</td></tr><tr><td>b</td></tr></table>',
      'CVE-2021-26855 Exchange\nb',
    ],
    [
      'FeedBurner flare and tracking links are dropped',
      'Text<div class="feedflare"><a href="http://feeds.feedburner.com/~ff/x?a=1"><img src="http://feeds.feedburner.com/~ff/x?d=2"></a></div><a href="http://feeds.feedburner.com/~a/x">ad</a>',
      'Text',
    ],
    ['preformatted lines stay separate', '<pre>line 1\nline 2</pre>', 'line 1\nline 2'],
    ['soft hyphens and zero-width spaces vanish', 'Sicher\u00adheits\u200blücke', 'Sicherheitslücke'],
    ['inline elements do not break words', 'an <b>APT</b><i>29</i> attack', 'an APT29 attack'],
    ['empty input', '', ''],
  ])('%s', (_name, html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });
});

describe('inlineText', () => {
  it.each([
    ['markup inside a title', '<i>The Pitt</i> and AI', 'The Pitt and AI'],
    ['left-over entities', 'Tom &amp; Jerry&#8217;s', 'Tom & Jerry’s'],
    ['plain text with < is kept', 'x < y and y > z', 'x < y and y > z'],
    ['newlines and padding collapse', '\n  Title with\n newline \n', 'Title with newline'],
  ])('%s', (_name, value, expected) => {
    expect(inlineText(value)).toBe(expected);
  });
});
