import assert from 'node:assert/strict';
import type { HttpFilterSpec } from '../snapshot/types';
import { authorize } from './authorize';
import { compileRbac, compileRbacFilters } from './compile-rbac';
import { isAuthzError } from './errors';
import type { AuthzRequest } from './types';

const REQUEST: AuthzRequest = {
  method: 'GET', path: '/', headers: {}, host: 'reviews:9080', port: 9080, destinationIp: '10.0.0.4', sourceIp: '10.0.0.2',
  peer: { principal: 'spiffe://cluster.local/ns/default/sa/productpage' },
};
const ANY = { any: true };
const policy = (permission: object, principal: object = ANY) => ({ permissions: [permission], principals: [principal] });
const filter = (action: 'ALLOW' | 'DENY' | 'LOG', permission: object, principal: object = ANY) => ({ rules: { action, policies: { p: policy(permission, principal) } } });
const allowed = (config: object, request: AuthzRequest = REQUEST) => authorize([compileRbac(config)], request).allowed;

describe('authz/compile-rbac: the RBAC filter config compiled with Envoy semantics', () => {
  it('compiles rules and shadow rules; policies are kept in name order (Envoy iterates a map)', () => {
    const c = compileRbac({ '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC', rules: { action: 'DENY', policies: { b: policy(ANY), a: policy(ANY) } }, shadow_rules: { policies: {} } }, 'f');
    assert.equal(c.name, 'f');
    assert.equal(c.rules!.action, 'DENY');
    assert.deepEqual(c.rules!.policies.map((p) => p.name), ['a', 'b']);
    assert.equal(c.shadow!.action, 'ALLOW', 'proto default action');
    assert.deepEqual(c.notes, []);
  });

  it('no rules = the filter enforces nothing; ALLOW with no policies = deny all; DENY with no policies = allow all', () => {
    assert.equal(compileRbac({}).rules, undefined);
    assert.equal(allowed({}), true);
    assert.equal(allowed({ rules: { action: 'ALLOW' } }), false);
    assert.equal(allowed({ rules: { action: 'DENY' } }), true);
  });

  const invalid: [string, object, RegExp][] = [
    ['a policy without permissions', { rules: { policies: { p: { principals: [ANY] } } } }, /rules\.policies\.p\.permissions: a policy needs at least one permission/],
    ['an empty and_rules', { rules: { policies: { p: policy({ and_rules: { rules: [] } }) } } }, /and_rules\.rules: must have at least one rule/],
    ['a bad regex', { rules: { policies: { p: policy({ url_path: { path: { safe_regex: { regex: '([' } } } }) } } }, /url_path\.path\.safe_regex\.regex: invalid RE2/],
    ['a bad CIDR', { rules: { policies: { p: policy(ANY, { direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: { value: 40 } } }) } } }, /prefix length 40/],
    ['an unknown action', { rules: { action: 'MAYBE', policies: {} } }, /rules\.action/],
    ['a matcher tree', { matcher: {} }, /matcher: RBAC matcher trees/],
    ['a wrong @type', { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' }, /@type: expected envoy\.extensions\.filters\.http\.rbac\.v3\.RBAC/],
  ];
  for (const [name, config, message] of invalid) {
    it(`rejects ${name} with AuthzError INVALID_RBAC_CONFIG naming the field`, () => {
      assert.throws(() => compileRbac(config, 'envoy.filters.http.rbac.DENY'), (e: unknown) => {
        assert.ok(isAuthzError(e, 'INVALID_RBAC_CONFIG'));
        assert.match(e.message, message);
        assert.match(e.message, /envoy\.filters\.http\.rbac\.DENY is invalid \(deny every request/);
        assert.ok(e.issues.length > 0);
        return true;
      });
    });
  }

  describe('unsupported matchers fail closed: DENY matches more, ALLOW matches less, through any nesting of not', () => {
    const unsupportedPermission = { matcher: { name: 'x', typed_config: { '@type': 'type.googleapis.com/some.Ext' } } };
    const unsupportedPrincipal = { filter_state: { key: 'io.istio.peer_principal', string_match: { exact: 'x' } } };
    const cases: [string, 'ALLOW' | 'DENY', object, object, boolean][] = [
      ['DENY + unsupported permission → denies', 'DENY', unsupportedPermission, ANY, false],
      ['DENY + not(unsupported) → still denies', 'DENY', { not_rule: unsupportedPermission }, ANY, false],
      ['DENY + not(not(unsupported)) → still denies', 'DENY', { not_rule: { not_rule: unsupportedPermission } }, ANY, false],
      ['DENY + unsupported principal → denies', 'DENY', ANY, unsupportedPrincipal, false],
      ['DENY + not(unsupported principal) → denies', 'DENY', ANY, { not_id: unsupportedPrincipal }, false],
      ['ALLOW + unsupported permission → never allows', 'ALLOW', unsupportedPermission, ANY, false],
      ['ALLOW + not(unsupported) → never allows', 'ALLOW', { not_rule: unsupportedPermission }, ANY, false],
      ['ALLOW + or(unsupported, any) → the other branch still allows', 'ALLOW', { or_rules: { rules: [unsupportedPermission, ANY] } }, ANY, true],
      ['ALLOW + unsupported principal → never allows', 'ALLOW', ANY, unsupportedPrincipal, false],
      ['ALLOW + a permission with no rule (newer API) → never allows', 'ALLOW', {}, ANY, false],
      ['DENY + a principal with no identifier (newer API) → denies', 'DENY', ANY, {}, false],
      ['DENY + uri_template → denies', 'DENY', { uri_template: { name: 't', typed_config: {} } }, ANY, false],
    ];
    for (const [name, action, permission, principal, expected] of cases) {
      it(name, () => {
        const compiled = compileRbac(filter(action, permission, principal));
        assert.equal(authorize([compiled], REQUEST).allowed, expected);
        assert.ok(compiled.notes.some((n) => /not supported by Inboard; compiled to "(matches|never matches)" so that this (ALLOW|DENY) policy fails closed/.test(n)), compiled.notes.join());
      });
    }

    it('a CEL condition on a DENY policy denies, on an ALLOW policy never allows', () => {
      const withCondition = (action: string) => ({ rules: { action, policies: { p: { ...policy(ANY), condition: { const_expr: { bool_value: true } } } } } });
      assert.equal(allowed(withCondition('DENY')), false);
      assert.equal(allowed(withCondition('ALLOW')), false);
    });
  });

  it('compileRbacFilters picks enabled RBAC filters in chain order and ignores the rest', () => {
    const spec = (name: string, typeName: string, config: Record<string, unknown>, disabled = false): HttpFilterSpec => ({ name, typeName, optional: false, disabled, config });
    const rbac = 'envoy.extensions.filters.http.rbac.v3.RBAC';
    const compiled = compileRbacFilters([
      spec('a', rbac, filter('DENY', ANY)),
      spec('off', rbac, filter('DENY', ANY), true),
      spec('fault', 'envoy.extensions.filters.http.fault.v3.HTTPFault', {}),
      spec('b', rbac, filter('ALLOW', ANY)),
      spec('router', 'envoy.extensions.filters.http.router.v3.Router', {}),
    ]);
    assert.deepEqual(compiled.map((c) => c.name), ['a', 'b']);
    assert.throws(() => compileRbacFilters([spec('bad', rbac, { rules: { policies: { p: {} } } })]), (e: unknown) => isAuthzError(e));
  });
});
