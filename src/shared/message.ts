/** What a Sender posts: a Discord message body in wire shape, already within Discord's limits. */
export interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface Embed {
  title?: string;
  url?: string;
  description?: string;
  color?: number;
  timestamp?: string;
  fields?: EmbedField[];
  footer?: { text: string };
  /** `attachment://<name>` shows a file of the message inside the embed. */
  image?: { url: string };
}

/** A file sent with a message (multipart on the wire); kept base64 so the outbox row stays JSON. */
export interface MessageFile {
  name: string;
  contentType: string;
  /** The bytes, base64. */
  data: string;
  /** Alt text. */
  description?: string;
}

export interface AllowedMentions {
  parse: Array<'users' | 'roles' | 'everyone'>;
  roles?: string[];
  users?: string[];
}

export interface OutgoingMessage {
  content?: string;
  embeds: Embed[];
  /** Always present: text from articles must never ping. */
  allowed_mentions: AllowedMentions;
  /** A bot message that answers an earlier one (a story's update replies to its alert); webhooks cannot reply. */
  replyTo?: string;
  /**
   * Idempotency key for bot sends (at most 25 characters): for a few minutes Discord answers a repeat
   * with the first message instead of posting again. Best set from the outbox row; when absent the
   * bot sender derives one from the content. Webhooks have no nonce and ignore it.
   */
  nonce?: string;
  /**
   * For a machine destination (TAXII, MISP) instead of the Discord body: the whole story in a
   * standard format, which the destination stores under `id` (a repeat replaces, never adds).
   */
  document?: ExportDocument;
  /** Attachments (a summary's chart). Destinations that cannot show files say so instead. */
  files?: MessageFile[];
}

/** A story as a machine destination takes it; built by src/export, posted by its sender. */
export type ExportDocument =
  | {
      format: 'stix';
      /** The story's STIX report id. */
      id: string;
      /** The bundle's objects (TAXII takes them in an envelope, not a bundle). */
      objects: ReadonlyArray<{ type: string; id: string }>;
    }
  | {
      format: 'misp';
      /** The MISP event's uuid. */
      id: string;
      /** `{ Event: {...} }` in MISP's core format. */
      event: { Event: { uuid: string } };
    };

/**
 * Why a row is in the outbox. alert: a story's first message on a destination; edit: that message
 * rewritten (PATCH) as more outlets report; update: a new message announcing a new claim in a known
 * story; notice: for admins; digest: held alerts sent as one message; summary: a route's scheduled
 * daily or weekly summary.
 */
export type OutboxKind = 'alert' | 'update' | 'edit' | 'notice' | 'digest' | 'summary';

/** One message for one destination, as the pipeline queues it. */
export interface OutboxInsert {
  destination: string;
  message: OutgoingMessage;
  /** Default 'alert'. */
  kind?: OutboxKind;
  /** Straight into the destination's next digest instead of a message of its own. */
  hold?: boolean;
}
