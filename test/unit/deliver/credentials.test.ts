import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialFingerprint } from '../../../src/deliver/credentials.js';

const URL_A = 'https://discord.com/api/webhooks/123456789012345678/token-a';

describe('credentialFingerprint of a webhook', () => {
  it('changes with the thread it posts into, so a new thread lifts a suspension the old one earned', () => {
    const plain = credentialFingerprint({ name: 'intel', type: 'webhook', webhookUrl: URL_A });
    const inThread = credentialFingerprint({
      name: 'intel',
      type: 'webhook',
      webhookUrl: URL_A,
      threadId: '1198765432109876543',
    });
    const otherThread = credentialFingerprint({
      name: 'intel',
      type: 'webhook',
      webhookUrl: URL_A,
      threadId: '1198765432109876500',
    });
    expect(new Set([plain, inThread, otherThread]).size).toBe(3);
  });

  it('ignores the name and avatar, which do not decide where messages go', () => {
    const plain = credentialFingerprint({ name: 'intel', type: 'webhook', webhookUrl: URL_A });
    const dressed = credentialFingerprint({
      name: 'intel',
      type: 'webhook',
      webhookUrl: URL_A,
      username: 'Intel desk',
      avatarUrl: 'https://cdn.example.org/a.png',
    });
    expect(dressed).toBe(plain);
    // A webhook without a thread keeps the fingerprint stored before threads existed (no suspension lifted by an upgrade).
    const before = createHash('sha256')
      .update(['attribot destination credential v1', 'webhook', URL_A].join('\0'))
      .digest('hex')
      .slice(0, 32);
    expect(plain).toBe(before);
  });
});
