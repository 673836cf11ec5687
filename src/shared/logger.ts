import { type Logger, pino } from 'pino';

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

const WEBHOOK_TOKEN = /(\/webhooks\/\d+\/)[\w-]+/g;

/** Strips webhook tokens from free text (error messages quote URLs). */
export function redactSecrets(text: string): string {
  return text.replace(WEBHOOK_TOKEN, '$1[redacted]');
}

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
      formatters: { level: (label) => ({ level: label }) },
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
