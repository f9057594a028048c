// SEC-05: AuthorizationPolicy conformance. Random policy sets (ALLOW/DENY/AUDIT, root and workload
// namespace, principals, namespaces, service accounts, IP blocks, request principals, hosts,
// methods, paths with prefix/suffix wildcards and templates, ports, not-forms, `when` conditions)
// and random requests: the decision of the real pipeline — mesh-server translation → wire →
// compileRbac → authorize — must equal the reference evaluator written from Istio's documentation.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateResource } from '@inboard/mesh-server';
import { authorize, normalizePath, type AuthzRequest } from '../src/authz';
import { referenceDecision, type RefPolicy, type RefRequest } from './authz-reference';
import { compiledPolicies, resourcesOf, WORKLOAD, type PolicyDoc } from './authz-pipeline';

type Fields = Record<string, string[]>;

/** values and/or notValues for one field, drawn from a pool. */
function fieldArb(name: string, pool: readonly string[]): fc.Arbitrary<Fields> {
  const sub = fc.subarray([...pool], { minLength: 1, maxLength: Math.min(3, pool.length) });
  const notName = `not${name[0]!.toUpperCase()}${name.slice(1)}`;
  return fc.oneof(
    sub.map((v) => ({ [name]: v })),
    sub.map((v) => ({ [notName]: v })),
    fc.tuple(sub, sub).map(([v, n]) => ({ [name]: v, [notName]: n })),
  );
}

/** A record of 1–3 fields from `fields` (Istio requires at least one). */
function fieldsArb(fields: Record<string, readonly string[]>): fc.Arbitrary<Fields> {
  const names = Object.keys(fields);
  return fc.subarray(names, { minLength: 1, maxLength: 3 })
    .chain((chosen) => fc.tuple(...chosen.map((n) => fieldArb(n, fields[n]!))))
    .map((parts) => Object.assign({}, ...parts) as Fields);
}

const PRINCIPALS = ['cluster.local/ns/default/sa/productpage', 'cluster.local/ns/default/sa/reviews', 'cluster.local/ns/shop/sa/admin', 'cluster.local/ns/default/sa/*', 'cluster.local/ns/shop/*', '*/sa/admin', '*admin', '*', 'cluster.local/ns/default/sa/rev*'];
const NAMESPACES = ['default', 'shop', 'sh*', '*op', '*', 'team-*'];
const IP_BLOCKS = ['10.0.0.0/8', '10.1.2.3', '192.168.0.0/16', '127.0.0.1', '10.1.0.0/16'];
const REQUEST_PRINCIPALS = ['https://issuer.example/alice', 'https://issuer.example/*', '*/bob', '*', 'https://other.example/alice', 'https://iss*'];
const SERVICE_ACCOUNTS = ['default/productpage', 'reviews', 'shop/admin'];

const identitySource = fieldsArb({ principals: PRINCIPALS, namespaces: NAMESPACES, ipBlocks: IP_BLOCKS, remoteIpBlocks: IP_BLOCKS, requestPrincipals: REQUEST_PRINCIPALS });
const accountSource = fc.tuple(fieldArb('serviceAccounts', SERVICE_ACCOUNTS), fc.option(fieldArb('ipBlocks', IP_BLOCKS), { nil: undefined }))
  .map(([a, b]) => ({ ...a, ...b }));
const source = fc.oneof({ weight: 4, arbitrary: identitySource }, { weight: 1, arbitrary: accountSource });

const operation = fieldsArb({
  hosts: ['reviews', 'reviews:9080', 'REVIEWS.default', '*.default', 'reviews*', '*'],
  methods: ['GET', 'POST', 'PUT', 'DELETE', 'G*', '*T', '*'],
  paths: ['/admin', '/admin/*', '/admin*', '*/items', '/api/{*}/items', '/files/{**}', '*', '/public/*'],
  ports: ['9080', '8080'],
});

const CONDITIONS: Record<string, readonly string[]> = {
  'request.headers[x-user]': ['alice', 'bob', 'al*', '*'],
  'source.namespace': NAMESPACES,
  'source.principal': PRINCIPALS,
  'source.ip': IP_BLOCKS,
  'remote.ip': IP_BLOCKS,
  'request.auth.principal': REQUEST_PRINCIPALS,
  'request.auth.claims[groups]': ['admins', 'dev*', '*'],
  'request.auth.audiences': ['reviews', 'book*'],
  'request.auth.presenter': ['web', 'w*'],
  'destination.port': ['9080', '8080'],
  'destination.ip': ['10.0.0.0/8', '192.168.0.1'],
  'connection.sni': ['*.svc.cluster.local', 'reviews.default.svc.cluster.local', '*'],
};
const condition = fc.constantFrom(...Object.keys(CONDITIONS)).chain((key) =>
  fieldArb('values', CONDITIONS[key]!).map((f) => ({ key, ...f })));

const rule = fc.record({
  from: fc.option(fc.array(source.map((s) => ({ source: s })), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  to: fc.option(fc.array(operation.map((o) => ({ operation: o })), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  when: fc.option(fc.array(condition, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const policy = fc.record({
  action: fc.constantFrom('ALLOW', 'ALLOW', 'DENY', 'DENY', 'AUDIT', undefined),
  namespace: fc.constantFrom('default', 'default', 'istio-system'),
  rules: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 8, arbitrary: fc.array(rule, { minLength: 1, maxLength: 2 }) }),
});

const policies = fc.array(policy, { maxLength: 4 }).map((list): PolicyDoc[] => list.map((p, i) => ({
  name: `p${i}`,
  namespace: p.namespace,
  // Inboard rejects a DENY/AUDIT policy without rules at write time (it would silently match nothing).
  spec: {
    ...(p.action ? { action: p.action } : {}),
    ...(p.rules ? { rules: p.rules } : p.action === 'DENY' || p.action === 'AUDIT' ? { rules: [] } : {}),
  },
})));

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.constantFrom('/', '/admin', '/admin/', '/admin/x', '/adminx', '/api/v1/items', '/api/v1/v2/items', '/api//items', '/files/a/b', '/files/', '/files', '/public/a', '/x/items', '/public/../admin', '/Admin', '/%61dmin/x?q=1', '/public/a#frag'),
  host: fc.constantFrom('reviews', 'reviews:9080', 'Reviews.Default', 'reviews.default', 'other:8080'),
  port: fc.constantFrom(9080, 8080),
  sourceIp: fc.constantFrom('10.1.2.3', '10.9.9.9', '192.168.1.1', '127.0.0.1', '::ffff:10.1.2.3'),
  remoteIp: fc.option(fc.constantFrom('10.1.0.9', '192.168.7.7'), { nil: undefined }),
  destinationIp: fc.constantFrom(WORKLOAD.address, '192.168.0.1'),
  principal: fc.option(fc.constantFrom(...['default', 'shop'].flatMap((ns) => ['productpage', 'reviews', 'admin'].map((sa) => `cluster.local/ns/${ns}/sa/${sa}`))), { nil: undefined }),
  user: fc.option(fc.constantFrom('alice', 'bob', 'mallory'), { nil: undefined }),
  jwt: fc.option(fc.record({
    iss: fc.constantFrom('https://issuer.example', 'https://other.example'),
    sub: fc.constantFrom('alice', 'bob'),
    aud: fc.constantFrom<string | string[]>('reviews', ['bookinfo', 'x'], ['x']),
    azp: fc.constantFrom('web', 'cli'),
    groups: fc.constantFrom<string | string[]>('admins', ['dev-team', 'users'], []),
  }), { nil: undefined }),
  sni: fc.option(fc.constantFrom('reviews.default.svc.cluster.local', 'other.example'), { nil: undefined }),
});

type Req = typeof request extends fc.Arbitrary<infer R> ? R : never;

function toAuthzRequest(r: Req): AuthzRequest {
  return {
    method: r.method, path: r.path, host: r.host, port: r.port, sourceIp: r.sourceIp, destinationIp: r.destinationIp,
    headers: r.user ? { 'x-user': r.user } : {},
    peer: r.principal ? { principal: `spiffe://${r.principal}` } : {},
    ...(r.remoteIp ? { remoteIp: r.remoteIp } : {}),
    ...(r.jwt ? { jwtClaims: r.jwt } : {}),
    ...(r.sni ? { sni: r.sni } : {}),
  };
}

function toRefRequest(r: Req): RefRequest {
  const normalized = normalizePath(r.path);
  assert.ok(normalized.ok);
  return {
    method: r.method, path: normalized.path, host: r.host, port: r.port, sourceIp: r.sourceIp, remoteIp: r.remoteIp ?? r.sourceIp,
    destinationIp: r.destinationIp, headers: r.user ? { 'x-user': r.user } : {}, sni: r.sni ?? '',
    ...(r.principal ? { principal: r.principal } : {}),
    ...(r.jwt ? { jwt: r.jwt } : {}),
  };
}

describe('SEC-05 AuthorizationPolicy conformance: translated RBAC vs a reference evaluator from Istio\'s docs', function () {
  this.timeout(60_000);

  it('every generated policy is valid Istio config (the generator stays honest)', () => {
    for (const docs of fc.sample(policies, { seed: 7, numRuns: 300 })) {
      for (const resource of resourcesOf(docs)) {
        const { errors } = validateResource(resource);
        assert.deepEqual(errors.map((e) => `${e.path}: ${e.message}`), [], JSON.stringify(resource.spec));
      }
    }
  });

  it('agrees on random policy sets and requests (fixed seed, 600 policy sets × 8 requests)', () => {
    let denied = 0;
    let total = 0;
    fc.assert(fc.property(policies, fc.array(request, { minLength: 8, maxLength: 8 }), (docs, requests) => {
      const filters = compiledPolicies(docs);
      const ref: RefPolicy[] = docs.map((d) => ({ namespace: d.namespace ?? 'default', spec: d.spec as RefPolicy['spec'] }));
      for (const r of requests) {
        const actual = authorize(filters, toAuthzRequest(r)).allowed ? 'ALLOW' : 'DENY';
        const expected = referenceDecision(ref, toRefRequest(r));
        assert.equal(actual, expected, `request ${JSON.stringify(r)}`);
        total += 1;
        if (actual === 'DENY') denied += 1;
      }
    }), { seed: 20261125, numRuns: 600 });
    // The property is only meaningful if both outcomes are common.
    assert.ok(denied > total * 0.1 && denied < total * 0.9, `denied ${denied} of ${total}`);
  });

  it('the fixed table: no policies, allow-nothing, allow-all, DENY beats ALLOW, AUDIT changes nothing', () => {
    const r = toAuthzRequest({ method: 'GET', path: '/admin', host: 'reviews', port: 9080, sourceIp: '10.1.2.3', destinationIp: WORKLOAD.address, principal: undefined, user: undefined, jwt: undefined, sni: undefined, remoteIp: undefined });
    const decide = (docs: PolicyDoc[]) => (authorize(compiledPolicies(docs), r).allowed ? 'ALLOW' : 'DENY');
    assert.equal(decide([]), 'ALLOW');
    assert.equal(decide([{ name: 'allow-nothing', spec: {} }]), 'DENY');
    assert.equal(decide([{ name: 'allow-all', spec: { rules: [{}] } }]), 'ALLOW');
    assert.equal(decide([{ name: 'allow-all', spec: { rules: [{}] } }, { name: 'deny-admin', spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } }]), 'DENY');
    assert.equal(decide([{ name: 'deny-admin', namespace: 'istio-system', spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } }, { name: 'allow-all', spec: { rules: [{}] } }]), 'DENY');
    assert.equal(decide([{ name: 'audit', spec: { action: 'AUDIT', rules: [{}] } }]), 'ALLOW');
    assert.equal(decide([{ name: 'audit', spec: { action: 'AUDIT', rules: [{}] } }, { name: 'allow-nothing', spec: {} }]), 'DENY');
    assert.equal(decide([{ name: 'trial', annotations: { 'istio.io/dry-run': 'true' }, spec: { action: 'DENY', rules: [{}] } }]), 'ALLOW');
    assert.equal(decide([{ name: 'mtls-only', spec: { rules: [{ from: [{ source: { principals: ['*'] } }] }] } }]), 'DENY', 'plaintext has no principal');
    assert.equal(decide([{ name: 'no-mtls', spec: { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] } }]), 'DENY', 'plaintext is "not any principal"');
    assert.equal(decide([{ name: 'dotted', spec: { rules: [{ from: [{ source: { serviceAccounts: ['cert-manager.io'] } }] }] } }]), 'DENY');
  });
});
