// Integration with the real `inboard control-plane` process: killed with SIGKILL mid-traffic, the
// callers keep routing on their last config; restarted on the same ports and data dir, the mesh
// resyncs (workloads re-register, new config takes effect). Also `inboard explain` end to end.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnTs, stopProcess, waitForLine } from '../../../testing/spawn';
import { connect, type Mesh } from '../src';
import { identityOf, startBackend, type Backend } from './support/backends';
import { adminApi, until, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { jasonToV2, versionSubsets } from './support/istio';

const CLI = 'packages/mesh-server/src/cli/main.ts';

async function startPlaneProcess(dataDir: string, apiPort: number, xdsPort: number): Promise<{ child: ChildProcess; api: TestPlane }> {
  const child = spawnTs(CLI, ['control-plane', '--data-dir', dataDir, '--api-port', String(apiPort), '--xds-port', String(xdsPort), '--ca-port', '0']);
  await waitForLine(child, /xDS server listening on/);
  const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  const api = adminApi({ apiAddress: `http://127.0.0.1:${apiPort}`, xdsAddress: `127.0.0.1:${xdsPort}`, token, dataDir, close: async () => undefined }, async () => undefined);
  return { child, api };
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTs(CLI, args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin!.end();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`inboard ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`)); }, 20_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe('control plane process lost and restarted', function () {
  this.timeout(60_000);
  let dataDir: string;
  let apiPort: number;
  let xdsPort: number;
  let plane: { child: ChildProcess; api: TestPlane };
  let v1: Backend;
  let v2: Backend;
  let client: Mesh;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-cp-loss-'));
    [apiPort, xdsPort] = [await freePort(), await freePort()];
    plane = await startPlaneProcess(dataDir, apiPort, xdsPort);
    const xds = `127.0.0.1:${xdsPort}`;
    v1 = await startBackend(xds, 'reviews', 'v1');
    v2 = await startBackend(xds, 'reviews', 'v2');
    await plane.api.apply(versionSubsets('reviews'));
    client = connect({ controlPlane: xds, service: 'productpage' });
    await untilEndpoints(client, 'http://reviews/', 2);
  });

  after(async () => {
    await client?.close();
    await v1?.close();
    await v2?.close();
    if (plane) await stopProcess(plane.child, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('inboard explain --from prints the decision for a caller identity', async () => {
    await plane.api.apply(jasonToV2('reviews'));
    await untilExplained(client, 'http://reviews/', (e) => (e['cluster'] as { subset?: string } | undefined)?.subset === 'v2', { 'end-user': 'jason' });
    const run = await runCli(['explain', '--from', 'productpage', '--control-plane', `127.0.0.1:${xdsPort}`, '-H', 'end-user: jason', 'http://reviews/reviews/0']);
    assert.equal(run.code, 0, run.stderr);
    const e = JSON.parse(run.stdout) as { decision: string; route: { virtualService: string; index: number }; cluster: { subset: string }; endpoints: unknown[] };
    assert.deepEqual([e.decision, e.route.virtualService, e.route.index, e.cluster.subset, e.endpoints.length], ['forward', 'default/reviews', 0, 'v2', 1]);
    const usage = await runCli(['explain', 'http://reviews/']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--from SERVICE is required/);
  });

  it('keeps routing on the last config while the control plane is down, and resyncs after restart', async () => {
    const disconnected = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
    await stopProcess(plane.child, 'SIGKILL');
    await disconnected;
    for (let i = 0; i < 20; i++) {
      assert.equal((await identityOf(await client.fetch('http://reviews/', { headers: { 'end-user': 'jason' } }))).version, 'v2');
      assert.equal((await identityOf(await client.fetch('http://reviews/'))).version, 'v1');
    }

    plane = await startPlaneProcess(dataDir, apiPort, xdsPort);
    // The workloads re-register through their reconnected registration streams.
    await until('both workloads registered again', async () => (await plane.api.workloads()).filter((w) => w.ports['http'] !== undefined).length === 2, 20_000, 100);
    // New config after the restart reaches the client: everyone now goes to v2.
    await plane.api.apply({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'default' }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] } });
    await untilExplained(client, 'http://reviews/', (e) => (e['cluster'] as { subset?: string } | undefined)?.subset === 'v2' && (e['endpoints'] as unknown[]).length === 1, {}, 20_000);
    assert.equal((await identityOf(await client.fetch('http://reviews/'))).version, 'v2');
  });
});
