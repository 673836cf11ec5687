import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('attribot extract (the extraction contract)', () => {
  const temp = makeTempDir();
  afterAll(() => temp.cleanup());

  const articles = [
    {
      id: 'exchange',
      title: 'Allies pin Exchange server hacking spree on Beijing',
      text:
        'The United States and its allies on Monday formally blamed China for the hacking campaign against Microsoft Exchange Server. ' +
        "Officials said hackers working for China's Ministry of State Security (MSS) exploited the flaws to break into thousands of networks.",
      published: '2021-07',
      source: 'ignored extra field',
    },
    {
      id: 'earnings',
      title: null,
      text: 'Shares of Apple rose 3% after strong iPhone sales in China and Japan.',
    },
  ];

  let input: string;
  beforeAll(() => {
    input = join(temp.dir, 'articles.jsonl');
    const lines = [
      JSON.stringify(articles[0]),
      '{"id": "broken", "text": ',
      JSON.stringify(articles[1]),
      JSON.stringify({ id: 'no-text', title: 'x' }),
    ];
    writeFileSync(input, `${lines.join('\n')}\n`);
  });

  it('writes exactly one JSON line per input line, in order, and logs only to stderr', async () => {
    const result = await runCli(['extract', '--input', input]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const [exchange, broken, earnings, noText] = lines.map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );

    expect(exchange).toMatchObject({
      id: 'exchange',
      is_attribution: true,
      attributed_countries: ['China'],
      cves: [],
    });
    expect(exchange?.products).toEqual(expect.arrayContaining([expect.stringMatching(/Exchange/)]));
    expect(JSON.stringify(exchange?.actors)).toContain('Ministry of State Security');

    expect(broken).toEqual({ id: 'broken', error: expect.any(String) });
    expect(earnings).toMatchObject({
      id: 'earnings',
      is_attribution: false,
      attributed_countries: [],
      actors: [],
    });
    expect(noText).toEqual({ id: 'no-text', error: expect.any(String) });
    expect(result.stderr).toMatch(/line 2/);
  });

  it('reads standard input with --input -, or without --input when it is piped in', async () => {
    const piped = `${JSON.stringify(articles[1])}\n${JSON.stringify(articles[0])}\n`;
    for (const args of [['extract', '--input', '-'], ['extract']]) {
      const result = await runCli(args, {}, 60_000, piped);
      expect(result.code).toBe(0);
      const ids = result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids).toEqual(['earnings', 'exchange']);
    }
    const empty = await runCli(['extract', '--input', '-']);
    expect(empty).toMatchObject({ code: 0, stdout: '' });
  });

  it('exits non-zero with a message and no output when the input cannot be read', async () => {
    const result = await runCli(['extract', '--input', join(temp.dir, 'missing.jsonl')]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/cannot read/);
  });
});
