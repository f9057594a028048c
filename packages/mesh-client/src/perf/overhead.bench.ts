// Measurement script (not a test): the mesh's own CPU per call on the dispatcher front end, with
// no I/O. undici's Pool.dispatch is replaced by a synchronous fake answer, so what remains is the
// mesh's work (route, pick, policies, handler bridging) against undici's own dispatch call.
// Run: node --require tsx/cjs packages/mesh-client/src/perf/overhead.bench.ts [iterations]
// (without --conditions=inboard-source it measures the compiled library, as users get it).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool, type Dispatcher } from 'undici';
import { connect } from '@inboard/mesh-client';
import { adminApi, meshServer } from '../../test/support/control-plane';
import { kubernetesService, workloadEntry } from '../../test/support/istio';

const RAW_HEADERS = [Buffer.from('content-type'), Buffer.from('text/plain'), Buffer.from('content-length'), Buffer.from('2')];
const BODY = Buffer.from('ok');

/** undici's Pool answering every request at once, in the legacy handler protocol its core uses. */
function fakeDispatch(this: Pool, _options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
  const h = handler as unknown as Record<string, (...args: unknown[]) => unknown>;
  h['onConnect']?.(() => undefined, {});
  h['onHeaders']!(200, RAW_HEADERS, () => undefined, 'OK');
  h['onData']!(BODY);
  h['onComplete']!([]);
  return true;
}

/** A legacy handler that only counts completions. */
function counter(): { handler: Dispatcher.DispatchHandler; readonly done: () => number } {
  let done = 0;
  const handler = {
    onConnect() {}, onHeaders() { return true; }, onData() { return true; }, onComplete() { done++; }, onError(error: Error) { throw error; },
  };
  return { handler: handler as unknown as Dispatcher.DispatchHandler, done: () => done };
}

/** CPU per call of `fn`, run in batches of 100 with the event loop turned between them (answers settle as in real use). */
async function time(name: string, n: number, fn: () => void): Promise<number> {
  const run = async (count: number) => {
    for (let i = 0; i < count; i += 100) {
      for (let j = 0; j < 100; j++) fn();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  await run(Math.min(n, 20_000));
  const cpu0 = process.cpuUsage();
  await run(n);
  const cpu = process.cpuUsage(cpu0);
  const us = (cpu.user + cpu.system) / n;
  console.log(`  ${name.padEnd(28)} ${(us * 1000).toFixed(0).padStart(7)} ns/call`);
  return us;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-overhead-'));
  const plane = await meshServer().startControlPlane({ dataDir, apiPort: 0, xdsPort: 0, caPort: 0 });
  const api = adminApi(plane, async () => undefined);
  await api.apply(kubernetesService('echo'), workloadEntry('echo-1', 'echo', 1));
  const mesh = connect({ controlPlane: plane.xdsAddress, service: 'bench' });
  await mesh.ready;
  for (const deadline = Date.now() + 20_000; ;) {
    const decision = mesh.explain({ url: 'http://echo:9080/x' }) as { decision?: string; endpoints?: { available?: boolean }[] };
    if (decision.decision === 'forward' && decision.endpoints?.some((e) => e.available)) break;
    if (Date.now() > deadline) throw new Error('the mesh never routed to echo');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  Pool.prototype.dispatch = fakeDispatch as Pool['dispatch'];
  const pool = new Pool('http://127.0.0.1:1');
  const raw = counter();
  const meshed = counter();
  const rawOptions: Dispatcher.DispatchOptions = { origin: 'http://127.0.0.1:1', path: '/x', method: 'GET', headers: {} };
  const meshOptions: Dispatcher.DispatchOptions = { origin: 'http://echo:9080', path: '/x', method: 'GET', headers: {} };
  for (let round = 0; round < 3; round++) {
    console.log(`round ${round + 1}`);
    const base = await time('Pool.dispatch (fake answer)', n, () => pool.dispatch(rawOptions, raw.handler));
    const mine = await time('mesh.dispatcher.dispatch', n, () => mesh.dispatcher.dispatch(meshOptions, meshed.handler));
    console.log(`  mesh adds ${(mine - base).toFixed(2)} µs of CPU per call`);
  }
  if (meshed.done() === 0) throw new Error('the mesh completed no call');
  await mesh.close();
  await plane.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
