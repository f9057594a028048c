// Tables for the registry's naming rules: service hostnames from short names, and Istio's port
// protocol selection from port name, appProtocol and transport.

import assert from 'node:assert/strict';
import { isServerError } from '../errors';
import { splitServiceHostname, toServiceFqdn } from './hostnames';
import { inferPortProtocol, parseProtocol } from './protocols';

describe('service hostnames', () => {
  const cases: [input: string, namespace: string, expected: string][] = [
    ['reviews', 'default', 'reviews.default.svc.cluster.local'],
    ['reviews', 'prod', 'reviews.prod.svc.cluster.local'],
    ['reviews.prod', 'default', 'reviews.prod.svc.cluster.local'],
    ['reviews.prod.svc', 'default', 'reviews.prod.svc.cluster.local'],
    ['reviews.prod.svc.cluster.local', 'default', 'reviews.prod.svc.cluster.local'],
    ['Reviews.Default.SVC.cluster.local.', 'x', 'reviews.default.svc.cluster.local'],
    ['www.googleapis.com', 'default', 'www.googleapis.com'],
  ];
  for (const [input, namespace, expected] of cases) {
    it(`${input} in ${namespace} → ${expected}`, () => assert.equal(toServiceFqdn(input, namespace), expected));
  }
  it('uses the configured domain', () => assert.equal(toServiceFqdn('a.b', 'x', 'mesh.test'), 'a.b.svc.mesh.test'));
  for (const bad of ['', '  ', 'a..b', '.']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => toServiceFqdn(bad, 'default'), (e: unknown) => isServerError(e, 'BAD_REQUEST')));
  }
  it('splits in-cluster hostnames only', () => {
    assert.deepEqual(splitServiceHostname('reviews.prod.svc.cluster.local'), { name: 'reviews', namespace: 'prod' });
    assert.equal(splitServiceHostname('www.googleapis.com'), undefined);
    assert.equal(splitServiceHostname('a.b.c.svc.cluster.local'), undefined);
  });
});

describe('port protocol selection (Istio rules)', () => {
  const cases: [hints: Parameters<typeof inferPortProtocol>[0], expected: string][] = [
    [{ name: 'http' }, 'HTTP'],
    [{ name: 'http-web' }, 'HTTP'],
    [{ name: 'HTTP2' }, 'HTTP2'],
    [{ name: 'grpc' }, 'GRPC'],
    [{ name: 'grpc-reviews' }, 'GRPC'],
    [{ name: 'grpc-web' }, 'GRPC-Web'],
    [{ name: 'grpc-web-api' }, 'GRPC-Web'],
    [{ name: 'https' }, 'HTTPS'],
    [{ name: 'tls-passthrough' }, 'TLS'],
    [{ name: 'tcp-db' }, 'TCP'],
    [{ name: 'mongo' }, 'Mongo'],
    [{ name: 'redis' }, 'Redis'],
    [{ name: 'mysql' }, 'MySQL'],
    [{ name: 'web' }, 'TCP'],
    [{ name: 'udp' }, 'TCP'],
    [{}, 'TCP'],
    [{ name: 'web', appProtocol: 'http' }, 'HTTP'],
    [{ name: 'http', appProtocol: 'grpc' }, 'GRPC'],
    [{ name: 'web', appProtocol: 'kubernetes.io/h2c' }, 'HTTP2'],
    [{ name: 'web', appProtocol: 'kubernetes.io/ws' }, 'HTTP'],
    [{ name: 'web', appProtocol: 'kubernetes.io/wss' }, 'HTTPS'],
    [{ name: 'http', transport: 'UDP' }, 'UDP'],
    [{ name: 'http', transport: 'TCP' }, 'HTTP'],
    [{ name: 'grpc', transport: 'SCTP' }, 'GRPC'],
  ];
  for (const [hints, expected] of cases) {
    it(`${JSON.stringify(hints)} → ${expected}`, () => assert.equal(inferPortProtocol(hints), expected));
  }
  it('parses explicit protocols case-insensitively', () => {
    assert.deepEqual(['HTTP', 'http2', 'Grpc', 'TLS', 'bogus'].map(parseProtocol), ['HTTP', 'HTTP2', 'GRPC', 'TLS', undefined]);
  });
});
