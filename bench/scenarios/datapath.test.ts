import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopProcess, waitForLine } from '../../testing/spawn';
import { BOOKINFO_SERVICES, generatedServices, meshDocuments } from '../control-plane/mesh-config';
import { datapathTable, reviewsByUser, ROUTING_GOAL_NS, type HotPathResult } from './datapath';

const HOT_PATH_FILE = path.join(__dirname, '..', '..', 'packages', 'mesh-client', 'dist', 'src', 'perf', 'hot-path.bench.js');

describe('bench group datapath', function () {
  this.timeout(120_000);

  it('reports each routing case against the 2 µs goal, and the dispatcher call net of the faked pool', () => {
    const result: HotPathResult = {
      routing: [{ name: 'fast', cluster: 'c', nsPerCall: 400 }, { name: 'slow', cluster: 'c', nsPerCall: ROUTING_GOAL_NS + 1 }],
      dispatch: { fakePoolNs: 50, meshNs: 2_500, addedNs: 2_450 },
    };
    const { rows } = datapathTable(result);
    assert.deepEqual(rows.map((row) => row[3]), ['met', 'MISSED', '–', '–']);
    assert.equal(rows[2]![1], '2450');
  });

  it('runs the compiled hot-path script against a real control plane: every case routed where BookInfo says, positive timings', async () => {
    const { startControlPlane } = require('@inboard/mesh-server') as typeof import('@inboard/mesh-server');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-datapath-'));
    const plane = await startControlPlane({ dataDir, apiPort: 0, xdsPort: 0, caPort: 0 });
    const child = spawn(process.execPath, [HOT_PATH_FILE, '--control-plane', plane.xdsAddress, '--iterations', '2000', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      for (const documents of [meshDocuments([...BOOKINFO_SERVICES, ...generatedServices(50, 10)]), [reviewsByUser()]]) {
        const response = await fetch(`${plane.apiAddress}/apis/inboard.io/v1/apply`, {
          method: 'POST',
          headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ documents: documents.map((object, index) => ({ source: 'test', index: index + 1, object })) }),
        });
        assert.equal(response.status, 200, await response.text());
      }
      const [, json] = await waitForLine(child, /^result (\{.*\})$/, 90_000);
      const result = JSON.parse(json!) as HotPathResult;
      assert.deepEqual(result.routing.map((r) => r.cluster), [
        'outbound|9080|v2|reviews.default.svc.cluster.local',
        'outbound|9080|v1|reviews.default.svc.cluster.local',
        'outbound|9080|v1|ratings.default.svc.cluster.local',
        'outbound|9080|v1|svc-49.default.svc.cluster.local',
      ]);
      for (const r of result.routing) assert.ok(r.nsPerCall > 0, `${r.name}: ${r.nsPerCall} ns`);
      assert.ok(result.dispatch.meshNs > result.dispatch.fakePoolNs, JSON.stringify(result.dispatch));
    } finally {
      await stopProcess(child);
      await plane.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
