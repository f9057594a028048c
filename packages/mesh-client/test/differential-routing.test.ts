// Differential test: for generated VirtualServices served by one real control plane, the mesh-client
// HTTP router (mesh.explain, the same findRoute/computeRouteOutcome the pipeline uses) and a real
// @grpc/grpc-js-xds 1.14 client calling real gRPC backends must pick the same cluster per request.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { connect, seededRandom, type Mesh } from '../src';
import { createGrpcMeshOptions, registerGrpcXds } from '../src/grpc';
import { startTestPlane, until, type TestPlane } from './support/control-plane';
import {
  BACKENDS, MAIN_HOST, OTHER_HOST, PORT, PROBE_HEADER, PROBE_HOST,
  clusterOfBackend, diffRequests, grpcXdsMissingHeaderDeviation, distributionMismatch, distributionOf, httpRules, meshObjects, startGrpcBackend,
  type DiffRequest, type HttpRule, type RunningBackend,
} from './support/differential';

const RUNS = 30;
/** Requests per configuration. */
const REQUESTS = 8;
/** Picks per side for a request the mesh routes to weighted clusters. */
const WEIGHTED_PICKS = 120;
/** Calls per request for a single-cluster route (all must agree). */
const PLAIN_PICKS = 3;

const to = (subset?: string, weight?: number) => ({
  destination: { host: subset ? MAIN_HOST : OTHER_HOST, ...(subset ? { subset } : {}), port: { number: PORT } }, ...(weight !== undefined ? { weight } : {}),
});
const req = (path: string, metadata: DiffRequest['metadata'] = {}): DiffRequest => ({ path, metadata });
/** Hand-picked configurations run before the generated ones: the tricky corners of the semantics. */
const TRICKY_EXAMPLES: [HttpRule[], DiffRequest[]][] = [
  // ignoreUriCase applies to exact and prefix; Envoy ignores case_sensitive for safe_regex; a
  // repeated metadata key matches as its values joined with ",".
  [[
    { match: [{ uri: { regex: '/shop\\.cart/get' }, ignoreUriCase: true }], route: [to('v1')] },
    { match: [{ uri: { prefix: '/SHOP.CART/' }, ignoreUriCase: true }], route: [to('v2')] },
    { match: [{ uri: { exact: '/admin.users/get' }, ignoreUriCase: true }], route: [to('v3')] },
    { match: [{ headers: { 'x-user': { exact: 'jason,admin' } } }], route: [to(undefined)] },
  ], [req('/shop.Cart/Get'), req('/shop.cart/get'), req('/SHOP.Cart/Add'), req('/admin.Users/GET'), req('/admin.Users/Get'), req('/shop.Catalog/List'), req('/shop.Cart/Add'),
    req('/shop.Catalog/Get', { 'x-user': ['jason', 'admin'] })]],
  // First match wins across overlapping rules and OR-ed match blocks; presence and absence of headers.
  [[
    { match: [{ headers: { 'x-user': { exact: 'jason' } } }, { uri: { prefix: '/admin.' } }], route: [to('v2')] },
    { match: [{ headers: { 'x-tier': {} }, withoutHeaders: { 'x-user': {} } }], route: [to('v3')] },
    { match: [{ uri: { regex: '.*/Get' }, withoutHeaders: { 'x-tier': { prefix: 'go' } } }], route: [to(undefined)] },
    { route: [to('v1', 80), to(undefined, 20)] },
  ], [req('/shop.Cart/Get', { 'x-user': 'jason' }), req('/admin.Users/Get', { 'x-user': 'json' }), req('/shop.Cart/Add', { 'x-tier': 'gold' }), req('/shop.Cart/Add', { 'x-tier': 'gold', 'x-user': 'ad' }),
    req('/shop.Catalog/Get', { 'x-tier': 'gold', 'x-user': 'ad' }), req('/shop.Catalog/Get', { 'x-user': 'ad' }), req('/shop.Catalog/List', { 'x-user': ['jason', 'admin'] }), req('/shop.Cart/Get', { 'x-user': ['Jason', 'jason'] })]],
];

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = (bytes: Buffer) => JSON.parse(bytes.toString()) as { backend: string };

describe('differential routing: mesh-client router vs @grpc/grpc-js-xds on the same xDS config', function () {
  this.timeout(60_000);
  let tp: TestPlane;
  let backends: RunningBackend[] = [];
  let mesh: Mesh;
  let client: grpc.Client;
  let compared = 0;
  let deviations = 0;
  let configs = 0;

  before(async () => {
    tp = await startTestPlane();
    backends = await Promise.all(BACKENDS.map(startGrpcBackend));
    await tp.apply(...meshObjects(backends));
    mesh = connect({ controlPlane: tp.xds, service: 'caller', random: seededRandom(1125) });
    await mesh.ready;
    registerGrpcXds();
    const options = createGrpcMeshOptions({ controlPlane: tp.xds, node: { id: 'differential-grpc', namespace: 'default' } });
    client = new grpc.Client(options.target(MAIN_HOST, PORT), grpc.credentials.createInsecure(), options.channelOptions);
  });

  after(async () => {
    client?.close();
    await mesh?.close();
    for (const b of backends) b.server.forceShutdown();
    await tp?.close();
  });

  /** What the mesh router would do with `request`, sent as gRPC sends it (POST, application/grpc). */
  const meshExplain = (request: DiffRequest) =>
    mesh.explain({ url: `http://${MAIN_HOST}:${PORT}${request.path}`, method: 'POST', headers: { 'content-type': 'application/grpc', ...request.metadata } });
  /** The cluster the mesh router picks for `request` (or NR / another decision). */
  const meshPick = (request: DiffRequest): string => {
    const e = meshExplain(request);
    if (e.decision === 'forward' || e.decision === 'no-cluster') return (e['cluster'] as { name: string }).name;
    if (e.decision === 'no-route') return 'NR';
    return `decision ${e.decision}`;
  };
  const meshIsWeighted = (request: DiffRequest): boolean => meshExplain(request)['weightedClusters'] != null;

  /** The cluster grpc-js-xds picked for one real call (the backend answers its name), NR, or the failure. */
  const grpcPick = (request: DiffRequest): Promise<string> => {
    const metadata = new grpc.Metadata();
    for (const [k, values] of Object.entries(request.metadata)) for (const v of typeof values === 'string' ? [values] : values) metadata.add(k, v);
    return new Promise((resolve) =>
      client.makeUnaryRequest(request.path, json, parse, {}, metadata, { deadline: Date.now() + 5_000 }, (error, reply) => {
        if (!error) return resolve(clusterOfBackend(reply!.backend));
        // grpc-js-xds's config selector fails a call that no route matches with UNAVAILABLE
        // (grpc-js words it "Failed to route call to method <path>") before any cluster is picked.
        if (error.code === grpc.status.UNAVAILABLE && error.details.startsWith('Failed to route call to method')) return resolve('NR');
        resolve(`status ${grpc.status[error.code]}: ${error.details}`);
      }),
    );
  };
  const grpcPicks = async (request: DiffRequest, n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i += 40) out.push(...(await Promise.all(Array.from({ length: Math.min(40, n - i) }, () => grpcPick(request)))));
    return out;
  };

  let revision = 0;
  /** Applies the rules (behind a probe route unique to this revision) and waits until both clients route by them. */
  const applyRules = async (rules: readonly HttpRule[]): Promise<void> => {
    revision++;
    const probe = { path: '/shop.Cart/Get', metadata: { [PROBE_HEADER]: `rev-${revision}` } };
    const probeRule = { match: [{ headers: { [PROBE_HEADER]: { exact: `rev-${revision}` } } }], route: [{ destination: { host: PROBE_HOST, port: { number: PORT } } }] };
    await tp.apply({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'diff', namespace: 'default' }, spec: { hosts: [MAIN_HOST], http: [probeRule, ...rules] } });
    const probeCluster = clusterOfBackend('probe');
    await until(`the mesh client to route revision ${revision}`, () => meshPick(probe) === probeCluster);
    await until(`grpc-js-xds to route revision ${revision}`, async () => (await grpcPick(probe)) === probeCluster);
  };

  it(`picks the same cluster on both sides for ${RUNS} VirtualServices (${TRICKY_EXAMPLES.length} hand-picked, the rest generated) × ${REQUESTS} requests`, async () => {
    await fc.assert(
      fc.asyncProperty(httpRules, diffRequests(REQUESTS), async (rules, requests) => {
        configs++;
        await applyRules(rules);
        for (const request of requests) {
          // A documented grpc-js-xds deviation (see grpcXdsMissingHeaderDeviation and the test below).
          if (grpcXdsMissingHeaderDeviation(rules, request) !== undefined) {
            deviations++;
            continue;
          }
          const weighted = meshIsWeighted(request);
          const n = weighted ? WEIGHTED_PICKS : PLAIN_PICKS;
          const fromMesh = distributionOf(Array.from({ length: weighted ? n : 1 }, () => meshPick(request)));
          const fromGrpc = distributionOf(await grpcPicks(request, n));
          const problem = weighted
            ? distributionMismatch(fromMesh, fromGrpc)
            : (Object.keys(fromGrpc).length === 1 && Object.keys(fromGrpc)[0] === Object.keys(fromMesh)[0] ? undefined : 'different clusters');
          compared++;
          assert.equal(problem, undefined, [
            `mesh-client and grpc-js-xds disagree (${problem})`,
            `request: ${JSON.stringify(request)}`,
            `mesh-client: ${JSON.stringify(fromMesh)}`,
            `grpc-js-xds: ${JSON.stringify(fromGrpc)}`,
            `VirtualService http: ${JSON.stringify(rules, null, 1)}`,
          ].join('\n'));
        }
      }),
      { examples: TRICKY_EXAMPLES, seed: 20_261_125, numRuns: RUNS, interruptAfterTimeLimit: 50_000, markInterruptAsFailure: true },
    );
    assert.ok(configs >= RUNS, `${configs} configurations`);
    assert.equal(compared + deviations, configs * REQUESTS);
    assert.ok(compared >= configs * (REQUESTS - 1), `only ${compared} requests compared (${deviations} excluded as the known deviation)`);
  });

  it('known deviation: grpc-js-xds 1.14 ignores treat_missing_header_as_empty (withoutHeaders regex matching "")', async () => {
    // Envoy (and mesh-client): x-user absent → tested as "" → ".*" matches → inverted: no match → v1.
    // grpc-js-xds 1.14: absent header fails the matcher → inverted: match → v2. If this starts to
    // fail, grpc-js-xds was fixed: drop grpcXdsMissingHeaderDeviation from the property above.
    const v = (subset: string) => ({ destination: { host: MAIN_HOST, subset, port: { number: PORT } } });
    const rules: HttpRule[] = [{ match: [{ withoutHeaders: { 'x-user': { regex: '.*' } } }], route: [v('v2')] }, { route: [v('v1')] }];
    const request = { path: '/shop.Cart/Get', metadata: {} };
    assert.ok(grpcXdsMissingHeaderDeviation(rules, request));
    await applyRules(rules);
    assert.equal(meshPick(request), clusterOfBackend('v1'));
    assert.equal(await grpcPick(request), clusterOfBackend('v2'));
    // With the header present both agree: ".*" matches "jason" → inverted: no match → v1.
    const withUser = { path: '/shop.Cart/Get', metadata: { 'x-user': 'jason' } };
    assert.equal(meshPick(withUser), clusterOfBackend('v1'));
    assert.equal(await grpcPick(withUser), clusterOfBackend('v1'));
  });
});
