// The control plane's metrics over a real XdsServer on loopback with a real ADS client: connected
// clients and NACKed families appear in the Prometheus text as the client connects, rejects a
// push and leaves — read from the server's own snapshots, without any hook in the server.

import assert from 'node:assert/strict';
import { AdsClient, TYPE_URL } from '@inboard/xds';
import { createControlPlaneMetrics, type ControlPlaneMetrics } from '../src/metrics';
import type { XdsServer } from '../src/xds/server';
import { cluster, emptyWorld, endpoints, listener, route, startServer, waitFor, type FakeWorld } from './xds-protocol-harness';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('control-plane metrics over a real xDS server', () => {
  let world: FakeWorld;
  let server: XdsServer;
  let port: number;
  let metrics: ControlPlaneMetrics;
  let client: AdsClient | undefined;

  beforeEach(async () => {
    world = emptyWorld();
    world.listeners.set('echo', listener('echo', 'echo-route'));
    world.routes.set('echo-route', route('echo-route', 'c1'));
    world.clusters.set('c1', cluster('c1'));
    world.endpoints.set('c1', endpoints('c1', 9001));
    ({ server, port } = await startServer(world));
    metrics = createControlPlaneMetrics({ xds: server });
  });

  afterEach(async () => {
    client?.close();
    client = undefined;
    await metrics.close();
    await server.close();
  });

  it('shows a connected client, its NACKed clusters, and its departure', async () => {
    assert.equal(sample(await metrics.render(), 'pilot_xds'), 0);
    client = new AdsClient({
      target: `127.0.0.1:${port}`,
      node: { id: 'metrics-client' },
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
      validators: { [TYPE_URL.CLUSTER]: (received) => ([...received.values()].some((r) => JSON.stringify(r).includes('poison')) ? 'poisoned cluster' : undefined) },
    });
    client.watch(TYPE_URL.CLUSTER, ['c1']);
    await waitFor('the client to be synced', () => server.clients()[0]?.families.clusters.state === 'SYNCED');
    let text = await metrics.render();
    assert.equal(sample(text, 'pilot_xds'), 1);
    assert.equal(sample(text, 'inboard_xds_clients{state="SYNCED",type="cds"}'), 1);
    assert.equal(sample(text, 'inboard_xds_clients{state="NACKED",type="cds"}'), 0);

    world.clusters.set('c1', cluster('c1', 'poison'));
    server.inputChanged();
    await waitFor('the NACK', () => server.clients()[0]?.families.clusters.state === 'NACKED');
    text = await metrics.render();
    assert.equal(sample(text, 'inboard_xds_clients{state="NACKED",type="cds"}'), 1);

    client.close();
    client = undefined;
    await waitFor('the stream to end', () => server.clients().length === 0);
    assert.equal(sample(await metrics.render(), 'pilot_xds'), 0);
  });
});
