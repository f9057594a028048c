import assert from 'node:assert/strict';
import type { ProxyInfo } from '../contracts';
import { translate } from './index';
import { bookinfoRegistry, get, ingressGateway, parseConfig, sample, warningLines } from './test-support';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function gateway(yaml: string, proxy: ProxyInfo = ingressGateway()) {
  const result = translate({ config: parseConfig(yaml), registry: bookinfoRegistry() }, proxy);
  return { result, warnings: warningLines(result) };
}

describe('translate/gateway (role router)', () => {
  it('translates bookinfo-gateway.yaml: listener 0.0.0.0_8080, route config http.8080, the five productpage matches', () => {
    const result = translate({ config: sample('bookinfo/networking/bookinfo-gateway.yaml'), registry: bookinfoRegistry() }, ingressGateway());
    assert.deepEqual([...result.listeners.keys()], ['0.0.0.0_8080']);
    const listener = get(result.listeners, '0.0.0.0_8080');
    assert.deepEqual(listener.address, { socket_address: { address: '0.0.0.0', port_value: 8080 } });
    const hcm = listener.filter_chains[0].filters[0];
    assert.equal(hcm.name, 'envoy.filters.network.http_connection_manager');
    assert.equal(hcm.typed_config.rds.route_config_name, 'http.8080');
    assert.equal(hcm.typed_config.http_filters.at(-1).name, 'envoy.filters.http.router');
    const rc = get(result.routes, 'http.8080');
    assert.equal(rc.virtual_hosts.length, 1);
    const vhost = rc.virtual_hosts[0];
    assert.deepEqual(vhost.domains, ['*']);
    assert.deepEqual(vhost.routes.map((r: Loose) => r.match), [
      { path: '/productpage' }, { prefix: '/static' }, { path: '/login' }, { path: '/logout' }, { prefix: '/api/v1/products' },
    ]);
    for (const r of vhost.routes) assert.equal(r.route.cluster, 'outbound|9080||productpage.default.svc.cluster.local');
    assert.equal(result.clusters.has('outbound|9080||productpage.default.svc.cluster.local'), true);
    assert.equal(result.endpoints.has('outbound|9080||productpage.default.svc.cluster.local'), true);
  });

  it('builds virtual hosts from Gateway hosts ∩ VirtualService hosts, merging VirtualServices with catch-alls last', () => {
    const { result, warnings } = gateway(`
kind: Gateway
metadata: { name: gw }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: ['*.example.com', 'shop/bookinfo.com']
    tls: { httpsRedirect: true }
---
kind: VirtualService
metadata: { name: catchall }
spec:
  hosts: [a.example.com, other.org]
  gateways: [gw]
  http: [{ route: [{ destination: { host: details } }] }]
---
kind: VirtualService
metadata: { name: specific }
spec:
  hosts: ['*', a.example.com]
  gateways: [default/gw]
  http: [{ match: [{ uri: { prefix: /reviews } }], route: [{ destination: { host: reviews } }] }]
---
kind: VirtualService
metadata: { name: unrelated }
spec:
  hosts: [nowhere.net]
  gateways: [gw]
  http: [{ route: [{ destination: { host: ratings } }] }]`);
    const rc = get(result.routes, 'http.80');
    assert.deepEqual(rc.virtual_hosts.map((v: Loose) => [v.name, v.domains]), [
      ['*.example.com:80', ['*.example.com']],
      ['a.example.com:80', ['a.example.com', 'a.example.com:*']],
    ]);
    assert.deepEqual(rc.virtual_hosts[0].routes.map((r: Loose) => r.route.cluster), ['outbound|9080||reviews.default.svc.cluster.local']);
    const merged = rc.virtual_hosts[1];
    assert.deepEqual(merged.routes.map((r: Loose) => r.route.cluster), [
      'outbound|9080||reviews.default.svc.cluster.local', 'outbound|9080||details.default.svc.cluster.local',
    ]);
    assert.equal(merged.require_tls, 'ALL');
    assert.ok(warnings.some((w) => w.startsWith('VirtualService/default/unrelated: no host matches a server host of gateway default/gw')));
  });

  it('ignores Gateways whose selector does not match the proxy, and mesh-only VirtualServices', () => {
    const yaml = `
kind: Gateway
metadata: { name: gw }
spec:
  selector: { istio: egressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ['*'] }]
---
kind: Gateway
metadata: { name: mine }
spec:
  servers: [{ port: { number: 8080, name: http, protocol: HTTP }, hosts: ['*'] }]
---
kind: VirtualService
metadata: { name: mesh-only }
spec:
  hosts: ['*']
  http: [{ route: [{ destination: { host: details } }] }]`;
    const { result } = gateway(yaml);
    assert.deepEqual([...result.listeners.keys()], ['0.0.0.0_8080']); // no selector → istio: ingressgateway
    assert.deepEqual(get(result.routes, 'http.8080').virtual_hosts, []);
  });

  it('flags non-HTTP servers instead of serving them', () => {
    const { result, warnings } = gateway(`
kind: Gateway
metadata: { name: gw }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 3306, name: mysql, protocol: TCP }
    hosts: ['*']`);
    assert.equal(result.listeners.size, 0);
    assert.ok(warnings.some((w) => w.startsWith('Gateway/default/gw: servers[0]: protocol TCP is not supported')));
  });

  it('applies match-level gateways and sourceLabels of the gateway workload', () => {
    const { result } = gateway(`
kind: Gateway
metadata: { name: gw }
spec:
  servers: [{ port: { number: 8080, name: http, protocol: HTTP }, hosts: ['*'] }]
---
kind: VirtualService
metadata: { name: vs }
spec:
  hosts: ['*']
  gateways: [gw, mesh]
  http:
  - match: [{ gateways: [mesh] }]
    route: [{ destination: { host: ratings } }]
  - match: [{ sourceLabels: { istio: ingressgateway } }]
    route: [{ destination: { host: details } }]`);
    const routes = get(result.routes, 'http.8080').virtual_hosts[0].routes;
    assert.deepEqual(routes.map((r: Loose) => r.route.cluster), ['outbound|9080||details.default.svc.cluster.local']);
  });
});
