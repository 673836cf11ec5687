import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { redactSecrets, redactUrl } from './redact.js';

export type { Logger };

/** Keys whose values never reach a log line. */
const REDACT_PATHS = [
  'token',
  'webhookUrl',
  'url_token',
  '*.token',
  '*.webhookUrl',
  'headers.authorization',
  '*.headers.authorization',
];

/** Log fields that hold a URL: their credentials and API keys are redacted. */
const URL_FIELDS = ['feedUrl', 'url', 'link', 'from', 'to', 'movedTo', 'nextUrl'];

export { redactSecrets };

/** An unknown level falls back to info (check-config reports it); the logger must never fail to start. */
function validLevel(level: string | undefined): string {
  const text = level?.trim().toLowerCase();
  return text && text in pino.levels.values ? text : text === 'silent' ? 'silent' : 'info';
}

export type LogFormat = 'pretty' | 'json';

/**
 * Pretty lines with local times for a person at a terminal, JSON lines for anything that reads
 * them (a file, journald, docker logs, a pipe). ATTRIBOT_LOG_FORMAT=json|pretty decides instead.
 */
export function logFormat(stderrIsTerminal: boolean, setting: string | undefined): LogFormat {
  const asked = setting?.trim().toLowerCase();
  if (asked === 'json' || asked === 'pretty') return asked;
  return stderrIsTerminal ? 'pretty' : 'json';
}

/** pino-pretty's stream, loaded only when a person reads the log (JSON needs none of it). */
function prettyStream(destination: DestinationStream | number): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (
    options: PrettyOptions,
  ) => DestinationStream;
  return pretty({
    destination,
    sync: true,
    colorize: destination === 2 && process.stderr.isTTY === true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'pid,hostname',
  });
}

/**
 * Logs go to stderr, so stdout stays free for command output such as `extract`. JSON lines carry
 * an ISO-8601 `time` and the level as a word; `stream` replaces stderr (tests).
 */
export function createLogger(
  options: { level?: string; format?: LogFormat; stream?: DestinationStream } = {},
): Logger {
  const format = options.format ?? logFormat(process.stderr.isTTY === true, process.env.ATTRIBOT_LOG_FORMAT);
  const destination = options.stream ?? 2;
  return pino(
    {
      level: validLevel(options.level ?? process.env.ATTRIBOT_LOG_LEVEL),
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: {
        // pino-pretty reads pino's numeric levels; JSON readers get the word.
        ...(format === 'json' ? { level: (label: string) => ({ level: label }) } : {}),
        log: (object) => {
          const redacted: Record<string, unknown> = { ...object };
          for (const key of URL_FIELDS) {
            const value = redacted[key];
            if (typeof value === 'string') redacted[key] = redactUrl(value);
          }
          if (typeof redacted.err === 'string') redacted.err = redactSecrets(redacted.err);
          return redacted;
        },
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
    },
    format === 'pretty'
      ? prettyStream(destination)
      : typeof destination === 'number'
        ? pino.destination({ fd: destination, sync: true })
        : destination,
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
