import assert from 'node:assert/strict';
import { RE2JS } from 're2js';
import type { Rule } from '../../config/istio-types';
import { cidrRange, pathTemplateRegex, regexEscape, stringMatcher } from './rbac-matchers';
import { bracketNames, parseRbacPolicyName, rbacPolicyName, rulePolicy } from './rbac-rules';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The leaves under the single principal's and_ids (or the single permission's and_rules). */
const principalLeaves = (rule: Rule, ns = 'foo'): Loose[] => (rulePolicy(rule, ns) as Loose).principals[0].and_ids.ids;
const permissionLeaves = (rule: Rule): Loose[] => (rulePolicy(rule, 'foo') as Loose).permissions[0].and_rules.rules;
const fullMatch = (regex: string, input: string) => RE2JS.compile(regex).testExact(input);

describe('translate/rbac-rules: AuthorizationPolicy rule → Envoy RBAC policy', () => {
  it('names policies as Istio does and parses the names back', () => {
    assert.equal(rbacPolicyName('foo', 'httpbin-1', 0), 'ns[foo]-policy[httpbin-1]-rule[0]');
    assert.deepEqual(parseRbacPolicyName('ns[foo]-policy[httpbin-1]-rule[3]'), { namespace: 'foo', name: 'httpbin-1', rule: 3 });
    assert.equal(parseRbacPolicyName('foo-httpbin-0'), undefined);
  });

  it('an empty rule matches everything: one permission and one principal, each and(any)', () => {
    assert.deepEqual(rulePolicy({}, 'foo'), {
      permissions: [{ and_rules: { rules: [{ any: true }] } }],
      principals: [{ and_ids: { ids: [{ any: true }] } }],
    });
  });

  const stringCases: [string, string, Loose][] = [
    ['exact', 'abc', { exact: 'abc' }],
    ['prefix', 'abc*', { prefix: 'abc' }],
    ['suffix', '*abc', { suffix: 'abc' }],
    ['presence', '*', { safe_regex: { regex: '.+' } }],
  ];
  for (const [kind, value, expected] of stringCases) {
    it(`Istio string value ${kind} ${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => assert.deepEqual(stringMatcher(value), expected));
  }

  it('principals get the spiffe:// prefix; a suffix wildcard becomes an escaped regex; * needs any peer identity', () => {
    const [or] = principalLeaves({ from: [{ source: { principals: ['cluster.local/ns/default/sa/a', 'cluster.local/ns/default/sa/b*', '*-evil.x', '*'] } }] });
    assert.deepEqual(or.or_ids.ids.map((id: Loose) => id.authenticated.principal_name), [
      { exact: 'spiffe://cluster.local/ns/default/sa/a' },
      { prefix: 'spiffe://cluster.local/ns/default/sa/b' },
      { safe_regex: { regex: 'spiffe://.*-evil\\.x' } },
      { safe_regex: { regex: '.+' } },
    ]);
    assert.equal(fullMatch('spiffe://.*-evil\\.x', 'spiffe://td/ns/a/sa/b-evil.x'), true);
    assert.equal(fullMatch('spiffe://.*-evil\\.x', 'spiffe://td/ns/a/sa/b-evilXx'), false);
  });

  it('not-values become not_id(or_ids(...)) after the values, and fields keep Istio order', () => {
    const leaves = principalLeaves({ from: [{ source: { ipBlocks: ['10.0.0.0/8'], namespaces: ['prod'], principals: ['a'], notPrincipals: ['b'] } }] });
    assert.deepEqual(leaves.map((l) => Object.keys(l)[0]), ['or_ids', 'not_id', 'or_ids', 'or_ids']);
    assert.deepEqual(leaves[1], { not_id: { or_ids: { ids: [{ authenticated: { principal_name: { exact: 'spiffe://b' } } }] } } });
    assert.deepEqual(leaves[3], { or_ids: { ids: [{ direct_remote_ip: { address_prefix: '10.0.0.0', prefix_len: { value: 8 } } }] } });
  });

  it('namespaces match the principal with a regex whose literal parts are escaped', () => {
    const [or] = principalLeaves({ from: [{ source: { namespaces: ['prod', 'team-*', '*'] } }] });
    const regexes = or.or_ids.ids.map((id: Loose) => id.authenticated.principal_name.safe_regex.regex);
    assert.deepEqual(regexes, ['.*/ns/prod/.*', '.*/ns/team-.*/.*', '.*/ns/.*/.*']);
    assert.equal(fullMatch(regexes[0], 'spiffe://cluster.local/ns/prod/sa/x'), true);
    assert.equal(fullMatch(regexes[0], 'spiffe://cluster.local/ns/production/sa/x'), false);
    assert.equal(fullMatch(regexes[1], 'spiffe://cluster.local/ns/team-a/sa/x'), true);
  });

  it('service accounts: the regex of Istio, with dots escaped (CVE-2026-39350)', () => {
    const [or] = principalLeaves({ from: [{ source: { serviceAccounts: ['cert-manager/cert-manager.io', 'local'] } }] }, 'shop');
    const [dotted, local] = or.or_ids.ids.map((id: Loose) => id.authenticated.principal_name.safe_regex.regex);
    assert.equal(dotted, 'spiffe://.+/ns/cert-manager/(.+/|)sa/cert-manager\\.io(/.+)?');
    assert.equal(fullMatch(dotted, 'spiffe://cluster.local/ns/cert-manager/sa/cert-manager.io'), true);
    assert.equal(fullMatch(dotted, 'spiffe://cluster.local/ns/cert-manager/sa/cert-manager-io'), false);
    assert.equal(fullMatch(dotted, 'spiffe://cluster.local/ns/cert-manager/sa/cert-managerXio'), false);
    assert.equal(fullMatch(local, 'spiffe://cluster.local/ns/shop/sa/local'), true, 'no namespace → the policy namespace');
    assert.equal(fullMatch(local, 'spiffe://cluster.local/ns/other/sa/local'), false);
  });

  it('trust domains: exact as a prefix, wildcards stay inside the domain', () => {
    const [or] = principalLeaves({ from: [{ source: { trustDomains: ['cluster.local', '*.corp'] } }] });
    assert.deepEqual(or.or_ids.ids[0].authenticated.principal_name, { prefix: 'spiffe://cluster.local/' });
    const regex = or.or_ids.ids[1].authenticated.principal_name.safe_regex.regex;
    assert.equal(fullMatch(regex, 'spiffe://a.corp/ns/x/sa/y'), true);
    assert.equal(fullMatch(regex, 'spiffe://a.corpX/ns/x/sa/y.corp/z'), false);
  });

  it('request principals: Istio string rules over the whole "<iss>/<sub>" (istio_authn request.auth.principal)', () => {
    const [or] = principalLeaves({ from: [{ source: { requestPrincipals: ['https://issuer.example/alice', 'https://iss*', '*'] } }] });
    const md = (string_match: Loose) => ({ metadata: { filter: 'istio_authn', path: [{ key: 'request.auth.principal' }], value: { string_match } } });
    assert.deepEqual(or, { or_ids: { ids: [md({ exact: 'https://issuer.example/alice' }), md({ prefix: 'https://iss' }), md({ safe_regex: { regex: '.+' } })] } });
  });

  it('operations: hosts case-insensitive on :authority, methods on :method, paths (templates as escaped regex), ports', () => {
    const leaves = permissionLeaves({ to: [{ operation: { hosts: ['Example.com', '*.example.com'], methods: ['GET'], paths: ['/api/{*}/items', '/a.b*'], ports: ['9080'], notPorts: ['15000'] } }] });
    assert.deepEqual(leaves[0].or_rules.rules, [
      { header: { name: ':authority', string_match: { exact: 'Example.com', ignore_case: true } } },
      { header: { name: ':authority', string_match: { suffix: '.example.com', ignore_case: true } } },
    ]);
    assert.deepEqual(leaves[1].or_rules.rules, [{ header: { name: ':method', string_match: { exact: 'GET' } } }]);
    const template = leaves[2].or_rules.rules[0].url_path.path.safe_regex.regex;
    assert.equal(fullMatch(template, '/api/v1/items'), true);
    assert.equal(fullMatch(template, '/api/v1/v2/items'), false);
    assert.equal(fullMatch(template, '/api//items'), false);
    assert.deepEqual(leaves[2].or_rules.rules[1], { url_path: { path: { prefix: '/a.b' } } });
    assert.deepEqual(leaves[3], { or_rules: { rules: [{ destination_port: 9080 }] } });
    assert.deepEqual(leaves[4], { not_rule: { or_rules: { rules: [{ destination_port: 15000 }] } } });
  });

  it('{**} spans segments; literal text of a template is escaped', () => {
    const regex = pathTemplateRegex('/files/{**}');
    assert.equal(fullMatch(regex, '/files/a/b/c.txt'), true);
    assert.equal(fullMatch(regex, '/files/'), true);
    assert.equal(fullMatch(regex, '/filesX/a'), false);
    assert.equal(fullMatch(pathTemplateRegex('/v1.0/{*}'), '/v1X0/a'), false);
    assert.equal(regexEscape('a.b*c(d)'), 'a\\.b\\*c\\(d\\)');
  });

  it('every from source is one principal and every to operation one permission (ORed by Envoy)', () => {
    const policy = rulePolicy({ from: [{ source: { principals: ['a'] } }, { source: { namespaces: ['b'] } }], to: [{ operation: { methods: ['GET'] } }, { operation: { paths: ['/x'] } }] }, 'foo') as Loose;
    assert.equal(policy.principals.length, 2);
    assert.equal(policy.permissions.length, 2);
  });

  it('when conditions join every principal (source keys) or every permission (destination keys)', () => {
    const policy = rulePolicy({
      from: [{ source: { principals: ['a'] } }, { source: { principals: ['b'] } }],
      when: [
        { key: 'request.headers[X-Tenant]', values: ['acme'] },
        { key: 'request.auth.claims[groups]', values: ['admins'] },
        { key: 'request.auth.claims[nested][role]', notValues: ['guest'] },
        { key: 'destination.port', values: ['9080'] },
        { key: 'connection.sni', values: ['*.svc'] },
      ],
    }, 'foo') as Loose;
    for (const principal of policy.principals) {
      const ids = principal.and_ids.ids;
      assert.deepEqual(ids[1], { or_ids: { ids: [{ header: { name: 'x-tenant', string_match: { exact: 'acme' } } }] } });
      const value = { string_match: { exact: 'admins' } };
      assert.deepEqual(ids[2], { metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'groups' }], value: { or_match: { value_matchers: [{ list_match: { one_of: value } }, value] } } } });
      assert.deepEqual(ids[3].not_id.metadata.path, [{ key: 'payload' }, { key: 'nested' }, { key: 'role' }]);
    }
    assert.deepEqual(policy.permissions[0].and_rules.rules, [
      { or_rules: { rules: [{ destination_port: 9080 }] } },
      { or_rules: { rules: [{ requested_server_name: { suffix: '.svc' } }] } },
    ]);
  });

  it('fails loudly on what it cannot translate (the caller decides skip or fail closed)', () => {
    assert.throws(() => rulePolicy({ from: [{ source: { ipBlocks: ['10.0.0.0/40'] } }] }, 'foo'), /ipBlocks: .*prefix length/);
    assert.throws(() => rulePolicy({ to: [{ operation: { ports: ['70000'] } }] }, 'foo'), /ports: .*not a port/);
    assert.throws(() => rulePolicy({ when: [{ key: 'destination.labels[app]', values: ['x'] }] }, 'foo'), /unknown attribute/);
    assert.throws(() => cidrRange('not-an-ip'), /not an IP address/);
    assert.deepEqual(cidrRange('2001:db8::1'), { address_prefix: '2001:db8::1', prefix_len: { value: 128 } });
    assert.deepEqual(bracketNames('[a][b]'), ['a', 'b']);
    assert.deepEqual(bracketNames('[a.b]'), ['a.b']);
    assert.throws(() => bracketNames('a'), /expected \[<name>\]/);
  });
});
