/**
 * One JSON request to a machine destination (TAXII, MISP), its answer classified for the outbox:
 * a refused credential or a missing collection stops the destination (suspended), a document the
 * peer finds invalid is rejected, and anything transient (network, timeout, 408, 429, 5xx) is
 * retried by the outbox worker, at least as late as Retry-After. No retries here.
 */
import { errorMessage } from '../shared/errors.js';
import { parseRetryAfter } from '../shared/http.js';
import { DeliveryError } from './sender.js';

export interface PushRequest {
  /** Who answers, for messages ("TAXII server", "MISP"). */
  peer: string;
  url: string;
  /** Default POST. */
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** The JSON to post (none for GET). */
  body?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface PushAnswer {
  status: number;
  /** The parsed JSON body, or null when it is not JSON. */
  json: unknown;
  /** The body, on one line and shortened, for error messages. */
  quoted: string;
  retryAfter: string | null;
}

/** Longest part of a peer's error body quoted in an error (it may be an HTML page). */
const QUOTED_CHARS = 200;
/** Most of an answer read: a status resource or an error is small; a peer that streams more is cut off. */
const MAX_ANSWER_BYTES = 1024 * 1024;

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_ANSWER_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

export async function pushJson(request: PushRequest): Promise<PushAnswer> {
  const doFetch = request.fetch ?? fetch;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(request.url, {
      method: request.method ?? 'POST',
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    text = await readCapped(response);
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new DeliveryError(
      timedOut
        ? `${request.peer} did not answer within ${request.timeoutMs} ms`
        : `${request.peer} could not be reached: ${errorMessage(error)}`,
      { kind: 'retryable', cause: error },
    );
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return {
    status: response.status,
    json,
    quoted: flat.length > QUOTED_CHARS ? `${flat.slice(0, QUOTED_CHARS)}…` : flat,
    retryAfter: response.headers.get('retry-after'),
  };
}

/** The DeliveryError for a non-2xx answer. */
export function failureOf(peer: string, answer: PushAnswer, now = new Date()): DeliveryError {
  const { status, quoted, retryAfter } = answer;
  const said = quoted ? `: ${quoted}` : '';
  if (status === 401 || status === 403)
    return new DeliveryError(`${peer} refused attribot's credential (HTTP ${status})${said}`, {
      kind: 'permanent',
      status,
    });
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return new DeliveryError(`${peer} answered HTTP ${status}${said}`, {
      kind: 'retryable',
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  // 400, 413, 422: this document is refused (rejected); any other answer (404, 405, 3xx) says the
  // destination is not where the config points (suspended until fixed).
  return new DeliveryError(`${peer} answered HTTP ${status}${said}`, { kind: 'permanent', status });
}
