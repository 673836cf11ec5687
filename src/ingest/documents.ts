/**
 * Feed documents and article pages come from third parties, so parsing them is bounded: each runs
 * in a worker thread under a time budget (DocumentWorkers), and a document past its budget fails
 * alone, with an error that says so, while the main thread keeps polling, answering /healthz and
 * handling signals. InlineDocuments runs the same code on the calling thread, for one-off commands.
 */

import { AppError } from '../shared/errors.js';
import { BudgetExceededError, WorkerPool, WorkerTaskError } from '../shared/worker-pool.js';
import { type FeedDocument, FeedParseError, type ParsedFeed, withItemText } from './feed-document.js';
import type { MainText } from './main-text.js';

export interface DocumentParser {
  parseFeed(document: string, feedUrl: string): Promise<ParsedFeed>;
  mainText(html: string, url: string): Promise<MainText>;
  close?(): Promise<void>;
}

/** A document that took longer than its budget to parse. */
export class DocumentBudgetError extends AppError {
  readonly kind = 'budget' as const;
}

export class InlineDocuments implements DocumentParser {
  async parseFeed(document: string, feedUrl: string): Promise<ParsedFeed> {
    const { parseFeed } = await import('./parse-feed.js');
    return parseFeed(document, feedUrl);
  }

  async mainText(html: string, url: string): Promise<MainText> {
    const { extractMainText } = await import('./main-text.js');
    return extractMainText(html, url);
  }
}

export interface DocumentWorkersOptions {
  /** Time one document may take in a worker. */
  budgetMs: number;
  /** Worker threads; default one less than the cores (1..4). */
  threads?: number;
}

/** Heap cap per worker thread: a feed is at most maxFeedBytes, a page 3 MB; this leaves room for their trees. */
const WORKER_HEAP_MB = 128;
/** Young generation of a worker: large enough that parsing is not mostly scavenging, small enough to stay bounded. */
const WORKER_YOUNG_MB = 8;

export class DocumentWorkers implements DocumentParser {
  readonly #pool: WorkerPool;
  #budgetMs: number;

  constructor(options: DocumentWorkersOptions) {
    this.#budgetMs = options.budgetMs;
    const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    this.#pool = new WorkerPool({
      module: new URL(`./document-worker.${extension}`, import.meta.url),
      budgetMs: options.budgetMs,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      ...(options.threads === undefined ? {} : { size: options.threads }),
    });
  }

  /** A config reload may change the budget; documents started from now on get the new one. */
  set budgetMs(value: number) {
    this.#budgetMs = value;
  }

  async parseFeed(document: string, feedUrl: string): Promise<ParsedFeed> {
    try {
      const parsed = await this.#pool.run<FeedDocument>('parseFeed', { document, feedUrl }, this.#budgetMs);
      // Item bodies become text on the main thread, on demand, with the linear converter.
      const { htmlToText } = await import('./html-text.js');
      return withItemText(parsed, htmlToText);
    } catch (error) {
      if (error instanceof WorkerTaskError && error.name === 'FeedParseError') {
        const kind = error.kind === 'not-a-feed' ? 'not-a-feed' : 'malformed';
        throw new FeedParseError(kind, error.message, feedUrl, { cause: error });
      }
      throw budgetError(error, 'Parsing the feed document');
    }
  }

  async mainText(html: string, url: string): Promise<MainText> {
    try {
      return await this.#pool.run<MainText>('mainText', { html, url }, this.#budgetMs);
    } catch (error) {
      throw budgetError(error, 'Extracting the article text');
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

function budgetError(error: unknown, what: string): unknown {
  if (!(error instanceof BudgetExceededError)) return error;
  return new DocumentBudgetError(`${what} took longer than ${error.budgetMs} ms; abandoned`, {
    cause: error,
  });
}
