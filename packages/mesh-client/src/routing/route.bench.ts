// Microbenchmark (not a test): ns per routing decision on a BookInfo-sized snapshot —
// selectVirtualHost + matchRoute + outcome (weighted split) + picker.pick. Goal ≤ 2 µs per call.
// Run: node scripts/run-ts.js packages/mesh-client/src/routing/route.bench.ts

import { buildPicker, type Picker } from '../balancing/picker';
import { EndpointStateStore } from '../balancing/endpoint-state';
import { mulberry32 } from '../balancing/random';
import { compileSnapshot } from '../snapshot/compile';
import { bookinfoResources } from '../snapshot/test-resources';
import { computeRouteOutcome } from './actions';
import { findRoute } from './match';
import type { RouteRequest } from './request-view';

const { snapshot, errors } = compileSnapshot(bookinfoResources());
if (errors.length > 0) throw new Error(`bench resources invalid: ${errors.map((e) => e.message).join('; ')}`);

const random = mulberry32(1);
const state = new EndpointStateStore();
const pickers = new Map<string, Picker>();
for (const [name, cluster] of snapshot.clusters) pickers.set(name, buildPicker({ cluster, endpoints: snapshot.endpoints.get(name), state, random }));

const requests: RouteRequest[] = [
  { authority: 'reviews:9080', method: 'GET', path: '/reviews/0', headers: { 'end-user': 'jason', 'x-request-id': 'a', accept: '*/*' } },
  { authority: 'reviews:9080', method: 'GET', path: '/reviews/0', headers: { 'x-request-id': 'b', accept: '*/*' } },
  { authority: 'details:9080', method: 'GET', path: '/details/0', headers: { 'x-request-id': 'c' } },
  { authority: 'ratings.default.svc.cluster.local:9080', method: 'GET', path: '/ratings/0', headers: { 'x-request-id': 'd' } },
];
const tables = requests.map((r) => snapshot.routeTables.get(tableName(r.authority))!);

function tableName(authority: string): string {
  const svc = authority.split(/[.:]/)[0]!;
  return `${svc}.default.svc.cluster.local:9080`;
}

let sink = 0;

function routeOnce(i: number): void {
  const request = requests[i & 3]!;
  const found = findRoute(tables[i & 3]!, request, { random });
  if (!found.ok) throw new Error('no route');
  const outcome = computeRouteOutcome(tables[i & 3]!, found.virtualHost, found.route, found.view, { random });
  if (outcome.kind !== 'forward') throw new Error('not forwarded');
  const picked = pickers.get(outcome.cluster)!.pick({});
  if (!picked.ok) throw new Error(picked.error.message);
  sink += picked.endpoint.port;
}

function measure(label: string, iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < 50_000; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(`${label.padEnd(52)} ${ns.toFixed(0).padStart(6)} ns/call`);
  return ns;
}

const N = 1_000_000;
console.log(`BookInfo snapshot: ${snapshot.routeTables.size} route tables, ${snapshot.clusters.size} clusters; ${N} calls each`);
measure('findRoute (virtual host + first matching route)', N, (i) => { const f = findRoute(tables[i & 3]!, requests[i & 3]!, { random }); sink += f.ok ? 1 : 0; });
measure('picker.pick (LEAST_REQUEST, P2C)', N, (i) => { const r = pickers.get('outbound|9080||reviews.default.svc.cluster.local')!.pick({}); sink += r.ok ? i & 1 : 0; });
const total = measure('route + outcome (weighted split) + pick', N, routeOnce);
console.log(`\nrouting + LB per call: ${(total / 1000).toFixed(2)} µs (goal ≤ 2 µs) ${total <= 2000 ? 'OK' : 'OVER GOAL'}`);
if (sink === -1) console.log(sink);
