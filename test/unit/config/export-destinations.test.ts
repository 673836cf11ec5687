import { describe, expect, it } from 'vitest';
import { applyEnvironment } from '../../../src/config/env.js';
import { checkRules } from '../../../src/config/rules.js';
import { Config } from '../../../src/config/schema.js';
import { credentialFingerprint } from '../../../src/deliver/credentials.js';

const config = Config.parse({
  feeds: [{ url: 'https://therecord.media/feed' }],
  destinations: [
    {
      name: 'opencti',
      type: 'taxii',
      url: 'https://taxii.example.org/api1/',
      collection: '9cfa669c-ee94-4ece-afd2-f8edac37d8fd',
      secretEnv: 'TAXII_CREDENTIAL',
    },
    {
      name: 'misp',
      type: 'misp',
      url: 'https://misp.example.org/',
      keyFile: '/run/secrets/misp-key',
      distribution: 1,
    },
  ],
});
const files = { readFile: (path: string) => (path === '/run/secrets/misp-key' ? 'K3y-from-file\n' : '') };

describe('TAXII and MISP destinations', () => {
  it('resolve their secrets from the variable or file they name', () => {
    const { effective, errors } = applyEnvironment(config, { TAXII_CREDENTIAL: 'attribot:s3cret' }, files);
    expect(errors).toEqual([]);
    expect(effective?.destinations).toEqual([
      {
        name: 'opencti',
        type: 'taxii',
        url: 'https://taxii.example.org/api1/',
        collection: '9cfa669c-ee94-4ece-afd2-f8edac37d8fd',
        auth: 'basic',
        secret: 'attribot:s3cret',
      },
      { name: 'misp', type: 'misp', url: 'https://misp.example.org/', key: 'K3y-from-file', distribution: 1 },
    ]);
    // The default route sends stories to them like to any destination.
    expect(effective?.config.routes[0]?.destinations).toEqual(['opencti', 'misp']);
  });

  it('refuse basic auth without "user:password", naming the variable and not the value', () => {
    const { errors } = applyEnvironment(config, { TAXII_CREDENTIAL: 'just-a-token' }, files);
    expect(errors.map((error) => error.message)).toEqual([
      'destination "opencti": basic auth needs the secret as "user:password"',
    ]);
    expect(JSON.stringify(errors)).not.toContain('just-a-token');
  });

  it('are checked offline with placeholders when their secrets are not there', () => {
    const { effective, warnings } = applyEnvironment(
      config,
      {},
      {
        readFile: () => {
          throw Object.assign(new Error('x'), { code: 'ENOENT' });
        },
      },
      { offline: true },
    );
    expect(warnings.map((warning) => warning.message)).toEqual([
      'destination "opencti" needs TAXII_CREDENTIAL at run time',
      'destination "misp" needs its secret file /run/secrets/misp-key at run time',
    ]);
    expect(effective?.destinations.map((target) => target.type)).toEqual(['taxii', 'misp']);
  });

  it('keep credentials out of the URL and need exactly one secret', () => {
    const withPassword = Config.safeParse({
      destinations: [{ name: 'm', type: 'misp', url: 'https://admin:pw@misp.example.org/', keyEnv: 'K' }],
    });
    expect(withPassword.success).toBe(false);
    expect(JSON.stringify(withPassword.error?.issues)).toContain('must not contain credentials');
    const both = Config.parse({
      destinations: [
        { name: 'm', type: 'misp', url: 'https://misp.example.org/', keyEnv: 'K', keyFile: '/k' },
      ],
    });
    expect(checkRules(both).errors.map((error) => error.message)).toContain(
      'misp destination "m" needs exactly one of keyEnv, keyFile',
    );
  });

  it('have a credential fingerprint that changes with the secret, the URL or the collection', () => {
    const { effective } = applyEnvironment(config, { TAXII_CREDENTIAL: 'attribot:s3cret' }, files);
    const [taxii, misp] = effective?.destinations ?? [];
    if (taxii?.type !== 'taxii' || misp?.type !== 'misp') throw new Error('unexpected destinations');
    const print = credentialFingerprint(taxii);
    expect(print).toMatch(/^[0-9a-f]{32}$/);
    expect(print).not.toContain('s3cret');
    expect(credentialFingerprint({ ...taxii, secret: 'attribot:other' })).not.toBe(print);
    expect(credentialFingerprint({ ...taxii, collection: 'another' })).not.toBe(print);
    expect(credentialFingerprint({ ...misp, key: 'rotated' })).not.toBe(credentialFingerprint(misp));
  });
});
