// Integration: how a registering stream ends decides how its workload leaves. The client's
// half-close (graceful) removes it from the real WorkloadRegistry at once; a dropped connection keeps
// it for the grace period as DRAINING; an old stream of a re-registered node removes nothing.

import assert from 'node:assert/strict';
import net from 'node:net';
import { TYPE_URL } from '@inboard/xds';
import { WorkloadRegistry } from '../src/registry/registry';
import type { WorkloadEndpoint } from '../src/registry/types';
import { NODE_METADATA } from '../src/xds/contracts';
import type { XdsServer } from '../src/xds/server';
import { addCluster, emptyWorld, node, rawDelta, startServer, waitFor, type RawDelta } from './xds-protocol-harness';

const METADATA = {
  [NODE_METADATA.SERVICE]: 'reviews',
  [NODE_METADATA.NAMESPACE]: 'default',
  [NODE_METADATA.PORTS]: { http: 9080 },
};

describe('xDS protocol: deregistration on a graceful close', () => {
  let server: XdsServer | undefined;
  let registry: WorkloadRegistry;
  let now: number;
  const streams: RawDelta[] = [];
  const proxies: net.Server[] = [];
  const sockets = new Set<net.Socket>();

  beforeEach(async () => {
    now = 1_000_000;
    registry = new WorkloadRegistry({ clock: () => now, gracePeriodMs: 30_000 });
    const world = emptyWorld();
    addCluster(world, 'c1', 9001);
    const started = await startServer(world, { registry });
    server = started.server;
    port = started.port;
  });

  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    for (const p of proxies.splice(0)) p.close();
    await server?.close();
    server = undefined;
    registry.close();
  });

  let port = 0;

  /** A TCP relay to the xDS port whose connections the test can cut (a dropped connection, no END_STREAM). */
  async function relay(): Promise<number> {
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(port, '127.0.0.1');
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => { sockets.delete(socket); inbound.destroy(); outbound.destroy(); });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    proxies.push(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    return (proxy.address() as net.AddressInfo).port;
  }

  /** Cuts every relayed connection. */
  function dropConnections(): void {
    for (const socket of [...sockets]) socket.destroy();
  }

  /** Opens a registering delta stream for `id` (addresses from INSTANCE_IPS) and waits for its first answer. */
  async function register(id: string, address: string, via = port): Promise<RawDelta> {
    const s = rawDelta(via);
    streams.push(s);
    s.send({ node: node(id, { ...METADATA, [NODE_METADATA.INSTANCE_IPS]: address }), type_url: TYPE_URL.CLUSTER, resource_names_subscribe: ['c1'] });
    await s.next();
    return s;
  }

  const entry = (id: string): WorkloadEndpoint | undefined => registry.snapshot().endpoints.find((e) => e.id === id);

  it('a half-closed stream (status OK) removes the workload at once, with no grace period', async () => {
    const s = await register('reviews-1', '10.0.0.1');
    assert.equal(entry('reviews-1')?.health, 'HEALTHY');
    s.call.end();
    await waitFor('the stream to end', () => s.status !== undefined);
    await waitFor('the workload to be removed', () => entry('reviews-1') === undefined);
    assert.equal(registry.snapshot().services.has('reviews.default.svc.cluster.local'), false, 'its implicit service went with it');
  });

  it('a dropped connection keeps the workload for the grace period, DRAINING', async () => {
    await register('reviews-1', '10.0.0.1', await relay());
    dropConnections();
    await waitFor('the workload to start draining', () => entry('reviews-1')?.expiresAt !== undefined);
    assert.equal(entry('reviews-1')!.health, 'DRAINING');
    assert.equal(entry('reviews-1')!.expiresAt, now + 30_000);
    now += 30_000;
    registry.sweep();
    assert.equal(entry('reviews-1'), undefined, 'gone once the grace period is over');
  });

  it('the half-close of an old stream does not remove the node while a newer stream registers it', async () => {
    const old = await register('reviews-1', '10.0.0.1');
    const current = await register('reviews-1', '10.0.0.2');
    assert.equal(entry('reviews-1')?.address, '10.0.0.2', 're-registration replaced the entry');
    old.call.end();
    await waitFor('the old stream to end', () => old.status !== undefined);
    await waitFor('one client left', () => server!.clients().length === 1);
    assert.equal(entry('reviews-1')?.address, '10.0.0.2', 'the newer registration stays');
    assert.equal(entry('reviews-1')?.health, 'HEALTHY');
    current.call.end();
    await waitFor('the workload to be removed', () => entry('reviews-1') === undefined);
  });

  it('a registration revived after a drop is removed by the half-close of the new stream', async () => {
    await register('reviews-1', '10.0.0.1', await relay());
    dropConnections();
    await waitFor('draining', () => entry('reviews-1')?.health === 'DRAINING');
    const second = await register('reviews-1', '10.0.0.1');
    assert.equal(entry('reviews-1')?.health, 'HEALTHY', 'revived');
    second.call.end();
    await waitFor('the workload to be removed', () => entry('reviews-1') === undefined);
  });
});
