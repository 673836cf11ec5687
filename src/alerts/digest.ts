import type { Embed, OutgoingMessage } from '../shared/message.js';
import { DISCORD_LIMITS } from './format.js';
import { linkTarget } from './text-safety.js';

/** One alert folded into a digest; `title` is already rendered Discord-safe text (from the alert's embed). */
export interface DigestEntry {
  title: string;
  url?: string;
  colour?: number;
}

const LINE_MAX = 300;

function line(entry: DigestEntry): string {
  const title = entry.title.length > LINE_MAX ? `${entry.title.slice(0, LINE_MAX - 1)}…` : entry.title;
  const url = linkTarget(entry.url);
  return url ? `• [${title}](<${url}>)` : `• ${title}`;
}

/**
 * Alerts held back by flood control or routed to the digest, as one message: lines packed into as
 * few embeds as Discord's limits allow (4096 per description, 6000 per message, 10 embeds).
 */
export function formatDigest(entries: readonly DigestEntry[], reason: string): OutgoingMessage {
  const heading = `Digest: ${entries.length} alert${entries.length === 1 ? '' : 's'} (${reason})`;
  const embeds: Embed[] = [];
  let description = '';
  let total = heading.length;
  let shown = 0;
  const budget = DISCORD_LIMITS.total - 200;
  for (const entry of entries) {
    const next = line(entry);
    if (total + next.length + 1 > budget) break;
    // Room is kept for the "+N more" line.
    if (description.length + next.length + 1 > DISCORD_LIMITS.description - 20) {
      if (embeds.length === DISCORD_LIMITS.embeds - 1) break;
      embeds.push({ description });
      description = '';
    }
    description = description ? `${description}\n${next}` : next;
    total += next.length + 1;
    shown++;
  }
  if (shown < entries.length) description += `\n+${entries.length - shown} more`;
  embeds.push({ description });
  const [first] = embeds;
  if (first) first.title = heading;
  return { embeds, allowed_mentions: { parse: [] } };
}
