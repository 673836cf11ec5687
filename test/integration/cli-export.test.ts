/**
 * From a feed to a TAXII collection and MISP through `attribot once`, then the same stories from
 * the database through `attribot export`: the real CLI, a local feed, fake TAXII and MISP servers.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMisp, startFakeMisp } from '../helpers/fake-misp.js';
import { type FakeTaxii, startFakeTaxii } from '../helpers/fake-taxii.js';
import { etagOf } from '../helpers/feed-server.js';
import { type Peers, startPeers } from '../helpers/peers.js';
import { deskFeed } from '../helpers/rss.js';
import { runCli } from '../helpers/run-cli.js';
import { bundleIntegrityErrors, stixBundleErrors } from '../helpers/stix-schemas.js';

function feed(now: number): string {
  return deskFeed(now, [
    {
      slug: 'roundcube',
      title: 'UK blames Russian military intelligence for Roundcube mail server raids',
      body: "Britain's National Cyber Security Centre said on Monday that APT28, a unit of Russia's GRU military intelligence, exploited CVE-2026-41002 in Roundcube Webmail to break into the mail servers of two ministries.",
    },
    {
      slug: 'water',
      title: 'Canada says Iranian state hackers tampered with water plant controllers',
      body: "Canada's Communications Security Establishment said on Tuesday that hackers of the Islamic Revolutionary Guard Corps, the Iranian military's elite branch, broke into the controllers of three water treatment plants in Ontario.",
    },
  ]);
}

describe('export through the CLI', () => {
  let peers: Peers;
  let taxii: FakeTaxii;
  let misp: FakeMisp;
  let config: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    [peers, taxii, misp] = await Promise.all([startPeers(), startFakeTaxii(), startFakeMisp()]);
    const body = feed(Date.now());
    peers.feeds.serve('/feed.xml', { body, contentType: 'application/rss+xml', etag: etagOf(body) });
    config = join(peers.dir, 'export.yaml');
    writeFileSync(
      config,
      [
        'feeds:',
        `  - { name: Desk, url: "${peers.feeds.url('/feed.xml')}" }`,
        'destinations:',
        `  - { name: cti, type: taxii, url: "${taxii.apiRoot}", collection: "${taxii.collection}", secretEnv: TAXII_CREDENTIAL }`,
        `  - { name: misp, type: misp, url: "${misp.url}", keyEnv: MISP_KEY }`,
        '',
      ].join('\n'),
    );
    env = { TAXII_CREDENTIAL: taxii.basic, MISP_KEY: misp.key, ATTRIBOT_DB: join(peers.dir, 'export.db') };
  });
  afterAll(async () => {
    await Promise.all([peers?.close(), taxii?.close(), misp?.close()]);
  });

  it('says there is no database before the worker ran', async () => {
    const result = await runCli(['export', '--config', config], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('attribot export:');
  });

  it('pushes each story to the collection and to MISP, then exports the same ids from the database', async () => {
    const once = await runCli(['once', '--config', config], env);
    expect(once.code).toBe(0);
    expect(once.stderr).not.toContain(taxii.basic);
    expect(once.stderr).not.toContain(misp.key);
    const reports = taxii.objects().filter((object) => object.type === 'report');
    expect(reports.map((report) => report.name).sort()).toEqual([
      'Canada says Iranian state hackers tampered with water plant controllers',
      'UK blames Russian military intelligence for Roundcube mail server raids',
    ]);
    expect(
      misp
        .events()
        .map((event) => event.info)
        .sort(),
    ).toEqual(reports.map((report) => report.name).sort());

    const stix = await runCli(['export', '--since', '7d', '--config', config], env);
    expect(stix.code).toBe(0);
    expect(stix.stderr).toContain('attribot export: 2 stories');
    const bundle = JSON.parse(stix.stdout) as {
      type: string;
      id: string;
      objects: Array<Record<string, unknown> & { type: string; id: string }>;
    };
    expect(stixBundleErrors(bundle)).toEqual([]);
    expect(bundleIntegrityErrors(bundle.objects)).toEqual([]);
    // What the file says is what the collection holds: same ids, same versions.
    const pushed = new Map(taxii.objects().map((object) => [object.id, object]));
    for (const object of bundle.objects) expect(pushed.get(object.id)).toEqual(object);
    const again = await runCli(['export', '--since', '7d', '--config', config], env);
    expect(again.stdout).toBe(stix.stdout);

    const out = join(peers.dir, 'misp-out');
    const files = await runCli(
      ['export', '--format', 'misp', '--out', out, '--json', '--config', config],
      env,
    );
    expect(files.code).toBe(0);
    const written = JSON.parse(files.stdout) as Array<{ file: string; id: string }>;
    expect(written.map((entry) => entry.id).sort()).toEqual(
      misp
        .events()
        .map((event) => event.uuid)
        .sort(),
    );
    expect(readdirSync(out).sort()).toEqual(written.map((entry) => `${entry.id}.json`).sort());
    const event = JSON.parse(readFileSync(written[0]?.file ?? '', 'utf8')) as { Event: { uuid: string } };
    expect(event.Event.uuid).toBe(written[0]?.id);
  });

  it('pushes nothing again when nothing changed', async () => {
    const posts = taxii.requests.filter((request) => request.method === 'POST').length;
    const mispPosts = misp.requests.length;
    expect((await runCli(['once', '--config', config], env)).code).toBe(0);
    expect(taxii.requests.filter((request) => request.method === 'POST')).toHaveLength(posts);
    expect(misp.requests).toHaveLength(mispPosts);
  });

  it('refuses an unknown format or period as a usage error', async () => {
    const format = await runCli(['export', '--format', 'csv', '--config', config], env);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format is stix or misp, not "csv"');
    const since = await runCli(['export', '--since', 'lately', '--config', config], env);
    expect(since.code).toBe(2);
  });

  it('tests a TAXII and a MISP destination by asking, not posting', async () => {
    const posts = taxii.requests.filter((request) => request.method === 'POST').length;
    const cti = await runCli(['destinations', 'test', 'cti', '--config', config], env);
    expect(cti.stdout).toContain('cti: collection "attribot stories" accepts objects');
    expect(cti.code).toBe(0);
    const refused = await runCli(['destinations', 'test', 'misp', '--config', config], {
      ...env,
      MISP_KEY: 'wrong',
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('MISP does not accept the key');
    expect(taxii.requests.filter((request) => request.method === 'POST')).toHaveLength(posts);
  });
});
