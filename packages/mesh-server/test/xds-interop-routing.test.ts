// Interop, routing: real @grpc/grpc-js-xds 1.14 clients against a real `inboard control-plane`
// process and real grpc-js backends — default round robin over every dial name, gRPC method path and
// header matching, an 80/20 weighted split, subset routing, and a live VirtualService change.
// Modelled on the official xDS interop cases (ping_pong, round_robin, path_matching,
// header_matching, traffic_splitting, change_backend_service).

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import {
  ECHO_SERVICE_NAME, SERVICE_PORT, backendsById, destination, destinationRule, echoService, fqdn, fqdnTarget, outsideBinomial, tally,
  useInteropMesh, virtualService, type CallOutcome, type InteropMesh,
} from './xds-interop-harness';

const BACKENDS = backendsById('v1-a', 'v1-b', 'v2-a', 'v3-a');

const backendsOf = (outcomes: readonly CallOutcome[]) => new Set(outcomes.map((o) => o.backend ?? `status ${grpc.status[o.code]}: ${o.details}`));

describe('xDS interop (routing): grpc-js-xds clients against inboard control-plane', function () {
  this.timeout(20_000);
  let mesh: InteropMesh;
  useInteropMesh(BACKENDS, (started) => (mesh = started));

  it('default routing: round robin over every endpoint, under every name the client may dial', async () => {
    await mesh.apply([echoService('plain')]);
    const client = await mesh.client(fqdnTarget('plain'), 'routing-default');
    // Warm up until every backend has answered once (all subchannels READY), as ping_pong does.
    const seen = new Set<string>();
    while (seen.size < BACKENDS.length) {
      const outcome = await client.warmUp();
      seen.add(outcome.backend!);
      assert.ok(seen.size === BACKENDS.length || mesh.backends.received.length < 200, `not every backend answered: ${[...seen]}`);
    }
    // round_robin: the next 100 sequential RPCs split evenly over the 4 backends.
    const counts = tally(await client.sequential(100));
    assert.deepEqual(counts, { 'v1-a': 25, 'v1-b': 25, 'v2-a': 25, 'v3-a': 25 });

    for (const name of ['plain', `plain:${SERVICE_PORT}`, 'plain.default', `plain.default:${SERVICE_PORT}`, 'plain.default.svc', fqdn('plain')]) {
      const short = await mesh.client(`xds:///${name}`, `routing-default-${name}`);
      const outcomes = [await short.warmUp(), ...(await short.sequential(12))];
      assert.equal(backendsOf(outcomes).size, BACKENDS.length, `xds:///${name} reached ${[...backendsOf(outcomes)]}`);
      await short.close();
    }
  });

  it('path matching: an exact gRPC method path and a service prefix go to different subsets', async () => {
    const client = await mesh.deploy('paths', 'routing-paths', (host) => [
      destinationRule('paths', host),
      virtualService('paths', host, [
        { match: [{ uri: { exact: `/${ECHO_SERVICE_NAME}/Hello` } }], route: [destination(host, 'v2')] },
        { match: [{ uri: { prefix: `/${ECHO_SERVICE_NAME}/` } }], route: [destination(host, 'v1')] },
      ]),
    ], { method: 'Hello' });
    assert.deepEqual(backendsOf(await client.sequential(20, { method: 'Hello' })), new Set(['v2-a']));
    assert.deepEqual(backendsOf(await client.sequential(20, { method: 'Whoami' })), new Set(['v1-a', 'v1-b']));
  });

  it('header matching: x-user exact "jason" goes to v2, everything else to v1', async () => {
    const client = await mesh.deploy('headers', 'routing-headers', (host) => [
      destinationRule('headers', host),
      virtualService('headers', host, [
        { match: [{ headers: { 'x-user': { exact: 'jason' } } }], route: [destination(host, 'v2')] },
        { match: [{ headers: { 'x-user': { prefix: 'ad' } } }], route: [destination(host, 'v3')] },
        { route: [destination(host, 'v1')] },
      ]),
    ]);
    assert.deepEqual(backendsOf(await client.sequential(10, { metadata: { 'x-user': 'jason' } })), new Set(['v2-a']));
    assert.deepEqual(backendsOf(await client.sequential(10, { metadata: { 'x-user': 'admin' } })), new Set(['v3-a']));
    assert.deepEqual(backendsOf(await client.sequential(10, { metadata: { 'x-user': 'jasonx' } })), new Set(['v1-a', 'v1-b']));
    assert.deepEqual(backendsOf(await client.sequential(10)), new Set(['v1-a', 'v1-b']));
  });

  it('weighted split: 80/20 between subsets over 1,000 RPCs, within ±5σ of the binomial mean', async () => {
    const client = await mesh.deploy('split', 'routing-split', (host) => [
      destinationRule('split', host),
      virtualService('split', host, [{ route: [destination(host, 'v1', 80), destination(host, 'v2', 20)] }]),
    ]);
    const outcomes = await client.batch(1_000, 20);
    const counts = tally(outcomes);
    const v1 = (counts['v1-a'] ?? 0) + (counts['v1-b'] ?? 0);
    assert.equal(v1 + (counts['v2-a'] ?? 0), 1_000, `every RPC lands on v1 or v2: ${JSON.stringify(counts)}`);
    assert.equal(outsideBinomial(v1, 1_000, 0.8, 'v1 share'), undefined);
  });

  it('subset routing: a DestinationRule subset receives all traffic', async () => {
    const client = await mesh.deploy('subset', 'routing-subset', (host) => [destinationRule('subset', host), virtualService('subset', host, [{ route: [destination(host, 'v3')] }])]);
    assert.deepEqual(backendsOf(await client.sequential(30)), new Set(['v3-a']));
  });

  it('consistent hash: a DestinationRule httpHeaderName ring hash pins each x-user to one backend', async () => {
    const client = await mesh.deploy('affinity', 'routing-affinity', (host) => [
      destinationRule('affinity', host, { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } }),
    ], { metadata: { 'x-user': 'warm-up' } });
    const pinned = new Map<string, Set<string>>();
    for (let user = 0; user < 16; user++) {
      const outcomes = await client.sequential(8, { metadata: { 'x-user': `user-${user}` } });
      pinned.set(`user-${user}`, backendsOf(outcomes));
    }
    for (const [user, backends] of pinned) assert.equal(backends.size, 1, `${user} landed on ${[...backends]}`);
    const used = new Set([...pinned.values()].map((s) => [...s][0]));
    assert.ok(used.size > 1, `16 users all hashed to ${[...used]}: the hash policy is not applied`);
  });

  it('a VirtualService change takes effect in a running client, without failed RPCs', async () => {
    const host = fqdn('live');
    const client = await mesh.deploy('live', 'routing-live', () => [destinationRule('live', host), virtualService('live', host, [{ route: [destination(host, 'v1')] }])]);
    assert.deepEqual(backendsOf(await client.sequential(10)), new Set(['v1-a', 'v1-b']));

    await mesh.apply([virtualService('live', host, [{ route: [destination(host, 'v2')] }])]);
    // Poll (bounded) until 20 consecutive RPCs land on v2; no RPC may fail on the way.
    const during: CallOutcome[] = [];
    let streak = 0;
    const deadline = Date.now() + 10_000;
    while (streak < 20) {
      assert.ok(Date.now() < deadline, `traffic did not move to v2: ${JSON.stringify(tally(during))}`);
      const outcome = await client.call();
      during.push(outcome);
      streak = outcome.backend === 'v2-a' ? streak + 1 : 0;
    }
    assert.deepEqual(during.filter((o) => o.code !== grpc.status.OK), []);
  });
});
