/**
 * What each `/attribot` subcommand does, apart from Discord: takes a plain invocation (as the gateway
 * or the HTTP interactions endpoint delivers it) and returns the reply. The discord.js adapter
 * (gateway.ts) only translates. Replies are plain content sent with `allowed_mentions: { parse: [] }`;
 * every value a person typed or a feed wrote is escaped before it is shown.
 */
import { cleanText, fitText, linkTarget, markdownSafe, safeUrl } from '../alerts/text-safety.js';
import { kindLabel, muteUntil, normalizeWatchValue, type Overrides, parseKind } from '../config/overrides.js';
import type { MatchKind } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import type { OverrideStore } from '../store/overrides.js';
import { ADMINISTRATOR, MANAGE_GUILD, RECENT_MAX } from './definitions.js';
import type { ExplainLimiter } from './limits.js';

export interface CommandInvocation {
  /** `watch` for `/attribot watch add`; null for `/attribot recent`. */
  group: string | null;
  subcommand: string;
  options: Readonly<Record<string, string | number | boolean | undefined>>;
  userId: string;
  guildId: string | null;
  /** The member's permissions in the channel as Discord sends them (decimal string); null outside a server. */
  permissions: string | null;
  roleIds: readonly string[];
}

export interface RecentAlert {
  title: string | null;
  url: string | null;
  /** ISO time the alert was created or sent. */
  at: string;
  destinations?: readonly string[];
}

export interface CommandContext {
  overrides: OverrideStore;
  clock: Clock;
  /** Roles (besides Manage Server) whose members may change watches and mutes in this server. */
  adminRoleIds(guildId: string | null): readonly string[];
  recentAlerts(limit: number): Promise<RecentAlert[]>;
  /** A text explanation of one article (may take seconds: the reply is deferred). */
  explainUrl(url: string): Promise<string>;
  /** Rate limit of explain (the bot fetches what members name); none when absent. */
  explainLimiter?: ExplainLimiter;
  /** The override layer in words (describeOverrides over the running config). */
  describeOverrides(overrides: Overrides): string;
  /** Told after a watch or mute changed, e.g. to rebuild the effective config at once. */
  onOverridesChanged?(): void;
}

export type CommandResponse =
  | { type: 'reply'; content: string; ephemeral: boolean }
  | { type: 'deferred'; ephemeral: boolean; content: () => Promise<string> };

/** Discord's limit on message content. */
const CONTENT_MAX = 2000;
const REFUSAL =
  'Only members with the Manage Server permission or an attribot admin role can change watches and mutes.';

function reply(content: string, ephemeral = true): CommandResponse {
  return { type: 'reply', content: fitContent(content), ephemeral };
}

export function fitContent(content: string): string {
  return content.length <= CONTENT_MAX ? content : `${content.slice(0, CONTENT_MAX - 1)}…`;
}

/** Manage Server (or Administrator) in the interaction's permissions, or one of the admin roles. */
export function isCommandAdmin(invocation: CommandInvocation, adminRoleIds: readonly string[]): boolean {
  if (invocation.permissions !== null && /^\d+$/.test(invocation.permissions)) {
    const bits = BigInt(invocation.permissions);
    if ((bits & MANAGE_GUILD) === MANAGE_GUILD || (bits & ADMINISTRATOR) === ADMINISTRATOR) return true;
  }
  return invocation.roleIds.some((role) => adminRoleIds.includes(role));
}

function shown(value: string): string {
  return `**${markdownSafe(cleanText(value))}**`;
}

function stringOption(invocation: CommandInvocation, name: string): string {
  const value = invocation.options[name];
  return typeof value === 'string' ? value : '';
}

export async function handleCommand(
  invocation: CommandInvocation,
  context: CommandContext,
): Promise<CommandResponse> {
  const path = invocation.group ? `${invocation.group} ${invocation.subcommand}` : invocation.subcommand;
  switch (path) {
    case 'recent':
      return recent(invocation, context);
    case 'explain':
      return explain(stringOption(invocation, 'url'), invocation.userId, context);
    case 'watch list':
      return reply(context.describeOverrides(await context.overrides.loadOverrides()));
    case 'watch add':
    case 'watch remove':
    case 'mute':
    case 'unmute':
      if (!isCommandAdmin(invocation, context.adminRoleIds(invocation.guildId))) return reply(REFUSAL);
      return change(path, invocation, context);
    default:
      return reply(`Unknown command "${markdownSafe(cleanText(path))}".`);
  }
}

async function recent(invocation: CommandInvocation, context: CommandContext): Promise<CommandResponse> {
  const requested = invocation.options.count;
  const count = typeof requested === 'number' ? Math.min(Math.max(Math.trunc(requested), 1), RECENT_MAX) : 5;
  const alerts = await context.recentAlerts(count);
  if (alerts.length === 0) return reply('No alerts yet.');
  const lines = alerts.slice(0, count).map((alert) => {
    const title = fitText(cleanText(alert.title) || 'Untitled', 150, markdownSafe);
    const url = linkTarget(alert.url ?? undefined);
    const link = url ? `[${title}](<${url}>)` : title;
    const where = alert.destinations?.length
      ? ` → ${alert.destinations.map((d) => markdownSafe(cleanText(d))).join(', ')}`
      : '';
    return `• ${link} · ${discordTime(alert.at)}${where}`;
  });
  // Drop whole lines rather than cut a link in half.
  while (lines.length > 1 && lines.join('\n').length > CONTENT_MAX) lines.pop();
  return reply(lines.join('\n'));
}

function discordTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? markdownSafe(cleanText(iso)) : `<t:${Math.floor(ms / 1000)}:R>`;
}

function explain(raw: string, userId: string, context: CommandContext): CommandResponse {
  const url = safeUrl(raw);
  if (!url) return reply('Give an http(s) article URL.');
  const slot = context.explainLimiter?.take(userId, context.clock.now().getTime()) ?? {
    release: () => undefined,
  };
  if ('refusal' in slot) return reply(slot.refusal);
  return {
    type: 'deferred',
    ephemeral: true,
    content: async () => {
      let text: string;
      try {
        text = await context.explainUrl(url);
      } catch (error) {
        return fitContent(`Could not explain that article: ${markdownSafe(cleanText(errorMessage(error)))}`);
      } finally {
        slot.release();
      }
      // A code block shows the explanation verbatim: no markdown, links or mentions inside it.
      const body = text.replace(/```/g, '`\u200b`\u200b`');
      const open = '```text\n';
      const close = '\n```';
      const room = CONTENT_MAX - open.length - close.length;
      return `${open}${body.length <= room ? body : `${body.slice(0, room - 1)}…`}${close}`;
    },
  };
}

async function change(
  path: 'watch add' | 'watch remove' | 'mute' | 'unmute',
  invocation: CommandInvocation,
  context: CommandContext,
): Promise<CommandResponse> {
  const kind: MatchKind | null = parseKind(stringOption(invocation, 'kind'));
  if (!kind) return reply('Kind must be one of actor, country, product, cve, keyword.');
  const normalized = normalizeWatchValue(kind, stringOption(invocation, 'value'));
  if ('error' in normalized) return reply(`Not changed: ${markdownSafe(normalized.error)}.`);
  const { value } = normalized;
  const now = context.clock.now();
  const entry = `${kindLabel(kind)} ${shown(value)}`;
  const by = `<@${invocation.userId}>`;
  let content: string;
  switch (path) {
    case 'watch add':
      content = (await context.overrides.addWatch({
        kind,
        value,
        addedBy: invocation.userId,
        addedAt: now.toISOString(),
      }))
        ? `Now watching ${entry} (added by ${by}).`
        : `Already watching ${entry}.`;
      break;
    case 'watch remove':
      content = (await context.overrides.removeWatch(kind, value))
        ? `No longer watching ${entry} (removed by ${by}).`
        : `${entry} was not on the slash-command watchlist (entries in the YAML config change there).`;
      break;
    case 'mute': {
      const until = muteUntil(stringOption(invocation, 'duration'), now);
      if ('error' in until) return reply(`Not muted: ${markdownSafe(until.error)}.`);
      await context.overrides.putMute({
        kind,
        value,
        until: until.until,
        addedBy: invocation.userId,
        addedAt: now.toISOString(),
      });
      content = `Muted ${entry} until ${discordTime(until.until)} (by ${by}).`;
      break;
    }
    case 'unmute':
      content = (await context.overrides.removeMute(kind, value))
        ? `Unmuted ${entry} (by ${by}).`
        : `${entry} was not muted.`;
      break;
  }
  context.onOverridesChanged?.();
  // Changes are announced in the channel, so the team sees who changed what.
  return reply(content, false);
}
