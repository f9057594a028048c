// routeSource: where a route came from, from the metadata Envoy resources carry — Inboard's control
// plane form (`source` + `http_route`), the explicit form, and Istio's config path.

import assert from 'node:assert/strict';
import { routeSource } from './compile-route-policies';

describe('routeSource', () => {
  it('reads the control plane form { source: "VirtualService/ns/name", http_route }', () => {
    assert.deepEqual(routeSource({ inboard: { source: 'VirtualService/default/reviews', http_route: 2, match: 0 } }), { virtualService: 'default/reviews', routeIndex: 2 });
  });

  it('reads { virtual_service, route_index } and ignores a default route source', () => {
    assert.deepEqual(routeSource({ inboard: { virtual_service: 'ns/vs', route_index: 0 } }), { virtualService: 'ns/vs', routeIndex: 0 });
    assert.equal(routeSource({ inboard: { source: 'default', service: 'reviews.default.svc.cluster.local', port: 9080 } }), undefined);
  });

  it("reads Istio's config path", () => {
    assert.deepEqual(routeSource({ istio: { config: '/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews' } }),
      { virtualService: 'default/reviews', config: '/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews' });
  });
});
