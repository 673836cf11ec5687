import type { Writable } from 'node:stream';
import type { OutgoingMessage } from '../shared/message.js';
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
    await this.#write(`${renderMessageText(message)}\n\n`);
    return {};
  }

  /** A console cannot rewrite what it printed: the story as it now stands is printed again, marked. */
  async edit(_messageId: string, message: OutgoingMessage): Promise<SendResult> {
    await this.#write(`(updated) ${renderMessageText(message)}\n\n`);
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
