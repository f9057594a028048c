// `inboard token` as a real process: a workload token bound to ns/sa, listed without its secret,
// accepted for reads but never for admin writes, and refused after revocation.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, tsNodeArgs } from '../../../testing/spawn';
import { openTokenStore } from '../src/tokens/token-store';
import { startControlPlane } from '../src/control-plane';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'packages/mesh-server/src/cli/main.ts');

async function inboard(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...tsNodeArgs(), CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('inboard token', function () {
  this.timeout(30_000);
  let dataDir: string;
  before(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-token-')); });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('creates a workload token bound to its namespace and service account, lists and revokes it', async () => {
    const created = await inboard(['token', 'create', '-n', 'shop', '--service-account', 'cart', '--ttl', '1h', '--data-dir', dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^inbt_[0-9a-f]+_/);
    const grant = openTokenStore({ dataDir }).verifyToken(token);
    assert.deepEqual({ scope: grant?.scope, ns: grant?.namespace, sa: grant?.serviceAccount }, { scope: 'workload', ns: 'shop', sa: 'cart' });

    const listed = await inboard(['token', 'list', '--data-dir', dataDir]);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, new RegExp(`${grant!.id}\\s+workload\\s+shop/cart\\s+active`));
    assert.ok(!listed.stdout.includes(token.split('_')[2]!), 'list must not print the secret');

    const revoked = await inboard(['token', 'revoke', grant!.id, '--data-dir', dataDir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(openTokenStore({ dataDir }).verifyToken(token), undefined);
    assert.equal((await inboard(['token', 'revoke', grant!.id, '--data-dir', dataDir])).code, 1);
  });

  it('rejects a workload token without a service account, and bad flags, as usage errors', async () => {
    const noSa = await inboard(['token', 'create', '--data-dir', dataDir]);
    assert.equal(noSa.code, 2);
    assert.match(noSa.stderr, /needs --service-account/);
    const badTtl = await inboard(['token', 'create', '--service-account', 'x', '--ttl', 'soon', '--data-dir', dataDir]);
    assert.equal(badTtl.code, 2);
    assert.match(badTtl.stderr, /--ttl/);
    assert.equal((await inboard(['token', 'frobnicate', '--data-dir', dataDir])).code, 2);
  });
});

describe('admin API token scopes', function () {
  this.timeout(30_000);
  it('admin tokens may write; workload and read tokens may not', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-scopes-'));
    const plane = await startControlPlane({ dataDir, apiPort: 0, xdsPort: 0, caPort: 0 });
    try {
      const put = (token: string) =>
        fetch(`${plane.apiAddress}/apis/networking.istio.io/v1/namespaces/default/virtualservices/vs1`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs1' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] } }),
        });
      const workload = plane.tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount: 'sa' }).token;
      const read = plane.tokens.issue({ scope: 'read' }).token;
      const admin = plane.tokens.issue({ scope: 'admin' }).token;
      assert.equal((await put(workload)).status, 401);
      assert.equal((await put(read)).status, 401);
      const stored = await plane.store.list({ kind: 'VirtualService' });
      assert.equal(stored.items.length, 0, 'a refused write changes nothing');
      const ok = await put(admin);
      assert.ok(ok.status === 200 || ok.status === 201, `admin token write: ${ok.status} ${await ok.text()}`);
    } finally {
      await plane.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
