// Protocol tests of the state-of-the-world ADS stream against a real XdsServer on loopback:
// subscribe/ACK, NACK handling, nonce rules, late resources, full-set vs changed-only responses,
// reconnects — with raw streams where bytes matter and with AdsClient where behaviour does.

import assert from 'node:assert/strict';
import { AdsClient, TYPE_URL, decodeResource, type DiscoveryResponse, type ResourceUpdate } from '@inboard/xds';
import type { XdsServer } from '../src/xds/server';
import {
  addTwoClusters,
  adsClient,
  cluster,
  endpoints,
  listener,
  namesOf,
  node,
  rawSotw,
  route,
  serveWorldPerTest,
  startServer,
  tracked,
  waitFor,
  type FakeWorld,
  type RawSotw,
} from './xds-protocol-harness';

describe('xDS protocol: state of the world', () => {
  let world: FakeWorld;
  let server: XdsServer;
  let port: number;
  const cleanups = serveWorldPerTest((w) => {
    w.listeners.set('echo', listener('echo', 'echo-route'));
    w.routes.set('echo-route', route('echo-route', 'c1'));
    addTwoClusters(w);
  }, (served) => ({ world, server, port } = served));

  const open = (): RawSotw => tracked(cleanups, rawSotw(port));

  const client = (id: string, options: Partial<ConstructorParameters<typeof AdsClient>[0]> = {}): AdsClient => adsClient(cleanups, port, id, options);

  it('answers a first request with the subscribed resource, and records the ACK', async () => {
    const s = open();
    s.send({ node: node('raw-1'), type_url: TYPE_URL.LISTENER, resource_names: ['echo'] });
    const res = await s.next();
    assert.equal(res.type_url, TYPE_URL.LISTENER);
    assert.deepEqual(namesOf(res), ['echo']);
    assert.ok(res.version_info && res.nonce);
    assert.deepEqual(decodeResource(res.resources![0]!), world.listeners.get('echo'));
    await waitFor('client listed', () => server.clients().length === 1);
    assert.equal(server.clients()[0]!.families.listeners.state, 'STALE');
    s.send({ type_url: TYPE_URL.LISTENER, resource_names: ['echo'], version_info: res.version_info, response_nonce: res.nonce });
    await waitFor('ACK recorded', () => server.clients()[0]!.families.listeners.state === 'SYNCED');
    const status = server.clients()[0]!;
    assert.equal(status.families.listeners.ackedVersion, res.version_info);
    assert.equal(status.families.routes.state, 'NOT_SENT');
    assert.equal(status.protocol, 'sotw');
    assert.equal(status.proxy.id, 'raw-1');
    assert.equal(s.pending, 0, 'an ACK gets no response');
    assert.deepEqual(server.configDump('raw-1')!.listeners, [world.listeners.get('echo')]);
  });

  it('records a NACK with its text, keeps the client on its last good version, then SYNCED after a fixed push', async () => {
    const updates: ResourceUpdate[] = [];
    const nacks: string[] = [];
    const c = client('nacker', {
      validators: { [TYPE_URL.CLUSTER]: (received) => ([...received.values()].some((r) => JSON.stringify(r).includes('poison')) ? 'cluster c1 is poisoned' : undefined) },
    });
    c.on('resources', (u) => updates.push(u));
    c.on('nack-sent', (n) => nacks.push(n.error));
    c.watch(TYPE_URL.CLUSTER, ['c1']);
    await waitFor('first clusters', () => updates.length === 1);
    const good = c.version(TYPE_URL.CLUSTER);

    world.clusters.set('c1', cluster('c1', 'poison'));
    server.inputChanged();
    await waitFor('NACK recorded', () => server.clients()[0]?.families.clusters.state === 'NACKED');
    const nacked = server.clients()[0]!.families.clusters;
    assert.equal(nacked.nackError, 'cluster c1 is poisoned');
    assert.equal(nacked.ackedVersion, good);
    assert.notEqual(nacked.sentVersion, good);
    assert.deepEqual(nacks, ['cluster c1 is poisoned']);
    assert.equal(c.version(TYPE_URL.CLUSTER), good);
    assert.deepEqual(c.resources(TYPE_URL.CLUSTER).get('c1'), cluster('c1'));

    world.clusters.set('c1', cluster('c1', 'fixed'));
    server.inputChanged();
    await waitFor('fixed push ACKed', () => server.clients()[0]!.families.clusters.state === 'SYNCED');
    const fixed = server.clients()[0]!.families.clusters;
    assert.equal(fixed.nackError, undefined);
    assert.equal(fixed.ackedVersion, c.version(TYPE_URL.CLUSTER));
    assert.deepEqual(c.resources(TYPE_URL.CLUSTER).get('c1'), cluster('c1', 'fixed'));
  });

  it('ignores a request whose nonce is stale (no NACK recorded, no subscription change)', async () => {
    const s = open();
    s.send({ node: node('raw-stale'), type_url: TYPE_URL.ENDPOINT, resource_names: ['c1'] });
    const first = await s.next();
    s.send({ type_url: TYPE_URL.ENDPOINT, resource_names: ['c1'], version_info: first.version_info, response_nonce: first.nonce });
    world.endpoints.set('c1', endpoints('c1', 9001, 9003));
    server.inputChanged();
    const second = await s.next();
    assert.notEqual(first.nonce, second.nonce);
    assert.notEqual(first.version_info, second.version_info);
    // A NACK of the first (superseded) response and a subscription change riding on it: both ignored.
    s.send({ type_url: TYPE_URL.ENDPOINT, resource_names: ['c1', 'c2'], version_info: '', response_nonce: first.nonce, error_detail: { code: 3, message: 'late' } });
    s.send({ type_url: TYPE_URL.ENDPOINT, resource_names: ['c1'], version_info: second.version_info, response_nonce: second.nonce });
    await waitFor('ACK of the current nonce', () => server.clients()[0]!.families.endpoints.state === 'SYNCED');
    const status = server.clients()[0]!.families.endpoints;
    assert.equal(status.nackError, undefined);
    assert.equal(status.subscribed, 1);
    assert.equal(s.pending, 0, 'c2 was never sent');
  });

  it('sends a name requested before it exists as soon as it appears', async () => {
    const s = open();
    s.send({ node: node('raw-late'), type_url: TYPE_URL.ROUTE, resource_names: ['later-route'] });
    s.send({ type_url: TYPE_URL.CLUSTER, resource_names: ['c1'] });
    const clusters = await s.next();
    assert.deepEqual(namesOf(clusters), ['c1'], 'the absent route produced no response');
    world.routes.set('later-route', route('later-route', 'c2'));
    server.inputChanged();
    const routes = await s.next();
    assert.equal(routes.type_url, TYPE_URL.ROUTE);
    assert.deepEqual(namesOf(routes), ['later-route']);
  });

  it('LDS/CDS responses carry the full set; a removal is a response without it', async () => {
    const updates: ResourceUpdate[] = [];
    const c = client('full-set');
    c.on('resources', (u) => updates.push(u));
    c.watch(TYPE_URL.CLUSTER, '*');
    await waitFor('clusters', () => updates.length === 1);
    assert.deepEqual([...updates[0]!.resources.keys()].sort(), ['c1', 'c2']);

    const s = open();
    s.send({ node: node('raw-full'), type_url: TYPE_URL.CLUSTER, resource_names: [] }); // legacy wildcard
    const initial = await s.next();
    assert.deepEqual(namesOf(initial).sort(), ['c1', 'c2']);
    s.send({ type_url: TYPE_URL.CLUSTER, resource_names: [], version_info: initial.version_info, response_nonce: initial.nonce });

    world.clusters.delete('c2');
    world.clusters.set('c3', cluster('c3'));
    server.inputChanged();
    const after = await s.next();
    assert.deepEqual(namesOf(after).sort(), ['c1', 'c3'], 'unchanged c1 is resent; c2 is gone');
    await waitFor('client saw removal', () => updates.length === 2);
    assert.deepEqual(updates[1]!.removed, ['c2']);
    assert.deepEqual(updates[1]!.changed, ['c3']);
    assert.deepEqual([...updates[1]!.resources.keys()].sort(), ['c1', 'c3']);

    s.send({ type_url: TYPE_URL.CLUSTER, resource_names: [], version_info: after.version_info, response_nonce: after.nonce });
    world.clusters.clear();
    server.inputChanged();
    const empty = await s.next();
    assert.deepEqual(namesOf(empty), [], 'deleting everything is an empty full set');
  });

  it('RDS/EDS responses carry only what changed', async () => {
    const s = open();
    s.send({ node: node('raw-eds'), type_url: TYPE_URL.ENDPOINT, resource_names: ['c1', 'c2'] });
    const first = await s.next();
    assert.deepEqual(namesOf(first).sort(), ['c1', 'c2']);
    s.send({ type_url: TYPE_URL.ENDPOINT, resource_names: ['c1', 'c2'], version_info: first.version_info, response_nonce: first.nonce });
    world.endpoints.set('c2', endpoints('c2', 9002, 9004));
    world.clusters.set('c9', cluster('c9')); // a change to another type only
    server.inputChanged();
    const second = await s.next();
    assert.deepEqual(namesOf(second), ['c2']);
    assert.deepEqual(decodeResource(second.resources![0]!), endpoints('c2', 9002, 9004));
    assert.equal(s.pending, 0);
    // Adding a name to the subscription sends just that one, even though it exists unchanged.
    world.endpoints.set('c3', endpoints('c3', 9005));
    server.inputChanged();
    s.send({ type_url: TYPE_URL.ENDPOINT, resource_names: ['c1', 'c2', 'c3'], version_info: second.version_info, response_nonce: second.nonce });
    const third: DiscoveryResponse = await s.next();
    assert.deepEqual(namesOf(third), ['c3']);
  });

  it('resends everything subscribed on a new stream, whatever version the client reports', async () => {
    const a = open();
    a.send({ node: node('raw-re'), type_url: TYPE_URL.LISTENER, resource_names: ['echo'] });
    a.send({ type_url: TYPE_URL.ROUTE, resource_names: ['echo-route'] });
    const lds = await a.next();
    const rds = await a.next();
    a.close();
    await waitFor('first stream gone', () => server.clients().length === 0);
    const b = open();
    b.send({ node: node('raw-re'), type_url: TYPE_URL.LISTENER, resource_names: ['echo'], version_info: lds.version_info });
    b.send({ type_url: TYPE_URL.ROUTE, resource_names: ['echo-route'], version_info: rds.version_info });
    assert.deepEqual(namesOf(await b.next()), ['echo']);
    assert.deepEqual(namesOf(await b.next()), ['echo-route']);
  });

  it('AdsClient resubscribes after the server restarts and keeps its resources meanwhile', async () => {
    const updates: ResourceUpdate[] = [];
    let disconnects = 0;
    const c = client('reconnector', { backoff: { initialMs: 20, maxMs: 100 } });
    c.on('resources', (u) => updates.push(u));
    c.on('disconnected', () => disconnects++);
    c.watch(TYPE_URL.LISTENER, ['echo']);
    c.watch(TYPE_URL.ENDPOINT, ['c1']);
    await waitFor('both types', () => updates.length === 2);
    await server.close();
    await waitFor('disconnect seen', () => disconnects >= 1);
    assert.equal(c.connected, false);
    assert.equal(c.resources(TYPE_URL.LISTENER).size, 1, 'nothing is removed while disconnected');
    assert.equal(c.resources(TYPE_URL.ENDPOINT).size, 1);

    world.endpoints.set('c1', endpoints('c1', 9100));
    ({ server } = await startServer(world, { port }));
    cleanups.push(() => server.close());
    await waitFor('resynced', () => server.clients()[0]?.families.endpoints.state === 'SYNCED' && server.clients()[0]?.families.listeners.state === 'SYNCED', 10_000);
    assert.deepEqual(c.resources(TYPE_URL.ENDPOINT).get('c1'), endpoints('c1', 9100));
    assert.deepEqual(c.resources(TYPE_URL.LISTENER).get('echo'), world.listeners.get('echo'));
    assert.equal(c.connected, true);
  });

  it('an empty name list after explicit names unsubscribes instead of meaning wildcard', async () => {
    const s = open();
    s.send({ node: node('raw-unsub'), type_url: TYPE_URL.CLUSTER, resource_names: ['c1'] });
    const first = await s.next();
    assert.deepEqual(namesOf(first), ['c1']);
    s.send({ type_url: TYPE_URL.CLUSTER, resource_names: [], version_info: first.version_info, response_nonce: first.nonce });
    await waitFor('unsubscribed', () => server.clients()[0]?.families.clusters.subscribed === 0);
    s.send({ type_url: TYPE_URL.ENDPOINT, resource_names: ['c4'] });
    world.clusters.set('c4', cluster('c4'));
    world.endpoints.set('c4', endpoints('c4', 9004));
    server.inputChanged();
    const next = await s.next();
    assert.equal(next.type_url, TYPE_URL.ENDPOINT, 'no CDS response comes before the EDS one');
    assert.deepEqual(namesOf(next), ['c4']);
    assert.equal(s.pending, 0);
  });

  it('AdsClient.unwatch drops the resources it no longer covers', async () => {
    const c = client('unwatcher');
    const updates: ResourceUpdate[] = [];
    c.on('resources', (u) => updates.push(u));
    c.watch(TYPE_URL.CLUSTER, ['c1', 'c2']);
    await waitFor('clusters', () => updates.length === 1);
    c.unwatch(TYPE_URL.CLUSTER, ['c1']);
    assert.deepEqual(updates[1]!.removed, ['c1']);
    assert.deepEqual([...c.resources(TYPE_URL.CLUSTER).keys()], ['c2']);
    await waitFor('server sees one name', () => server.clients()[0]!.families.clusters.subscribed === 1);
  });
});
