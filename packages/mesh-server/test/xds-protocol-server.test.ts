// Tests of the ADS server's behaviour around the protocol: debounced pushes computed once per
// view, a stuck client not delaying others, workload auto-registration, and refusing bad clients.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { AdsClient, TYPE_URL, decodeResource, type DiscoveryResponse, type ResourceUpdate } from '@inboard/xds';
import { NODE_METADATA } from '../src/xds/contracts';
import type { WorkloadRegistration } from '../src/registry/auto-registration';
import type { XdsServer } from '../src/xds/server';
import { ManualClock, addCluster, adsClient, cluster, emptyWorld, namesOf, node, rawSotw, startServer, waitFor, type Cleanups, type FakeWorld } from './xds-protocol-harness';

describe('xDS protocol: server behaviour', () => {
  let world: FakeWorld;
  let server: XdsServer | undefined;
  const cleanups: Cleanups = [];

  beforeEach(() => {
    world = emptyWorld();
    addCluster(world, 'c1', 9001);
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0)) c();
    await server?.close();
    server = undefined;
  });

  const client = (port: number, id: string, metadata: Record<string, unknown> = {}): AdsClient => adsClient(cleanups, port, id, { node: { id, metadata } });

  it('debounces a burst of inputChanged() into one translation per view and one push per client', async () => {
    const clock = new ManualClock();
    const started = await startServer(world, { clock, debounceMs: 100 });
    server = started.server;
    const seen = new Map<string, ResourceUpdate[]>();
    const ids = ['a1', 'a2', 'b1'];
    for (const id of ids) {
      const c = client(started.port, id, { [NODE_METADATA.LABELS]: { app: id.startsWith('a') ? 'a' : 'b' } });
      seen.set(id, []);
      c.on('resources', (u) => seen.get(id)!.push(u));
      c.watch(TYPE_URL.CLUSTER, ['c1']);
    }
    await waitFor('initial pushes', () => ids.every((id) => seen.get(id)!.length === 1));
    assert.equal(world.translations.length, 2, 'a1 and a2 share a view; b1 has its own');

    for (let i = 0; i < 5; i++) {
      world.clusters.set('c1', cluster('c1', `burst-${i}`));
      server.inputChanged();
      clock.advance(20);
    }
    assert.equal(world.translations.length, 2, 'nothing recomputed during the burst');
    assert.equal(clock.pendingTimers, 1);
    clock.advance(100);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(world.translations.length, 4, 'one translation per view');
    await waitFor('one push each', () => ids.every((id) => seen.get(id)!.length === 2));
    for (const id of ids) assert.deepEqual(seen.get(id)![1]!.resources.get('c1'), cluster('c1', 'burst-4'));
  });

  it('pushes at most maxDebounceMs after the first change of an endless stream of changes', async () => {
    const clock = new ManualClock();
    const started = await startServer(world, { clock, debounceMs: 100 });
    server = started.server;
    const c = client(started.port, 'steady');
    const updates: ResourceUpdate[] = [];
    c.on('resources', (u) => updates.push(u));
    c.watch(TYPE_URL.CLUSTER, ['c1']);
    await waitFor('initial', () => updates.length === 1);
    const before = world.translations.length;
    for (let t = 0; t < 950; t += 50) {
      server.inputChanged();
      clock.advance(50);
    }
    assert.equal(world.translations.length, before, 'still debouncing before 1000 ms');
    server.inputChanged();
    clock.advance(50);
    assert.equal(world.translations.length, before + 1, 'pushed at the 1000 ms cap (10 × debounce)');
  });

  it('a client that never reads nor ACKs does not delay pushes to another client, and holds one response', async () => {
    const started = await startServer(world);
    server = started.server;
    const big = (tag: string) => cluster('c1', tag + 'x'.repeat(100_000));
    world.clusters.set('c1', big('v0'));
    const stuck = rawSotw(started.port, { read: false });
    cleanups.push(() => stuck.close());
    stuck.send({ node: node('stuck'), type_url: TYPE_URL.CLUSTER, resource_names: ['c1'] });
    const good = client(started.port, 'good');
    const updates: ResourceUpdate[] = [];
    good.on('resources', (u) => updates.push(u));
    good.watch(TYPE_URL.CLUSTER, ['c1']);
    await waitFor('good client synced', () => updates.length === 1);

    const received: DiscoveryResponse[] = [];
    const pushes = 40;
    for (let i = 1; i <= pushes; i++) {
      world.clusters.set('c1', big(`v${i}`));
      server.inputChanged();
      const expected = i;
      await waitFor(`push ${i} reached the good client`, () => updates.length === expected + 1);
    }
    assert.deepEqual(good.resources(TYPE_URL.CLUSTER).get('c1'), big(`v${pushes}`));
    const statuses = new Map(server.clients().map((s) => [s.proxy.id, s.families.clusters]));
    assert.equal(statuses.get('good')!.state, 'SYNCED');
    assert.equal(statuses.get('stuck')!.state, 'STALE');
    assert.notEqual(statuses.get('stuck')!.sentVersion, statuses.get('good')!.sentVersion, 'the stuck stream holds one response instead of a queue of every push');
    // Once it replies, it gets the latest state in one response.
    stuck.call.on('data', (r: DiscoveryResponse) => received.push(r));
    await waitFor('stuck stream drained its one response', () => received.length === 1);
    stuck.send({ type_url: TYPE_URL.CLUSTER, resource_names: ['c1'], version_info: received[0]!.version_info, response_nonce: received[0]!.nonce });
    await waitFor('latest state', () => received.length === 2);
    assert.deepEqual(decodeResource(received[1]!.resources![0]!), big(`v${pushes}`));
    assert.equal(received[1]!.version_info, statuses.get('good')!.sentVersion);
  });

  it('registers a serving workload while its stream is up (peer address, or INSTANCE_IPS)', async () => {
    const calls: [string, string, WorkloadRegistration?][] = [];
    const registry = {
      register: (id: string, reg: WorkloadRegistration) => void calls.push(['register', id, reg]),
      unregister: (id: string) => void calls.push(['unregister', id]),
      remove: (id: string) => void calls.push(['remove', id]),
    };
    const started = await startServer(world, { registry });
    server = started.server;
    const metadata = {
      [NODE_METADATA.SERVICE]: 'reviews',
      [NODE_METADATA.NAMESPACE]: 'bookinfo',
      [NODE_METADATA.LABELS]: { app: 'reviews', version: 'v1' },
      [NODE_METADATA.PORTS]: { http: 9080 },
      [NODE_METADATA.SERVICE_ACCOUNT]: 'bookinfo-reviews',
      [NODE_METADATA.WORKLOAD_NAME]: 'reviews-v1-1',
    };
    const a = new AdsClient({ target: `127.0.0.1:${started.port}`, node: { id: 'reviews-1', metadata, locality: { region: 'eu', zone: 'eu-1' } } });
    cleanups.push(() => a.close());
    a.watch(TYPE_URL.CLUSTER, ['c1']);
    const plain = client(started.port, 'caller-only');
    plain.watch(TYPE_URL.CLUSTER, ['c1']);
    await waitFor('registered', () => calls.length === 1 && server!.clients().length === 2);
    assert.deepEqual(calls[0], ['register', 'reviews-1', {
      service: 'reviews',
      namespace: 'bookinfo',
      labels: { app: 'reviews', version: 'v1' },
      serviceAccount: 'bookinfo-reviews',
      addresses: ['127.0.0.1'],
      ports: { http: 9080 },
      locality: 'eu/eu-1',
      workloadName: 'reviews-v1-1',
    }]);
    // A second stream of the same node: unregistered only when both have ended.
    const b = new AdsClient({ target: `127.0.0.1:${started.port}`, node: { id: 'reviews-1', metadata: { ...metadata, [NODE_METADATA.INSTANCE_IPS]: '10.1.0.5, 10.1.0.6' } }, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
    cleanups.push(() => b.close());
    b.watch(TYPE_URL.CLUSTER, ['c1']);
    await waitFor('second registration', () => calls.length === 2);
    assert.deepEqual(calls[1]![2]!.addresses, ['10.1.0.5', '10.1.0.6']);
    a.close();
    await waitFor('first stream gone', () => server!.clients().length === 2);
    assert.equal(calls.length, 2, 'still registered through the second stream');
    b.close();
    await waitFor('deregistered', () => calls.length === 3);
    // AdsClient.close() ends the stream on purpose (grpc-js sends END_STREAM before its reset): graceful.
    assert.deepEqual(calls[2], ['remove', 'reviews-1']);
    plain.close();
    await waitFor('all gone', () => server!.clients().length === 0);
    assert.equal(calls.length, 3, 'a client that does not serve never registers');
  });

  it('refuses a stream without node, with bad metadata, or whose registration the registry rejects', async () => {
    const registry = {
      register: () => { throw new Error('registration of node "r": ports.http must be a port number'); },
      unregister: () => assert.fail('nothing was registered'),
      remove: () => assert.fail('nothing was registered'),
    };
    const started = await startServer(world, { registry });
    server = started.server;
    const cases: [string, object, RegExp][] = [
      ['no node', { type_url: TYPE_URL.CLUSTER, resource_names: ['c1'] }, /must carry node\.id/],
      ['bad role', { node: node('x', { [NODE_METADATA.ROLE]: 'proxy' }), type_url: TYPE_URL.CLUSTER }, /INBOARD_ROLE must be "sidecar" or "router"/],
      ['bad label', { node: node('x', { [NODE_METADATA.LABELS]: { app: 3 } }), type_url: TYPE_URL.CLUSTER }, /LABELS\.app must be a string/],
      ['bad port', { node: node('x', { [NODE_METADATA.PORTS]: { http: 'eighty' } }), type_url: TYPE_URL.CLUSTER }, /INBOARD_PORTS\.http must be a port number/],
      ['registry says no', { node: node('r', { [NODE_METADATA.SERVICE]: 'reviews' }), type_url: TYPE_URL.CLUSTER }, /ports\.http must be a port number/],
      ['no type_url', { node: node('x') }, /request has no type_url/],
    ];
    for (const [label, request, message] of cases) {
      const s = rawSotw(started.port);
      cleanups.push(() => s.close());
      s.send(request);
      await waitFor(`${label}: stream ended`, () => s.status !== undefined);
      assert.equal(s.status!.code, grpc.status.INVALID_ARGUMENT, label);
      assert.match(s.status!.details, message, label);
    }
    assert.equal(server.clients().length, 0);
    assert.ok(started.log.lines.some((l) => l.startsWith('warn xds: refusing stream')));
  });

  it('ignores (and logs once) requests for a type it does not serve, serving the rest', async () => {
    const started = await startServer(world);
    server = started.server;
    const s = rawSotw(started.port);
    cleanups.push(() => s.close());
    const secret = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
    s.send({ node: node('envoyish'), type_url: secret, resource_names: [] });
    s.send({ type_url: secret, resource_names: ['x'] });
    s.send({ type_url: TYPE_URL.CLUSTER, resource_names: ['c1'] });
    const res = await s.next();
    assert.equal(res.type_url, TYPE_URL.CLUSTER);
    assert.equal(started.log.lines.filter((l) => l.includes(`asked for ${secret}, which is not served`)).length, 1);
  });

  it('leaves out a resource that does not encode, logging why, and serves the rest', async () => {
    const started = await startServer(world);
    server = started.server;
    world.clusters.set('bad', { name: 'bad', type: 'NOT_A_TYPE' });
    const s = rawSotw(started.port);
    cleanups.push(() => s.close());
    s.send({ node: node('x'), type_url: TYPE_URL.CLUSTER, resource_names: [] });
    const res = await s.next();
    assert.deepEqual(namesOf(res), ['c1']);
    assert.ok(started.log.lines.some((l) => /not serving clusters "bad" to x: .*type: invalid DiscoveryType value "NOT_A_TYPE"/.test(l)), started.log.lines.join('\n'));
  });

  it('when translation throws: keeps serving the previous result, and serves nothing to a view without one', async () => {
    const started = await startServer(world);
    server = started.server;
    const c = client(started.port, 'kept');
    const updates: ResourceUpdate[] = [];
    c.on('resources', (u) => updates.push(u));
    c.watch(TYPE_URL.CLUSTER, '*');
    await waitFor('initial', () => updates.length === 1);
    world.failWith = 'boom in translation';
    world.clusters.clear();
    server.inputChanged();
    await waitFor('failure logged', () => started.log.lines.some((l) => l.includes('translation failed for kept')));
    assert.ok(started.log.lines.some((l) => l.includes('serving its previous resources: boom in translation')));
    const fresh = rawSotw(started.port);
    cleanups.push(() => fresh.close());
    fresh.send({ node: node('fresh', { [NODE_METADATA.NAMESPACE]: 'elsewhere' }), type_url: TYPE_URL.CLUSTER, resource_names: [] });
    await waitFor('fresh failure logged', () => started.log.lines.some((l) => l.includes('translation failed for fresh') && l.includes('serving nothing')));
    const statuses = new Map(server.clients().map((st) => [st.proxy.id, st.families.clusters]));
    assert.equal(statuses.get('fresh')!.state, 'NOT_SENT', 'no empty CDS response that would delete everything');
    assert.equal(statuses.get('kept')!.state, 'SYNCED');
    assert.deepEqual([...c.resources(TYPE_URL.CLUSTER).keys()], ['c1']);
  });

});
