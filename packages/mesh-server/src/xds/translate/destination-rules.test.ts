import assert from 'node:assert/strict';
import type { DestinationRuleSpec } from '../../config/istio-types';
import type { Resource } from '../../config/resource';
import { effectivePolicy, selectDestinationRule, type SelectedDestinationRule } from './destination-rules';
import { parseConfig, sidecar } from './test-support';
import { WarningSink } from './warnings';

const HOST = 'reviews.default.svc.cluster.local';

function rules(yaml: string): Resource<DestinationRuleSpec>[] {
  return parseConfig(yaml) as Resource<DestinationRuleSpec>[];
}

function select(yaml: string, proxy = sidecar()) {
  const warnings = new WarningSink();
  const picked = selectDestinationRule(rules(yaml), HOST, 'default', proxy, 'istio-system', warnings);
  return { picked, warnings: [...warnings.toMap().entries()] };
}

const rule = (name: string, ns: string, host: string, extra = '') => `
kind: DestinationRule
metadata: { name: ${name}, namespace: ${ns} }
spec:
  host: ${host}
  subsets: [{ name: ${name} }]
${extra}
---`;

describe('translate/destination-rules: selection', () => {
  it('prefers the proxy namespace, then the service namespace, then the root namespace', () => {
    const all = rule('root', 'istio-system', HOST) + rule('svc', 'default', 'reviews') + rule('mine', 'shop', HOST);
    assert.deepEqual(select(all, sidecar({ namespace: 'shop' })).picked?.sources, ['DestinationRule/shop/mine']);
    assert.deepEqual(select(all, sidecar({ namespace: 'other' })).picked?.sources, ['DestinationRule/default/svc']);
    assert.deepEqual(select(rule('root', 'istio-system', HOST), sidecar({ namespace: 'other' })).picked?.sources, ['DestinationRule/istio-system/root']);
    assert.equal(select(rule('unrelated', 'third', HOST), sidecar({ namespace: 'other' })).picked, undefined);
  });

  it('picks the most specific host within a namespace', () => {
    const yaml = rule('wild', 'default', '"*.default.svc.cluster.local"') + rule('exact', 'default', 'reviews');
    assert.deepEqual(select(yaml).picked?.sources, ['DestinationRule/default/exact']);
    assert.deepEqual(select(rule('wild', 'default', '"*.default.svc.cluster.local"')).picked?.sources, ['DestinationRule/default/wild']);
  });

  it('honours exportTo', () => {
    const yaml = rule('private', 'default', 'reviews', '  exportTo: ["."]');
    assert.ok(select(yaml, sidecar({ namespace: 'default' })).picked);
    assert.equal(select(yaml, sidecar({ namespace: 'shop' })).picked, undefined);
  });

  it('applies a workloadSelector rule only to matching workloads of its namespace, ahead of others', () => {
    const yaml = rule('all', 'default', 'reviews') + rule('canary', 'default', 'reviews', '  workloadSelector: { matchLabels: { track: canary } }');
    assert.deepEqual(select(yaml, sidecar({ labels: { track: 'canary' } })).picked?.sources, ['DestinationRule/default/canary', 'DestinationRule/default/all']);
    assert.deepEqual(select(yaml, sidecar({ labels: { track: 'stable' } })).picked?.sources, ['DestinationRule/default/all']);
  });

  it('merges same-host rules in one namespace: subsets union, first traffic policy wins, duplicates flagged', () => {
    const yaml = `
kind: DestinationRule
metadata: { name: a }
spec:
  host: reviews
  trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN } }
  subsets: [{ name: v1, labels: { version: v1 } }]
---
kind: DestinationRule
metadata: { name: b }
spec:
  host: reviews
  trafficPolicy: { loadBalancer: { simple: RANDOM } }
  subsets: [{ name: v1, labels: { version: other } }, { name: v2, labels: { version: v2 } }]`;
    const { picked, warnings } = select(yaml);
    assert.deepEqual(picked?.trafficPolicy, { loadBalancer: { simple: 'ROUND_ROBIN' } });
    assert.deepEqual(picked?.subsets.map((s) => [s.name, s.labels, s.source]), [
      ['v1', { version: 'v1' }, 'DestinationRule/default/a'],
      ['v2', { version: 'v2' }, 'DestinationRule/default/b'],
    ]);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]![0], 'DestinationRule/default/b');
    assert.equal(warnings[0]![1].length, 2);
  });
});

describe('translate/destination-rules: effective policy', () => {
  const picked: SelectedDestinationRule = {
    sources: ['DestinationRule/default/r'],
    namespace: 'default',
    trafficPolicy: {
      loadBalancer: { simple: 'ROUND_ROBIN' },
      connectionPool: { tcp: { maxConnections: 1 } },
      portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }],
    },
    subsets: [
      { name: 'v1', source: 'x', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } } },
      { name: 'v2', source: 'x', trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'RANDOM' } }] } },
      { name: 'v3', source: 'x' },
    ],
  };
  const table: [string, string | undefined, number, unknown][] = [
    ['rule policy for a port without port-level settings', undefined, 9080, { loadBalancer: { simple: 'ROUND_ROBIN' }, connectionPool: { tcp: { maxConnections: 1 } } }],
    ['port-level settings replace the rule policy (no inheritance)', undefined, 443, { tls: { mode: 'SIMPLE' } }],
    ['subset adds its own fields on top', 'v1', 9080, {
      loadBalancer: { simple: 'ROUND_ROBIN' }, connectionPool: { tcp: { maxConnections: 1 } }, outlierDetection: { consecutive5xxErrors: 3 },
    }],
    ['subset port-level settings replace all four policy fields', 'v2', 9080, {
      loadBalancer: { simple: 'RANDOM' }, connectionPool: undefined, outlierDetection: undefined, tls: undefined,
    }],
    ['subset without policy = rule policy', 'v3', 9080, { loadBalancer: { simple: 'ROUND_ROBIN' }, connectionPool: { tcp: { maxConnections: 1 } } }],
  ];
  for (const [name, subset, port, expected] of table) {
    it(name, () => assert.deepEqual(effectivePolicy(picked, subset, port), expected));
  }
  it('no rule → no policy', () => assert.equal(effectivePolicy(undefined, 'v1', 9080), undefined));
});
