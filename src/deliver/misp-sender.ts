/**
 * Files a story as a MISP event through MISP's REST API: an edit of the event by its uuid
 * (POST /events/edit/{uuid}), or, when MISP does not have it yet (404), an add (POST /events/add).
 * The event's and its attributes' uuids come from the story, so a repeat updates the same event.
 */
import type { ExportDocument, OutgoingMessage } from '../shared/message.js';
import { failureOf, type PushAnswer, pushJson } from './http-push.js';
import { DeliveryError, type Sender, type SendResult } from './sender.js';

export interface MispSenderOptions {
  name: string;
  /** The MISP instance, e.g. https://misp.example.org/ */
  url: string;
  /** An automation key. Never logged. */
  key: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class MispSender implements Sender {
  readonly name: string;
  readonly #options: MispSenderOptions;
  readonly #base: string;

  constructor(options: MispSenderOptions) {
    this.name = options.name;
    this.#options = options;
    this.#base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const document = mispDocument(message.document, this.name);
    const { uuid } = document.event.Event;
    // MISP refuses an edit whose timestamp is not newer than its copy ("not newer than the local
    // copy"): without one it stamps the edit itself, so a repeat is accepted and changes nothing.
    const { timestamp: _stamp, ...event } = document.event.Event as { uuid: string; timestamp?: string };
    const body = JSON.stringify({ Event: event });
    const edited = await this.#post(`events/edit/${encodeURIComponent(uuid)}`, body);
    if (edited.status === 404) {
      const added = await this.#post('events/add', body);
      this.#check(added);
    } else {
      this.#check(edited);
    }
    return { messageId: uuid };
  }

  edit(_messageId: string, message: OutgoingMessage): Promise<SendResult> {
    return this.send(message);
  }

  /** GET /servers/getVersion: the key is accepted (MISP answers 403 to a wrong one). */
  async check(): Promise<string> {
    const answer = await pushJson({
      peer: this.#peer,
      url: new URL('servers/getVersion', this.#base).href,
      method: 'GET',
      headers: { authorization: this.#options.key, accept: 'application/json' },
      timeoutMs: this.#options.timeoutMs,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    });
    this.#check(answer);
    const version = (answer.json as { version?: unknown } | null)?.version;
    return `MISP${typeof version === 'string' ? ` ${version}` : ''} accepts the key`;
  }

  #post(path: string, body: string) {
    return pushJson({
      peer: this.#peer,
      url: new URL(path, this.#base).href,
      headers: {
        authorization: this.#options.key,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body,
      timeoutMs: this.#options.timeoutMs,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    });
  }

  get #peer(): string {
    return `MISP of "${this.name}"`;
  }

  #check(answer: PushAnswer): void {
    if (answer.status >= 200 && answer.status <= 299) return;
    // MISP answers a document it will not save with 403 too, but with `saved: false` and the
    // validation errors: that row is rejected, while a refused key suspends the destination.
    const refusedDocument = (answer.json as { saved?: unknown } | null)?.saved === false;
    if (answer.status === 403 && refusedDocument)
      throw new DeliveryError(`${this.#peer} would not save the event: ${answer.quoted}`, {
        kind: 'permanent',
        status: 422,
      });
    throw failureOf(this.#peer, answer);
  }
}

function mispDocument(
  document: ExportDocument | undefined,
  name: string,
): Extract<ExportDocument, { format: 'misp' }> {
  if (document?.format === 'misp') return document;
  throw new DeliveryError(`"${name}" takes MISP events; this row holds no MISP event`, {
    kind: 'permanent',
    status: 400,
  });
}
