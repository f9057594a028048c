// Translation warnings surface as analyze messages against the resource that caused them.

import assert from 'node:assert/strict';
import { translate } from './translate';
import { translationWarnings } from './translation-analysis';
import { WorkloadRegistry } from '../registry/registry';
import type { Resource } from '../config/resource';

describe('translationWarnings', () => {
  it('reports a DestinationRule field the translation cannot honour, once, against that resource', () => {
    const config: Resource[] = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 9080 }], selector: { app: 'reviews' } } },
      {
        apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'default' },
        spec: { host: 'reviews', trafficPolicy: { loadBalancer: { localityLbSetting: { enabled: true, failover: [{ from: 'a', to: 'b' }] } } } },
      },
    ];
    const registry = new WorkloadRegistry();
    registry.setConfig(config);
    const messages = translationWarnings({ config, registry: registry.snapshot() }, translate);
    const forRule = messages.filter((m) => m.resource === 'DestinationRule/default/reviews');
    assert.ok(forRule.length >= 1, JSON.stringify(messages, null, 2));
    assert.ok(forRule.every((m) => m.code === 'INB0003' && m.level === 'Warning'));
    assert.match(forRule.map((m) => m.message).join('\n'), /localityLbSetting/);
    assert.equal(new Set(forRule.map((m) => m.message)).size, forRule.length, 'no duplicates across proxy views');
  });

  it('is empty for config the translation fully honours', () => {
    const config: Resource[] = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ratings', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 9080 }], selector: { app: 'ratings' } } },
    ];
    const registry = new WorkloadRegistry();
    registry.setConfig(config);
    assert.deepEqual(translationWarnings({ config, registry: registry.snapshot() }, translate), []);
  });
});
