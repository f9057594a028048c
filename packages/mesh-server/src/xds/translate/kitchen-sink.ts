// Test fixture: one config + registry that exercises every translated feature at once (all match
// kinds, every route action, every DestinationRule policy, DNS ServiceEntry, gRPC port, gateway).
// The wire and determinism tests translate it for each kind of client.

import type { Resource } from '../../config/resource';
import type { RegistrySnapshot } from '../../registry/types';
import { endpoint, entryService, fakeRegistry, k8sService, parseConfig } from './test-support';

/** Every feature in one YAML stream. */
export const KITCHEN_SINK_YAML = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  gateways: [mesh, edge]
  http:
  - name: everything
    match:
    - name: full
      uri: { regex: '/api/v[0-9]+/.*' }
      ignoreUriCase: true
      headers: { end-user: { exact: jason }, x-p: { prefix: pre }, x-r: { regex: 'a+' }, x-present: {} }
      withoutHeaders: { x-block: { exact: '1' }, x-absent: {} }
      method: { exact: GET }
      authority: { prefix: reviews }
      scheme: { exact: http }
      port: 9080
      sourceLabels: { app: productpage }
      statPrefix: full
    - queryParams: { debug: { exact: '1' } }
    - headers: { '@request.auth.claims.group': { exact: admin } }
    headers:
      request: { set: { x-set: s }, add: { x-add: a }, remove: [x-rm] }
      response: { set: { x-resp: r }, remove: [server] }
    rewrite: { uri: /v1/, authority: reviews.internal }
    timeout: 3s
    retries: { attempts: 3, perTryTimeout: 1s, retryOn: 'unavailable,cancelled,503', backoff: 100ms, retryRemoteLocalities: true }
    fault:
      delay: { fixedDelay: 1s, percentage: { value: 0.5 } }
      abort: { grpcStatus: UNAVAILABLE, percentage: { value: 0.1 } }
    mirror: { host: reviews, subset: v3 }
    mirrorPercentage: { value: 5 }
    mirrors: [{ destination: { host: ratings }, percentage: { value: 1 } }]
    corsPolicy: { allowOrigins: [{ exact: 'https://a.example' }], allowMethods: [GET], maxAge: 1h, allowCredentials: true }
    route:
    - destination: { host: reviews, subset: v1 }
      weight: 70
      headers: { request: { set: { x-v: '1' } } }
    - destination: { host: reviews, subset: v2, port: { number: 9080 } }
      weight: 30
  - match: [{ uri: { prefix: /regex } }]
    rewrite: { uriRegexRewrite: { match: '^/regex/(.*)$', rewrite: '/\\1' } }
    route: [{ destination: { host: ratings } }]
  - match: [{ uri: { exact: /moved } }]
    redirect: { uri: /new, authority: other, redirectCode: 308 }
  - match: [{ uri: { exact: /ping } }]
    directResponse: { status: 200, body: { string: pong } }
  - match: [{ uri: { prefix: /noretry } }]
    retries: { attempts: 0 }
    route: [{ destination: { host: reviews, subset: v3 } }]
  - route: [{ destination: { host: reviews, subset: v3 } }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: { simple: LEAST_REQUEST, warmupDurationSecs: 10s }
    connectionPool:
      tcp: { maxConnections: 100, connectTimeout: 2s, tcpKeepalive: { probes: 3, time: 60s, interval: 5s }, maxConnectionDuration: 1h, idleTimeout: 10m }
      http: { http1MaxPendingRequests: 10, http2MaxRequests: 100, maxRequestsPerConnection: 5, maxRetries: 3, idleTimeout: 1m }
    outlierDetection: { consecutive5xxErrors: 5, consecutiveGatewayErrors: 2, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50, minHealthPercent: 20, splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 3 }
    tls: { mode: ISTIO_MUTUAL }
  subsets:
  - { name: v1, labels: { version: v1 }, trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN } } }
  - { name: v2, labels: { version: v2 }, trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: user, ttl: 0s } } } } }
  - { name: v3, labels: { version: v3 }, trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: x-user, maglev: { tableSize: 1021 } } } } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ratings }
spec:
  host: ratings
  trafficPolicy:
    loadBalancer: { simple: RANDOM }
    portLevelSettings:
    - port: { number: 9090 }
      loadBalancer: { consistentHash: { useSourceIp: true } }
      connectionPool: { http: { h2UpgradePolicy: UPGRADE, maxConcurrentStreams: 10, useClientProtocol: false } }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: edge }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 8080, name: http, protocol: HTTP }
    hosts: ['*']
    tls: { httpsRedirect: false }
`;

/** The kitchen-sink config. */
export function kitchenSinkConfig(): Resource[] {
  return parseConfig(KITCHEN_SINK_YAML);
}

/** Registry for the kitchen sink: reviews (3 versions, 2 localities), ratings with an HTTP and a gRPC port, a DNS host. */
export function kitchenSinkRegistry(): RegistrySnapshot {
  return fakeRegistry(
    [
      k8sService('reviews', 'default', [{ name: 'http', port: 9080 }]),
      k8sService('ratings', 'default', [{ name: 'http', port: 9080 }, { name: 'grpc', port: 9090, protocol: 'GRPC' }]),
      entryService('api.example.com', 'default', [{ name: 'https', port: 443, protocol: 'HTTPS' }, { name: 'http', port: 80, protocol: 'HTTP' }],
        { resolution: 'DNS', source: 'ServiceEntry/default/api' }),
    ],
    [
      endpoint('reviews-v1', '10.1.0.1', { app: 'reviews', version: 'v1' }, { locality: 'eu/a', weight: 2 }),
      endpoint('reviews-v2', '10.1.0.2', { app: 'reviews', version: 'v2' }, { locality: 'eu/b', health: 'UNHEALTHY' }),
      endpoint('reviews-v3', '10.1.0.3', { app: 'reviews', version: 'v3' }, { locality: 'eu/b' }),
      endpoint('ratings-1', '10.1.0.4', { app: 'ratings' }, { ports: { http: 9080, grpc: 19090 } }),
      endpoint('ratings-2', 'fd00::4', { app: 'ratings' }, { ports: { http: 9080, grpc: 19090 }, locality: 'us' }),
    ],
  );
}
