import assert from 'node:assert/strict';
import {
  clusterName, dialNames, gatewayRef, hostIntersection, hostMatches, isHttpProtocol, parseClusterName, resolveHost,
} from './names';
import { entryService, k8sService } from './test-support';

describe('translate/names', () => {
  it('builds and parses Istio cluster names', () => {
    assert.equal(clusterName(9080, 'v1', 'reviews.default.svc.cluster.local'), 'outbound|9080|v1|reviews.default.svc.cluster.local');
    assert.equal(clusterName(9080, undefined, 'reviews.default.svc.cluster.local'), 'outbound|9080||reviews.default.svc.cluster.local');
    assert.deepEqual(parseClusterName('outbound|9080||r.default.svc.cluster.local'), { port: 9080, subset: '', host: 'r.default.svc.cluster.local' });
    assert.equal(parseClusterName('inbound|9080||x'), undefined);
    assert.equal(parseClusterName('outbound|http||x'), undefined);
  });

  const resolveTable: [string, string, string][] = [
    ['reviews', 'default', 'reviews.default.svc.cluster.local'],
    ['reviews', 'shop', 'reviews.shop.svc.cluster.local'],
    ['reviews.default', 'shop', 'reviews.default'], // Istio expands dotless names only
    ['www.googleapis.com', 'default', 'www.googleapis.com'],
    ['*', 'default', '*'],
    ['*.example.com', 'default', '*.example.com'],
  ];
  for (const [host, ns, expected] of resolveTable) {
    it(`resolves "${host}" written in ${ns} to ${expected}`, () => assert.equal(resolveHost(host, ns), expected));
  }

  const matchTable: [string, string, boolean][] = [
    ['*', 'anything.at.all', true],
    ['a.b.com', 'a.b.com', true],
    ['*.b.com', 'a.b.com', true],
    ['*.b.com', 'x.a.b.com', true],
    ['*.b.com', 'b.com', false],
    ['*.b.com', 'ab.com', false],
    ['a.b.com', '*.b.com', false],
    ['*.com', '*.b.com', true],
    ['*.b.com', '*.com', false],
  ];
  for (const [pattern, host, expected] of matchTable) {
    it(`hostMatches(${pattern}, ${host}) = ${expected}`, () => assert.equal(hostMatches(pattern, host), expected));
  }

  it('intersects gateway and VirtualService hosts to the more specific one', () => {
    assert.equal(hostIntersection('*', 'bookinfo.com'), 'bookinfo.com');
    assert.equal(hostIntersection('*.example.com', 'dev.example.com'), 'dev.example.com');
    assert.equal(hostIntersection('dev.example.com', '*'), 'dev.example.com');
    assert.equal(hostIntersection('*.example.com', 'example.com'), undefined);
  });

  it('lists the names a client may dial: short forms only in the same namespace', () => {
    const reviews = k8sService('reviews', 'default', [{ port: 9080 }]);
    assert.deepEqual(dialNames(reviews, 9080, 'default', true), [
      'reviews', 'reviews:9080', 'reviews.default', 'reviews.default:9080', 'reviews.default.svc', 'reviews.default.svc:9080',
      'reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local:9080',
    ]);
    assert.deepEqual(dialNames(reviews, 9080, 'other', false), [
      'reviews.default:9080', 'reviews.default.svc:9080', 'reviews.default.svc.cluster.local:9080',
    ]);
    const google = entryService('www.googleapis.com', 'default', [{ name: 'http', port: 80, protocol: 'HTTP' }]);
    assert.deepEqual(dialNames(google, 80, 'default', true), ['www.googleapis.com', 'www.googleapis.com:80']);
  });

  it('normalises gateway references', () => {
    assert.equal(gatewayRef('mesh', 'default'), 'mesh');
    assert.equal(gatewayRef('bookinfo-gateway', 'default'), 'default/bookinfo-gateway');
    assert.equal(gatewayRef('istio-system/gw', 'default'), 'istio-system/gw');
    assert.equal(gatewayRef('gw.istio-system.svc.cluster.local', 'default'), 'istio-system/gw');
  });

  it('knows which protocols are HTTP', () => {
    for (const p of ['HTTP', 'http', 'HTTP2', 'GRPC', 'GRPC-WEB', '']) assert.equal(isHttpProtocol(p), true, p);
    for (const p of ['TCP', 'HTTPS', 'TLS', 'MONGO', 'REDIS']) assert.equal(isHttpProtocol(p), false, p);
  });
});
