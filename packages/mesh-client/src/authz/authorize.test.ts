import assert from 'node:assert/strict';
import { authorize, denyAllFilters, denyResponse, describeRbacPolicy, localReplyFor } from './authorize';
import { compileRbac } from './compile-rbac';
import { isAuthzError } from './errors';
import { inboundListenerName, readInboundSettings } from './inbound-settings';
import { headerProblem, normalizeAuthority } from './request-context';
import type { AuthzDecision, AuthzRequest, CompiledRbac } from './types';

const PRODUCTPAGE = 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage';
const request = (over: Partial<AuthzRequest> = {}): AuthzRequest => ({
  method: 'GET', path: '/reviews/1', headers: {}, host: 'reviews:9080', port: 9080, destinationIp: '10.0.0.4', sourceIp: '10.0.0.2',
  peer: { principal: PRODUCTPAGE }, ...over,
});
const ANY = { any: true };
const rbac = (action: string, policies: Record<string, { permissions: object[]; principals: object[] }>, name = `f-${action}`): CompiledRbac =>
  compileRbac({ rules: { action, policies } }, name);
const only = (permission: object, principal: object = ANY) => ({ permissions: [permission], principals: [principal] });
const ok = (filters: readonly CompiledRbac[], over: Partial<AuthzRequest> = {}) => authorize(filters, request(over)).allowed;

describe('authz/authorize: Envoy RBAC filter semantics on inbound requests', () => {
  it('no filters: allowed, and the app gets the normalised URL', () => {
    assert.deepEqual(authorize([], request({ path: '/a/../reviews/1?x=%2e' })), { allowed: true, path: '/reviews/1', url: '/reviews/1?x=%2e', audit: [], shadow: [] });
  });

  it('filters run in chain order: AUDIT records, the first DENY match answers 403 with the policy, an ALLOW miss answers 403 [none]', () => {
    const audit = rbac('LOG', { 'ns[default]-policy[audit]-rule[0]': only(ANY) });
    const deny = rbac('DENY', { 'ns[default]-policy[no-delete]-rule[0]': only({ header: { name: ':method', string_match: { exact: 'DELETE' } } }) });
    const allow = rbac('ALLOW', { 'ns[default]-policy[get]-rule[0]': only({ header: { name: ':method', string_match: { exact: 'GET' } } }) });
    const chain = [audit, deny, allow];
    assert.deepEqual(authorize(chain, request()), { allowed: true, path: '/reviews/1', url: '/reviews/1', audit: ['ns[default]-policy[audit]-rule[0]'], shadow: [] });
    const denied = authorize(chain, request({ method: 'DELETE' })) as Extract<AuthzDecision, { allowed: false }>;
    assert.deepEqual({ ...denied }, {
      allowed: false, status: 403, filter: 'f-DENY', policy: 'ns[default]-policy[no-delete]-rule[0]', shadow: [],
      reason: 'denied by AuthorizationPolicy default/no-delete rule 0', details: 'rbac_access_denied_matched_policy[ns[default]-policy[no-delete]-rule[0]]',
    });
    const missed = authorize(chain, request({ method: 'POST' }));
    assert.equal(missed.allowed, false);
    if (!missed.allowed) {
      assert.equal(missed.policy, undefined);
      assert.equal(missed.details, 'rbac_access_denied_matched_policy[none]');
    }
  });

  it('the first matching policy in name order is the one reported', () => {
    const deny = rbac('DENY', { zeta: only(ANY), alpha: only(ANY) });
    const d = authorize([deny], request());
    assert.equal(!d.allowed && d.policy, 'alpha');
  });

  it('shadow rules are evaluated and reported, never enforced', () => {
    const f = compileRbac({ shadow_rules: { action: 'DENY', policies: { trial: only(ANY) } } }, 'shadow-deny');
    assert.deepEqual(authorize([f], request()), { allowed: true, path: '/reviews/1', url: '/reviews/1', audit: [], shadow: [{ filter: 'shadow-deny', result: 'denied', policy: 'trial' }] });
    const a = compileRbac({ shadow_rules: { action: 'ALLOW', policies: { p: only({ header: { name: ':method', string_match: { exact: 'PUT' } } }) } } }, 's');
    assert.deepEqual(authorize([a], request()).shadow, [{ filter: 's', result: 'denied' }]);
  });

  it('a target that cannot be normalised is a 400 before any policy runs', () => {
    const d = authorize([rbac('ALLOW', { p: only(ANY) })], request({ path: '/admin%00' }));
    assert.equal(d.allowed, false);
    if (!d.allowed) {
      assert.equal(d.status, 400);
      assert.equal(d.details, 'path_normalization_failed');
    }
    assert.equal(authorize([], request({ path: 'http://evil/admin' })).allowed, false);
  });

  it('url_path matches the normalised path without query; :path headers see the query', () => {
    const deny = rbac('DENY', { p: only({ url_path: { path: { prefix: '/admin' } } }) });
    assert.equal(ok([deny], { path: '/public/../admin/x?y=1' }), false);
    assert.equal(ok([deny], { path: '/public?/admin' }), true);
    assert.equal(ok([deny], { path: '/%61dmin' }), false);
    const pathHeader = rbac('DENY', { p: only({ header: { name: ':path', string_match: { suffix: '?debug' } } }) });
    assert.equal(ok([pathHeader], { path: '/x/./?debug' }), false);
  });

  it('authenticated principals: plaintext never matches (so not_id of it does), no matcher = any peer', () => {
    const allowPrincipal = rbac('ALLOW', { p: only(ANY, { authenticated: { principal_name: { exact: PRODUCTPAGE } } }) });
    assert.equal(ok([allowPrincipal]), true);
    assert.equal(ok([allowPrincipal], { peer: { principal: 'spiffe://cluster.local/ns/default/sa/other' } }), false);
    assert.equal(ok([allowPrincipal], { peer: {} }), false);
    assert.equal(ok([allowPrincipal], { peer: { principal: '' } }), false);
    const denyNotPrincipal = rbac('DENY', { p: only(ANY, { not_id: { authenticated: { principal_name: { exact: PRODUCTPAGE } } } }) });
    assert.equal(ok([denyNotPrincipal], { peer: {} }), false, 'plaintext is "not productpage"');
    const anyPeer = rbac('ALLOW', { p: only(ANY, { authenticated: {} }) });
    assert.equal(ok([anyPeer]), true);
    assert.equal(ok([anyPeer], { peer: {} }), false);
  });

  it('IP principals: direct_remote_ip is the peer, remote_ip the reported client (default the peer); IPv4-mapped peers are IPv4', () => {
    const direct = rbac('ALLOW', { p: only(ANY, { direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: { value: 8 } } }) });
    const remote = rbac('ALLOW', { p: only(ANY, { remote_ip: { address_prefix: '203.0.113.0', prefix_len: { value: 24 } } }) });
    assert.equal(ok([direct], { sourceIp: '::ffff:10.1.1.1' }), true);
    assert.equal(ok([direct], { sourceIp: '192.168.0.1', remoteIp: '10.1.1.1' }), false);
    assert.equal(ok([remote], { sourceIp: '10.1.1.1', remoteIp: '203.0.113.5' }), true);
    assert.equal(ok([remote], { sourceIp: '203.0.113.5' }), true);
  });

  it('destination port, port range, destination IP and SNI', () => {
    assert.equal(ok([rbac('ALLOW', { p: only({ destination_port: 9080 }) })]), true);
    assert.equal(ok([rbac('ALLOW', { p: only({ destination_port: 9080 }) })], { port: 9443 }), false);
    assert.equal(ok([rbac('ALLOW', { p: only({ destination_port_range: { start: 9000, end: 9100 } }) })], { port: 9099 }), true);
    assert.equal(ok([rbac('ALLOW', { p: only({ destination_port_range: { start: 9000, end: 9100 } }) })], { port: 9100 }), false);
    assert.equal(ok([rbac('ALLOW', { p: only({ destination_ip: { address_prefix: '10.0.0.4', prefix_len: { value: 32 } } }) })]), true);
    const sni = rbac('ALLOW', { p: only({ requested_server_name: { suffix: '.svc.cluster.local' } }) });
    assert.equal(ok([sni], { sni: 'reviews.default.svc.cluster.local' }), true);
    assert.equal(ok([sni]), false, 'no SNI is ""');
  });

  it('headers: case-insensitive names, repeated values joined with ",", host folded into :authority', () => {
    const tenant = rbac('ALLOW', { p: only(ANY, { header: { name: 'X-Tenant', string_match: { exact: 'acme' } } }) });
    assert.equal(ok([tenant], { headers: { 'x-tenant': 'acme' } }), true);
    assert.equal(ok([tenant], { headers: { 'x-tenant': ['acme', 'evil'] } }), false);
    const joined = rbac('ALLOW', { p: only(ANY, { header: { name: 'x-tenant', string_match: { exact: 'acme,evil' } } }) });
    assert.equal(ok([joined], { headers: { 'x-tenant': ['acme', 'evil'] } }), true);
    const host = rbac('ALLOW', { p: only({ header: { name: 'host', present_match: true } }) });
    assert.equal(ok([host], { headers: { host: 'reviews' } }), false, 'Envoy has no host header, only :authority');
  });

  it(':authority: case-insensitive host matchers, trailing dot removed, port kept', () => {
    const deny = rbac('DENY', { p: only({ or_rules: { rules: [
      { header: { name: ':authority', string_match: { exact: 'admin.example', ignore_case: true } } },
      { header: { name: ':authority', string_match: { prefix: 'admin.example:', ignore_case: true } } },
    ] } }) });
    for (const host of ['admin.example', 'ADMIN.Example', 'admin.example.', 'admin.example:80', 'Admin.Example.:8080']) {
      assert.equal(ok([deny], { host }), false, host);
    }
    assert.equal(ok([deny], { host: 'public.example' }), true);
    assert.equal(normalizeAuthority('a.b.'), 'a.b');
    assert.equal(normalizeAuthority('a.b.:80'), 'a.b:80');
    assert.equal(normalizeAuthority('[::1]:80'), '[::1]:80');
    assert.equal(normalizeAuthority('.'), '.');
  });

  it('JWT claims are jwt_authn payload metadata: iss/sub, list claims, absent token', () => {
    const md = (path: string[], value: object) => ({ metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, ...path.map((key) => ({ key }))], value } });
    const principal = rbac('ALLOW', { p: only(ANY, { and_ids: { ids: [md(['iss'], { string_match: { exact: 'https://issuer' } }), md(['sub'], { string_match: { exact: 'alice' } })] } }) });
    assert.equal(ok([principal], { jwtClaims: { iss: 'https://issuer', sub: 'alice' } }), true);
    assert.equal(ok([principal], { jwtClaims: { iss: 'https://issuer', sub: 'bob' } }), false);
    assert.equal(ok([principal]), false);
    const admins = { string_match: { exact: 'admins' } };
    const groups = rbac('ALLOW', { p: only(ANY, md(['groups'], { or_match: { value_matchers: [{ list_match: { one_of: admins } }, admins] } })) });
    assert.equal(ok([groups], { jwtClaims: { groups: ['users', 'admins'] } }), true);
    assert.equal(ok([groups], { jwtClaims: { groups: 'admins' } }), true);
    assert.equal(ok([groups], { jwtClaims: { groups: ['users'] } }), false);
  });

  it('denyAllFilters denies everything (what a listener whose RBAC config failed must enforce)', () => {
    assert.equal(ok(denyAllFilters()), false);
  });

  it("local replies are Envoy's: 403 \"RBAC: access denied\", gRPC PERMISSION_DENIED, empty 400", () => {
    assert.deepEqual(denyResponse(), { status: 403, headers: { 'content-length': '19', 'content-type': 'text/plain', 'x-inboard-response-flags': 'RBAC' }, body: 'RBAC: access denied' });
    assert.deepEqual(denyResponse({ grpc: true }), { status: 200, headers: { 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'RBAC: access denied' }, body: '' });
    const bad = authorize([], request({ path: '/%00' }));
    assert.ok(!bad.allowed);
    if (!bad.allowed) {
      assert.equal(localReplyFor(bad).status, 400);
      assert.equal(localReplyFor(bad, { grpc: true }).headers['grpc-status'], '13');
    }
    assert.equal(describeRbacPolicy('custom'), 'RBAC policy custom');
  });

  it('headerProblem: a second Host or Authorization is a 400, repeated ordinary headers are fine', () => {
    assert.match(headerProblem({ host: ['a', 'b'] })!, /2 host headers/);
    assert.match(headerProblem({ authorization: ['Bearer a', 'Bearer b'] })!, /2 authorization headers/);
    assert.equal(headerProblem({ host: ['a'], 'x-foo': ['1', '2'] }), undefined);
  });

  it('readInboundSettings: mode and normalization from the listener metadata, defaults, unknown values rejected', () => {
    assert.deepEqual(readInboundSettings({ inboard: { mtls_mode: 'STRICT', mtls_policy: 'PeerAuthentication/default/p', path_normalization: 'MERGE_SLASHES', authorization_policies: ['AuthorizationPolicy/default/a'] } }), {
      mtlsMode: 'STRICT', mtlsPolicy: 'PeerAuthentication/default/p', pathNormalization: 'MERGE_SLASHES', authorizationPolicies: ['AuthorizationPolicy/default/a'],
    });
    assert.deepEqual(readInboundSettings(undefined), { mtlsMode: 'PERMISSIVE', pathNormalization: 'BASE', authorizationPolicies: [] });
    assert.throws(() => readInboundSettings({ inboard: { mtls_mode: 'MUTUAL' } }), (e: unknown) => isAuthzError(e, 'INVALID_INBOUND_METADATA') && /mtls_mode: "MUTUAL"/.test(e.message));
    assert.throws(() => readInboundSettings({ inboard: { path_normalization: 'SOME' } }), /path_normalization/);
    assert.equal(inboundListenerName('::', 9080), 'xds.istio.io/grpc/lds/inbound/[::]:9080');
  });
});
