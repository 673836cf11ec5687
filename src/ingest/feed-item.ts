/** A feed entry after parsing, before anything decides whether it is new. */
export interface FeedItem {
  guid?: string;
  /** Absolute, resolved against the feed URL. */
  link?: string;
  title: string | null;
  /** Plain text of content:encoded / content / description, whichever is longest. */
  text: string;
  /** ISO 8601 when the feed gave a parseable date. */
  published?: string;
}

export interface FetchValidators {
  etag?: string;
  lastModified?: string;
}

/** Present when the feed answered through permanent redirects only: poll `movedTo` from now on. */
export interface Moved {
  movedTo?: string;
}

export type FetchResult = Moved &
  (
    | {
        status: 'not-modified';
        url: string;
        /** Validators the 304 carried (RFC 9110 lets a server refresh them); absent when it sent none. */
        validators?: FetchValidators;
        /** How long the server says the document stays fresh (Cache-Control max-age / Expires), from now. */
        cacheFreshMs?: number;
      }
    | {
        status: 'ok';
        url: string;
        body: string;
        validators: FetchValidators;
        contentType?: string;
        /** How long the server says the document stays fresh (Cache-Control max-age / Expires), from now. */
        cacheFreshMs?: number;
      }
  );

/** Fetches one feed document and decodes it to a string. */
export interface FeedFetcher {
  fetchFeed(url: string, validators: FetchValidators): Promise<FetchResult>;
}
