import assert from 'node:assert/strict';
import type { Resource } from '../config/resource';
import type { RegistrySnapshot, WorkloadEndpoint } from '../registry/types';
import type { ClientSyncStatus, FamilySyncStatus } from '../xds/contracts';
import { createControlPlaneMetrics, type ControlPlaneMetrics } from './control-plane-metrics';

const status = (state: FamilySyncStatus['state']): FamilySyncStatus => ({ state, subscribed: 1 });
function client(id: string, clusters: FamilySyncStatus['state']): ClientSyncStatus {
  return {
    proxy: { id, role: 'sidecar', namespace: 'default', labels: {}, locality: '' },
    peer: 'ipv4:127.0.0.1:1', connectedAt: new Date(0).toISOString(), protocol: 'sotw',
    families: { clusters: status(clusters), endpoints: status('SYNCED'), listeners: status('SYNCED'), routes: status('NOT_SENT') },
  };
}
const endpoint = (id: string, health: WorkloadEndpoint['health']): WorkloadEndpoint => ({
  id, address: '10.0.0.1', namespace: 'default', labels: {}, serviceAccount: 'sa', locality: '', weight: 1, health, ports: {}, origin: 'WorkloadEntry', source: `WorkloadEntry/default/${id}`,
});
const resource = (kind: Resource['kind'], name: string): Resource => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'default' }, spec: {} } as Resource);

/** The value of one sample line, e.g. sample(text, 'pilot_xds') or sample(text, 'inboard_xds_clients{state="NACKED",type="cds"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics/control-plane-metrics', () => {
  let metrics: ControlPlaneMetrics;
  afterEach(() => metrics?.close());

  it('reads connected clients, sync states, services, endpoints and config sizes at scrape time', async () => {
    let clients = [client('a', 'SYNCED'), client('b', 'NACKED'), client('c', 'NACKED')];
    const registry: RegistrySnapshot = {
      version: 3,
      services: new Map([['reviews.default.svc.cluster.local', {} as never], ['ratings.default.svc.cluster.local', {} as never]]),
      endpoints: [endpoint('r1', 'HEALTHY'), endpoint('r2', 'HEALTHY'), endpoint('r3', 'DRAINING')],
      endpointsFor: () => [],
    };
    const config = { revision: '9', resources: [resource('VirtualService', 'reviews'), resource('VirtualService', 'ratings'), resource('DestinationRule', 'reviews')] };
    metrics = createControlPlaneMetrics({ xds: { clients: () => clients }, registry: { snapshot: () => registry }, cache: { snapshot: () => config } });

    let text = await metrics.render();
    assert.equal(sample(text, 'pilot_xds'), 3);
    assert.equal(sample(text, 'inboard_xds_clients{state="NACKED",type="cds"}'), 2);
    assert.equal(sample(text, 'inboard_xds_clients{state="SYNCED",type="cds"}'), 1);
    assert.equal(sample(text, 'inboard_xds_clients{state="NOT_SENT",type="rds"}'), 3);
    assert.equal(sample(text, 'pilot_services'), 2);
    assert.equal(sample(text, 'inboard_registry_endpoints{health="HEALTHY"}'), 2);
    assert.equal(sample(text, 'inboard_registry_endpoints{health="DRAINING"}'), 1);
    assert.equal(sample(text, 'pilot_virt_services'), 2);
    assert.equal(sample(text, 'inboard_config_resources{kind="DestinationRule"}'), 1);
    assert.match(text, /^# TYPE pilot_xds gauge$/m);
    assert.doesNotMatch(text, /target_info/);

    clients = [client('a', 'SYNCED')];
    text = await metrics.render();
    assert.equal(sample(text, 'pilot_xds'), 1, 'gauges follow the snapshot');
    assert.equal(sample(text, 'inboard_xds_clients{state="NACKED",type="cds"}'), 0);
  });

  it('counts pushes, push time, rejects and errors through the hooks, in istiod\'s names', async () => {
    metrics = createControlPlaneMetrics({});
    metrics.pushSent('clusters', 4);
    metrics.pushSent('clusters', 2500);
    metrics.pushSent('routes', 1);
    metrics.nackReceived('clusters');
    metrics.sendFailed('endpoints');
    metrics.internalError();
    const text = await metrics.render();
    assert.match(text, /^# TYPE pilot_xds_pushes counter$/m);
    assert.equal(sample(text, 'pilot_xds_pushes{type="cds"}'), 2);
    assert.equal(sample(text, 'pilot_xds_pushes{type="rds"}'), 1);
    assert.equal(sample(text, 'pilot_xds_pushes{type="eds_senderr"}'), 1);
    assert.equal(sample(text, 'pilot_total_xds_rejects{type="cds"}'), 1);
    assert.equal(sample(text, 'pilot_total_xds_internal_errors'), 1);
    assert.equal(sample(text, 'pilot_xds_push_time_bucket{type="cds",le="0.01"}'), 1);
    assert.equal(sample(text, 'pilot_xds_push_time_bucket{type="cds",le="3"}'), 2);
    assert.equal(sample(text, 'pilot_xds_push_time_count{type="cds"}'), 2);
    assert.equal(sample(text, 'pilot_xds_push_time_sum{type="cds"}'), 2.504);
    assert.equal(sample(text, 'pilot_xds'), undefined, 'no xDS source, no pilot_xds gauge');
  });

  it('keeps rendering when a source throws', async () => {
    metrics = createControlPlaneMetrics({ xds: { clients: () => { throw new Error('boom'); } } });
    metrics.pushSent('listeners', 1);
    assert.equal(sample(await metrics.render(), 'pilot_xds_pushes{type="lds"}'), 1);
  });
});
