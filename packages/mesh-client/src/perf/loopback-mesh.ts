// What the loopback measurement scripts share: a keep-alive echo backend in a child process, a
// control plane in this process with the backend registered as service `echo`, a mesh client that
// routes to it, and a closed loop of concurrent callers measuring client CPU per request.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect, type Mesh } from '@inboard/mesh-client';
import { spawnTs, stopProcess, waitForLine } from '../../../../testing/spawn';
import { adminApi, meshServer } from '../../test/support/control-plane';
import { kubernetesService, workloadEntry } from '../../test/support/istio';

/** The flag a script is started with to be the backend instead (see `isBackend`). */
const BACKEND_FLAG = '--backend';

/** True when this process was started as the echo backend. */
export function isBackend(): boolean {
  return process.argv.includes(BACKEND_FLAG);
}

/** The backend: a keep-alive server answering `ok`, printing its port. */
export function runEchoBackend(): void {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`backend port ${(server.address() as AddressInfo).port}`));
}

/** A running echo mesh: the mesh client, the backend's port, and how to stop it all. */
export interface EchoMesh {
  readonly mesh: Mesh;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the backend (`script` again, with the backend flag), the control plane and a mesh that routes `http://echo:9080`. */
export async function startEchoMesh(script: string): Promise<EchoMesh> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-perf-'));
  const plane = await meshServer().startControlPlane({ dataDir, apiPort: 0, xdsPort: 0, caPort: 0 });
  const api = adminApi(plane, async () => undefined);
  const child = spawnTs(path.relative(path.resolve(__dirname, '../../../..'), script), [BACKEND_FLAG]);
  const port = Number((await waitForLine(child, /backend port (\d+)/))[1]);
  await api.apply(kubernetesService('echo'), workloadEntry('echo-1', 'echo', port));
  const mesh = connect({ controlPlane: plane.xdsAddress, service: 'bench' });
  for (const deadline = Date.now() + 20_000; ;) {
    const r = await mesh.fetch('http://echo:9080/x').catch(() => undefined);
    if (r?.status === 200 && (await r.text()) === 'ok') break;
    if (Date.now() > deadline) throw new Error('the mesh never routed to the backend');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    mesh,
    port,
    async close() {
      await mesh.close();
      await stopProcess(child);
      await plane.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What one closed-loop run measured. */
export interface LoopResult {
  readonly count: number;
  readonly elapsedMs: number;
  /** Client CPU (this process, all threads) per request, µs: steadier than req/s on a shared machine. */
  readonly cpuUs: number;
}

/** Runs `call` with `concurrency` callers for `ms`; `onLatencyUs` gets each call's latency. */
export async function closedLoop(call: () => Promise<void>, ms: number, concurrency: number, onLatencyUs?: (us: number) => void): Promise<LoopResult> {
  let count = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      await call();
      onLatencyUs?.((performance.now() - start) * 1000);
      count++;
    }
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { count, elapsedMs: performance.now() - t0, cpuUs: (cpu.user + cpu.system) / count };
}
