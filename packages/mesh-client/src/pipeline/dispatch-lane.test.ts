// The lane's refusals, without I/O: a call the lane leaves to the pipeline must leave it before any
// random number is drawn (the random source here throws) and before any breaker slot is counted,
// so the pipeline decides it as if there were no lane. (What the lane takes is tested end to end
// in test/dispatch-lane.test.ts.)

import assert from 'node:assert/strict';
import { systemClock } from '../policy/clock';
import type { MeshRequest } from '../request';
import { MeshRuntime } from '../runtime/mesh-runtime';
import { compileSnapshot } from '../snapshot/compile';
import { bookinfoResources } from '../snapshot/test-resources';
import { workloadPeer } from '../telemetry/istio-labels';
import { MeshTelemetry } from '../telemetry/request-telemetry';
import type { Passthrough } from './passthrough';
import { DispatchLane } from './dispatch-lane';
import type { RawHandler } from './response-sink';
import type { StackDeps } from './types';

const RATINGS = 'ratings.default.svc.cluster.local:9080';

/** BookInfo, with ratings' only route matched under a runtime_fraction (a draw while matching). */
function snapshots() {
  const plain = compileSnapshot(bookinfoResources()).snapshot;
  const resources = bookinfoResources();
  const routes = new Map(resources.routes);
  const ratings = structuredClone(routes.get(RATINGS)) as { virtual_hosts: { routes: { match: Record<string, unknown> }[] }[] };
  ratings.virtual_hosts[0]!.routes[0]!.match['runtime_fraction'] = { default_value: { numerator: 50, denominator: 'HUNDRED' } };
  routes.set(RATINGS, ratings);
  const fractional = compileSnapshot({ ...resources, routes }).snapshot;
  return { plain, fractional };
}

function setup(snapshot: ReturnType<typeof snapshots>['plain'], overrides: Partial<StackDeps> = {}) {
  const draws: string[] = [];
  const random = () => {
    draws.push(new Error().stack ?? '');
    throw new Error('the lane drew a random number for a call it left to the pipeline');
  };
  const runtime = new MeshRuntime(random, systemClock);
  runtime.apply(snapshot);
  const deps: StackDeps = {
    runtime, random, clock: systemClock,
    currentSnapshot: () => snapshot,
    ready: Promise.resolve(),
    isClosed: () => false,
    outboundTrafficPolicy: 'ALLOW_ANY',
    passthrough: undefined as unknown as Passthrough,
    telemetry: new MeshTelemetry({ self: workloadPeer({ namespace: 'default', labels: { app: 'productpage' } }) }),
    inboundRequest: () => undefined,
    ...overrides,
  };
  const handler: RawHandler = {
    onConnect() { throw new Error('the handler was started for a call the lane left to the pipeline'); },
  };
  return { lane: new DispatchLane(deps), runtime, draws, handler };
}

function request(authority: string, headers: Record<string, string> = {}): MeshRequest {
  return { authority, scheme: 'http', method: 'GET', path: '/ratings/0', headers };
}

describe('pipeline/dispatch-lane: the calls it leaves to the pipeline', () => {
  const { plain, fractional } = snapshots();

  it('a route table with a runtime_fraction match (matching it draws a number)', () => {
    assert.equal(fractional.routeTables.get(RATINGS)?.virtualHosts[0]?.routes[0]?.match.runtimeFractionPerMillion, 500_000);
    const { lane, draws, handler } = setup(fractional);
    assert.equal(lane.take(request(RATINGS), handler), false);
    assert.deepEqual(draws, []);
  });

  it('a weighted split (the pick of a cluster draws a number)', () => {
    assert.equal(plain.routeTables.get('reviews.default.svc.cluster.local:9080')?.virtualHosts[0]?.routes[1]?.action.kind, 'forward');
    const { lane, draws, handler } = setup(plain);
    assert.equal(lane.take(request('reviews.default.svc.cluster.local:9080'), handler), false);
    assert.deepEqual(draws, []);
  });

  it('requests with retry or timeout headers, gRPC requests, calls under an inbound deadline, a closed mesh, an unknown host', () => {
    for (const [what, req, overrides] of [
      ['x-envoy-retry-on', request(RATINGS, { 'x-envoy-retry-on': '5xx' }), {}],
      ['x-envoy-max-retries', request(RATINGS, { 'x-envoy-max-retries': '3' }), {}],
      ['x-envoy-upstream-rq-timeout-ms', request(RATINGS, { 'x-envoy-upstream-rq-timeout-ms': '100' }), {}],
      ['grpc-timeout', request(RATINGS, { 'grpc-timeout': '1S' }), {}],
      ['gRPC content type', request(RATINGS, { 'content-type': 'application/grpc+proto' }), {}],
      ['an inbound deadline', request(RATINGS), { inboundRequest: () => ({ deadline: systemClock.now() + 1000 }) }],
      ['a closed mesh', request(RATINGS), { isClosed: () => true }],
      ['no config yet', request(RATINGS), { currentSnapshot: () => undefined }],
      ['a host outside the mesh', request('example.com'), {}],
    ] as const) {
      const { lane, draws, handler } = setup(plain, overrides);
      assert.equal(lane.take(req, handler), false, what);
      assert.deepEqual(draws, [], what);
    }
  });

  it('breakers without room: nothing counted, nothing drawn', () => {
    const { lane, runtime, draws, handler } = setup(plain);
    const limits = runtime.limits.get('outbound|9080||ratings.default.svc.cluster.local');
    limits.update({ ...limits.thresholds, maxRequests: 1 });
    const held = limits.tryAcquireRequest();
    assert.ok(held.ok);
    assert.equal(lane.take(request(RATINGS), handler), false);
    assert.deepEqual(limits.counts(), { connections: 0, pending: 0, requests: 1, retries: 0 });
    assert.deepEqual(draws, []);
  });
});
