// Integration: watch streams from a real control plane — events for every change in order, and a
// clean end of the stream when the control plane shuts down.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { apiCall, removeDir, startControlPlaneProcess, tempDir, until, type ControlPlaneProcess } from './cli-harness';

const VS_PATH = '/apis/networking.istio.io/v1/namespaces/default/virtualservices';
const vs = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, labels },
  spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }] }] },
});

describe('admin API watch (real processes)', function () {
  this.timeout(60_000);
  let work: string;
  let plane: ControlPlaneProcess;

  before(async () => {
    work = tempDir();
    plane = await startControlPlaneProcess(path.join(work, 'data'));
  });
  after(async () => {
    await plane?.stop();
    removeDir(work);
  });

  it('streams ADDED, MODIFIED and DELETED events from a resourceVersion and ends cleanly on shutdown', async () => {
    const token = plane.token();
    const first = await apiCall(plane.url, 'PUT', `${VS_PATH}/before`, { token, body: vs('before') });
    const from = first.body.metadata.resourceVersion as string;

    const events: { type: string; object: { metadata: { name: string; resourceVersion: string; labels?: Record<string, string> } } }[] = [];
    let ended = false;
    let failed: Error | undefined;
    const req = http.get(new URL(`${VS_PATH}?watch=true&resourceVersion=${from}`, plane.url), (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /application\/json/);
      let buffered = '';
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line) events.push(JSON.parse(line));
      });
      res.on('end', () => (ended = true));
      res.on('error', (e) => (failed = e));
    });
    req.on('error', (e) => (failed = e));

    await apiCall(plane.url, 'PUT', `${VS_PATH}/reviews`, { token, body: vs('reviews') });
    await apiCall(plane.url, 'PUT', `${VS_PATH}/reviews`, { token, body: vs('reviews', { step: '2' }) });
    await apiCall(plane.url, 'POST', '/apis/inboard.io/v1/apply', {
      token,
      body: { documents: [{ source: 'w.yaml', index: 1, object: vs('ratings') }] },
    });
    await apiCall(plane.url, 'DELETE', `${VS_PATH}/reviews`, { token });
    await until(() => events.filter((e) => e.type !== 'BOOKMARK').length >= 4, 'four watch events');

    const changes = events.filter((e) => e.type !== 'BOOKMARK');
    assert.deepEqual(changes.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED reviews', 'MODIFIED reviews', 'ADDED ratings', 'DELETED reviews']);
    assert.equal(changes[1]!.object.metadata.labels?.step, '2');
    const versions = changes.slice(0, 3).map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...versions].sort((a, b) => a - b), versions, 'events arrive in revision order');

    assert.equal(await plane.stop('SIGTERM'), 0);
    await until(() => ended || failed !== undefined, 'the stream to end');
    assert.equal(failed, undefined, 'the stream ends cleanly, not with a reset');
  });
});
