// Integration: a real control plane, meshed backends registered through mesh.serve, and a meshed
// caller — default routing, round robin, a header-match VirtualService, an 80/20 split, 404 NR,
// 503 UH, and explain's account of the jason route.

import assert from 'node:assert/strict';
import { connect, seededRandom, type Mesh } from '../src';
import { identityOf, startBackend, type Backend } from './support/backends';
import { startTestPlane, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { jasonToV2, kubernetesService, versionSubsets, virtualService } from './support/istio';

describe('routing through a real control plane', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let v1: Backend;
  let v2: Backend;
  let client: Mesh;

  before(async () => {
    tp = await startTestPlane();
    v1 = await startBackend(tp.xds, 'reviews', 'v1');
    v2 = await startBackend(tp.xds, 'reviews', 'v2');
    client = connect({ controlPlane: tp.xds, service: 'productpage', random: seededRandom(42) });
    await client.ready;
    await untilEndpoints(client, 'http://reviews/', 2);
  });

  after(async () => {
    await client?.close();
    await v1?.close();
    await v2?.close();
    await tp?.close();
  });

  it('default routing (no VirtualService) reaches both instances of the service', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await identityOf(await client.fetch('http://reviews/reviews/0'))).version);
    assert.deepEqual([...seen].sort(), ['v1', 'v2']);
  });

  it('a ROUND_ROBIN DestinationRule alternates between the instances', async () => {
    await tp.apply(versionSubsets('reviews', { loadBalancer: { simple: 'ROUND_ROBIN' } }));
    await untilExplained(client, 'http://reviews/', (e) => (e['cluster'] as { lbPolicy?: string }).lbPolicy === 'ROUND_ROBIN');
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) ports.push((await identityOf(await client.fetch('http://reviews/'))).port);
    for (let i = 2; i < ports.length; i++) assert.equal(ports[i], ports[i - 2], `round robin alternates: ${ports.join(',')}`);
    assert.notEqual(ports[0], ports[1]);
  });

  it('a VirtualService header match sends end-user: jason to v2 and everyone else to v1', async () => {
    await tp.apply(versionSubsets('reviews'), jasonToV2('reviews'));
    await untilExplained(client, 'http://reviews/', (e) => (e['route'] as { virtualService?: string } | undefined)?.virtualService === 'default/reviews');
    for (let i = 0; i < 10; i++) {
      assert.equal((await identityOf(await client.fetch('http://reviews/r', { headers: { 'end-user': 'jason' } }))).version, 'v2');
      assert.equal((await identityOf(await client.fetch('http://reviews/r', { headers: { 'end-user': 'alice' } }))).version, 'v1');
      assert.equal((await identityOf(await client.fetch('http://reviews/r'))).version, 'v1');
    }
  });

  it('explain names the jason route, its VirtualService, the subset and the endpoints', async () => {
    const e = client.explain({ url: 'http://reviews/r', headers: { 'end-user': 'jason' } });
    assert.equal(e.decision, 'forward');
    const route = e['route'] as { index: number; virtualService: string; ruleIndex: number; match: string[] };
    assert.deepEqual([route.index, route.virtualService, route.ruleIndex], [0, 'default/reviews', 0]);
    assert.ok(route.match.includes('header end-user exact "jason"'), route.match.join('; '));
    const cluster = e['cluster'] as { name: string; subset: string; host: string };
    assert.deepEqual([cluster.subset, cluster.host], ['v2', 'reviews.default.svc.cluster.local']);
    const endpoints = e['endpoints'] as { address: string; available: boolean; ejected: boolean }[];
    assert.deepEqual(endpoints.map((x) => x.address), [`127.0.0.1:${v2.port}`]);
    assert.equal(endpoints[0]!.ejected, false);
    assert.ok(String(e['matchReason']).includes('end-user'));
    const other = client.explain({ url: 'http://reviews/r' });
    assert.equal((other['route'] as { index: number }).index, 1);
    assert.match(JSON.stringify(other['routesSkipped']), /end-user/);
  });

  it('a weighted 80/20 split lands within binomial tolerance', async () => {
    await tp.apply(virtualService('reviews', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 80 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 20 }] }],
    }));
    await untilExplained(client, 'http://reviews/', (e) => Array.isArray((e['weightedClusters'] as { clusters?: unknown } | null | undefined)?.clusters));
    const n = 400;
    let onV1 = 0;
    for (let i = 0; i < n; i++) if ((await identityOf(await client.fetch('http://reviews/w'))).version === 'v1') onV1++;
    const sigma = Math.sqrt(n * 0.8 * 0.2);
    assert.ok(Math.abs(onV1 - 0.8 * n) <= 4.5 * sigma, `v1 got ${onV1} of ${n} (expected ${0.8 * n} ± ${4.5 * sigma})`);
  });

  it('answers 404 NR when no route matches', async () => {
    await tp.apply(virtualService('reviews', {
      hosts: ['reviews'],
      http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }],
    }));
    await untilExplained(client, 'http://reviews/', (e) => e['decision'] === 'no-route');
    const response = await client.fetch('http://reviews/nothing-for-me');
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('x-inboard-response-flags'), 'NR');
    assert.equal(await response.text(), '');
    assert.equal((await client.fetch('http://reviews/', { headers: { 'end-user': 'jason' } })).status, 200);
  });

  it('answers 503 UH "no healthy upstream" for a service without endpoints', async () => {
    await tp.apply(kubernetesService('ratings'));
    await untilExplained(client, 'http://ratings:9080/', (e) => e['decision'] === 'forward');
    const response = await client.fetch('http://ratings:9080/ratings/0');
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('x-inboard-response-flags'), 'UH');
    assert.equal(await response.text(), 'no healthy upstream');
  });
});
