/**
 * `npm run test:crash` in miniature, so the default test run keeps the harness working: one
 * worker on SQLite (the sources, through tsx), 20 feeds, 3 SIGKILLs, then the same verdict.
 */
import { describe, expect, it } from 'vitest';
import { runCrashHarness } from '../helpers/crash-harness.js';
import { describeVerdict } from '../helpers/crash-verdict.js';

describe('crash harness', () => {
  it('kills a worker three times and finds every alert delivered, repeats only inside the send window', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({
      store: 'sqlite',
      feeds: 20,
      items: 30,
      publishMs: 6_000,
      kills: 3,
      workers: 1,
      uptimeMs: [400, 1_800],
      drainTimeoutMs: 25_000,
      seed: 20_261_206,
      flavour: 'src',
      graceMs: 5_000,
      answerDelayMs: 60,
      bot: true,
      keep: false,
      log: (line) => lines.push(line),
    });
    const summary = [...lines, ...report.details, ...describeVerdict(report.verdict)].join('\n');
    expect(report.aborted, summary).toBeUndefined();
    expect(report.kills).toBe(3);
    expect(report.verdict.expected).toBeGreaterThan(30);
    expect(report.verdict.lost, summary).toEqual([]);
    expect(report.verdict.unexpected, summary).toEqual([]);
    expect(
      report.verdict.duplicates.filter((duplicate) => !duplicate.inWindow),
      summary,
    ).toEqual([]);
    expect(report.verdict.ok).toBe(true);
  }, 90_000);
});
