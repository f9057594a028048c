// Tests of the gRPC client front end's pure parts: xds:/// targets, the in-memory bootstrap (checked
// against grpc-js-xds 1.14's own bootstrap validator) and option errors that name the field.

import assert from 'node:assert/strict';
import { buildXdsBootstrap, NODE_METADATA } from './bootstrap';
import { isGrpcMeshError } from './errors';
import { createGrpcMeshOptions, XDS_BOOTSTRAP_CHANNEL_OPTION, xdsTarget } from './mesh-options';

/** grpc-js-xds's own bootstrap validation (what its resolver runs on the channel option). */
const { validateBootstrapConfig } = require('@grpc/grpc-js-xds/build/src/xds-bootstrap') as {
  validateBootstrapConfig(obj: unknown): { node: { id: string; locality: object; metadata?: unknown }; xdsServers: { server_uri: string }[] };
};

const rejects = (fn: () => unknown, field: RegExp) =>
  assert.throws(fn, (e: unknown) => isGrpcMeshError(e, 'INVALID_OPTIONS') && field.test(e.message), `expected INVALID_OPTIONS matching ${field}`);

describe('gRPC mesh options', () => {
  const targets: [string, number | undefined, string][] = [
    ['reviews', undefined, 'xds:///reviews'],
    ['reviews', 9080, 'xds:///reviews:9080'],
    ['reviews.prod', undefined, 'xds:///reviews.prod'],
    ['reviews.prod.svc.cluster.local', 9080, 'xds:///reviews.prod.svc.cluster.local:9080'],
    ['api.example.com', 443, 'xds:///api.example.com:443'],
  ];
  for (const [service, port, expected] of targets) {
    it(`target(${service}${port === undefined ? '' : `, ${port}`}) = ${expected}`, () => assert.equal(xdsTarget(service, port), expected));
  }

  const badTargets: [unknown, unknown, RegExp][] = [
    ['', undefined, /target: service must be a non-empty/],
    ['reviews:9080', undefined, /service must be a bare host name/],
    ['xds:///reviews', undefined, /service must be a bare host name/],
    ['a/b', undefined, /service must be a bare host name/],
    ['reviews', 0, /port must be a port number/],
    ['reviews', 70_000, /port must be a port number/],
    ['reviews', 1.5, /port must be a port number/],
  ];
  for (const [service, port, message] of badTargets) {
    it(`target(${JSON.stringify(service)}, ${port}) is rejected naming the field`, () => rejects(() => xdsTarget(service as string, port as number), message));
  }

  it('builds the bootstrap grpc-js-xds expects: insecure xds_v3 server, node with locality and Inboard metadata', () => {
    const bootstrap = buildXdsBootstrap('127.0.0.1:15010', {
      id: 'productpage-1',
      namespace: 'shop',
      labels: { app: 'productpage', version: 'v1' },
      serviceAccount: 'bookinfo-productpage',
      workloadName: 'productpage-v1-1',
      locality: { region: 'eu', zone: 'eu-1' },
    });
    assert.deepEqual(bootstrap, {
      xds_servers: [{ server_uri: '127.0.0.1:15010', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: {
        id: 'productpage-1',
        locality: { region: 'eu', zone: 'eu-1' },
        metadata: {
          [NODE_METADATA.NAMESPACE]: 'shop',
          [NODE_METADATA.LABELS]: { app: 'productpage', version: 'v1' },
          [NODE_METADATA.SERVICE_ACCOUNT]: 'bookinfo-productpage',
          [NODE_METADATA.WORKLOAD_NAME]: 'productpage-v1-1',
        },
      },
    });
    const validated = validateBootstrapConfig(JSON.parse(JSON.stringify(bootstrap)));
    assert.equal(validated.node.id, 'productpage-1');
    assert.equal(validated.xdsServers[0]!.server_uri, '127.0.0.1:15010');
  });

  it('a minimal node gets locality {} (grpc-js-xds rejects a node without one) and namespace default', () => {
    const bootstrap = buildXdsBootstrap('127.0.0.1:15010', { id: 'caller' });
    assert.deepEqual(bootstrap.node, { id: 'caller', locality: {}, metadata: { [NODE_METADATA.NAMESPACE]: 'default' } });
    assert.doesNotThrow(() => validateBootstrapConfig(JSON.parse(JSON.stringify(bootstrap))));
  });

  it('createGrpcMeshOptions carries the bootstrap JSON in the per-channel option, merged with the caller options', () => {
    const mesh = createGrpcMeshOptions({ controlPlane: '127.0.0.1:15010', node: { id: 'caller' }, channelOptions: { 'grpc.keepalive_time_ms': 60_000 } });
    assert.equal(mesh.channelOptions['grpc.keepalive_time_ms'], 60_000);
    assert.equal(mesh.channelOptions[XDS_BOOTSTRAP_CHANNEL_OPTION], mesh.bootstrapJson);
    assert.deepEqual(JSON.parse(mesh.bootstrapJson), mesh.bootstrap);
    assert.equal(mesh.target('reviews', 9080), 'xds:///reviews:9080');
    assert.ok(Object.isFrozen(mesh) && Object.isFrozen(mesh.channelOptions));
  });

  const badInputs: [string, unknown, RegExp][] = [
    ['no options', undefined, /options must be an object/],
    ['no control plane', { node: { id: 'x' } }, /controlPlane must be the xDS address/],
    ['the admin API URL', { controlPlane: 'http://127.0.0.1:15014', node: { id: 'x' } }, /controlPlane is an HTTP URL; give the xDS address/],
    ['no node', { controlPlane: '127.0.0.1:15010' }, /node must be an object/],
    ['an empty node id', { controlPlane: '127.0.0.1:15010', node: { id: ' ' } }, /node\.id must be a non-empty string/],
    ['a bad namespace', { controlPlane: '127.0.0.1:15010', node: { id: 'x', namespace: 'Prod_1' } }, /node\.namespace must be a DNS label/],
    ['a non-string label', { controlPlane: '127.0.0.1:15010', node: { id: 'x', labels: { version: 1 } } }, /node\.labels\.version must be a string/],
    ['an empty service account', { controlPlane: '127.0.0.1:15010', node: { id: 'x', serviceAccount: '' } }, /node\.serviceAccount must be a non-empty string/],
  ];
  for (const [what, input, message] of badInputs) {
    it(`createGrpcMeshOptions rejects ${what}, naming the field`, () => rejects(() => createGrpcMeshOptions(input as never), message));
  }
});
