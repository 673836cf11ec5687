import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatAlert } from '../../../src/alerts/format.js';
import { ConsoleSender, markdownToText, renderMessageText } from '../../../src/deliver/console-sender.js';
import { DeliveryError } from '../../../src/deliver/sender.js';
import type { OutgoingMessage } from '../../../src/shared/message.js';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { out, text: () => chunks.join('') };
}

const message = formatAlert({
  attribution: {
    id: 'a1',
    is_attribution: true,
    actors: [{ name: 'Sandworm', aliases: ['APT44', 'Seashell Blizzard'], country: 'Russia', stated: true }],
    attributed_countries: ['Russia'],
    attributing_parties: ['United Kingdom', 'NCSC'],
    products: ['Viasat KA-SAT'],
    cves: ['CVE-2022-0001'],
    confidence: 0.85,
    confidence_reason: 'government attribution',
    evidence: ['The NCSC said Russia\'s GRU was "almost certainly" behind the *KA-SAT* attack [1].'],
  },
  articleTitle: 'UK blames Russia for Viasat hack @everyone',
  articleUrl: 'https://www.example.org/viasat',
  sourceName: 'The Record',
  published: '2022-05-10',
});

describe('ConsoleSender', () => {
  it('writes a readable block and returns no message id', async () => {
    const { out, text } = capture();
    const sender = new ConsoleSender({ name: 'stdout', out });
    expect(sender.name).toBe('stdout');
    await expect(sender.send(message)).resolves.toEqual({});
    const printed = text();
    expect(printed).toContain('== Russia (Sandworm) blamed for Viasat KA-SAT compromise ==');
    expect(printed).toContain('https://www.example.org/viasat');
    expect(printed).toContain(
      '> “The NCSC said Russia\'s GRU was "almost certainly" behind the *KA-SAT* attack [1].”',
    );
    expect(printed).toMatch(/Actor: +Sandworm \(APT44, Seashell Blizzard\) · Russia\n/);
    expect(printed).toMatch(/CVEs: +CVE-2022-0001 <https:\/\/www\.cve\.org\/CVERecord\?id=CVE-2022-0001>\n/);
    expect(printed).toContain('“UK blames Russia for Viasat hack @everyone”');
    expect(printed).not.toMatch(/[\u200b\\]/);
  });

  it('refuses terminal escape sequences in what it prints', () => {
    const hostile: OutgoingMessage = {
      embeds: [{ title: 'a\u001b[2Jb', fields: [{ name: 'x\u009b', value: 'line1\nline2\u0007' }] }],
      allowed_mentions: { parse: [] },
    };
    const printed = renderMessageText(hostile);
    expect(printed.replaceAll('\n', '')).not.toMatch(/\p{Cc}/u);
    expect(printed).toContain('line1\n');
  });

  it('reports a failed write as a retryable DeliveryError', async () => {
    const broken = new Writable({ write: (_chunk, _encoding, done) => done(new Error('EPIPE')) });
    broken.on('error', () => {});
    const error = await new ConsoleSender({ out: broken }).send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind: 'retryable' });
  });
});

describe('markdownToText', () => {
  it.each([
    ['\\*\\*not bold\\*\\*', '**not bold**'],
    ['**bold**', 'bold'],
    ['[label](https://x.example/a)', 'label <https://x.example/a>'],
    ['\\[label\\]\\(https:\u200b//x\\)', '[label](https://x)'],
    ['@\u200beveryone', '@everyone'],
  ])('%j → %j', (markdown, text) => {
    expect(markdownToText(markdown)).toBe(text);
  });
});

describe('ConsoleSender edits', () => {
  it('prints the updated story again under an "Update to" line, since a console cannot rewrite', async () => {
    const { PassThrough } = await import('node:stream');
    const { ConsoleSender } = await import('../../../src/deliver/console-sender.js');
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    const sender = new ConsoleSender({ out });
    expect('edit' in sender).toBe(false);
    await sender.showEdit({
      embeds: [{ title: 'China blamed for **Exchange** hack', description: '+2 more outlets' }],
      allowed_mentions: { parse: [] },
    });
    expect(printed.split('\n').slice(0, 3)).toEqual([
      'Update to: China blamed for Exchange hack',
      '== China blamed for Exchange hack ==',
      '+2 more outlets',
    ]);
  });
});

describe('ConsoleSender with files', () => {
  it('prints the summary text and says what was attached instead of dumping bytes', async () => {
    const { out, text } = capture();
    // A PNG signature and IHDR for an 800×412 image, as the summary chart starts.
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(800, 16);
    header.writeUInt32BE(412, 20);
    const summary: OutgoingMessage = {
      embeds: [
        {
          title: 'Weekly summary: state\\-actors',
          description: '**3 stories** from Mon, 30 Nov 2026, 09:00',
          image: { url: 'attachment://summary-state-actors-2026-12-07.png' },
        },
      ],
      allowed_mentions: { parse: [] },
      files: [
        {
          name: 'summary-state-actors-2026-12-07.png',
          contentType: 'image/png',
          data: header.toString('base64'),
        },
      ],
    };
    await new ConsoleSender({ out }).send(summary);
    expect(text()).toBe(
      '== Weekly summary: state-actors ==\n3 stories from Mon, 30 Nov 2026, 09:00\n' +
        '[attached: summary-state-actors-2026-12-07.png (image/png 800×412, 33 B); not shown here: a Discord destination receives it]\n\n',
    );
  });
});
