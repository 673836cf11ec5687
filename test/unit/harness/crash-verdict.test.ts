import { describe, expect, it } from 'vitest';
import {
  type Delivery,
  describeVerdict,
  judgeDeliveries,
  type VerdictInput,
} from '../../helpers/crash-verdict.js';

const T0 = 1_000_000;

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return { destination: 'desk', marker: 'm1', client: 'w0.1', at: T0, answeredAt: T0 + 50, ...overrides };
}

function input(overrides: Partial<VerdictInput> = {}): VerdictInput {
  return {
    expected: new Map([['m1', new Set(['desk'])]]),
    deliveries: [delivery()],
    requests: [{ destination: 'desk', client: 'w0.1', at: T0 }],
    kills: [],
    nonceDestinations: new Set(),
    graceMs: 2_000,
    ...overrides,
  };
}

describe('judgeDeliveries', () => {
  it('passes one copy per expected alert', () => {
    const verdict = judgeDeliveries(input());
    expect(verdict).toMatchObject({ expected: 1, delivered: 1, lost: [], duplicates: [], ok: true });
    expect(describeVerdict(verdict)).toEqual([
      'expected 1, delivered 1, lost 0, duplicated 0 (kill inside send window)',
    ]);
  });

  it('counts an alert that never arrived as lost', () => {
    const verdict = judgeDeliveries(input({ deliveries: [], requests: [] }));
    expect(verdict.lost).toEqual([{ marker: 'm1', destination: 'desk' }]);
    expect(verdict.ok).toBe(false);
  });

  it('allows a resend after a kill that came before Discord answered the last send', () => {
    const verdict = judgeDeliveries(
      input({
        deliveries: [
          delivery({ answeredAt: 0 }),
          delivery({ client: 'w0.2', at: T0 + 900, answeredAt: T0 + 950 }),
        ],
        kills: [{ client: 'w0.1', at: T0 + 30 }],
      }),
    );
    expect(verdict.duplicates).toHaveLength(1);
    expect(verdict.duplicates[0]).toMatchObject({ inWindow: true, killAfterAnswerMs: null });
    expect(verdict.ok).toBe(true);
  });

  it('allows a resend after a kill within the grace after the answer', () => {
    const verdict = judgeDeliveries(
      input({
        deliveries: [delivery(), delivery({ client: 'w0.2', at: T0 + 900 })],
        kills: [{ client: 'w0.1', at: T0 + 52 }],
      }),
    );
    expect(verdict.duplicates[0]).toMatchObject({ inWindow: true, killAfterAnswerMs: 2 });
  });

  it.each([
    ['the worker sent that destination another request after the copy', { later: true }],
    ['the kill came long after the answer', { killAt: T0 + 5_000 }],
    ['the worker was never killed', { noKill: true }],
    ['the repeat came before the kill', { repeatAt: T0 + 20, killAt: T0 + 30 }],
  ])(
    'calls a repeat outside the send window when %s',
    (_name, how: { later?: boolean; killAt?: number; noKill?: boolean; repeatAt?: number }) => {
      const verdict = judgeDeliveries(
        input({
          deliveries: [delivery(), delivery({ client: 'w0.2', at: how.repeatAt ?? T0 + 6_000 })],
          requests: [
            { destination: 'desk', client: 'w0.1', at: T0 },
            ...(how.later ? [{ destination: 'desk', client: 'w0.1', at: T0 + 100 }] : []),
          ],
          kills: how.noKill ? [] : [{ client: 'w0.1', at: how.killAt ?? T0 + 300 }],
        }),
      );
      expect(verdict.duplicates[0]?.inWindow).toBe(false);
      expect(verdict.ok).toBe(false);
      expect(describeVerdict(verdict)).toContain('duplicated 1 OUTSIDE the send window');
    },
  );

  it('allows no repeat at all on a destination whose sends carry a nonce', () => {
    const verdict = judgeDeliveries(
      input({
        deliveries: [delivery({ answeredAt: 0 }), delivery({ client: 'w0.2', at: T0 + 900 })],
        kills: [{ client: 'w0.1', at: T0 + 30 }],
        nonceDestinations: new Set(['desk']),
      }),
    );
    expect(verdict.duplicates[0]?.inWindow).toBe(false);
    expect(verdict.ok).toBe(false);
  });

  it('fails on a message no route sent there', () => {
    const verdict = judgeDeliveries(input({ deliveries: [delivery(), delivery({ destination: 'other' })] }));
    expect(verdict.unexpected).toHaveLength(1);
    expect(verdict.ok).toBe(false);
  });
});
