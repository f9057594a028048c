// Measurement script (not a test): the mesh's own CPU per call, with no I/O, in two parts —
// 1. routing + load balancing: listener, virtual host and route match, the route's decision
//    (weighted pick, rewrites, policies) and the endpoint pick, on the mesh's live snapshot;
// 2. one whole call through the undici Dispatcher front end, undici's Pool.dispatch replaced by a
//    synchronous fake answer, against that fake alone: everything the mesh adds to a call.
// `npm run bench -- --only datapath` runs it compiled, against a control plane holding the mesh
// ROUTING_CASES expect (bench/scenarios/datapath.ts applies it):
//   node packages/mesh-client/dist/src/perf/hot-path.bench.js --control-plane HOST:PORT [--json]
// (`--json` prints one line: `result {…}`, a HotPathResult).

import { parseArgs } from 'node:util';
import { Pool, type Dispatcher } from 'undici';
import { buildPicker, type Picker } from '../balancing/picker';
import { mulberry32 } from '../balancing/random';
import { EndpointStateStore } from '../balancing/endpoint-state';
import { connect, type Mesh } from '../mesh';
import { findListener } from '../pipeline/route-layers';
import { computeRouteOutcome } from '../routing/actions';
import { findRoute } from '../routing/match';
import type { RouteRequest } from '../routing/request-view';
import { routeTableForListener } from '../snapshot/lookup';
import type { MeshSnapshot } from '../snapshot/types';

/** One routing case: a request and where the mesh must send it (checked before timing). */
export interface RoutingCase {
  readonly name: string;
  readonly request: RouteRequest;
  /** Substring of the cluster the route must pick, e.g. `|v2|reviews.`. */
  readonly expect: string;
}

/** The cases of the bench's BookInfo-shaped mesh (group datapath applies the matching config). */
export const ROUTING_CASES: readonly RoutingCase[] = [
  { name: 'reviews, end-user: jason (first route, header match)', request: { authority: 'reviews:9080', method: 'GET', path: '/reviews/0', headers: { 'end-user': 'jason' } }, expect: '|v2|reviews.' },
  { name: 'reviews, no end-user (second route)', request: { authority: 'reviews:9080', method: 'GET', path: '/reviews/0', headers: {} }, expect: '|v1|reviews.' },
  { name: 'ratings by FQDN (single route)', request: { authority: 'ratings.default.svc.cluster.local:9080', method: 'GET', path: '/ratings/0', headers: {} }, expect: '|v1|ratings.' },
  { name: 'svc-49, 10 endpoints (round robin)', request: { authority: 'svc-49:9080', method: 'GET', path: '/', headers: {} }, expect: '|v1|svc-49.' },
];

/** What one case measured. */
export interface CaseResult { readonly name: string; readonly cluster: string; readonly nsPerCall: number }

/** The whole measurement, as `--json` prints it. */
export interface HotPathResult {
  readonly routing: readonly CaseResult[];
  readonly dispatch: { readonly fakePoolNs: number; readonly meshNs: number; readonly addedNs: number };
}

/** Median of `rounds` timings of `n` calls (CPU time, ns per call), after a warm-up. */
function nsPerCall(n: number, rounds: number, fn: () => void): number {
  for (let i = 0; i < Math.min(n, 50_000); i++) fn();
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const cpu = process.cpuUsage(cpu0);
    samples.push(((cpu.user + cpu.system) * 1000) / n);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

/** Routing + LB of one case, as the pipeline does it (the picker is built once, as the runtime caches it). */
function routingCall(snapshot: MeshSnapshot, c: RoutingCase): { run: () => string } {
  const random = mulberry32(7);
  const pickers = new Map<string, Picker>();
  const state = new EndpointStateStore();
  return {
    run() {
      const listener = findListener(snapshot, c.request.authority);
      const table = listener && routeTableForListener(snapshot, listener.name);
      if (!table) throw new Error(`${c.name}: no listener or route table for ${c.request.authority}`);
      const found = findRoute(table, c.request, { random });
      if (!found.ok) throw new Error(`${c.name}: no route (${found.reason})`);
      const outcome = computeRouteOutcome(table, found.virtualHost, found.route, found.view, { random });
      if (outcome.kind !== 'forward') throw new Error(`${c.name}: the route does not forward`);
      const cluster = snapshot.clusters.get(outcome.cluster);
      if (!cluster) throw new Error(`${c.name}: unknown cluster ${outcome.cluster}`);
      let picker = pickers.get(cluster.name);
      if (!picker) pickers.set(cluster.name, (picker = buildPicker({ cluster, endpoints: snapshot.endpoints.get(cluster.name), state, random })));
      const picked = picker.pick({});
      if (!picked.ok) throw new Error(`${c.name}: no endpoint (${picked.error.message})`);
      return cluster.name;
    },
  };
}

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

/** CPU per call of `fn`, in batches of 100 with the event loop turned between them (answers settle as in real use). */
async function nsPerAsyncCall(n: number, fn: () => void): Promise<number> {
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
  return ((cpu.user + cpu.system) * 1000) / n;
}

/** Both measurements on a connected mesh that routes `url`. Replaces Pool.prototype.dispatch for good: run it last. */
export async function measureHotPath(mesh: Mesh, iterations: number): Promise<HotPathResult> {
  const snapshot = mesh.snapshot;
  if (!snapshot) throw new Error('the mesh has no config');
  const routing = ROUTING_CASES.map((c) => {
    const call = routingCall(snapshot, c);
    const cluster = call.run();
    if (!cluster.includes(c.expect)) throw new Error(`${c.name}: routed to ${cluster}, expected a cluster with ${c.expect}`);
    return { name: c.name, cluster, nsPerCall: Math.round(nsPerCall(iterations, 5, () => void call.run())) };
  });
  let completed = 0;
  const counting = { onConnect() {}, onHeaders() { return true; }, onData() { return true; }, onComplete() { completed++; }, onError(error: Error) { throw error; } } as unknown as Dispatcher.DispatchHandler;
  Pool.prototype.dispatch = fakeDispatch as Pool['dispatch'];
  const pool = new Pool('http://127.0.0.1:1');
  const rawOptions: Dispatcher.DispatchOptions = { origin: 'http://127.0.0.1:1', path: '/reviews/0', method: 'GET', headers: {} };
  const meshOptions: Dispatcher.DispatchOptions = { origin: 'http://ratings:9080', path: '/ratings/0', method: 'GET', headers: {} };
  const fakePool: number[] = [];
  const meshed: number[] = [];
  for (let round = 0; round < 3; round++) {
    fakePool.push(await nsPerAsyncCall(iterations, () => pool.dispatch(rawOptions, counting)));
    meshed.push(await nsPerAsyncCall(iterations, () => mesh.dispatcher.dispatch(meshOptions, counting)));
  }
  if (completed === 0) throw new Error('no call completed');
  const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
  const fakePoolNs = Math.round(median(fakePool));
  const meshNs = Math.round(median(meshed));
  return { routing, dispatch: { fakePoolNs, meshNs, addedNs: meshNs - fakePoolNs } };
}

/** Waits (bounded) until the mesh routes every case to an available endpoint. */
async function untilRoutable(mesh: Mesh): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (const c of ROUTING_CASES) {
    const url = `http://${c.request.authority}${c.request.path}`;
    for (;;) {
      const decision = mesh.explain({ url, headers: c.request.headers as Record<string, string> }) as { decision?: string; endpoints?: { available?: boolean }[] };
      if (decision.decision === 'forward' && decision.endpoints?.some((e) => e.available)) break;
      if (Date.now() > deadline) throw new Error(`the mesh does not route ${url}: ${JSON.stringify(decision).slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'control-plane': { type: 'string' }, iterations: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } } });
  const controlPlane = values['control-plane'];
  if (controlPlane === undefined) throw new Error('usage: hot-path.bench --control-plane HOST:PORT [--iterations N] [--json] (npm run bench -- --only datapath starts one)');
  const mesh = connect({ controlPlane, service: 'productpage', mtls: { enabled: false } });
  await mesh.ready;
  await untilRoutable(mesh);
  const result = await measureHotPath(mesh, Number(values.iterations));
  if (values.json) console.log(`result ${JSON.stringify(result)}`);
  else {
    for (const r of result.routing) console.log(`  routing + LB: ${r.name.padEnd(55)} ${String(r.nsPerCall).padStart(6)} ns/call`);
    console.log(`  dispatcher call: mesh ${result.dispatch.meshNs} ns, faked Pool.dispatch alone ${result.dispatch.fakePoolNs} ns: the mesh adds ${result.dispatch.addedNs} ns`);
  }
  await mesh.close();
}

if (require.main === module) main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
