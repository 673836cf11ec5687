import { type Logger, pino } from 'pino';
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

/** JSON logs to stderr, so stdout stays free for command output such as `extract`. */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino(
    {
      level: validLevel(options.level ?? process.env.ATTRIBOT_LOG_LEVEL),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
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
    pino.destination({ fd: 2, sync: true }),
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
