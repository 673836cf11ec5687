/**
 * Slash commands over the Discord gateway with discord.js: logs the bot in (intents: Guilds only),
 * registers `/attribot` in each configured server, and answers INTERACTION_CREATE through
 * handle.ts. One client per bot token; alerts are still sent by the REST senders and the outbox.
 */
import {
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  Routes,
} from 'discord.js';
import type { ResolvedDestination } from '../config/env.js';
import { errorMessage } from '../shared/errors.js';
import { type Logger, redactSecrets } from '../shared/logger.js';
import { ATTRIBOT_COMMAND, COMMAND_NAME } from './definitions.js';
import { type CommandContext, type CommandInvocation, fitContent, handleCommand } from './handle.js';

export interface CommandGuild {
  guildId: string;
  /** Roles whose members may change watches and mutes, besides Manage Server. */
  adminRoleIds: readonly string[];
}

export interface SlashCommandOptions {
  token: string;
  /** REST base without the version, e.g. `https://discord.com/api`; the gateway URL comes from GET /gateway/bot. */
  apiBase: string;
  guilds: readonly CommandGuild[];
  context: Omit<CommandContext, 'adminRoleIds'>;
  log: Logger;
  /** How long discord.js waits for the servers announced in READY (default 15 s). */
  waitGuildTimeoutMs?: number;
}

export interface SlashCommands {
  /** The application the commands were registered for. */
  applicationId: string;
  /** Server ids whose command registration succeeded. */
  registeredGuilds: string[];
  /** Resolves when every interaction received so far has been answered (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const NO_MENTIONS = { parse: [] } as const;

/**
 * The bots that serve slash commands: one per distinct token among bot destinations with a
 * `guildId`, with the admin roles of every destination in the same server merged.
 */
export function slashCommandBots(
  destinations: readonly ResolvedDestination[],
): Array<{ token: string; guilds: CommandGuild[] }> {
  const bots = new Map<string, Map<string, Set<string>>>();
  for (const target of destinations) {
    if (target.type !== 'bot' || target.guildId === undefined) continue;
    const guilds = bots.get(target.token) ?? new Map<string, Set<string>>();
    bots.set(target.token, guilds);
    const roles = guilds.get(target.guildId) ?? new Set<string>();
    guilds.set(target.guildId, roles);
    for (const role of target.adminRoleIds) roles.add(role);
  }
  return [...bots].map(([token, guilds]) => ({
    token,
    guilds: [...guilds].map(([guildId, roles]) => ({ guildId, adminRoleIds: [...roles] })),
  }));
}

/** Logs in, registers the commands and starts answering; rejects when login fails. */
export async function startSlashCommands(options: SlashCommandOptions): Promise<SlashCommands> {
  const { log } = options;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: options.apiBase.replace(/\/+$/, ''), version: '10' },
    waitGuildTimeout: options.waitGuildTimeoutMs ?? 15_000,
  });
  const adminRoles = new Map(options.guilds.map((guild) => [guild.guildId, guild.adminRoleIds]));
  const context: CommandContext = {
    ...options.context,
    adminRoleIds: (guildId) => (guildId ? (adminRoles.get(guildId) ?? []) : []),
  };
  const pending = new Set<Promise<void>>();

  client.on(Events.InteractionCreate, (interaction) => {
    const work = answer(interaction).finally(() => pending.delete(work));
    pending.add(work);
  });
  client.on(Events.Error, (error) =>
    log.warn({ err: redactSecrets(errorMessage(error)) }, 'Discord gateway error'),
  );

  async function answer(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand() || interaction.commandName !== COMMAND_NAME) return;
    try {
      if (!interaction.guildId || !adminRoles.has(interaction.guildId)) {
        await interaction.reply({
          content: 'attribot is not configured for this server.',
          flags: MessageFlags.Ephemeral,
          allowedMentions: NO_MENTIONS,
        });
        return;
      }
      const response = await handleCommand(invocationOf(interaction), context);
      const flags = response.ephemeral ? MessageFlags.Ephemeral : undefined;
      if (response.type === 'reply') {
        await interaction.reply({
          content: response.content,
          allowedMentions: NO_MENTIONS,
          ...(flags ? { flags } : {}),
        });
        return;
      }
      await interaction.deferReply(flags ? { flags } : {});
      await interaction.editReply({
        content: fitContent(await response.content()),
        allowedMentions: NO_MENTIONS,
      });
    } catch (error) {
      log.warn(
        { command: interaction.commandName, err: redactSecrets(errorMessage(error)) },
        'Slash command failed',
      );
      await apologise(interaction).catch(() => undefined);
    }
  }

  await new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, () => resolve());
    client.login(options.token).catch(reject);
  }).catch(async (error: unknown) => {
    await client.destroy();
    throw new Error(`Discord bot login failed: ${redactSecrets(errorMessage(error))}`);
  });

  const applicationId = client.application?.id ?? client.user?.id ?? '';
  const registeredGuilds: string[] = [];
  for (const guild of options.guilds) {
    try {
      await client.rest.put(Routes.applicationGuildCommands(applicationId, guild.guildId), {
        body: [ATTRIBOT_COMMAND],
      });
      registeredGuilds.push(guild.guildId);
    } catch (error) {
      log.warn(
        { guildId: guild.guildId, err: redactSecrets(errorMessage(error)) },
        'Registering slash commands failed',
      );
    }
  }
  log.info({ applicationId, guilds: registeredGuilds }, 'Slash commands registered');

  return {
    applicationId,
    registeredGuilds,
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop() {
      await Promise.allSettled([...pending]);
      await client.destroy();
    },
  };
}

async function apologise(interaction: ChatInputCommandInteraction): Promise<void> {
  const content = 'Sorry, that failed. The attribot logs say why.';
  if (interaction.deferred) await interaction.editReply({ content, allowedMentions: NO_MENTIONS });
  else if (!interaction.replied)
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
}

/** The plain invocation handle.ts works on. */
export function invocationOf(interaction: ChatInputCommandInteraction): CommandInvocation {
  const options: Record<string, string | number | boolean | undefined> = {};
  for (const option of interaction.options.data) {
    // Subcommand groups and subcommands nest their options.
    const leaves = option.options?.flatMap((child) => child.options ?? [child]) ?? [option];
    for (const leaf of leaves) {
      if (
        typeof leaf.value === 'string' ||
        typeof leaf.value === 'number' ||
        typeof leaf.value === 'boolean'
      ) {
        options[leaf.name] = leaf.value;
      }
    }
  }
  const member = interaction.member;
  let roleIds: string[] = [];
  if (member) roleIds = Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
  return {
    group: interaction.options.getSubcommandGroup(false),
    subcommand: interaction.options.getSubcommand(true),
    options,
    userId: interaction.user.id,
    guildId: interaction.guildId,
    permissions: interaction.memberPermissions?.bitfield.toString() ?? null,
    roleIds,
  };
}
