// translate() is a pure function: the same input gives equal output (including key order, so the
// encoded bytes and versions are stable), and the order of the config list never matters.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { XdsResourceSet } from '../contracts';
import { translate } from './index';
import { kitchenSinkConfig, kitchenSinkRegistry } from './kitchen-sink';
import { applySamples, bookinfoRegistry, grpcClient, ingressGateway, parseConfig, sidecar } from './test-support';

function snapshot(result: XdsResourceSet): string {
  return JSON.stringify({
    listeners: [...result.listeners],
    routes: [...result.routes],
    clusters: [...result.clusters],
    endpoints: [...result.endpoints],
    warnings: [...result.warnings],
  });
}

describe('translate: determinism', () => {
  const config = [
    ...kitchenSinkConfig(),
    ...applySamples(['bookinfo/networking/destination-rule-all.yaml', 'bookinfo/networking/virtual-service-reviews-80-20.yaml']).map((r) => ({
      ...r, metadata: { ...r.metadata, namespace: 'shop', creationTimestamp: '2026-03-01T00:00:00Z' },
    })),
  ];
  // Conflicts whose winner depends on canonical ordering (same creation time, so the key decides).
  config.push(...parseConfig(`
kind: VirtualService
metadata: { name: ratings-b, creationTimestamp: '2026-04-01T00:00:00Z' }
spec: { hosts: [ratings], http: [{ route: [{ destination: { host: ratings, port: { number: 9090 } } }] }] }
---
kind: VirtualService
metadata: { name: ratings-a, creationTimestamp: '2026-04-01T00:00:00Z' }
spec: { hosts: [ratings], http: [{ route: [{ destination: { host: ratings, port: { number: 9080 } } }] }] }
---
kind: DestinationRule
metadata: { name: ratings-extra, creationTimestamp: '2026-04-01T00:00:00Z' }
spec: { host: ratings, trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN } }, subsets: [{ name: x, labels: { v: x } }] }`));
  const registry = kitchenSinkRegistry();

  it('gives equal output for equal input, byte for byte', () => {
    for (const proxy of [sidecar(), grpcClient(), ingressGateway()]) {
      const a = translate({ config, registry }, proxy);
      const b = translate({ config: config.map((r) => structuredClone(r)), registry }, proxy);
      assert.deepStrictEqual(a, b);
      assert.equal(snapshot(a), snapshot(b));
    }
  });

  it('gives the same output whatever the order of the config list', () => {
    const expected = new Map([sidecar(), grpcClient(), ingressGateway()].map((p) => [p.id, snapshot(translate({ config, registry }, p))]));
    fc.assert(
      fc.property(fc.shuffledSubarray(config, { minLength: config.length, maxLength: config.length }), (shuffled) => {
        for (const proxy of [sidecar(), grpcClient(), ingressGateway()]) {
          assert.equal(snapshot(translate({ config: shuffled, registry }, proxy)), expected.get(proxy.id));
        }
      }),
      { numRuns: 25, seed: 20261125 },
    );
  });

  it('does not depend on the order of services in the registry', () => {
    const base = bookinfoRegistry();
    const reversed = { ...base, services: new Map([...base.services].reverse()), endpointsFor: base.endpointsFor.bind(base) };
    const cfg = applySamples(['bookinfo/networking/destination-rule-all.yaml']);
    assert.equal(snapshot(translate({ config: cfg, registry: reversed }, sidecar())), snapshot(translate({ config: cfg, registry: base }, sidecar())));
  });
});
