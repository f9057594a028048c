import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMeshError } from './errors';
import { resolveMtls } from './options';

const ROOT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('connect() mTLS options', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-mtls-opts-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tokenFile = path.join(dir, 'token');
  const rootFile = path.join(dir, 'root.pem');
  fs.writeFileSync(tokenFile, 'inbt_file\n');
  fs.writeFileSync(rootFile, ROOT);

  it('resolves token, root and CA address from options, then env, with the CA on the control plane host:15012', () => {
    const cases: [string, Parameters<typeof resolveMtls>[0], Record<string, string>, object][] = [
      ['no token: off', {}, {}, { enabled: false }],
      ['token without root: off', { token: 't' }, {}, { enabled: false }],
      ['options', { token: 't', caRootPem: ROOT }, {}, { enabled: true, token: 't', caAddress: '10.0.0.1:15012' }],
      ['env', {}, { INBOARD_TOKEN: 'e', INBOARD_CA_ROOT_FILE: rootFile, INBOARD_CA_ADDRESS: '127.0.0.1:4000' }, { enabled: true, token: 'e', caAddress: '127.0.0.1:4000', trustRootPem: ROOT }],
      ['token file wins over INBOARD_TOKEN', {}, { INBOARD_TOKEN: 'e', INBOARD_TOKEN_FILE: tokenFile, INBOARD_CA_ROOT_FILE: rootFile }, { enabled: true, token: 'inbt_file' }],
      ['lifetime from env', { token: 't', caRootPem: ROOT }, { INBOARD_CERT_TTL_SECONDS: '60' }, { enabled: true, ttlMs: 60_000 }],
      ['explicitly off', { enabled: false, token: 't', caRootPem: ROOT }, {}, { enabled: false }],
    ];
    for (const [name, options, env, expected] of cases) {
      const resolved = resolveMtls(options, env, '10.0.0.1:15010') as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(resolved[key], value, `${name}: ${key}`);
    }
  });

  it('names the field at fault for bad values', () => {
    const cases: [Parameters<typeof resolveMtls>[0], Record<string, string>, string][] = [
      [{ token: 'a b', caRootPem: ROOT }, {}, 'options.mtls.token'],
      [{ token: 't', caRootPem: 'not pem' }, {}, 'options.mtls.caRootPem'],
      [{ token: 't', caRootPem: ROOT, caAddress: 'http://x' }, {}, 'options.mtls.caAddress'],
      [{}, { INBOARD_TOKEN_FILE: path.join(dir, 'missing') }, '$INBOARD_TOKEN_FILE'],
      [{ token: 't', caRootPem: ROOT, certificateTtlMs: 10 }, {}, 'options.mtls.certificateTtlMs'],
    ];
    for (const [options, env, field] of cases) {
      assert.throws(() => resolveMtls(options, env, '127.0.0.1:15010'), (e: unknown) => isMeshError(e) && e.code === 'INVALID_OPTIONS' && e.message.startsWith(field), field);
    }
  });
});
