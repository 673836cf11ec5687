import type { OutgoingMessage } from '../../src/deliver/message.js';

export function plainMessage(title: string): OutgoingMessage {
  return { embeds: [{ title }], allowed_mentions: { parse: [] } };
}
