// Inbound listeners through the real wire path: @inboard/xds's strict encoder for every kind of
// client, and grpc-js-xds 1.14's own Listener validation with its RBAC filter enabled (a child
// process, because GRPC_XDS_EXPERIMENTAL_RBAC is read once when grpc-js-xds loads).

import assert from 'node:assert/strict';
import { decodeResource, TYPE_URL } from '@inboard/xds';
import { spawnTs, stopProcess } from '../../../../../testing/spawn';
import { translate } from './index';
import { inboundKitchenSinkConfig } from './inbound-fixtures';
import { INBOUND_LISTENER_PREFIX } from './inbound-listeners';
import { bookinfoRegistry, grpcClient, sidecar } from './test-support';
import { encodeErrors } from './wire-check';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('translate: inbound listeners on the wire', function () {
  this.timeout(30_000);
  const input = () => ({ config: inboundKitchenSinkConfig(), registry: bookinfoRegistry() });

  it('every inbound listener of the authorization kitchen sink encodes, for Inboard and gRPC servers', () => {
    for (const proxy of [sidecar({ labels: { app: 'reviews', version: 'v1' } }), grpcClient({ labels: { app: 'reviews', version: 'v1' } }), sidecar({ labels: { app: 'ratings', version: 'v1' } })]) {
      const result = translate(input(), proxy);
      const inbound = [...result.listeners.keys()].filter((n) => n.startsWith(INBOUND_LISTENER_PREFIX));
      assert.equal(inbound.length, 3, proxy.id);
      const { errors, encoded } = encodeErrors(result);
      assert.deepEqual(errors, [], proxy.id);
      for (const { family, name, any } of encoded) {
        if (family !== 'listeners' || !name.startsWith(INBOUND_LISTENER_PREFIX)) continue;
        assert.deepEqual(decodeResource(any), JSON.parse(JSON.stringify(result.listeners.get(name))), name);
      }
    }
  });

  it('serves Inboard clients AUDIT and dry-run filters, and gRPC servers only DENY and ALLOW rules', () => {
    const filterNames = (proxy: ReturnType<typeof sidecar>) => {
      const listener = translate(input(), proxy).listeners.get('xds.istio.io/grpc/lds/inbound/10.0.0.4:9080') as Loose;
      return listener.filter_chains[0].filters[0].typed_config.http_filters.map((f: Loose) => `${f.name}${f.typed_config.shadow_rules ? '+shadow' : ''}`);
    };
    assert.deepEqual(filterNames(sidecar({ labels: { app: 'reviews', version: 'v1' } })), [
      'envoy.filters.http.rbac.AUDIT', 'envoy.filters.http.rbac.DENY+shadow', 'envoy.filters.http.rbac', 'envoy.filters.http.router',
    ]);
    assert.deepEqual(filterNames(grpcClient({ labels: { app: 'reviews', version: 'v1' } })), ['envoy.filters.http.rbac.DENY', 'envoy.filters.http.rbac', 'envoy.filters.http.router']);
  });

  it('a grpc-js-xds server with GRPC_XDS_EXPERIMENTAL_RBAC=true accepts (does not NACK) its inbound listeners', async () => {
    const child = spawnTs('packages/mesh-server/src/xds/translate/inbound-grpc-check.ts', [], { env: { GRPC_XDS_EXPERIMENTAL_RBAC: 'true' } });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await stopProcess(child);
    assert.equal(code, 0, err);
    const report = JSON.parse(out.trim().split('\n').pop()!) as { rbac: boolean; inbound: string[]; nacks: string[] };
    assert.equal(report.rbac, true);
    assert.equal(report.inbound.length, 3);
    assert.deepEqual(report.nacks, []);
  });
});
