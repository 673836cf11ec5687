import type { OutgoingMessage } from '../../src/shared/message.js';
import type { ItemRecord, OutboxInsert } from '../../src/store/store.js';

export function plainMessage(title: string): OutgoingMessage {
  return { embeds: [{ title }], allowed_mentions: { parse: [] } };
}

/** One processed feed item per alert, each queuing `message(title)` for `destination`. */
export function alertItems(
  destination: string,
  titles: readonly string[],
  options: { keyPrefix?: string; hold?: boolean; message?: (title: string) => OutgoingMessage } = {},
): ItemRecord[] {
  const message = options.message ?? plainMessage;
  return titles.map((title) => {
    const alert: OutboxInsert = { destination, message: message(title) };
    if (options.hold) alert.hold = true;
    return {
      key: `${options.keyPrefix ?? ''}${title}`,
      feedUrl: 'https://f.example/',
      title,
      link: null,
      published: null,
      disposition: 'processed' as const,
      alerts: [alert],
    };
  });
}
