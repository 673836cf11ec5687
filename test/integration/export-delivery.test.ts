/**
 * Stories pushed to a TAXII 2.1 collection and to MISP through the outbox, against local servers
 * that speak their real routes: first push, update, repeat, retry, refusal, rejection.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addReport, type Story, type StoryChange } from '../../src/alerts/cluster.js';
import { storyMessages } from '../../src/alerts/story-messages.js';
import { failureOf, pushJson } from '../../src/deliver/http-push.js';
import { MispSender } from '../../src/deliver/misp-sender.js';
import { drainOutbox, SUSPEND_MS } from '../../src/deliver/outbox-worker.js';
import type { Sender } from '../../src/deliver/sender.js';
import { TaxiiSender } from '../../src/deliver/taxii-sender.js';
import { exportRows } from '../../src/export/outbox.js';
import { exportReference } from '../../src/export/reference.js';
import { loadKnowledge } from '../../src/extract/knowledge.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ItemRecord } from '../../src/store/store.js';
import { type FakeMisp, startFakeMisp } from '../helpers/fake-misp.js';
import { type FakeTaxii, startFakeTaxii } from '../helpers/fake-taxii.js';
import { startJsonPeer } from '../helpers/json-peer.js';
import { bundleIntegrityErrors, stixObjectErrors } from '../helpers/stix-schemas.js';
import { TestClock } from '../helpers/test-clock.js';
import { ROUNDCUBE_ATTRIBUTION, roundcubeStory } from '../unit/export/story-fixtures.js';

const reference = exportReference(loadKnowledge());
const TARGETS = new Map([
  ['cti', { format: 'stix' as const }],
  ['misp', { format: 'misp' as const }],
]);
const START = '2026-11-24T10:05:00.000Z';

describe('machine destinations through the outbox', () => {
  let taxii: FakeTaxii;
  let misp: FakeMisp;
  let store: SqliteStore;
  let clock: TestClock;

  beforeAll(async () => {
    [taxii, misp] = await Promise.all([startFakeTaxii(), startFakeMisp()]);
  });
  afterAll(async () => {
    await Promise.all([taxii?.close(), misp?.close()]);
  });
  beforeEach(() => {
    store = new SqliteStore(':memory:');
    clock = new TestClock(START);
  });
  afterEach(() => store.close());

  function taxiiSender(overrides: Partial<ConstructorParameters<typeof TaxiiSender>[0]> = {}): TaxiiSender {
    return new TaxiiSender({
      name: 'cti',
      url: taxii.apiRoot,
      collection: taxii.collection,
      auth: 'basic',
      secret: taxii.basic,
      timeoutMs: 5_000,
      ...overrides,
    });
  }
  function mispSender(key = misp.key): MispSender {
    return new MispSender({ name: 'misp', url: misp.url, key, timeoutMs: 5_000 });
  }

  /** Records one report of `story` as the pipeline does: clustered, routed, export rows queued. */
  async function record(story: Story, change: StoryChange, itemKey: string): Promise<void> {
    const item: ItemRecord = {
      key: itemKey,
      feedUrl: 'https://feeds.example.org/rss',
      title: story.first.title,
      link: null,
      published: null,
      disposition: 'processed',
      alerts: [],
    };
    await store.recordItems([item], clock.now().toISOString(), {
      since: '2000-01-01T00:00:00.000Z',
      assign(stories, records) {
        const known = stories.find((candidate) => candidate.first.url === story.first.url);
        const data: Story = { ...story, id: known?.id ?? null, destinations: known?.destinations ?? [] };
        const decisions = [...TARGETS.keys()].map((destination) => ({
          destination,
          route: 'all',
          mentionRoleIds: [],
          digest: true,
        }));
        const rows = storyMessages(data, known ? change : 'new-story', data.first, decisions);
        for (const target of records) {
          target.alerts = exportRows(rows, data, TARGETS, reference);
          target.story = {
            key: known ? `id:${known.id}` : 'new',
            data: { ...data, destinations: [...TARGETS.keys()] },
          };
        }
      },
    });
  }

  function drain(...senders: Sender[]) {
    return drainOutbox({
      store,
      clock,
      log: silentLogger(),
      senders: new Map(senders.map((sender) => [sender.name, sender])),
      // A flood cap of one would hold every second row of a Discord destination.
      flood: { cap: 1, windowMs: 3_600_000, digestIntervalMs: 3_600_000 },
    });
  }

  it('pushes a new story, then its update, to TAXII and MISP without duplicating anything', async () => {
    const story = roundcubeStory();
    await record(story, 'new-story', 'item-1');
    expect(await drain(taxiiSender(), mispSender())).toMatchObject({ sent: 2, held: 0 });

    const pushed = taxii.objects();
    expect(pushed.length).toBeGreaterThan(10);
    for (const object of pushed) expect(stixObjectErrors(object), object.id).toEqual([]);
    expect(bundleIntegrityErrors(pushed)).toEqual([]);
    const post = taxii.requests.find((request) => request.method === 'POST');
    expect(post?.headers['content-type']).toBe('application/taxii+json;version=2.1');
    expect(post?.headers.accept).toBe('application/taxii+json;version=2.1');
    expect(post?.status).toBe(202);
    const [event] = misp.events();
    expect(misp.events()).toHaveLength(1);
    expect(event?.Tag.map((tag) => tag.name)).toContain('misp-galaxy:threat-actor="APT28"');
    expect(misp.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      `POST /events/edit/${event?.uuid} 404`,
      'POST /events/add 200',
    ]);
    const rows = await store.outbox();
    const report = pushed.find((object) => object.type === 'report');
    expect(rows.map((row) => [row.destination, row.status, row.discordMessageId])).toEqual([
      ['cti', 'sent', report?.id],
      ['misp', 'sent', event?.uuid],
    ]);

    // A second outlet joins the story: the same report and event, a newer version, one new source.
    clock.advance(5 * 3_600_000);
    const joined = addReport(
      story,
      {
        attribution: { ...ROUNDCUBE_ATTRIBUTION, attributing_parties: ['United States'] },
        title: 'US joins UK in naming GRU over Roundcube break-ins',
        url: 'https://wire.example.com/gru-roundcube-us',
        sourceName: 'Example Wire',
      },
      clock.now(),
    ).story;
    await record(joined, 'new-claim', 'item-2');
    expect(await drain(taxiiSender(), mispSender())).toMatchObject({ sent: 2, held: 0 });
    expect((await store.outbox()).map((row) => `${row.destination}:${row.kind}:${row.status}`)).toEqual([
      'cti:alert:sent',
      'misp:alert:sent',
      'cti:edit:sent',
      'misp:edit:sent',
    ]);
    expect(taxii.versions(report?.id ?? '')).toEqual([START, clock.now().toISOString()]);
    const group = pushed.find((object) => object.type === 'intrusion-set');
    expect(taxii.versions(group?.id ?? '')).toHaveLength(1);
    expect(misp.events()).toHaveLength(1);
    const links = misp.events()[0]?.Attribute.filter((attribute) => attribute.type === 'link');
    expect(links?.map((link) => link.value)).toEqual([
      'https://news.example.org/2026/11/24/uk-blames-gru-roundcube',
      'https://wire.example.com/gru-roundcube-us',
    ]);

    // The same push again (an answer lost after the server stored it): nothing new on either side.
    const objectsBefore = taxii.objects().length;
    const attributesBefore = misp.events()[0]?.Attribute.length;
    const [lastTaxii, lastMisp] = (await store.outbox()).slice(2);
    await taxiiSender().send(lastTaxii?.message ?? { embeds: [], allowed_mentions: { parse: [] } });
    await mispSender().send(lastMisp?.message ?? { embeds: [], allowed_mentions: { parse: [] } });
    expect(taxii.objects()).toHaveLength(objectsBefore);
    expect(taxii.versions(report?.id ?? '')).toHaveLength(2);
    expect(misp.events()).toHaveLength(1);
    expect(misp.events()[0]?.Attribute).toHaveLength(attributesBefore ?? -1);
  });

  it('retries a 5xx, no sooner than Retry-After, then delivers', async () => {
    await record(roundcubeStory(), 'new-story', 'item-1');
    taxii.failNext(503, 1, '120');
    misp.failNext(502);
    expect(await drain(taxiiSender(), mispSender())).toMatchObject({ sent: 0, retried: 2 });
    const [cti, mispRow] = await store.outbox();
    expect(cti).toMatchObject({ status: 'pending', attempts: 1 });
    expect(cti?.lastError).toContain('HTTP 503');
    expect(Date.parse(cti?.nextAttemptAt ?? '') - Date.parse(START)).toBe(120_000);
    expect(mispRow?.lastError).toContain('HTTP 502');

    clock.advance(60_000);
    expect(await drain(taxiiSender(), mispSender())).toMatchObject({ sent: 1 });
    clock.advance(60_000);
    expect(await drain(taxiiSender(), mispSender())).toMatchObject({ sent: 1 });
    expect((await store.outbox()).map((row) => row.status)).toEqual(['sent', 'sent']);
  });

  it('suspends a destination that refuses the credential, saying so without the secret', async () => {
    await record(roundcubeStory(), 'new-story', 'item-1');
    const wrongBasic = taxiiSender({ secret: 'attribot:wrong-password' });
    const wrongKey = mispSender('not-the-key');
    expect(await drain(wrongBasic, wrongKey)).toMatchObject({ sent: 0, retried: 2 });
    const [cti, mispRow] = await store.outbox();
    expect(cti?.lastError).toBe(
      `TAXII server of "cti" refused attribot's credential (HTTP 401): {"title":"Unauthorized","http_status":"401"}`,
    );
    expect(mispRow?.lastError).toContain(`MISP of "misp" refused attribot's credential (HTTP 403): `);
    expect(mispRow?.lastError).toContain('Authentication failed');
    for (const row of [cti, mispRow]) {
      expect(row?.lastError).not.toContain('wrong-password');
      expect(row?.lastError).not.toContain('not-the-key');
      expect(Date.parse(row?.nextAttemptAt ?? '') - Date.parse(START)).toBe(SUSPEND_MS);
    }
    const [status] = await store.destinationStatus(['cti']);
    expect(status?.head?.suspended).toBe(true);

    // With the right credential, once the suspension ends, the same rows go out.
    clock.advance(SUSPEND_MS);
    expect(await drain(taxiiSender({ auth: 'bearer', secret: taxii.token }), mispSender())).toMatchObject({
      sent: 2,
    });
  });

  it('rejects a story the server will not store, and goes on with the next one', async () => {
    await record(roundcubeStory(), 'new-story', 'item-1');
    const other = roundcubeStory({
      first: { ...roundcubeStory().first, url: 'https://news.example.org/2026/11/25/another' },
    });
    await record(other, 'new-story', 'item-2');
    taxii.refuseType('software');
    try {
      expect(await drain(taxiiSender())).toMatchObject({ sent: 0, rejected: 2 });
    } finally {
      taxii.refuseType(null);
    }
    const [first] = await store.outbox();
    expect(first?.status).toBe('rejected');
    expect(first?.lastError).toMatch(
      /^TAXII server of "cti" refused 1 of \d+ objects \(software--[0-9a-f-]+: objects of type software are not accepted\)$/,
    );
  });

  it('rejects a MISP event MISP will not save (403 with saved: false), not the destination', async () => {
    const unknownToMisp = roundcubeStory({
      first: { ...roundcubeStory().first, url: 'https://news.example.org/2026/11/26/not-in-misp-yet' },
    });
    await record(unknownToMisp, 'new-story', 'item-1');
    const [row] = (await store.outbox()).filter((candidate) => candidate.destination === 'misp');
    const document = row?.message.document;
    if (document?.format !== 'misp') throw new Error('no MISP document');
    const broken = {
      ...row!.message,
      document: { ...document, event: { Event: { ...document.event.Event, info: '' } } },
    };
    await expect(mispSender().send(broken)).rejects.toMatchObject({ kind: 'permanent', status: 422 });
    await expect(mispSender().send(broken)).rejects.toThrow(
      /^MISP of "misp" would not save the event: .*Info cannot be empty/,
    );
    expect(misp.events().some((event) => event.uuid === document.id)).toBe(false);
  });

  it('rejects a Discord message queued before the destination became a TAXII collection', async () => {
    await store.recordItems(
      [
        {
          key: 'old-row',
          feedUrl: 'https://feeds.example.org/rss',
          title: 'queued for Discord',
          link: null,
          published: null,
          disposition: 'processed',
          alerts: [
            {
              destination: 'cti',
              message: { embeds: [{ title: 'queued for Discord' }], allowed_mentions: { parse: [] } },
            },
          ],
        },
      ],
      START,
    );
    const posts = taxii.requests.length;
    expect(await drain(taxiiSender())).toMatchObject({ rejected: 1 });
    expect((await store.outbox())[0]?.lastError).toBe(
      '"cti" takes STIX objects; this row holds no STIX document',
    );
    expect(taxii.requests).toHaveLength(posts);
  });

  it('treats an unreachable server as retryable', async () => {
    await record(roundcubeStory(), 'new-story', 'item-1');
    const nowhere = taxiiSender({ url: 'http://127.0.0.1:9/api1/' });
    expect(await drain(nowhere)).toMatchObject({ retried: 1 });
    expect((await store.outbox())[0]?.lastError).toMatch(/^TAXII server of "cti" could not be reached/);
  });

  it('checks a destination without posting: collection writable, key accepted', async () => {
    await expect(taxiiSender().check()).resolves.toBe('collection "attribot stories" accepts objects');
    await expect(taxiiSender({ collection: taxii.readOnlyCollection }).check()).rejects.toThrow(
      'cannot be written with this credential',
    );
    await expect(taxiiSender({ collection: 'no-such-collection' }).check()).rejects.toMatchObject({
      status: 404,
    });
    await expect(mispSender().check()).resolves.toBe('MISP 2.5.2 accepts the key');
    await expect(mispSender('wrong').check()).rejects.toMatchObject({ status: 403 });
  });
});

describe('pushJson', () => {
  it('reads at most 1 MiB of an answer that never ends, and quotes 200 characters of it', async () => {
    // A broken peer streaming an error page forever: without the cap the read lasts until the deadline.
    const peer = await startJsonPeer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '30' });
      const chunk = 'overloaded '.repeat(6_000);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    try {
      const answer = await pushJson({
        peer: 'test peer',
        url: `${peer.base}/x`,
        headers: {},
        body: '{}',
        timeoutMs: 5_000,
      });
      expect(answer).toMatchObject({ status: 503, json: null, retryAfter: '30' });
      expect(answer.quoted).toHaveLength(201);
      const error = failureOf('test peer', answer, new Date());
      expect(error).toMatchObject({ kind: 'retryable', status: 503, retryAfterMs: 30_000 });
      expect(error.message).toMatch(/^test peer answered HTTP 503: overloaded overloaded/);
    } finally {
      await peer.close();
    }
  });
});
