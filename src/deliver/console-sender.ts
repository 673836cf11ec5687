import type { Writable } from 'node:stream';
import type { MessageFile, OutgoingMessage } from '../shared/message.js';
import { DeliveryError, type Sender, type SendResult } from './sender.js';

export interface ConsoleSenderOptions {
  name?: string;
  /** Where alerts are written; process.stdout by default. */
  out?: Writable;
}

/** Prints alerts for a person when no Discord destination is configured. */
export class ConsoleSender implements Sender {
  readonly name: string;
  readonly #out: Writable;

  constructor(options: ConsoleSenderOptions = {}) {
    this.name = options.name ?? 'console';
    this.#out = options.out ?? process.stdout;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const files = (message.files ?? []).map((file) => `${describeFile(file)}\n`).join('');
    await this.#write(`${renderMessageText(message)}\n${files}\n`);
    return {};
  }

  /**
   * A console cannot rewrite what it printed: the story as it now stands is printed again under a
   * first line that says it updates the alert of that title.
   */
  async showEdit(message: OutgoingMessage): Promise<SendResult> {
    const title = message.embeds.find((embed) => embed.title)?.title;
    const marker = title ? `Update to: ${markdownToText(title)}` : 'Update to an earlier alert';
    await this.#write(`${marker}\n${renderMessageText(message)}\n\n`);
    return {};
  }

  #write(text: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#out.write(text, (error) => {
        if (error)
          reject(
            new DeliveryError(`Console "${this.name}" write failed`, { kind: 'retryable', cause: error }),
          );
        else resolve();
      });
    });
  }
}

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;

/** Discord markdown → what a person reads: masked links spelled out, bold markers and escapes removed. */
export function markdownToText(markdown: string): string {
  return (
    markdown
      .replace(ZERO_WIDTH, '')
      // C0/C1 controls other than newline: a terminal must not receive escape sequences.
      .replace(/\p{Cc}/gu, (char) => (char === '\n' ? char : ' '))
      .replace(/(?<!\\)\[((?:\\.|[^\]\\])*)\]\((https?:\/\/[^)\s]+)\)/g, '$1 <$2>')
      .replace(/(?<!\\)\*\*/g, '')
      .replace(/\\([^\p{L}\p{N}\s])/gu, '$1')
  );
}

/** A readable block for one message: title, link, description, then "Name: value" per field. */
export function renderMessageText(message: OutgoingMessage): string {
  const blocks: string[] = [];
  if (message.content) blocks.push(markdownToText(message.content));
  for (const embed of message.embeds) {
    const lines: string[] = [];
    if (embed.title) lines.push(`== ${markdownToText(embed.title)} ==`);
    if (embed.url) lines.push(markdownToText(embed.url));
    if (embed.description) lines.push(markdownToText(embed.description));
    const width = Math.max(0, ...(embed.fields ?? []).map((field) => field.name.length)) + 2;
    for (const field of embed.fields ?? []) {
      const [first = '', ...rest] = markdownToText(field.value).split('\n');
      lines.push(`${`${markdownToText(field.name)}:`.padEnd(width)} ${first}`);
      for (const line of rest) lines.push(`${' '.repeat(width)} ${line}`);
    }
    if (embed.footer?.text) lines.push(markdownToText(embed.footer.text));
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}

/** A file a terminal cannot show, said in one line: name, kind, size (and a PNG's pixel size). */
export function describeFile(file: MessageFile): string {
  const bytes = Buffer.from(file.data, 'base64');
  const png =
    file.contentType === 'image/png' && bytes.length >= 24 && bytes.toString('latin1', 12, 16) === 'IHDR'
      ? ` ${bytes.readUInt32BE(16)}×${bytes.readUInt32BE(20)}`
      : '';
  const size = bytes.length >= 1024 ? `${(bytes.length / 1024).toFixed(1)} kB` : `${bytes.length} B`;
  return `[attached: ${markdownToText(file.name)} (${file.contentType}${png}, ${size}); not shown here: a Discord destination receives it]`;
}
