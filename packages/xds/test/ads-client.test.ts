// Tests of AdsClient against a scripted ADS server on loopback (real grpc-js, hand-written
// responses): the node it sends, ACK/NACK on the wire, decode failures, raw mode, SotW and delta
// resubscription, and reconnect backoff driven by an injected clock and random source.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { AdsClient } from '../src/ads-client';
import type { AdsClock, ResourceUpdate } from '../src/client-types';
import { encodeResource } from '../src/codec';
import { loadXdsProtos } from '../src/protos';
import { fromStruct } from '../src/struct';
import { TYPE_URL } from '../src/type-urls';
import type { DeltaDiscoveryRequest, DiscoveryRequest } from '../src/wire-types';
import { CLUSTER, ENDPOINTS } from './fixtures';

type Call = grpc.ServerDuplexStream<object, object>;

/** An ADS server whose responses the test writes by hand. */
class ScriptedServer {
  readonly server = new grpc.Server();
  readonly streams: { call: Call; requests: object[] }[] = [];
  port = 0;

  async start(port = 0): Promise<void> {
    const accept = (call: Call) => {
      const entry = { call, requests: [] as object[] };
      this.streams.push(entry);
      call.on('data', (r: object) => entry.requests.push(r));
      call.on('error', () => undefined);
      call.on('end', () => call.end());
    };
    this.server.addService(loadXdsProtos().adsService(), { StreamAggregatedResources: accept, DeltaAggregatedResources: accept });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
  }

  last(): { call: Call; requests: object[] } {
    return this.streams[this.streams.length - 1]!;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

/** Clock whose timers the test fires; records the delays asked for. */
class StepClock implements AdsClock {
  nowMs = 0;
  readonly delays: number[] = [];
  private pending: (() => void)[] = [];
  now(): number { return this.nowMs; }
  setTimeout(fn: () => void, ms: number): unknown { this.delays.push(ms); this.pending.push(fn); return this.pending.length; }
  clearTimeout(): void { this.pending = []; }
  fire(): void { const fns = this.pending; this.pending = []; for (const fn of fns) fn(); }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cla = (name: string, port: number) => encodeResource(TYPE_URL.ENDPOINT, { ...ENDPOINTS, cluster_name: name, endpoints: [{ ...ENDPOINTS.endpoints[0], lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }] }] });

describe('AdsClient', () => {
  let server: ScriptedServer;
  const clients: AdsClient[] = [];

  beforeEach(async () => {
    server = new ScriptedServer();
    await server.start();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    server.stop();
  });

  function client(options: Partial<ConstructorParameters<typeof AdsClient>[0]> = {}): AdsClient {
    const c = new AdsClient({ target: `127.0.0.1:${server.port}`, node: { id: 'n1' }, ...options });
    clients.push(c);
    return c;
  }

  it('sends the node once, then ACKs with the version and nonce (SotW)', async () => {
    const c = client({ node: { id: 'n1', metadata: { NAMESPACE: 'bookinfo', INBOARD_PORTS: { http: 9080 } }, locality: { region: 'eu' } } });
    const updates: ResourceUpdate[] = [];
    c.on('resources', (u) => updates.push(u));
    c.watch(TYPE_URL.ENDPOINT, ['a', 'b']);
    await waitFor('subscription', () => server.streams.length === 1 && server.last().requests.length === 1);
    const first = server.last().requests[0] as DiscoveryRequest;
    assert.equal(first.node!.id, 'n1');
    assert.equal(first.node!.user_agent_name, 'inboard-mesh-client');
    assert.deepEqual(first.node!.locality, { region: 'eu' });
    assert.deepEqual(fromStruct(first.node!.metadata), { NAMESPACE: 'bookinfo', INBOARD_PORTS: { http: 9080 } });
    assert.deepEqual(first.resource_names, ['a', 'b']);
    assert.equal(first.version_info, '');

    server.last().call.write({ version_info: 'v1', nonce: 'n-1', type_url: TYPE_URL.ENDPOINT, resources: [cla('a', 1), cla('zz-not-asked', 2)] });
    await waitFor('ACK', () => server.last().requests.length === 2);
    const ack = server.last().requests[1] as DiscoveryRequest;
    assert.equal(ack.node, undefined, 'node only on the first request');
    assert.deepEqual({ v: ack.version_info, n: ack.response_nonce, names: ack.resource_names, e: ack.error_detail }, { v: 'v1', n: 'n-1', names: ['a', 'b'], e: undefined });
    assert.deepEqual([...updates[0]!.resources.keys()], ['a'], 'resources not asked for are ignored');
    assert.equal(updates[0]!.family, 'endpoints');
  });

  it('NACKs decode failures, duplicates and validator errors with the last accepted version, keeping its resources', async () => {
    const c = client({ validators: { [TYPE_URL.CLUSTER]: (received) => (received.has('bad') ? 'cluster "bad" is not allowed' : undefined) } });
    const nacks: string[] = [];
    c.on('nack-sent', (n) => nacks.push(n.error));
    c.watch(TYPE_URL.CLUSTER, '*');
    await waitFor('subscription', () => server.last()?.requests.length === 1);
    assert.deepEqual((server.last().requests[0] as DiscoveryRequest).resource_names, ['*']);
    const good = encodeResource(TYPE_URL.CLUSTER, CLUSTER);
    const send = (version: string, nonce: string, resources: object[]) => server.last().call.write({ version_info: version, nonce, type_url: TYPE_URL.CLUSTER, resources });
    send('v1', '1', [good]);
    await waitFor('ACK', () => server.last().requests.length === 2);
    send('v2', '2', [good, good]);
    send('v3', '3', [{ type_url: TYPE_URL.CLUSTER, value: Buffer.from([0x0a, 0xff]) }]);
    send('v4', '4', [encodeResource(TYPE_URL.CLUSTER, { name: 'bad' })]);
    send('v5', '5', [encodeResource(TYPE_URL.LISTENER, { name: 'l' })]);
    await waitFor('four NACKs', () => server.last().requests.length === 6);
    const replies = server.last().requests.slice(2) as DiscoveryRequest[];
    assert.deepEqual(replies.map((r) => [r.version_info, r.response_nonce, r.error_detail?.code]), [['v1', '2', 3], ['v1', '3', 3], ['v1', '4', 3], ['v1', '5', 3]]);
    assert.match(nacks[0]!, /resource "outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local" appears twice/);
    assert.match(nacks[1]!, /resource 0: cannot decode Cluster/);
    assert.equal(nacks[2], 'cluster "bad" is not allowed');
    assert.match(nacks[3]!, /resource 0: type type\.googleapis\.com\/envoy\.config\.listener\.v3\.Listener in a .*Cluster response/);
    assert.equal(replies[0]!.error_detail!.message, nacks[0]);
    assert.equal(c.version(TYPE_URL.CLUSTER), 'v1');
    assert.deepEqual([...c.resources(TYPE_URL.CLUSTER).keys()], [CLUSTER.name]);
  });

  it('keeps raw Any values when decode is false, still reading names', async () => {
    const c = client({ decode: false });
    c.watch(TYPE_URL.ENDPOINT, ['a']);
    await waitFor('subscription', () => server.last()?.requests.length === 1);
    const any = cla('a', 7);
    server.last().call.write({ version_info: '1', nonce: '1', type_url: TYPE_URL.ENDPOINT, resources: [any] });
    await waitFor('accepted', () => c.resources(TYPE_URL.ENDPOINT).size === 1);
    const held = c.resources(TYPE_URL.ENDPOINT).get('a') as { type_url: string; value: Buffer };
    assert.equal(held.type_url, TYPE_URL.ENDPOINT);
    assert.ok(Buffer.from(held.value).equals(any.value));
  });

  it('reconnects with jittered backoff from the injected clock, resubscribing with its versions and keeping resources', async () => {
    const clock = new StepClock();
    const c = client({ clock, random: () => 0.5, backoff: { initialMs: 1000, resetAfterMs: 10_000 } });
    const disconnects: number[] = [];
    c.on('disconnected', (d) => disconnects.push(d.retryInMs));
    c.watch(TYPE_URL.ENDPOINT, ['a']);
    await waitFor('subscription', () => server.last()?.requests.length === 1);
    server.last().call.write({ version_info: 'v7', nonce: '1', type_url: TYPE_URL.ENDPOINT, resources: [cla('a', 1)] });
    await waitFor('ACK', () => server.last().requests.length === 2);

    server.last().call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'gone' });
    await waitFor('first disconnect', () => disconnects.length === 1);
    assert.deepEqual(disconnects, [1000]);
    assert.equal(c.resources(TYPE_URL.ENDPOINT).size, 1, 'resources kept while disconnected');
    clock.fire();
    await waitFor('second stream', () => server.streams.length === 2 && server.last().requests.length === 1);
    const again = server.last().requests[0] as DiscoveryRequest;
    assert.equal(again.node!.id, 'n1', 'a new stream sends the node again');
    assert.deepEqual([again.version_info, again.response_nonce, again.resource_names], ['v7', '', ['a']]);

    server.last().call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'gone again' });
    await waitFor('second disconnect', () => disconnects.length === 2);
    assert.deepEqual(disconnects, [1000, 1600], 'the attempt count grows while streams die young');
    clock.fire();
    await waitFor('third stream', () => server.streams.length === 3 && server.last().requests.length === 1);
    server.last().call.write({ version_info: 'v8', nonce: '1', type_url: TYPE_URL.ENDPOINT, resources: [cla('a', 2)] });
    await waitFor('connected (a response arrived)', () => c.connected && server.last().requests.length === 2);
    clock.nowMs += 10_000;
    server.last().call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'after a long life' });
    await waitFor('third disconnect', () => disconnects.length === 3);
    assert.deepEqual(disconnects, [1000, 1600, 1000], 'a stream that lived long enough resets the backoff');
  });

  it('delta: subscribes by difference, applies removals, and reconnects with initial_resource_versions', async () => {
    const clock = new StepClock();
    const c = client({ protocol: 'delta', clock });
    const updates: ResourceUpdate[] = [];
    c.on('resources', (u) => updates.push(u));
    c.watch(TYPE_URL.ENDPOINT, ['a', 'b']);
    await waitFor('subscription', () => server.last()?.requests.length === 1);
    const first = server.last().requests[0] as DeltaDiscoveryRequest;
    assert.deepEqual([first.node!.id, first.resource_names_subscribe, first.initial_resource_versions ?? {}], ['n1', ['a', 'b'], {}]);
    server.last().call.write({ system_version_info: 's1', nonce: '1', type_url: TYPE_URL.ENDPOINT, resources: [{ name: 'a', version: 'va', resource: cla('a', 1) }, { name: 'b', version: 'vb', resource: cla('b', 2) }] });
    await waitFor('ACK', () => server.last().requests.length === 2);
    assert.deepEqual(server.last().requests[1], { type_url: TYPE_URL.ENDPOINT, response_nonce: '1' });
    c.watch(TYPE_URL.ENDPOINT, ['b', 'c']);
    c.unwatch(TYPE_URL.ENDPOINT, ['a']);
    await waitFor('changes', () => server.last().requests.length === 4);
    assert.deepEqual((server.last().requests[2] as DeltaDiscoveryRequest).resource_names_subscribe, ['c']);
    assert.deepEqual((server.last().requests[3] as DeltaDiscoveryRequest).resource_names_unsubscribe, ['a']);
    assert.deepEqual(updates[1]!.removed, ['a']);
    server.last().call.write({ nonce: '2', type_url: TYPE_URL.ENDPOINT, resources: [{ name: 'c', version: 'vc', resource: cla('a', 3) }] });
    await waitFor('NACK of a mislabelled resource', () => server.last().requests.length === 5);
    assert.match((server.last().requests[4] as DeltaDiscoveryRequest).error_detail!.message!, /resource "c" holds a resource named "a"/);
    server.last().call.write({ nonce: '3', type_url: TYPE_URL.ENDPOINT, removed_resources: ['b'], resources: [{ name: 'c', version: 'vc', resource: cla('c', 3) }] });
    await waitFor('applied', () => updates.length === 3);
    assert.deepEqual([updates[2]!.changed, updates[2]!.removed], [['c'], ['b']]);

    server.last().call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'restart' });
    await waitFor('disconnect', () => clock.delays.length === 1);
    clock.fire();
    await waitFor('resubscribed', () => server.streams.length === 2 && server.last().requests.length === 1);
    const re = server.last().requests[0] as DeltaDiscoveryRequest;
    assert.deepEqual([re.resource_names_subscribe, re.initial_resource_versions], [['b', 'c'], { c: 'vc' }]);
  });

  it('refuses use after close and a node without id', () => {
    const c = client();
    c.close();
    assert.throws(() => c.watch(TYPE_URL.CLUSTER, '*'), /AdsClient is closed/);
    assert.throws(() => new AdsClient({ target: '127.0.0.1:1', node: { id: '' } }), /options\.node\.id must be a non-empty string/);
  });
});
