import { describe, expect, it } from 'vitest';
import { type CommandInvocation, isCommandAdmin } from '../../../src/commands/handle.js';

const ROLE = '223344556677889900';

function invocation(permissions: string | null, roleIds: string[] = []): CommandInvocation {
  return { group: 'watch', subcommand: 'add', options: {}, userId: '1', guildId: '2', permissions, roleIds };
}

describe('isCommandAdmin', () => {
  it.each([
    ['Manage Server', String(0x20), [], true],
    ['Administrator', String(0x8), [], true],
    ['every bit', '2251799813685247', [], true],
    ['Send Messages only', String(0x800), [], false],
    ['a configured admin role', '0', [ROLE], true],
    ['another role', '0', ['999999999999999999'], false],
    ['no permissions field', null, [], false],
    ['a malformed permissions field', 'all', [], false],
  ] as const)('%s → %s', (_, permissions, roles, expected) => {
    expect(isCommandAdmin(invocation(permissions, [...roles]), [ROLE])).toBe(expected);
  });
});
