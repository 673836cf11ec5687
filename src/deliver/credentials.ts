/**
 * A destination's credential as a fingerprint the store may keep: a one-way hash of the webhook URL,
 * or of the bot token and channel, never the secret itself. The worker compares it with the one it
 * remembered at start and on every reload, so a webhook URL or token the admin replaced lifts the
 * suspension its predecessor earned (a refused destination otherwise waits an hour per attempt).
 */
import { createHash } from 'node:crypto';
import type { ResolvedDestination } from '../config/env.js';
import type { DestinationCredential } from '../store/store.js';

/** The fingerprint of a destination's credential (and where it is used); null for the console (nothing to refuse). */
export function credentialFingerprint(target: ResolvedDestination): string | null {
  const material =
    target.type === 'webhook'
      ? ['webhook', target.webhookUrl.trim()]
      : target.type === 'bot'
        ? ['bot', target.token, target.channelId]
        : target.type === 'taxii'
          ? ['taxii', target.url, target.collection, target.auth, target.secret]
          : target.type === 'misp'
            ? ['misp', target.url, target.key]
            : null;
  if (material === null) return null;
  return createHash('sha256')
    .update(['attribot destination credential v1', ...material].join('\0'))
    .digest('hex')
    .slice(0, 32);
}

export function destinationCredentials(
  destinations: readonly ResolvedDestination[],
): DestinationCredential[] {
  return destinations.flatMap((target) => {
    const fingerprint = credentialFingerprint(target);
    return fingerprint === null ? [] : [{ destination: target.name, fingerprint }];
  });
}
