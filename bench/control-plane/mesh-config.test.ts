import assert from 'node:assert/strict';
import { processCountFor, splitClients } from './client-processes';
import { subscriptionOf } from './fanout-run';
import { BOOKINFO_SERVICES, generatedServices, loopbackAddress, meshDocuments, reviewsChange } from './mesh-config';

const kindsOf = (documents: readonly Record<string, unknown>[]) => documents.map((d) => d.kind as string);

describe('bench mesh configurations', () => {
  it('declares BookInfo: a Service, its WorkloadEntries, a DestinationRule and a VirtualService per service', () => {
    const documents = meshDocuments(BOOKINFO_SERVICES);
    const count = (kind: string) => kindsOf(documents).filter((k) => k === kind).length;
    assert.deepEqual([count('Service'), count('WorkloadEntry'), count('DestinationRule'), count('VirtualService')], [4, 6, 4, 4]);
    const rule = documents.find((d) => d.kind === 'DestinationRule' && (d.metadata as { name: string }).name === 'reviews') as { spec: { subsets: { name: string }[] } };
    assert.deepEqual(rule.spec.subsets.map((s) => s.name), ['v1', 'v2', 'v3']);
  });

  it('generates N services × M endpoints with distinct loopback addresses', () => {
    const documents = meshDocuments(generatedServices(30, 10));
    const addresses = documents.filter((d) => d.kind === 'WorkloadEntry').map((d) => (d.spec as { address: string }).address);
    assert.equal(addresses.length, 300);
    assert.equal(new Set(addresses).size, 300);
    for (const address of addresses) assert.match(address, /^127\.\d+\.\d+\.\d+$/);
    assert.notEqual(loopbackAddress(0), '127.0.0.1');
    assert.throws(() => generatedServices(0, 10), /count must be a positive integer/);
    assert.throws(() => generatedServices(5, 1.5), /endpoints must be a positive integer/);
  });

  it('makes each apply change exactly the reviews split', () => {
    const first = reviewsChange(1) as { spec: { http: { route: { weight: number }[] }[] } };
    const second = reviewsChange(2) as { spec: { http: { route: { weight: number }[] }[] } };
    assert.deepEqual(first.spec.http[0]!.route.map((r) => r.weight), [99, 1]);
    assert.deepEqual(second.spec.http[0]!.route.map((r) => r.weight), [98, 2]);
    assert.throws(() => reviewsChange(0), /step must be 1…98/);
  });

  it('reads the RDS and EDS names a client subscribes to from listeners and clusters', () => {
    const listeners = [
      { name: 'reviews:9080', api_listener: { api_listener: { '@type': 'hcm', rds: { route_config_name: '9080' } } } },
      { name: 'reviews', api_listener: { api_listener: { rds: { route_config_name: '9080' } } } },
      { name: 'inline' },
    ];
    const clusters = [
      { name: 'outbound|9080||reviews.default.svc.cluster.local', type: 'EDS', eds_cluster_config: { service_name: 'outbound|9080||reviews.default.svc.cluster.local' } },
      { name: 'outbound|9080|v1|reviews.default.svc.cluster.local', type: 'EDS', eds_cluster_config: {} },
      { name: 'PassthroughCluster', type: 'ORIGINAL_DST' },
    ];
    assert.deepEqual(subscriptionOf(listeners, clusters), {
      routeNames: ['9080'],
      endpointNames: ['outbound|9080|v1|reviews.default.svc.cluster.local', 'outbound|9080||reviews.default.svc.cluster.local'],
    });
  });

  it('spreads clients over at most four processes', () => {
    assert.deepEqual([100, 1_000, 5_000, 20_000].map(processCountFor), [1, 2, 4, 4]);
    assert.deepEqual(splitClients(10, 3), [{ count: 4, firstIndex: 0 }, { count: 3, firstIndex: 4 }, { count: 3, firstIndex: 7 }]);
    assert.equal(splitClients(5_000, 4).reduce((sum, slice) => sum + slice.count, 0), 5_000);
  });
});
