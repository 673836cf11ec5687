import type { OutgoingMessage } from '../shared/message.js';
import { redactUrl } from '../shared/redact.js';
import { cleanText, fitText, markdownSafe } from './text-safety.js';

/** Something the admins should know about a feed (or, for `suspended`, a destination). */
export interface Notice {
  kind:
    | 'seeded'
    | 'disabled'
    | 'recovered'
    | 'churn'
    | 'silence'
    | 'challenge'
    | 'suspended'
    | 'moved'
    | 'throttled';
  /** The feed's URL; for `suspended`, empty. */
  feedUrl: string;
  /** The feed's or destination's name. */
  feedName: string;
  text: string;
}

const COLOURS: Record<Notice['kind'], number> = {
  seeded: 0x3498db,
  recovered: 0x2ecc71,
  churn: 0xe67e22,
  silence: 0xf1c40f,
  challenge: 0xe67e22,
  disabled: 0xe74c3c,
  suspended: 0xe74c3c,
  moved: 0x3498db,
  throttled: 0xe67e22,
};

const TITLES: Record<Notice['kind'], string> = {
  seeded: 'Feed added',
  recovered: 'Feed recovered',
  churn: 'Feed item ids churned',
  silence: 'Feed has gone quiet',
  challenge: 'Feed serves a challenge page',
  disabled: 'Feed disabled',
  suspended: 'Destination suspended',
  moved: 'Feed moved',
  throttled: 'Feed asks for a long pause',
};

/**
 * How loud a notice is in the log: a feed added (its backlog seeded) or back after being disabled is
 * the normal course of things; the rest asks an admin to look (moved: the config needs an edit).
 */
export const NOTICE_LOG_LEVEL: Record<Notice['kind'], 'info' | 'warn'> = {
  seeded: 'info',
  recovered: 'info',
  churn: 'warn',
  silence: 'warn',
  challenge: 'warn',
  disabled: 'warn',
  suspended: 'warn',
  moved: 'warn',
  throttled: 'warn',
};

/** An admin notice as a Discord message; feed names, URLs and error texts are untrusted, so escaped. */
export function formatNotice(notice: Notice): OutgoingMessage {
  const name = cleanText(notice.feedName);
  return {
    embeds: [
      {
        title: fitText(cleanText(`${TITLES[notice.kind]}: ${name}`), 256, markdownSafe),
        description: fitText(cleanText(`${redactUrl(notice.feedUrl)} ${notice.text}`), 1024, markdownSafe),
        color: COLOURS[notice.kind],
        footer: { text: 'attribot admin notice' },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}
