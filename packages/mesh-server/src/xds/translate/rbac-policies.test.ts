import assert from 'node:assert/strict';
import type { Resource } from '../../config/resource';
import type { AuthorizationPolicySpec } from '../../config/istio-types';
import { applicableAuthorizationPolicies, authorizationHttpFilters, RBAC_FILTER_NAMES, selectorMatches } from './rbac-policies';
import { parseConfig } from './test-support';
import { WarningSink } from './warnings';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const policies = (yaml: string): Resource<AuthorizationPolicySpec>[] => parseConfig(yaml) as Resource<AuthorizationPolicySpec>[];
const names = (list: readonly Resource[]) => list.map((r) => `${r.metadata.namespace}/${r.metadata.name}`);

const SCOPING = `
kind: AuthorizationPolicy
metadata: { name: mesh-wide, namespace: istio-system }
spec: { action: DENY, rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }] }
---
kind: AuthorizationPolicy
metadata: { name: mesh-reviews, namespace: istio-system }
spec: { selector: { matchLabels: { app: reviews } }, rules: [{}] }
---
kind: AuthorizationPolicy
metadata: { name: ns-wide, namespace: default }
spec: { rules: [{}] }
---
kind: AuthorizationPolicy
metadata: { name: reviews-only, namespace: default }
spec: { selector: { matchLabels: { app: reviews, version: v2 } }, action: AUDIT, rules: [{}] }
---
kind: AuthorizationPolicy
metadata: { name: other-ns, namespace: shop }
spec: { action: DENY, rules: [{}] }
`;

describe('translate/rbac-policies: which policies apply, and the RBAC filters they become', () => {
  it('root namespace → mesh-wide (selectors still apply), own namespace → namespace-wide, selectors → matching workloads', () => {
    const all = policies(SCOPING);
    const select = (namespace: string, labels: Record<string, string>) => names(applicableAuthorizationPolicies(all, { namespace, labels }, 'istio-system'));
    assert.deepEqual(select('default', { app: 'reviews', version: 'v2' }), ['istio-system/mesh-wide', 'istio-system/mesh-reviews', 'default/ns-wide', 'default/reviews-only']);
    assert.deepEqual(select('default', { app: 'reviews', version: 'v1' }), ['istio-system/mesh-wide', 'istio-system/mesh-reviews', 'default/ns-wide']);
    assert.deepEqual(select('default', { app: 'ratings' }), ['istio-system/mesh-wide', 'default/ns-wide']);
    assert.deepEqual(select('shop', { app: 'reviews' }), ['istio-system/mesh-wide', 'istio-system/mesh-reviews', 'shop/other-ns']);
    assert.deepEqual(select('other', {}), ['istio-system/mesh-wide']);
    assert.deepEqual(names(applicableAuthorizationPolicies(all, { namespace: 'default', labels: {} }, 'mesh-root')), ['default/ns-wide']);
    assert.equal(selectorMatches({ matchLabels: {} }, {}), true);
  });

  it('emits one filter per action in Istio order AUDIT → DENY → ALLOW, policies sorted by name', () => {
    const filters = authorizationHttpFilters(policies(SCOPING), { grpcClient: false }, new WarningSink()) as Loose[];
    assert.deepEqual(filters.map((f) => [f.name, f.typed_config.rules.action]), [
      [RBAC_FILTER_NAMES.LOG, 'LOG'], [RBAC_FILTER_NAMES.DENY, 'DENY'], [RBAC_FILTER_NAMES.ALLOW, 'ALLOW'],
    ]);
    assert.deepEqual(Object.keys(filters[1]!.typed_config.rules.policies), ['ns[istio-system]-policy[mesh-wide]-rule[0]', 'ns[shop]-policy[other-ns]-rule[0]']);
    assert.deepEqual(Object.keys(filters[2]!.typed_config.rules.policies), ['ns[default]-policy[ns-wide]-rule[0]', 'ns[istio-system]-policy[mesh-reviews]-rule[0]']);
    assert.equal(filters[0]!.typed_config['@type'], 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC');
  });

  it('no policy → no filter (everything allowed); allow-nothing → an ALLOW filter with a never-matching policy', () => {
    assert.deepEqual(authorizationHttpFilters([], { grpcClient: false }, new WarningSink()), []);
    const [allow] = authorizationHttpFilters(policies('kind: AuthorizationPolicy\nmetadata: { name: allow-nothing }\nspec: {}'), { grpcClient: false }, new WarningSink()) as Loose[];
    assert.deepEqual(allow!.typed_config.rules, {
      action: 'ALLOW',
      policies: { 'ns[default]-policy[allow-nothing]-rule[0]': { permissions: [{ not_rule: { any: true } }], principals: [{ not_id: { any: true } }] } },
    });
  });

  it('dry-run policies go to shadow_rules with Istio stat prefixes; only-dry-run filters have no rules', () => {
    const list = policies(`
kind: AuthorizationPolicy
metadata: { name: try-deny, annotations: { istio.io/dry-run: "true" } }
spec: { action: DENY, rules: [{}] }
---
kind: AuthorizationPolicy
metadata: { name: try-allow, annotations: { istio.io/dry-run: "true" } }
spec: { rules: [{}] }
---
kind: AuthorizationPolicy
metadata: { name: real-allow }
spec: { rules: [{ to: [{ operation: { methods: [GET] } }] }] }`);
    const [deny, allow] = authorizationHttpFilters(list, { grpcClient: false }, new WarningSink()) as Loose[];
    assert.equal(deny!.typed_config.rules, undefined);
    assert.deepEqual(Object.keys(deny!.typed_config.shadow_rules.policies), ['ns[default]-policy[try-deny]-rule[0]']);
    assert.equal(deny!.typed_config.shadow_rules_stat_prefix, 'istio_dry_run_deny_');
    assert.deepEqual(Object.keys(allow!.typed_config.rules.policies), ['ns[default]-policy[real-allow]-rule[0]']);
    assert.deepEqual(Object.keys(allow!.typed_config.shadow_rules.policies), ['ns[default]-policy[try-allow]-rule[0]']);
    assert.equal(allow!.typed_config.shadow_rules_stat_prefix, 'istio_dry_run_allow_');
  });

  it('gRPC servers get no AUDIT and no dry-run policies (their RBAC filter rejects LOG and ignores shadows), with warnings', () => {
    const warnings = new WarningSink();
    const filters = authorizationHttpFilters(policies(`
kind: AuthorizationPolicy
metadata: { name: audit }
spec: { action: AUDIT, rules: [{}] }
---
kind: AuthorizationPolicy
metadata: { name: try, annotations: { istio.io/dry-run: "true" } }
spec: { action: DENY, rules: [{}] }`), { grpcClient: true }, warnings);
    assert.deepEqual(filters, []);
    assert.match([...warnings.toMap().get('AuthorizationPolicy/default/audit')!].join(), /AUDIT is not served to gRPC/);
    assert.match([...warnings.toMap().get('AuthorizationPolicy/default/try')!].join(), /dry-run policies are not served/);
  });

  it('fails closed: an untranslatable DENY rule matches everything, an untranslatable ALLOW rule is skipped, CUSTOM is enforced as DENY', () => {
    const warnings = new WarningSink();
    const [deny, allow] = authorizationHttpFilters(policies(`
kind: AuthorizationPolicy
metadata: { name: bad-deny }
spec: { action: DENY, rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/99"] } }] }] }
---
kind: AuthorizationPolicy
metadata: { name: ext }
spec: { action: CUSTOM, provider: { name: opa }, rules: [{ to: [{ operation: { paths: ["/x"] } }] }] }
---
kind: AuthorizationPolicy
metadata: { name: bad-allow }
spec: { rules: [{ to: [{ operation: { ports: ["99999"] } }] }, {}] }`), { grpcClient: false }, warnings) as Loose[];
    assert.deepEqual(deny!.typed_config.rules.policies['ns[default]-policy[bad-deny]-rule[0]'], { permissions: [{ any: true }], principals: [{ any: true }] });
    assert.ok(deny!.typed_config.rules.policies['ns[default]-policy[ext]-rule[0]'], 'CUSTOM rules in the DENY filter');
    assert.deepEqual(Object.keys(allow!.typed_config.rules.policies), ['ns[default]-policy[bad-allow]-rule[1]']);
    const lines = [...warnings.toMap()].flatMap(([source, list]) => list.map((m) => `${source}: ${m}`)).join('\n');
    assert.match(lines, /bad-deny: rules\[0\] cannot be translated .*fail closed/);
    assert.match(lines, /bad-allow: rules\[0\] skipped/);
    assert.match(lines, /ext: action CUSTOM .* enforced as DENY/);
  });

  it('a malformed dry-run annotation enforces the policy', () => {
    const warnings = new WarningSink();
    const [deny] = authorizationHttpFilters(policies('kind: AuthorizationPolicy\nmetadata: { name: p, annotations: { istio.io/dry-run: "maybe" } }\nspec: { action: DENY, rules: [{}] }'), { grpcClient: false }, warnings) as Loose[];
    assert.ok(deny!.typed_config.rules);
    assert.match([...warnings.toMap().values()].flat().join(), /not a boolean; the policy is enforced/);
  });
});
