// Protocol tests of the incremental (delta) ADS stream against a real XdsServer on loopback:
// subscribe/unsubscribe, per-resource versions, removed_resources, initial_resource_versions on
// reconnect, wildcard, ACK/NACK — raw streams for the wire, AdsClient for the client behaviour.

import assert from 'node:assert/strict';
import { AdsClient, TYPE_URL, decodeResource, type DeltaDiscoveryResponse, type ResourceUpdate } from '@inboard/xds';
import type { XdsServer } from '../src/xds/server';
import { addTwoClusters, cluster, endpoints, node, rawDelta, route, serveWorldPerTest, startServer, tracked, waitFor, type FakeWorld, type RawDelta } from './xds-protocol-harness';

const names = (res: DeltaDiscoveryResponse) => (res.resources ?? []).map((r) => r.name).sort();

describe('xDS protocol: delta', () => {
  let world: FakeWorld;
  let server: XdsServer;
  let port: number;
  const cleanups = serveWorldPerTest((w) => {
    w.routes.set('r1', route('r1', 'c1'));
    addTwoClusters(w);
  }, (served) => ({ world, server, port } = served));

  const open = (): RawDelta => tracked(cleanups, rawDelta(port));

  it('subscribes, sends per-resource versions, ACKs, and sends only changed resources', async () => {
    const s = open();
    s.send({ node: node('delta-1'), type_url: TYPE_URL.ENDPOINT, resource_names_subscribe: ['c1', 'c2'] });
    const first = await s.next();
    assert.deepEqual(names(first), ['c1', 'c2']);
    assert.ok(first.resources!.every((r) => r.version && r.version.length >= 8));
    assert.deepEqual(first.removed_resources ?? [], []);
    assert.deepEqual(decodeResource(first.resources!.find((r) => r.name === 'c2')!.resource!), endpoints('c2', 9002));
    s.send({ type_url: TYPE_URL.ENDPOINT, response_nonce: first.nonce });
    await waitFor('ACK', () => server.clients()[0]?.families.endpoints.state === 'SYNCED');
    assert.equal(server.clients()[0]!.protocol, 'delta');

    world.endpoints.set('c1', endpoints('c1', 9001, 9003));
    server.inputChanged();
    const second = await s.next();
    assert.deepEqual(names(second), ['c1']);
    const v1 = first.resources!.find((r) => r.name === 'c1')!.version;
    assert.notEqual(second.resources![0]!.version, v1);
  });

  it('removed_resources for deletions and for subscribed names that do not exist; unsubscribe stops updates', async () => {
    const s = open();
    s.send({ node: node('delta-2'), type_url: TYPE_URL.ENDPOINT, resource_names_subscribe: ['c1', 'ghost'] });
    const first = await s.next();
    assert.deepEqual(names(first), ['c1']);
    assert.deepEqual(first.removed_resources, ['ghost'], 'a missing name is reported at once');
    s.send({ type_url: TYPE_URL.ENDPOINT, response_nonce: first.nonce });

    world.endpoints.delete('c1');
    world.endpoints.set('ghost', endpoints('ghost', 9009));
    server.inputChanged();
    const second = await s.next();
    assert.deepEqual(names(second), ['ghost'], 'the late resource arrives');
    assert.deepEqual(second.removed_resources, ['c1']);
    s.send({ type_url: TYPE_URL.ENDPOINT, response_nonce: second.nonce, resource_names_unsubscribe: ['ghost'] });
    await waitFor('unsubscribed', () => server.clients()[0]!.families.endpoints.subscribed === 1);

    world.endpoints.set('ghost', endpoints('ghost', 9010));
    world.endpoints.set('c1', endpoints('c1', 9011));
    server.inputChanged();
    const third = await s.next();
    assert.deepEqual(names(third), ['c1'], 'the unsubscribed name is not sent');
    assert.deepEqual(third.removed_resources ?? [], []);
  });

  it('honours initial_resource_versions on a new stream: unchanged not resent, changed resent, gone removed', async () => {
    const a = open();
    a.send({ node: node('delta-3'), type_url: TYPE_URL.ENDPOINT, resource_names_subscribe: ['c1', 'c2'] });
    const first = await a.next();
    const versions = Object.fromEntries(first.resources!.map((r) => [r.name!, r.version!]));
    a.send({ type_url: TYPE_URL.ENDPOINT, response_nonce: first.nonce });
    world.endpoints.set('c2', endpoints('c2', 9002, 9012));
    world.endpoints.set('c3', endpoints('c3', 9013));
    server.inputChanged();
    await a.next(); // the change is computed (its push is ignored: this client "misses" it)
    a.close();
    await waitFor('stream gone', () => server.clients().length === 0);

    const b = open();
    b.send({
      node: node('delta-3'),
      type_url: TYPE_URL.ENDPOINT,
      resource_names_subscribe: ['c1', 'c2', 'c3', 'gone'],
      initial_resource_versions: { ...versions, gone: 'old-version' },
    });
    const res = await b.next();
    assert.deepEqual(names(res), ['c2', 'c3']);
    assert.deepEqual(res.removed_resources, ['gone']);
  });

  it('a first request naming nothing for LDS/CDS is a wildcard, answered even when empty', async () => {
    world.clusters.clear();
    server.inputChanged();
    const s = open();
    s.send({ node: node('delta-4'), type_url: TYPE_URL.CLUSTER });
    const empty = await s.next();
    assert.deepEqual(names(empty), []);
    s.send({ type_url: TYPE_URL.CLUSTER, response_nonce: empty.nonce });
    world.clusters.set('c5', cluster('c5'));
    server.inputChanged();
    const added = await s.next();
    assert.deepEqual(names(added), ['c5']);
    s.send({ type_url: TYPE_URL.CLUSTER, response_nonce: added.nonce });
    world.clusters.delete('c5');
    server.inputChanged();
    const removed = await s.next();
    assert.deepEqual(removed.removed_resources, ['c5']);
  });

  it('records a NACK with its text and leaves subscriptions working', async () => {
    const s = open();
    s.send({ node: node('delta-5'), type_url: TYPE_URL.ROUTE, resource_names_subscribe: ['r1'] });
    const first = await s.next();
    s.send({ type_url: TYPE_URL.ROUTE, response_nonce: first.nonce, error_detail: { code: 3, message: 'route r1 rejected' } });
    await waitFor('NACK', () => server.clients()[0]?.families.routes.state === 'NACKED');
    assert.equal(server.clients()[0]!.families.routes.nackError, 'route r1 rejected');
    assert.equal(server.clients()[0]!.families.routes.ackedVersion, undefined);
    world.routes.set('r1', route('r1', 'c2'));
    server.inputChanged();
    const second = await s.next();
    s.send({ type_url: TYPE_URL.ROUTE, response_nonce: second.nonce });
    await waitFor('ACK', () => server.clients()[0]!.families.routes.state === 'SYNCED');
  });

  it('AdsClient in delta mode: watch, removal, unwatch, and reconnect with known versions', async () => {
    const updates: ResourceUpdate[] = [];
    const c = new AdsClient({ target: `127.0.0.1:${port}`, node: { id: 'delta-client' }, protocol: 'delta', backoff: { initialMs: 20, maxMs: 100 } });
    cleanups.push(() => c.close());
    c.on('resources', (u) => updates.push(u));
    c.watch(TYPE_URL.CLUSTER, '*');
    await waitFor('clusters', () => updates.length === 1);
    assert.deepEqual([...updates[0]!.resources.keys()].sort(), ['c1', 'c2']);

    world.clusters.delete('c1');
    server.inputChanged();
    await waitFor('removal', () => updates.length === 2);
    assert.deepEqual(updates[1]!.removed, ['c1']);
    assert.deepEqual(updates[1]!.changed, []);

    await server.close();
    world.clusters.set('c2', cluster('c2', 'changed-while-away'));
    ({ server } = await startServer(world, { port }));
    cleanups.push(() => server.close());
    await waitFor('resynced', () => updates.length === 3, 10_000);
    assert.deepEqual(updates[2]!.changed, ['c2'], 'only the changed cluster is resent');
    assert.deepEqual(updates[2]!.removed, []);
    assert.deepEqual(c.resources(TYPE_URL.CLUSTER).get('c2'), cluster('c2', 'changed-while-away'));
    await waitFor('ACKed', () => server.clients()[0]?.families.clusters.state === 'SYNCED');
  });
});
