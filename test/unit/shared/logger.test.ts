import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NOTICE_LOG_LEVEL } from '../../../src/alerts/notice.js';
import { createLogger, type LogFormat, logFormat } from '../../../src/shared/logger.js';

function capture(format: LogFormat): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', format, stream }) };
}

describe('log format', () => {
  it.each<[boolean, string | undefined, LogFormat]>([
    [true, undefined, 'pretty'],
    [false, undefined, 'json'],
    [true, 'json', 'json'],
    [false, 'pretty', 'pretty'],
    [true, ' JSON ', 'json'],
    [false, 'fancy', 'json'],
  ])('stderr a terminal: %s, ATTRIBOT_LOG_FORMAT=%s → %s', (terminal, setting, expected) => {
    expect(logFormat(terminal, setting)).toBe(expected);
  });

  it('writes JSON lines with an ISO-8601 time and the level as a word, secrets redacted', () => {
    const { lines, log } = capture('json');
    log.info({ feedUrl: 'https://reader:hunter2@feeds.example/rss?token=abc', feeds: 3 }, 'Cycle finished');
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', msg: 'Cycle finished', feeds: 3 });
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(line.time as string) - Date.now())).toBeLessThan(60_000);
    expect(lines[0]).not.toMatch(/hunter2|token=abc/);
  });

  it('writes pretty lines with the local time for a person, secrets redacted all the same', () => {
    const { lines, log } = capture('pretty');
    log.warn({ feedUrl: 'https://reader:hunter2@feeds.example/rss' }, 'Feed poll failed');
    const text = lines.join('');
    expect(text).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] WARN: Feed poll failed/);
    const local = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    // The hour is the host's local hour (CI runs this in UTC and in Asia/Tokyo), not UTC's.
    expect(text).toContain(
      `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:`,
    );
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/^\{/);
  });
});

describe('log levels of admin notices', () => {
  it('logs the normal course of a feed (a first poll seeding its backlog, a recovery) at info', () => {
    expect(NOTICE_LOG_LEVEL.seeded).toBe('info');
    expect(NOTICE_LOG_LEVEL.recovered).toBe('info');
  });

  it('logs what needs an admin at warn', () => {
    for (const kind of [
      'disabled',
      'churn',
      'challenge',
      'moved',
      'suspended',
      'silence',
      'throttled',
    ] as const)
      expect(NOTICE_LOG_LEVEL[kind]).toBe('warn');
  });
});
