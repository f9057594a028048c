// Tests of the resource codec: round trips of realistic resources, strict rejection of bad
// fields with the field path named, determinism of the bytes, and nested Any decoding.

import assert from 'node:assert/strict';
import { CLUSTER, ENDPOINTS, LISTENER, ROUTE } from '../test/fixtures';
import { checkResource, decodeResource, encodeResource } from './codec';
import { isXdsError } from './errors';
import { EXTENSION_TYPE_URL, TYPE_URL } from './type-urls';

describe('codec', () => {
  const cases: [string, string, object][] = [
    ['Listener', TYPE_URL.LISTENER, LISTENER],
    ['RouteConfiguration', TYPE_URL.ROUTE, ROUTE],
    ['Cluster', TYPE_URL.CLUSTER, CLUSTER],
    ['ClusterLoadAssignment', TYPE_URL.ENDPOINT, ENDPOINTS],
  ];

  for (const [label, typeUrl, object] of cases) {
    it(`round-trips a ${label} to equal plain objects`, () => {
      const any = encodeResource(typeUrl, object);
      assert.equal(any.type_url, typeUrl);
      assert.ok(any.value.length > 0);
      assert.deepEqual(decodeResource(any), object);
    });
  }

  it('decodes nested Any values into { "@type", ...fields }', () => {
    const decoded = decodeResource(encodeResource(TYPE_URL.LISTENER, LISTENER)) as typeof LISTENER;
    const hcm = decoded.api_listener.api_listener;
    assert.equal(hcm['@type'], EXTENSION_TYPE_URL.HTTP_CONNECTION_MANAGER);
    assert.equal(hcm.rds.route_config_name, 'reviews.default.svc.cluster.local:9080');
    assert.equal(hcm.http_filters[1]!.typed_config['@type'], EXTENSION_TYPE_URL.ROUTER);
  });

  it('encodes equal input to equal bytes whatever the key order (fields and maps)', () => {
    const reordered = {
      metadata: { filter_metadata: { zz: { fields: {} }, istio: CLUSTER.metadata.filter_metadata.istio } },
      outlier_detection: CLUSTER.outlier_detection,
      circuit_breakers: CLUSTER.circuit_breakers,
      ring_hash_lb_config: CLUSTER.ring_hash_lb_config,
      lb_policy: CLUSTER.lb_policy,
      connect_timeout: CLUSTER.connect_timeout,
      eds_cluster_config: CLUSTER.eds_cluster_config,
      type: CLUSTER.type,
      name: CLUSTER.name,
    };
    const withZz = { ...CLUSTER, metadata: { filter_metadata: { istio: CLUSTER.metadata.filter_metadata.istio, zz: { fields: {} } } } };
    assert.ok(encodeResource(TYPE_URL.CLUSTER, withZz).value.equals(encodeResource(TYPE_URL.CLUSTER, reordered).value));
    assert.ok(!encodeResource(TYPE_URL.CLUSTER, CLUSTER).value.equals(encodeResource(TYPE_URL.CLUSTER, withZz).value));
  });

  it('rejects a misspelt field, naming its path', () => {
    const bad = { ...CLUSTER, eds_cluster_config: { eds_confg: { ads: {} } } };
    assert.throws(() => encodeResource(TYPE_URL.CLUSTER, bad), (e: unknown) => {
      assert.ok(isXdsError(e, 'INVALID_RESOURCE'));
      assert.equal(e.details['path'], 'eds_cluster_config.eds_confg');
      assert.match(e.message, /eds_cluster_config\.eds_confg: unknown field/);
      assert.match(e.message, /Cluster "outbound\|9080\|v1\|reviews/);
      return true;
    });
  });

  it('rejects a misspelt field inside a nested Any', () => {
    const hcm = { ...LISTENER.api_listener.api_listener, http_filter: [] };
    const bad = { name: 'x', api_listener: { api_listener: hcm } };
    assert.throws(() => encodeResource(TYPE_URL.LISTENER, bad), /api_listener\.api_listener<HttpConnectionManager>\.http_filter: unknown field/);
  });

  it('rejects an unknown enum name, listing the valid ones', () => {
    assert.throws(() => encodeResource(TYPE_URL.CLUSTER, { ...CLUSTER, lb_policy: 'ROUND_ROBIN_PLEASE' }), /lb_policy: invalid LbPolicy value "ROUND_ROBIN_PLEASE" \(expected one of ROUND_ROBIN, LEAST_REQUEST/);
  });

  it('rejects mistyped values, two set members of one oneof and unknown Any types', () => {
    const problems = checkResource(TYPE_URL.ENDPOINT, {
      cluster_name: 7,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: -1 } } } }] }],
    });
    assert.deepEqual(problems.map((p) => p.path), ['cluster_name', 'endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value']);
    assert.throws(
      () => encodeResource(TYPE_URL.ROUTE, { name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/', path: '/x' }, route: { cluster: 'c' } }] }] }),
      /virtual_hosts\[0\]\.routes\[0\]\.match\.path_specifier: oneof "path_specifier" has more than one field set: prefix, path/,
    );
    assert.throws(() => encodeResource(TYPE_URL.LISTENER, { name: 'x', api_listener: { api_listener: { '@type': 'type.googleapis.com/no.such.Type' } } }), /api_listener\.api_listener\.@type: unknown type "type\.googleapis\.com\/no\.such\.Type"/);
  });

  it('accepts 64-bit integers as strings or numbers and drops null/undefined members', () => {
    const a = encodeResource(TYPE_URL.CLUSTER, { name: 'c', connect_timeout: { seconds: 5 }, lb_policy: undefined, type: null });
    const b = encodeResource(TYPE_URL.CLUSTER, { name: 'c', connect_timeout: { seconds: '5' } });
    assert.ok(a.value.equals(b.value));
    assert.throws(() => encodeResource(TYPE_URL.CLUSTER, { name: 'c', connect_timeout: { seconds: 1.5 } }), /connect_timeout\.seconds: expected a int64/);
  });

  it('rejects a "@type" that contradicts the type URL and an unknown type URL', () => {
    assert.throws(() => encodeResource(TYPE_URL.CLUSTER, { '@type': TYPE_URL.LISTENER, name: 'c' }), (e: unknown) => isXdsError(e, 'INVALID_RESOURCE'));
    assert.throws(() => encodeResource('type.googleapis.com/envoy.config.nothing.v3.Nothing', {}), (e: unknown) => isXdsError(e, 'UNKNOWN_TYPE'));
    assert.throws(() => decodeResource({ type_url: TYPE_URL.CLUSTER, value: Buffer.from([0x0a, 0xff]) }), (e: unknown) => isXdsError(e, 'DECODE_FAILED'));
  });
});
