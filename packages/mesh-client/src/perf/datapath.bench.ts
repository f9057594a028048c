// Measurement script (not a test): the mesh-client data path against raw undici on the same
// loopback backend (a child process), 32 concurrent callers, side by side, alternating order.
// Run: node --require tsx/cjs packages/mesh-client/src/perf/datapath.bench.ts [seconds] [rounds] [case,case…]
// (the compiled library, as users get it; through scripts/run-ts.js it measures the TypeScript sources).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as hdr from 'hdr-histogram-js';
import { Pool, request as undiciRequest, fetch as undiciFetch } from 'undici';
import { connect } from '@inboard/mesh-client';
import { spawnTs, stopProcess, waitForLine } from '../../../../testing/spawn';
import { adminApi, meshServer } from '../../test/support/control-plane';
import { kubernetesService, workloadEntry } from '../../test/support/istio';

const CONCURRENCY = 32;

/** The backend child: a keep-alive server with a tiny body, printing its port. */
function runBackend(): void {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`backend port ${(server.address() as AddressInfo).port}`));
}

type Call = () => Promise<void>;

interface Result { readonly name: string; readonly rps: number; readonly p50: number; readonly p99: number; readonly cpuUs: number }

/** Runs `call` with CONCURRENCY callers for `ms`; latency in microseconds. */
async function measure(name: string, call: Call, ms: number, record: boolean): Promise<Result> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let count = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      await call();
      histogram.recordValue(Math.max(1, Math.round((performance.now() - start) * 1000)));
      count++;
    }
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = performance.now() - t0;
  // CPU µs per request in this (client) process: steadier than req/s on a shared, loaded machine.
  const cpuUs = (cpu.user + cpu.system) / count;
  const result = { name, rps: (count * 1000) / elapsed, p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99), cpuUs };
  histogram.destroy();
  if (record) console.log(`  ${name.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${String(result.p50).padStart(6)} µs  p99 ${String(result.p99).padStart(6)} µs  client CPU ${result.cpuUs.toFixed(1)} µs/req`);
  return result;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const rounds = Number(process.argv[3] ?? 2);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-bench-'));
  const plane = await meshServer().startControlPlane({ dataDir, apiPort: 0, xdsPort: 0, caPort: 0 });
  const api = adminApi(plane, async () => undefined);
  const child = spawnTs(path.relative(path.resolve(__dirname, '../../../..'), __filename), ['--backend']);
  const port = Number((await waitForLine(child, /backend port (\d+)/))[1]);
  await api.apply(kubernetesService('echo'), workloadEntry('echo-1', 'echo', port));
  const mesh = connect({ controlPlane: plane.xdsAddress, service: 'bench' });
  const meshUrl = 'http://echo:9080/x';
  const rawUrl = `http://127.0.0.1:${port}/x`;
  for (const deadline = Date.now() + 20_000; ;) {
    const r = await mesh.fetch(meshUrl).catch(() => undefined);
    if (r?.status === 200 && (await r.text()) === 'ok') break;
    if (Date.now() > deadline) throw new Error('the mesh never routed to the backend');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: null, pipelining: 1 });
  const cases: Record<string, Call> = {
    'raw Pool.request': async () => { const r = await pool.request({ path: '/x', method: 'GET' }); await r.body.text(); },
    'raw request(pool)': async () => { const r = await undiciRequest(rawUrl, { dispatcher: pool }); await r.body.text(); },
    'mesh.dispatcher': async () => { const r = await undiciRequest(meshUrl, { dispatcher: mesh.dispatcher }); await r.body.text(); },
    'raw undici.fetch': async () => { const r = await undiciFetch(rawUrl); await r.text(); },
    'mesh.fetch': async () => { const r = await mesh.fetch(meshUrl); await r.text(); },
  };
  const all: Record<string, Result[]> = {};
  const only = process.argv[4]?.split(',');
  const names = Object.keys(cases).filter((name) => !only || only.includes(name));
  for (let round = 0; round < rounds; round++) {
    console.log(`round ${round + 1}`);
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      await measure(name, cases[name]!, 1000, false);
      (all[name] ??= []).push(await measure(name, cases[name]!, seconds * 1000, true));
    }
  }
  const avg = (name: string, key: 'rps' | 'p50' | 'p99' | 'cpuUs') => all[name]!.reduce((s, r) => s + r[key], 0) / all[name]!.length;
  console.log('summary (mean of rounds)');
  for (const [mesh_, raw] of [['mesh.dispatcher', 'raw Pool.request'], ['mesh.dispatcher', 'raw request(pool)'], ['mesh.fetch', 'raw undici.fetch']] as const) {
    if (!all[mesh_] || !all[raw]) continue;
    console.log(`  ${mesh_.padEnd(16)} ${avg(mesh_, 'rps').toFixed(0)} vs ${raw} ${avg(raw, 'rps').toFixed(0)} req/s: ratio ${(avg(mesh_, 'rps') / avg(raw, 'rps')).toFixed(3)}, p50 +${(avg(mesh_, 'p50') - avg(raw, 'p50')).toFixed(0)} µs, p99 +${(avg(mesh_, 'p99') - avg(raw, 'p99')).toFixed(0)} µs; client CPU ${avg(mesh_, 'cpuUs').toFixed(1)} vs ${avg(raw, 'cpuUs').toFixed(1)} µs/req (ratio ${(avg(raw, 'cpuUs') / avg(mesh_, 'cpuUs')).toFixed(3)})`);
  }
  await pool.close();
  await mesh.close();
  await stopProcess(child);
  await plane.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv.includes('--backend')) runBackend();
else main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
