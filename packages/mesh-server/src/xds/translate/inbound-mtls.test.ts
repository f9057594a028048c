// SEC-04's precedence table for the metadata the inbound listener carries: mesh (root namespace)
// < namespace < workload < port, UNSET inheriting, PERMISSIVE by default, oldest policy per scope.

import assert from 'node:assert/strict';
import type { Resource } from '../../config/resource';
import { effectiveMtlsModes } from './inbound-mtls';
import { parseConfig, sample } from './test-support';
import { WarningSink } from './warnings';

const pa = (name: string, namespace: string, spec: string) => `kind: PeerAuthentication\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec: ${spec}\n---\n`;
const REVIEWS = { namespace: 'default', labels: { app: 'reviews', version: 'v1' } };

function modes(yaml: string, ports = [9080, 9443]): Record<number, string> {
  const config = parseConfig(yaml);
  return Object.fromEntries([...effectiveMtlsModes(config, REVIEWS, ports, 'istio-system')].map(([port, m]) => [port, m.mode]));
}

describe('translate/inbound-mtls: effective PeerAuthentication mode per port (SEC-04 precedence)', () => {
  const table: [string, string, Record<number, string>][] = [
    ['nothing set → PERMISSIVE', '', { 9080: 'PERMISSIVE', 9443: 'PERMISSIVE' }],
    ['mesh STRICT', pa('default', 'istio-system', '{ mtls: { mode: STRICT } }'), { 9080: 'STRICT', 9443: 'STRICT' }],
    ['mesh UNSET → PERMISSIVE', pa('default', 'istio-system', '{ mtls: { mode: UNSET } }'), { 9080: 'PERMISSIVE', 9443: 'PERMISSIVE' }],
    ['namespace DISABLE overrides mesh STRICT', pa('default', 'istio-system', '{ mtls: { mode: STRICT } }') + pa('ns', 'default', '{ mtls: { mode: DISABLE } }'), { 9080: 'DISABLE', 9443: 'DISABLE' }],
    ['namespace UNSET inherits mesh', pa('default', 'istio-system', '{ mtls: { mode: STRICT } }') + pa('ns', 'default', '{ mtls: { mode: UNSET } }'), { 9080: 'STRICT', 9443: 'STRICT' }],
    ['another namespace does not apply', pa('ns', 'shop', '{ mtls: { mode: DISABLE } }'), { 9080: 'PERMISSIVE', 9443: 'PERMISSIVE' }],
    ['workload overrides namespace', pa('ns', 'default', '{ mtls: { mode: STRICT } }') + pa('w', 'default', '{ selector: { matchLabels: { app: reviews } }, mtls: { mode: PERMISSIVE } }'), { 9080: 'PERMISSIVE', 9443: 'PERMISSIVE' }],
    ['workload selector not matching does not apply', pa('w', 'default', '{ selector: { matchLabels: { app: ratings } }, mtls: { mode: DISABLE } }'), { 9080: 'PERMISSIVE', 9443: 'PERMISSIVE' }],
    ['workload UNSET inherits namespace', pa('ns', 'default', '{ mtls: { mode: STRICT } }') + pa('w', 'default', '{ selector: { matchLabels: { app: reviews } }, mtls: { mode: UNSET } }'), { 9080: 'STRICT', 9443: 'STRICT' }],
    ['port-level overrides workload for that port only', pa('w', 'default', '{ selector: { matchLabels: { app: reviews } }, mtls: { mode: STRICT }, portLevelMtls: { "9443": { mode: DISABLE } } }'), { 9080: 'STRICT', 9443: 'DISABLE' }],
    ['port-level over an inherited mode', pa('default', 'istio-system', '{ mtls: { mode: STRICT } }') + pa('w', 'default', '{ selector: { matchLabels: { app: reviews } }, portLevelMtls: { "9080": { mode: PERMISSIVE } } }'), { 9080: 'PERMISSIVE', 9443: 'STRICT' }],
    ['port-level UNSET inherits the workload mode', pa('w', 'default', '{ selector: { matchLabels: { app: reviews } }, mtls: { mode: DISABLE }, portLevelMtls: { "9080": { mode: UNSET } } }'), { 9080: 'DISABLE', 9443: 'DISABLE' }],
    ['a root-namespace policy with a selector is not mesh-wide', pa('sel', 'istio-system', '{ selector: { matchLabels: { app: reviews } }, mtls: { mode: STRICT } }'), { 9080: 'PERMISSIVE', 9443: 'PERMISSIVE' }],
    ['oldest namespace policy wins', pa('first', 'default', '{ mtls: { mode: STRICT } }') + pa('second', 'default', '{ mtls: { mode: DISABLE } }'), { 9080: 'STRICT', 9443: 'STRICT' }],
  ];
  for (const [name, yaml, expected] of table) {
    it(name, () => assert.deepEqual(modes(yaml), expected));
  }

  it('names the deciding policy, and warns about ignored duplicates', () => {
    const warnings = new WarningSink();
    const config: Resource[] = parseConfig(pa('first', 'default', '{ mtls: { mode: STRICT } }') + pa('second', 'default', '{ mtls: { mode: DISABLE } }'));
    const result = effectiveMtlsModes(config, REVIEWS, [9080], 'istio-system', warnings);
    assert.deepEqual(result.get(9080), { mode: 'STRICT', source: 'PeerAuthentication/default/first' });
    assert.match(warnings.toMap().get('PeerAuthentication/default/second')!.join(), /is older and wins/);
  });

  it("Istio's mtls-migration samples: strict mesh-wide (in istio-system) and strict namespace", () => {
    const mesh = sample('bookinfo/security/mtls-migration/peer-authentication-strict-mesh.yaml', 'istio-system');
    assert.deepEqual(effectiveMtlsModes(mesh, REVIEWS, [9080], 'istio-system').get(9080), { mode: 'STRICT', source: 'PeerAuthentication/istio-system/default' });
    const ns = sample('bookinfo/security/mtls-migration/peer-authentication-strict-namespace.yaml', 'default');
    assert.equal(effectiveMtlsModes(ns, REVIEWS, [9080], 'istio-system').get(9080)!.mode, 'STRICT');
    assert.equal(effectiveMtlsModes(ns, { namespace: 'shop', labels: {} }, [9080], 'istio-system').get(9080)!.mode, 'PERMISSIVE');
  });
});
