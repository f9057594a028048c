// Measurement script (not a test): the mesh-client data path against raw undici on the same
// loopback backend (a child process), 32 concurrent callers, side by side, alternating order.
// Run: node --require tsx/cjs packages/mesh-client/src/perf/datapath.bench.ts [seconds] [rounds] [case,case…]
// (the compiled library, as users get it; through scripts/run-ts.js it measures the TypeScript sources).

import * as hdr from 'hdr-histogram-js';
import { Pool, request as undiciRequest, fetch as undiciFetch } from 'undici';
import { closedLoop, isBackend, runEchoBackend, startEchoMesh } from './loopback-mesh';

const CONCURRENCY = 32;

type Call = () => Promise<void>;

interface Result { readonly name: string; readonly rps: number; readonly p50: number; readonly p99: number; readonly cpuUs: number }

/** Runs `call` with CONCURRENCY callers for `ms`; latency in microseconds. */
async function measure(name: string, call: Call, ms: number, record: boolean): Promise<Result> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const loop = await closedLoop(call, ms, CONCURRENCY, (us) => histogram.recordValue(Math.max(1, Math.round(us))));
  const result = { name, rps: (loop.count * 1000) / loop.elapsedMs, p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99), cpuUs: loop.cpuUs };
  histogram.destroy();
  if (record) console.log(`  ${name.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${String(result.p50).padStart(6)} µs  p99 ${String(result.p99).padStart(6)} µs  client CPU ${result.cpuUs.toFixed(1)} µs/req`);
  return result;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const rounds = Number(process.argv[3] ?? 2);
  const echo = await startEchoMesh(__filename);
  const { mesh, port } = echo;
  const meshUrl = 'http://echo:9080/x';
  const rawUrl = `http://127.0.0.1:${port}/x`;
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
  await echo.close();
}

if (isBackend()) runEchoBackend();
else main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
