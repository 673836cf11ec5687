/** The `/attribot` application command as registered with Discord (PUT …/guilds/:guild/commands). */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';

export const COMMAND_NAME = 'attribot';

/** Members with either bit may change watches and mutes (Administrator implies every permission). */
export const MANAGE_GUILD = 0x20n;
export const ADMINISTRATOR = 0x8n;

export const RECENT_MAX = 20;

const kind = {
  type: ApplicationCommandOptionType.String,
  name: 'kind',
  description: 'What the value names',
  required: true,
  choices: ['actor', 'country', 'product', 'cve', 'keyword'].map((value) => ({ name: value, value })),
} as const;

const value = {
  type: ApplicationCommandOptionType.String,
  name: 'value',
  description: 'An actor name or alias, a country, a product or vendor, a CVE id, a keyword or /regex/flags',
  required: true,
  max_length: 200,
} as const;

export const ATTRIBOT_COMMAND = {
  name: COMMAND_NAME,
  description: 'Attribution alerts: recent alerts, explanations, watches and mutes',
  type: ApplicationCommandType.ChatInput,
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'recent',
      description: 'The latest alerts',
      options: [
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'count',
          description: `How many (1 to ${RECENT_MAX}, default 5)`,
          min_value: 1,
          max_value: RECENT_MAX,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'explain',
      description: 'Who an article blames for what, and why',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'url',
          description: 'Article URL (http or https)',
          required: true,
          max_length: 2000,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'watch',
      description: 'The watchlist kept by slash commands',
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'add',
          description: 'Watch an actor, country, product, CVE or keyword (Manage Server or admin role)',
          options: [kind, value],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'remove',
          description: 'Stop watching an entry (Manage Server or admin role)',
          options: [kind, value],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'list',
          description: 'Show the watches and mutes added by slash commands',
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'mute',
      description: 'Send no alert matching an entry for a while (Manage Server or admin role)',
      options: [
        kind,
        value,
        {
          type: ApplicationCommandOptionType.String,
          name: 'duration',
          description: 'For how long, e.g. 90m, 12h, 7d (at most 365d)',
          required: true,
          max_length: 20,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'unmute',
      description: 'End a mute early (Manage Server or admin role)',
      options: [kind, value],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
