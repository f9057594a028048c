// Integration: kill -9 of the control plane right after acknowledged applies — on restart every
// resource the API acknowledged is present and the store opens cleanly.
import assert from 'node:assert/strict';
import path from 'node:path';
import { apiCall, removeDir, startControlPlaneProcess, tempDir, type ControlPlaneProcess } from './cli-harness';

const LIST = '/apis/networking.istio.io/v1/virtualservices';
const vs = (name: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name },
  spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }] }] },
});

describe('admin API crash safety: kill -9 after acknowledged applies (real processes)', function () {
  this.timeout(60_000);
  let work: string;
  let plane: ControlPlaneProcess | undefined;

  before(() => (work = tempDir()));
  after(async () => {
    await plane?.stop('SIGKILL');
    removeDir(work);
  });

  for (const round of [1, 2]) {
    it(`round ${round}: every acknowledged resource survives SIGKILL`, async () => {
      const dataDir = path.join(work, 'data');
      plane = await startControlPlaneProcess(dataDir);
      const token = plane.token();
      const acknowledged: string[] = [];
      const target = 15 * round;
      let killed = false;
      // Three writers apply two-document batches continuously; the moment `target` resources are
      // acknowledged, the process is killed with writes still in flight.
      const writer = async (id: number) => {
        for (let n = 0; !killed; n++) {
          const names = [`r${round}-w${id}-${n}-a`, `r${round}-w${id}-${n}-b`];
          let answer;
          try {
            answer = await apiCall(plane!.url, 'POST', '/apis/inboard.io/v1/apply', {
              token,
              body: { documents: names.map((name, i) => ({ source: 'crash.yaml', index: i + 1, object: vs(name) })) },
            });
          } catch {
            return; // the connection died with the process
          }
          if (answer.status !== 200) return;
          acknowledged.push(...names);
          if (acknowledged.length >= target && !killed) {
            killed = true;
            plane!.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all([0, 1, 2].map(writer));
      await plane.stop('SIGKILL');
      assert.ok(acknowledged.length >= target);

      plane = await startControlPlaneProcess(dataDir);
      const list = await apiCall(plane.url, 'GET', LIST);
      const present = new Set(list.body.items.map((r: { metadata: { name: string } }) => r.metadata.name));
      const lost = acknowledged.filter((name) => !present.has(name));
      assert.deepEqual(lost, [], 'acknowledged resources lost after kill -9');
      // Batches are atomic: a batch's two resources are both there or both absent.
      for (const name of present) {
        const base = String(name).slice(0, -2);
        assert.ok(present.has(`${base}-a`) && present.has(`${base}-b`), `half a batch stored: ${String(name)}`);
      }
      await plane.stop('SIGTERM');
    });
  }
});
