import assert from 'node:assert/strict';
import { translate } from './index';
import { entryService, fakeRegistry, k8sService, parseConfig, sidecar, warningLines } from './test-support';
import { isExportedTo, labelsMatch } from './visibility';

describe('translate/visibility', () => {
  const table: [string[] | undefined, string, string, boolean][] = [
    [undefined, 'a', 'b', true],
    [[], 'a', 'b', true],
    [['*'], 'a', 'b', true],
    [['.'], 'a', 'a', true],
    [['.'], 'a', 'b', false],
    [['b', 'c'], 'a', 'b', true],
    [['c'], 'a', 'b', false],
    [['~'], 'a', 'a', false],
  ];
  for (const [exportTo, owner, proxy, expected] of table) {
    it(`exportTo ${JSON.stringify(exportTo)} from ${owner} visible to ${proxy}: ${expected}`, () => {
      assert.equal(isExportedTo(exportTo, owner, proxy), expected);
    });
  }

  it('matches label selectors as subsets', () => {
    assert.equal(labelsMatch(undefined, {}), true);
    assert.equal(labelsMatch({ app: 'a' }, { app: 'a', version: 'v1' }), true);
    assert.equal(labelsMatch({ app: 'a', version: 'v2' }, { app: 'a', version: 'v1' }), false);
  });

  it('hides services whose Service annotation or ServiceEntry exportTo excludes the proxy namespace', () => {
    const config = parseConfig(`
apiVersion: v1
kind: Service
metadata: { name: secret, annotations: { networking.istio.io/exportTo: "." } }
spec: { ports: [{ port: 8080 }] }
---
kind: ServiceEntry
metadata: { name: partner }
spec: { hosts: [partner.example.com], exportTo: [shop], addresses: [240.0.0.1], ports: [{ number: 80, name: http }], resolution: DNS }`);
    const registry = fakeRegistry([
      k8sService('secret', 'default', [{ port: 8080 }]),
      entryService('partner.example.com', 'default', [{ name: 'http', port: 80, protocol: 'HTTP' }], { source: 'ServiceEntry/default/partner' }),
    ]);
    const inDefault = translate({ config, registry }, sidecar());
    assert.deepEqual([...inDefault.clusters.keys()], ['outbound|8080||secret.default.svc.cluster.local']);
    const inShop = translate({ config, registry }, sidecar({ namespace: 'shop' }));
    assert.deepEqual([...inShop.clusters.keys()], ['outbound|80||partner.example.com']);
    assert.deepEqual([...inShop.listeners.keys()], ['partner.example.com', 'partner.example.com:80']);
    assert.ok(warningLines(inShop).some((w) => w.startsWith('ServiceEntry/default/partner: addresses (virtual IPs) are not used')));
  });
});
