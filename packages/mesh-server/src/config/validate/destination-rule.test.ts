// DestinationRule validation table: traffic policy, subsets, load balancer, pool, outlier, TLS.

import { type Case, runTable } from './table.test-util';

const dr = (extra: Record<string, unknown> = {}) => ({ host: 'reviews', ...extra });
const tp = (trafficPolicy: unknown) => dr({ trafficPolicy });

const valid: Case[] = [
  { name: 'a host alone', spec: dr(), errors: [], warnings: [] },
  { name: 'subsets with labels', spec: dr({ subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2-mysql', labels: { version: 'v2-mysql' } }] }), errors: [], warnings: [] },
  {
    name: 'a full traffic policy',
    spec: tp({
      loadBalancer: { simple: 'LEAST_REQUEST' },
      connectionPool: { tcp: { maxConnections: 1, connectTimeout: '30ms' }, http: { http1MaxPendingRequests: 1, http2MaxRequests: 10, maxRequestsPerConnection: 1, maxRetries: 3, idleTimeout: '1h' } },
      outlierDetection: { consecutive5xxErrors: 1, consecutiveGatewayErrors: 2, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100, minHealthPercent: 0 },
      tls: { mode: 'ISTIO_MUTUAL' },
    }),
    errors: [],
    warnings: [],
  },
  { name: 'consistent hash on a header with a ring', spec: tp({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 1024 } } } }), errors: [] },
  { name: 'consistent hash on a cookie', spec: tp({ loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '0s', path: '/' } } } }), errors: [] },
  { name: 'port-level settings', spec: tp({ loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }, { port: { number: 80 }, loadBalancer: { simple: 'RANDOM' } }] }), errors: [] },
  { name: 'a subset-level policy', spec: dr({ subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }] }), errors: [] },
  { name: 'a wildcard host', spec: { host: '*.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'api.example.com' } } }, errors: [] },
  { name: 'a TCP idle timeout of 0s (disabled)', spec: tp({ connectionPool: { tcp: { idleTimeout: '0s' } } }), errors: [] },
  { name: 'MUTUAL TLS with certificate files (not enforced)', spec: tp({ tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem' } }), errors: [], warnings: [['spec.trafficPolicy.tls.clientCertificate', 'accepted but not enforced'], ['spec.trafficPolicy.tls.privateKey', 'accepted but not enforced']] },
  { name: 'the deprecated LEAST_CONN', spec: tp({ loadBalancer: { simple: 'LEAST_CONN' } }), errors: [], warnings: [['spec.trafficPolicy.loadBalancer.simple', 'deprecated: LEAST_CONN is an alias of LEAST_REQUEST']] },
  { name: 'the deprecated consecutiveErrors', spec: tp({ outlierDetection: { consecutiveErrors: 5 } }), errors: [], warnings: [['spec.trafficPolicy.outlierDetection.consecutiveErrors', 'deprecated']] },
];

const invalid: Case[] = [
  { name: 'no host', spec: {}, errors: [['spec.host', 'is required']] },
  { name: 'host "*"', spec: { host: '*' }, errors: [['spec.host', '"*" is not allowed here']] },
  { name: 'a host with a bad label', spec: { host: 'reviews_v1.default' }, errors: [['spec.host', 'is invalid (label "reviews_v1"']] },
  { name: 'duplicate subset names', spec: dr({ subsets: [{ name: 'v1' }, { name: 'v1' }] }), errors: [['spec.subsets[1].name', 'duplicate subset name "v1"']] },
  { name: 'a subset without name', spec: dr({ subsets: [{ labels: { version: 'v1' } }] }), errors: [['spec.subsets[0].name', 'is required']] },
  { name: 'a subset name with an underscore', spec: dr({ subsets: [{ name: 'v_1' }] }), errors: [['spec.subsets[0].name', 'DNS-1123']] },
  { name: 'an invalid subset label key', spec: dr({ subsets: [{ name: 'v1', labels: { '-version': 'v1' } }] }), errors: [['spec.subsets[0].labels[-version]', 'label key "-version" is invalid']] },
  { name: 'an empty traffic policy', spec: tp({}), errors: [['spec.trafficPolicy', 'must set at least one field']] },
  { name: 'simple and consistentHash together', spec: tp({ loadBalancer: { simple: 'RANDOM', consistentHash: { useSourceIp: true } } }), errors: [['spec.trafficPolicy.loadBalancer', 'only one of simple, consistentHash, backendUtilization']] },
  { name: 'an unknown load balancer', spec: tp({ loadBalancer: { simple: 'FASTEST' } }), errors: [['spec.trafficPolicy.loadBalancer.simple', '"FASTEST" is not one of UNSPECIFIED']] },
  { name: 'consistent hash without a key', spec: tp({ loadBalancer: { consistentHash: { ringHash: { minimumRingSize: 10 } } } }), errors: [['spec.trafficPolicy.loadBalancer.consistentHash', 'needs exactly one hash key']] },
  { name: 'consistent hash with two keys', spec: tp({ loadBalancer: { consistentHash: { httpHeaderName: 'x', useSourceIp: true } } }), errors: [['spec.trafficPolicy.loadBalancer.consistentHash', 'found httpHeaderName and useSourceIp']] },
  { name: 'useSourceIp: false as the only key', spec: tp({ loadBalancer: { consistentHash: { useSourceIp: false } } }), errors: [['spec.trafficPolicy.loadBalancer.consistentHash.useSourceIp', 'selects no hash key']] },
  { name: 'a cookie without name', spec: tp({ loadBalancer: { consistentHash: { httpCookie: { ttl: '1h' } } } }), errors: [['spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name', 'is required']] },
  { name: 'ringHash and the deprecated minimumRingSize', spec: tp({ loadBalancer: { consistentHash: { httpHeaderName: 'x', ringHash: {}, minimumRingSize: 5 } } }), errors: [['spec.trafficPolicy.loadBalancer.consistentHash', 'only one of ringHash, maglev, minimumRingSize']] },
  { name: 'a maglev table size that is not prime', spec: tp({ loadBalancer: { consistentHash: { httpHeaderName: 'x', maglev: { tableSize: 100 } } } }), errors: [['spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize', 'must be a prime number']] },
  { name: 'an empty connection pool', spec: tp({ connectionPool: {} }), errors: [['spec.trafficPolicy.connectionPool', 'must set tcp, http or both']] },
  { name: 'negative maxConnections', spec: tp({ connectionPool: { tcp: { maxConnections: -1 } } }), errors: [['spec.trafficPolicy.connectionPool.tcp.maxConnections', '-1 must not be negative']] },
  { name: 'a pending-request limit written as a string', spec: tp({ connectionPool: { http: { http1MaxPendingRequests: '10' } } }), errors: [['spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests', 'must be an integer, got string "10"']] },
  { name: 'a zero connect timeout', spec: tp({ connectionPool: { tcp: { connectTimeout: '0s' } } }), errors: [['spec.trafficPolicy.connectionPool.tcp.connectTimeout', 'must be at least 1ms']] },
  { name: 'maxEjectionPercent above 100', spec: tp({ outlierDetection: { maxEjectionPercent: 150 } }), errors: [['spec.trafficPolicy.outlierDetection.maxEjectionPercent', '150 must be at most 100']] },
  { name: 'local-origin failures without splitting', spec: tp({ outlierDetection: { consecutiveLocalOriginFailures: 3 } }), errors: [['spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures', 'splitExternalLocalOriginErrors']] },
  { name: 'negative consecutive5xxErrors', spec: tp({ outlierDetection: { consecutive5xxErrors: -1 } }), errors: [['spec.trafficPolicy.outlierDetection.consecutive5xxErrors', 'must not be negative']] },
  { name: 'an interval without unit', spec: tp({ outlierDetection: { interval: '1' } }), errors: [['spec.trafficPolicy.outlierDetection.interval', 'a unit is missing']] },
  { name: 'MUTUAL TLS without certificates', spec: tp({ tls: { mode: 'MUTUAL' } }), errors: [['spec.trafficPolicy.tls.clientCertificate', 'is required for MUTUAL TLS'], ['spec.trafficPolicy.tls.privateKey', 'is required for MUTUAL TLS']] },
  { name: 'an unknown TLS mode', spec: tp({ tls: { mode: 'STRICT' } }), errors: [['spec.trafficPolicy.tls.mode', '"STRICT" is not one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL']] },
  { name: 'insecureSkipVerify with subjectAltNames', spec: tp({ tls: { mode: 'SIMPLE', insecureSkipVerify: true, subjectAltNames: ['a'] } }), errors: [['spec.trafficPolicy.tls', 'insecureSkipVerify cannot be combined']] },
  { name: 'a port-level policy without port', spec: tp({ portLevelSettings: [{ loadBalancer: { simple: 'RANDOM' } }] }), errors: [['spec.trafficPolicy.portLevelSettings[0].port', 'is required']] },
  { name: 'a port-level policy with only a port', spec: tp({ portLevelSettings: [{ port: { number: 80 } }] }), errors: [['spec.trafficPolicy.portLevelSettings[0]', 'must set at least one of loadBalancer']] },
  { name: 'two policies for one port', spec: tp({ portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }, { port: { number: 80 }, tls: { mode: 'SIMPLE' } }] }), errors: [['spec.trafficPolicy.portLevelSettings[1]', 'port 80 has more than one port-level policy']] },
  { name: 'upgrade to h2 with useClientProtocol', spec: tp({ connectionPool: { http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } } }), errors: [['spec.trafficPolicy.connectionPool.http', 'useClientProtocol must not be true']] },
  { name: 'locality weights that do not add up to 100', spec: tp({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-east/*', to: { 'us-east/*': 60, 'us-west/*': 30 } }] } } }), errors: [['spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to', 'add up to 90']] },
  { name: 'failover to the same region', spec: tp({ loadBalancer: { localityLbSetting: { failover: [{ from: 'us-east', to: 'us-east' }] } }, outlierDetection: { consecutive5xxErrors: 1 } }), errors: [['spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]', 'different regions']] },
  { name: 'tunnel and proxyProtocol together', spec: tp({ tunnel: { targetHost: 'proxy.example.com', targetPort: 8443 }, proxyProtocol: { version: 'V1' } }), errors: [['spec.trafficPolicy', 'only one of tunnel, proxyProtocol']] },
  { name: 'a workload-selected rule exported elsewhere', spec: dr({ workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['other'] }), errors: [['spec.exportTo', 'cannot be exported beyond its own namespace']] },
  { name: 'an unknown trafficPolicy field', spec: tp({ loadBalancing: { simple: 'RANDOM' } }), errors: [['spec.trafficPolicy.loadBalancing', 'unknown field "loadBalancing"; allowed fields: loadBalancer, connectionPool']] },
];

describe('DestinationRule validation', () => {
  describe('valid specs', () => runTable('DestinationRule', 'networking.istio.io/v1beta1', valid));
  describe('invalid specs', () => runTable('DestinationRule', 'networking.istio.io/v1beta1', invalid));
});
