import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startControlPlane } from './control-plane';

function getJson(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

describe('startControlPlane', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-cp-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts on port 0, is ready, feeds stored config into the registry, and closes idempotently', async () => {
    const plane = await startControlPlane({ dataDir: path.join(dir, 'data'), apiPort: 0, xdsPort: 0, caPort: 0 });
    try {
      assert.match(plane.apiAddress, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(plane.apiAddress, 'http://127.0.0.1:0');
      assert.equal(fs.readFileSync(path.join(dir, 'data', 'admin-token'), 'utf8').trim(), plane.token);
      assert.equal((await getJson(`${plane.apiAddress}/readyz`)).status, 200);
      await plane.store.commit([
        { type: 'put', resource: { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'vm', namespace: 'default' }, spec: { address: '127.0.0.9', labels: { app: 'x' } } } },
      ]);
      const deadline = Date.now() + 5_000;
      while (plane.registry.snapshot().endpoints.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const workloads = await getJson(`${plane.apiAddress}/apis/inboard.io/v1/workloads`);
      assert.deepEqual(workloads.body.items.map((w: { address: string }) => w.address), ['127.0.0.9']);
    } finally {
      await plane.close();
      await plane.close();
    }
    // The data dir is released: a second start on it works and sees the stored config.
    const again = await startControlPlane({ dataDir: path.join(dir, 'data'), apiPort: 0, xdsPort: 0, caPort: 0 });
    try {
      assert.equal(again.cache.snapshot().resources.length, 1);
    } finally {
      await again.close();
    }
  });

  it('refuses a non-loopback admin address before touching the data dir', async () => {
    await assert.rejects(startControlPlane({ dataDir: path.join(dir, 'never'), apiHost: '0.0.0.0', apiPort: 0 }), /not a loopback address/);
    assert.equal(fs.existsSync(path.join(dir, 'never')), false);
  });
});
