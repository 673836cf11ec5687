/**
 * A parsed feed as plain data (what a worker thread hands back) and as items with text. No parser
 * is imported here, so the main thread loads none until a document needs one.
 */
import { AppError } from '../shared/errors.js';
import type { FeedItem } from './feed-item.js';

export interface ParsedFeed {
  title: string | null;
  /** The site the feed belongs to, absolute. */
  link?: string;
  items: FeedItem[];
}

/** An item as the parser hands it over: its body not yet turned into text (that is done on demand). */
export type RawFeedItem = Omit<FeedItem, 'text'> & { body: string; bodyIsHtml: boolean };

/** A parsed feed as plain data, so it can cross from a worker thread. */
export interface FeedDocument {
  title: string | null;
  link?: string;
  items: RawFeedItem[];
}

export type FeedParseErrorKind = 'not-a-feed' | 'malformed';

/** The document is not a feed (an HTML page, an error page) or is broken beyond repair. */
export class FeedParseError extends AppError {
  readonly kind: FeedParseErrorKind;
  readonly feedUrl: string;

  constructor(kind: FeedParseErrorKind, message: string, feedUrl: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.feedUrl = feedUrl;
  }
}

/** Items get a `text` that converts their body on first read (most items of a first poll are never read). */
export function withItemText(document: FeedDocument, toText: (html: string) => string): ParsedFeed {
  const items = document.items.map(({ body, bodyIsHtml, ...item }) =>
    bodyIsHtml ? withLazyText({ ...item, text: '' }, body, toText) : { ...item, text: body },
  );
  return { title: document.title, ...(document.link ? { link: document.link } : {}), items };
}

/**
 * Makes `text` an ordinary-looking enumerable property whose HTML → text conversion runs on first
 * read. A first poll seeds most items without ever reading their text, and the conversion (an HTML
 * parse per item) is the largest cost of parsing a feed.
 */
function withLazyText<T extends { text: string }>(
  item: T,
  html: string,
  toText: (html: string) => string,
): T {
  let text: string | undefined;
  Object.defineProperty(item, 'text', {
    enumerable: true,
    configurable: true,
    get: () => {
      text ??= toText(html);
      return text;
    },
    set: (value: string) => {
      text = value;
    },
  });
  return item;
}
