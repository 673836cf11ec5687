/**
 * Adds a story's STIX objects to a TAXII 2.1 collection (POST {api-root}/collections/{id}/objects/,
 * TAXII 2.1 section 5.5). The objects keep their ids and `modified` across pushes, so a server
 * that already has a version ignores or replaces it: a repeat after a lost answer adds nothing.
 */
import type { ExportDocument, OutgoingMessage } from '../shared/message.js';
import { failureOf, pushJson } from './http-push.js';
import { DeliveryError, type Sender, type SendResult } from './sender.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

export interface TaxiiSenderOptions {
  name: string;
  /** The API root, e.g. https://taxii.example.org/api1/ */
  url: string;
  collection: string;
  auth: 'basic' | 'bearer';
  /** "user:password" (basic) or the token (bearer). Never logged. */
  secret: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** TAXII's status resource, as far as attribot reads it. */
interface TaxiiStatus {
  status?: string;
  total_count?: number;
  failure_count?: number;
  failures?: Array<{ id?: string; message?: string }>;
}

export class TaxiiSender implements Sender {
  readonly name: string;
  readonly #options: TaxiiSenderOptions;
  readonly #objectsUrl: string;
  readonly #collectionUrl: string;

  constructor(options: TaxiiSenderOptions) {
    this.name = options.name;
    this.#options = options;
    const root = options.url.endsWith('/') ? options.url : `${options.url}/`;
    this.#collectionUrl = new URL(`collections/${encodeURIComponent(options.collection)}/`, root).href;
    this.#objectsUrl = new URL('objects/', this.#collectionUrl).href;
  }

  /** GET the collection (TAXII 2.1 section 5.2): it exists, the credential is accepted, and it can be written. */
  async check(): Promise<string> {
    const peer = `TAXII server of "${this.name}"`;
    const answer = await pushJson({
      peer,
      url: this.#collectionUrl,
      method: 'GET',
      headers: { accept: TAXII_MEDIA_TYPE, authorization: this.#authorization() },
      timeoutMs: this.#options.timeoutMs,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    });
    if (answer.status < 200 || answer.status > 299) throw failureOf(peer, answer);
    const collection = (answer.json ?? {}) as { title?: string; can_write?: boolean };
    if (collection.can_write !== true)
      throw new DeliveryError(
        `${peer}: collection "${this.#options.collection}" cannot be written with this credential`,
        {
          kind: 'permanent',
          status: 403,
        },
      );
    return `collection "${collection.title ?? this.#options.collection}" accepts objects`;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const document = stixDocument(message.document, this.name);
    const peer = `TAXII server of "${this.name}"`;
    const answer = await pushJson({
      peer,
      url: this.#objectsUrl,
      headers: {
        accept: TAXII_MEDIA_TYPE,
        'content-type': TAXII_MEDIA_TYPE,
        authorization: this.#authorization(),
      },
      body: JSON.stringify({ objects: document.objects }),
      timeoutMs: this.#options.timeoutMs,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    });
    if (answer.status < 200 || answer.status > 299) throw failureOf(peer, answer);
    // 202 and a status resource; "pending" objects are the server's to finish, failures are ours.
    const report = (answer.json ?? {}) as TaxiiStatus;
    const failed = report.failure_count ?? report.failures?.length ?? 0;
    if (failed > 0) {
      const first = report.failures?.[0];
      throw new DeliveryError(
        `${peer} refused ${failed} of ${report.total_count ?? document.objects.length} objects${first ? ` (${first.id ?? 'an object'}: ${first.message ?? 'no reason given'})` : ''}`,
        { kind: 'permanent', status: 422 },
      );
    }
    return { messageId: document.id };
  }

  /** A later version of the story is the same push: the server keeps each object's newest version. */
  edit(_messageId: string, message: OutgoingMessage): Promise<SendResult> {
    return this.send(message);
  }

  #authorization(): string {
    const { auth, secret } = this.#options;
    return auth === 'bearer' ? `Bearer ${secret}` : `Basic ${Buffer.from(secret, 'utf8').toString('base64')}`;
  }
}

function stixDocument(
  document: ExportDocument | undefined,
  name: string,
): Extract<ExportDocument, { format: 'stix' }> {
  if (document?.format === 'stix') return document;
  // A Discord message or a MISP event queued for this destination (its type changed since): it
  // cannot become STIX here, so it is rejected rather than retried.
  throw new DeliveryError(`"${name}" takes STIX objects; this row holds no STIX document`, {
    kind: 'permanent',
    status: 400,
  });
}
