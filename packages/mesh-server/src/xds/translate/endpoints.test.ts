import assert from 'node:assert/strict';
import { translate } from './index';
import { parseLocality } from './endpoints';
import { readInboardMetadata } from './struct';
import { endpoint, fakeRegistry, get, k8sService, parseConfig, sidecar, warningLines } from './test-support';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOST = 'reviews.default.svc.cluster.local';
const reviews = k8sService('reviews', 'default', [{ name: 'http', port: 9080, targetPort: 8080 }]);
const SUBSETS = parseConfig(`
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }, { name: none, labels: { version: v9 } }]`);

function cla(endpoints: ReturnType<typeof endpoint>[], cluster = `outbound|9080||${HOST}`) {
  const result = translate({ config: SUBSETS, registry: fakeRegistry([reviews], endpoints) }, sidecar());
  return { cla: get(result.endpoints, cluster), result };
}

const sa = (address: string, port: number) => ({ address: { socket_address: { address, port_value: port } } });

describe('translate/endpoints', () => {
  it('groups endpoints by locality (always set, weight always set) with health, weight and identity metadata', () => {
    const { cla: out } = cla([
      endpoint('r1', '10.0.0.2', { app: 'reviews', version: 'v1' }, { locality: 'us-east/a', weight: 3, ports: { http: 9080 } }),
      endpoint('r2', '10.0.0.1', { app: 'reviews', version: 'v2' }, { locality: 'us-east/a', health: 'UNHEALTHY', ports: { http: 9080 } }),
      endpoint('r3', '10.0.0.3', { app: 'reviews', version: 'v1' }, { health: 'DRAINING', serviceAccount: '', expiresAt: 1700000000000 }),
    ]);
    assert.equal(out.cluster_name, `outbound|9080||${HOST}`);
    assert.deepEqual(out.endpoints.map((l: Loose) => [l.locality, l.load_balancing_weight, l.lb_endpoints.map((e: Loose) => e.endpoint)]), [
      [{}, { value: 1 }, [sa('10.0.0.3', 8080)]], // no registered port → the service targetPort
      [{ region: 'us-east', zone: 'a' }, { value: 4 }, [sa('10.0.0.1', 9080), sa('10.0.0.2', 9080)]],
    ]);
    const [drainingEp] = out.endpoints[0].lb_endpoints;
    assert.equal(drainingEp.health_status, 'DRAINING');
    assert.deepEqual(readInboardMetadata(drainingEp), {
      id: 'r3', identity: 'spiffe://cluster.local/ns/default/sa/default', namespace: 'default', service_account: 'default',
      labels: { app: 'reviews', version: 'v1' }, source: 'WorkloadEntry/default/r3', expires_at: 1700000000000,
    });
    const [unhealthy, weighted] = out.endpoints[1].lb_endpoints;
    assert.equal(unhealthy.health_status, 'UNHEALTHY'); // marked, not dropped
    assert.deepEqual(weighted.load_balancing_weight, { value: 3 });
    assert.equal(readInboardMetadata(weighted).identity, 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews');
  });

  it('filters subset clusters by the subset labels; an empty subset has no endpoints', () => {
    const eps = [
      endpoint('r1', '10.0.0.1', { app: 'reviews', version: 'v1' }),
      endpoint('r2', '10.0.0.2', { app: 'reviews', version: 'v2' }),
    ];
    const v2 = cla(eps, `outbound|9080|v2|${HOST}`).cla;
    assert.deepEqual(v2.endpoints[0].lb_endpoints.map((e: Loose) => e.endpoint), [sa('10.0.0.2', 8080)]);
    assert.deepEqual(cla(eps, `outbound|9080|none|${HOST}`).cla, { cluster_name: `outbound|9080|none|${HOST}`, endpoints: [] });
  });

  it('leaves out non-IP addresses and duplicate address:port pairs, with a warning on the endpoint source', () => {
    const { cla: out, result } = cla([
      endpoint('a', 'reviews-host.local', { app: 'reviews' }),
      endpoint('b', '10.0.0.9', { app: 'reviews' }),
      endpoint('c', '10.0.0.9', { app: 'reviews' }),
      endpoint('d', 'fd00::1', { app: 'reviews' }),
    ]);
    assert.deepEqual(out.endpoints[0].lb_endpoints.map((e: Loose) => e.endpoint), [sa('10.0.0.9', 8080), sa('fd00::1', 8080)]);
    const warnings = warningLines(result);
    assert.ok(warnings.some((w) => w.startsWith('WorkloadEntry/default/a: endpoint address "reviews-host.local" is not an IP literal')));
    assert.ok(warnings.some((w) => w.startsWith('WorkloadEntry/default/c: endpoint 10.0.0.9:8080 duplicates another endpoint')));
  });

  it('parses Istio localities', () => {
    assert.deepEqual(parseLocality(''), {});
    assert.deepEqual(parseLocality('r'), { region: 'r' });
    assert.deepEqual(parseLocality('r/z/s'), { region: 'r', zone: 'z', sub_zone: 's' });
    assert.deepEqual(parseLocality('/z'), { zone: 'z' });
  });
});
