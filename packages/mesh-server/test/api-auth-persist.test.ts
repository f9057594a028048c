// Integration: the admin API refuses unauthenticated writes (401, nothing changes) and the control
// plane keeps its state and token across a clean restart.
import assert from 'node:assert/strict';
import path from 'node:path';
import { apiCall, removeDir, startControlPlaneProcess, tempDir, type ControlPlaneProcess } from './cli-harness';

const VS_PATH = '/apis/networking.istio.io/v1/namespaces/default/virtualservices';
const vs = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, labels },
  spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }] }] },
});

describe('admin API: authentication and persistence (real processes)', function () {
  this.timeout(60_000);
  let work: string;
  let plane: ControlPlaneProcess | undefined;

  before(() => (work = tempDir()));
  after(async () => {
    await plane?.stop();
    removeDir(work);
  });

  it('answers 401 to writes without a valid token and changes nothing; reads are open on loopback', async () => {
    plane = await startControlPlaneProcess(path.join(work, 'data'));
    const token = plane.token();
    assert.equal((await apiCall(plane.url, 'PUT', `${VS_PATH}/reviews`, { token, body: vs('reviews') })).status, 201);
    const before = await apiCall(plane.url, 'GET', VS_PATH);

    const attempts = [
      () => apiCall(plane!.url, 'PUT', `${VS_PATH}/reviews`, { body: vs('reviews', { changed: 'yes' }) }),
      () => apiCall(plane!.url, 'PUT', `${VS_PATH}/ratings`, { token: 'x'.repeat(43), body: vs('ratings') }),
      () => apiCall(plane!.url, 'DELETE', `${VS_PATH}/reviews`),
      () => apiCall(plane!.url, 'DELETE', `${VS_PATH}/reviews`, { token: token.slice(0, -1) }),
      () => apiCall(plane!.url, 'POST', '/apis/inboard.io/v1/apply', { body: { documents: [{ source: 'x.yaml', index: 1, object: vs('details') }] } }),
    ];
    for (const attempt of attempts) {
      const answer = await attempt();
      assert.equal(answer.status, 401);
      assert.equal(answer.body.code, 'UNAUTHORIZED');
    }
    assert.deepEqual(await apiCall(plane.url, 'GET', VS_PATH), before);
  });

  it('keeps resources, revision and token across a clean restart (SIGTERM exits 0)', async () => {
    const token = plane!.token();
    const apply = await apiCall(plane!.url, 'POST', '/apis/inboard.io/v1/apply', {
      token,
      body: { documents: ['ratings', 'details'].map((name, i) => ({ source: 'two.yaml', index: i + 1, object: vs(name) })) },
    });
    assert.equal(apply.status, 200, JSON.stringify(apply.body));
    const before = await apiCall(plane!.url, 'GET', '/apis/networking.istio.io/v1/virtualservices');
    assert.equal(await plane!.stop('SIGTERM'), 0);
    assert.match(plane!.output(), /control plane stopped/);

    plane = await startControlPlaneProcess(path.join(work, 'data'));
    assert.equal(plane.token(), token);
    const after = await apiCall(plane.url, 'GET', '/apis/networking.istio.io/v1/virtualservices');
    assert.deepEqual(after.body, before.body);
    assert.deepEqual(after.body.items.map((r: { metadata: { name: string } }) => r.metadata.name), ['details', 'ratings', 'reviews']);
    assert.equal((await apiCall(plane.url, 'GET', '/readyz')).status, 200);
  });
});
