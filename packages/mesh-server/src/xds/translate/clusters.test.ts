import assert from 'node:assert/strict';
import type { ProxyInfo } from '../contracts';
import { translate } from './index';
import { readInboardMetadata } from './struct';
import {
  bookinfoRegistry, entryService, fakeRegistry, get, grpcClient, k8sService, parseConfig, sample, sidecar, warningLines,
} from './test-support';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOST = 'httpbin.default.svc.cluster.local';
const httpbin = fakeRegistry([k8sService('httpbin', 'default', [{ name: 'http', port: 8000 }, { name: 'grpc', port: 9000, protocol: 'GRPC' }])]);

function clusters(yaml: string, registry = httpbin, proxy: ProxyInfo = sidecar()) {
  const result = translate({ config: parseConfig(yaml), registry }, proxy);
  return { result, cluster: (name: string): Loose => get(result.clusters, name), warnings: warningLines(result) };
}

const dr = (trafficPolicy: string, extra = '') => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: httpbin }
spec:
  host: httpbin
  trafficPolicy: ${trafficPolicy}
${extra}`;

const WRR_RR = {
  typed_extension_config: {
    name: 'envoy.load_balancing_policies.wrr_locality',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality',
      endpoint_picking_policy: { policies: [{ typed_extension_config: {
        name: 'envoy.load_balancing_policies.round_robin',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin' },
      } }] },
    },
  },
};
const MAX = { value: 4294967295 };

describe('translate/clusters', () => {
  it('builds Istio default clusters: EDS over ADS, 10 s connect timeout, LEAST_REQUEST, unlimited circuit breakers', () => {
    const { cluster } = clusters('');
    const c = cluster(`outbound|8000||${HOST}`);
    assert.deepEqual(c, {
      name: `outbound|8000||${HOST}`,
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: `outbound|8000||${HOST}` },
      connect_timeout: { seconds: 10, nanos: 0 },
      lb_policy: 'LEAST_REQUEST',
      load_balancing_policy: { policies: [{ typed_extension_config: {
        name: 'envoy.load_balancing_policies.least_request',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest' },
      } }, WRR_RR] },
      circuit_breakers: { thresholds: [{ priority: 'DEFAULT', max_connections: MAX, max_pending_requests: MAX, max_requests: MAX, max_retries: MAX, track_remaining: true }] },
      transport_socket_matches: c.transport_socket_matches, // auto mTLS: see upstream-tls.test.ts
      metadata: c.metadata,
    });
    assert.equal(c.transport_socket_matches.length, 2);
    assert.deepEqual(readInboardMetadata(c), { service: HOST, namespace: 'default', port: 8000, protocol: 'HTTP', location: 'MESH_INTERNAL' });
  });

  it('speaks HTTP/2 upstream on gRPC ports', () => {
    const { cluster } = clusters('');
    assert.deepEqual(cluster(`outbound|9000||${HOST}`).typed_extension_protocol_options, {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    });
  });

  const lbTable: [string, string, Loose][] = [
    ['ROUND_ROBIN', '{ loadBalancer: { simple: ROUND_ROBIN } }', { lb_policy: 'ROUND_ROBIN' }],
    ['RANDOM (with a round-robin fallback for grpc-js-xds)', '{ loadBalancer: { simple: RANDOM } }', {
      lb_policy: 'RANDOM',
      load_balancing_policy: { policies: [{ typed_extension_config: {
        name: 'envoy.load_balancing_policies.random',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.random.v3.Random' },
      } }, WRR_RR] },
    }],
    ['LEAST_CONN → LEAST_REQUEST', '{ loadBalancer: { simple: LEAST_CONN } }', { lb_policy: 'LEAST_REQUEST' }],
    ['consistentHash with ringHash', '{ loadBalancer: { consistentHash: { httpHeaderName: x-user, ringHash: { minimumRingSize: 4096 } } } }',
      { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: 4096 }, hash_function: 'XX_HASH' } }],
    ['consistentHash default ring size (deprecated minimumRingSize honoured)', '{ loadBalancer: { consistentHash: { useSourceIp: true, minimumRingSize: 2048 } } }',
      { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: 2048 }, hash_function: 'XX_HASH' } }],
    ['warmup → slow start', '{ loadBalancer: { simple: ROUND_ROBIN, warmupDurationSecs: 30s } }',
      { lb_policy: 'ROUND_ROBIN', round_robin_lb_config: { slow_start_config: { slow_start_window: { seconds: 30, nanos: 0 } } } }],
  ];
  for (const [name, policy, expected] of lbTable) {
    it(`load balancer: ${name}`, () => {
      const c = clusters(dr(policy)).cluster(`outbound|8000||${HOST}`);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(c[key], value, key);
      if (expected.lb_policy !== 'LEAST_REQUEST' && !expected.load_balancing_policy) assert.equal(c.load_balancing_policy, undefined);
    });
  }

  it('load balancer: maglev keeps a ring-hash fallback; PASSTHROUGH is flagged', () => {
    const maglev = clusters(dr('{ loadBalancer: { consistentHash: { httpHeaderName: x, maglev: { tableSize: 65537 } } } }')).cluster(`outbound|8000||${HOST}`);
    assert.equal(maglev.lb_policy, 'MAGLEV');
    assert.deepEqual(maglev.maglev_lb_config, { table_size: { value: 65537 } });
    assert.deepEqual(maglev.load_balancing_policy.policies.map((p: Loose) => p.typed_extension_config.name), [
      'envoy.load_balancing_policies.maglev', 'envoy.load_balancing_policies.ring_hash',
    ]);
    const pass = clusters(dr('{ loadBalancer: { simple: PASSTHROUGH } }'));
    assert.equal(pass.cluster(`outbound|8000||${HOST}`).lb_policy, 'LEAST_REQUEST');
    assert.ok(pass.warnings.some((w) => w.startsWith('DestinationRule/default/httpbin: loadBalancer.simple PASSTHROUGH')));
  });

  it('maps the circuit-breaking task DestinationRule (connection pool + outlier detection)', () => {
    const result = translate({ config: sample('tasks/circuit-breaking/destination-rule-httpbin.yaml'), registry: httpbin }, sidecar());
    const c = get(result.clusters, `outbound|8000||${HOST}`);
    assert.deepEqual(c.circuit_breakers.thresholds[0], {
      priority: 'DEFAULT', max_connections: { value: 1 }, max_pending_requests: { value: 1 }, max_requests: MAX, max_retries: MAX, track_remaining: true,
    });
    assert.deepEqual(c.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'], {
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      common_http_protocol_options: { max_requests_per_connection: { value: 1 } },
      explicit_http_config: { http_protocol_options: {} },
    });
    assert.deepEqual(c.outlier_detection, {
      enforcing_success_rate: { value: 0 },
      consecutive_5xx: { value: 1 },
      enforcing_consecutive_5xx: { value: 100 },
      interval: { seconds: 1, nanos: 0 },
      base_ejection_time: { seconds: 180, nanos: 0 },
      max_ejection_percent: { value: 100 },
    });
    assert.deepEqual(c.common_lb_config, { healthy_panic_threshold: { value: 0 } });
  });

  it('maps the rest of the connection pool: timeouts, keepalive, retries, requests, streams, client protocol', () => {
    const c = clusters(dr(`
    connectionPool:
      tcp: { connectTimeout: 250ms, maxConnectionDuration: 1h, idleTimeout: 5m, tcpKeepalive: { probes: 3, time: 60s, interval: 10s } }
      http: { http2MaxRequests: 50, maxRetries: 4, idleTimeout: 30s, useClientProtocol: true, maxConcurrentStreams: 8 }`)).cluster(`outbound|9000||${HOST}`);
    assert.deepEqual(c.connect_timeout, { seconds: 0, nanos: 250_000_000 });
    assert.deepEqual(c.upstream_connection_options, {
      tcp_keepalive: { keepalive_probes: { value: 3 }, keepalive_time: { value: 60 }, keepalive_interval: { value: 10 } },
    });
    assert.deepEqual(c.circuit_breakers.thresholds[0].max_requests, { value: 50 });
    assert.deepEqual(c.circuit_breakers.thresholds[0].max_retries, { value: 4 });
    assert.deepEqual(c.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'], {
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      common_http_protocol_options: { idle_timeout: { seconds: 30, nanos: 0 }, max_connection_duration: { seconds: 3600, nanos: 0 } },
      use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: { max_concurrent_streams: { value: 8 } } },
    });
  });

  const outlierTable: [string, string, Loose][] = [
    ['only gateway errors: consecutive_5xx keeps Envoy\'s default', '{ consecutiveGatewayErrors: 3 }',
      { enforcing_success_rate: { value: 0 }, consecutive_gateway_failure: { value: 3 }, enforcing_consecutive_gateway_failure: { value: 100 } }],
    ['consecutive5xxErrors 0 disables 5xx ejection', '{ consecutive5xxErrors: 0, consecutiveGatewayErrors: 2 }', {
      enforcing_success_rate: { value: 0 }, consecutive_5xx: { value: 0 }, enforcing_consecutive_5xx: { value: 0 },
      consecutive_gateway_failure: { value: 2 }, enforcing_consecutive_gateway_failure: { value: 100 },
    }],
    ['deprecated consecutiveErrors = gateway errors only (istio/api#617)', '{ consecutiveErrors: 7 }', {
      enforcing_success_rate: { value: 0 }, consecutive_gateway_failure: { value: 7 }, enforcing_consecutive_gateway_failure: { value: 100 },
      enforcing_consecutive_5xx: { value: 0 },
    }],
    ['local-origin failures', '{ splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 4 }', {
      enforcing_success_rate: { value: 0 }, split_external_local_origin_errors: true, consecutive_local_origin_failure: { value: 4 },
      enforcing_consecutive_local_origin_failure: { value: 100 }, enforcing_local_origin_success_rate: { value: 0 },
    }],
  ];
  for (const [name, od, expected] of outlierTable) {
    it(`outlier detection: ${name}`, () => {
      const c = clusters(dr(`{ outlierDetection: ${od} }`)).cluster(`outbound|8000||${HOST}`);
      assert.deepEqual(c.outlier_detection, expected);
    });
  }

  it('outlier detection: minHealthPercent becomes the panic threshold', () => {
    const c = clusters(dr('{ outlierDetection: { consecutive5xxErrors: 5, minHealthPercent: 40 } }')).cluster(`outbound|8000||${HOST}`);
    assert.deepEqual(c.common_lb_config, { healthy_panic_threshold: { value: 40 } });
  });

  it('subset policy replaces whole top-level fields of the rule policy; default routing keeps the rule policy', () => {
    const { cluster } = clusters(dr(`
    connectionPool: { tcp: { maxConnections: 10, connectTimeout: 1s } }
    loadBalancer: { simple: ROUND_ROBIN }`, `
  subsets:
  - name: v1
    labels: { version: v1 }
    trafficPolicy:
      connectionPool: { http: { http2MaxRequests: 5 } }
      outlierDetection: { consecutive5xxErrors: 2 }`));
    const subset = cluster(`outbound|8000|v1|${HOST}`);
    assert.deepEqual(subset.circuit_breakers.thresholds[0].max_connections, MAX); // subset pool replaced the rule's pool
    assert.deepEqual(subset.circuit_breakers.thresholds[0].max_requests, { value: 5 });
    assert.deepEqual(subset.connect_timeout, { seconds: 10, nanos: 0 });
    assert.equal(subset.lb_policy, 'ROUND_ROBIN'); // inherited
    assert.deepEqual(subset.outlier_detection.consecutive_5xx, { value: 2 });
    assert.deepEqual(readInboardMetadata(subset).subset_labels, { version: 'v1' });
    const plain = cluster(`outbound|8000||${HOST}`);
    assert.deepEqual(plain.circuit_breakers.thresholds[0].max_connections, { value: 10 });
    assert.equal(plain.outlier_detection, undefined);
  });

  it('port-level settings replace the rule policy for their port without inheriting (egress sample)', () => {
    const google = entryService('www.googleapis.com', 'default', [
      { name: 'http', port: 80, protocol: 'HTTP' }, { name: 'https', port: 443, protocol: 'HTTPS' },
    ], { resolution: 'DNS', source: 'ServiceEntry/default/googleapis' });
    const { result, warnings } = (() => {
      const r = translate({ config: sample('bookinfo/networking/egress-rule-google-apis.yaml'), registry: fakeRegistry([google]) }, sidecar());
      return { result: r, warnings: warningLines(r) };
    })();
    assert.equal(get(result.clusters, 'outbound|80||www.googleapis.com').lb_policy, 'ROUND_ROBIN');
    const tls = get(result.clusters, 'outbound|443||www.googleapis.com');
    assert.equal(tls.lb_policy, 'LEAST_REQUEST');
    assert.equal(readInboardMetadata(tls).tls_mode, 'SIMPLE');
    assert.equal(tls.transport_socket.typed_config.sni, 'www.googleapis.com');
    assert.deepEqual(warnings, []);
  });

  it('serves DNS-resolved ServiceEntries as STRICT_DNS (LOGICAL_DNS for gRPC clients) with an inline load assignment', () => {
    const google = entryService('www.googleapis.com', 'default', [{ name: 'http', port: 80, protocol: 'HTTP' }], { source: 'ServiceEntry/default/googleapis' });
    const envoyStyle = translate({ config: [], registry: fakeRegistry([google]) }, sidecar());
    const c = get(envoyStyle.clusters, 'outbound|80||www.googleapis.com');
    assert.equal(c.type, 'STRICT_DNS');
    assert.equal(c.eds_cluster_config, undefined);
    assert.deepEqual(c.load_assignment, {
      cluster_name: 'outbound|80||www.googleapis.com',
      endpoints: [{
        locality: {},
        lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'www.googleapis.com', port_value: 80 } } }, health_status: 'HEALTHY', load_balancing_weight: { value: 1 } }],
        load_balancing_weight: { value: 1 },
      }],
    });
    assert.equal(envoyStyle.endpoints.has('outbound|80||www.googleapis.com'), false);
    const grpc = translate({ config: [], registry: fakeRegistry([google]) }, grpcClient());
    assert.equal(get(grpc.clusters, 'outbound|80||www.googleapis.com').type, 'LOGICAL_DNS');
    assert.ok(warningLines(grpc).some((w) => w.includes('served as LOGICAL_DNS to proxyless gRPC clients')));
  });

  it('records the tls mode as metadata beside the transport socket (destination-rule-all-mtls)', () => {
    const result = translate({ config: sample('bookinfo/networking/destination-rule-all-mtls.yaml'), registry: bookinfoRegistry() }, sidecar());
    const c = get(result.clusters, 'outbound|9080|v2|reviews.default.svc.cluster.local');
    assert.equal(readInboardMetadata(c).tls_mode, 'ISTIO_MUTUAL');
    assert.equal(c.transport_socket.typed_config.sni, 'outbound_.9080_.v2_.reviews.default.svc.cluster.local');
    assert.deepEqual(warningLines(result).filter((w) => w.includes('tls')), []);
  });

  it('flags policy fields it cannot apply', () => {
    const { warnings } = clusters(dr(`
    loadBalancer: { simple: ROUND_ROBIN, localityLbSetting: { enabled: true, failover: [{ from: a, to: b }] } }
    tunnel: { protocol: CONNECT, targetHost: x, targetPort: 1 }
    proxyProtocol: { version: V1 }`));
    for (const text of ['localityLbSetting', 'tunnel is not supported', 'proxyProtocol is not supported']) {
      assert.ok(warnings.some((w) => w.includes(text)), text);
    }
  });
});
