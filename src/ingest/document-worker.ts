/** Worker-thread side of document parsing: the CPU-bound, attacker-shaped work (see documents.ts). */
import { serveTasks } from '../shared/worker-pool.js';
import { extractMainText } from './main-text.js';
import { parseFeedDocument } from './parse-feed.js';

serveTasks({
  parseFeed: (payload: { document: string; feedUrl: string }) =>
    parseFeedDocument(payload.document, payload.feedUrl),
  mainText: (payload: { html: string; url: string }) => extractMainText(payload.html, payload.url),
});
