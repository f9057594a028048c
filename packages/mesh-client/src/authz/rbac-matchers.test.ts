import assert from 'node:assert/strict';
import { Issues } from '../snapshot/proto-readers';
import { canonicalIp, compileCidrRange, compileMetadataMatcher, compileRbacStringMatcher, compileValueMatcher } from './rbac-matchers';

function compiled<T>(build: (issues: Issues) => T | undefined): T {
  const issues = new Issues();
  const out = build(issues);
  assert.deepEqual(issues.errors, []);
  return out!;
}

function errorsOf(build: (issues: Issues) => unknown): string[] {
  const issues = new Issues();
  build(issues);
  return issues.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('authz/rbac-matchers: Envoy RBAC leaf matchers', () => {
  it('string matchers: exact/prefix/suffix/contains, ignore_case, full-match regex', () => {
    const m = (spec: object) => compiled((i) => compileRbacStringMatcher(spec, 'm', i));
    assert.equal(m({ exact: 'GET' }).test('GET'), true);
    assert.equal(m({ exact: 'GET' }).test('get'), false);
    assert.equal(m({ exact: 'Example.COM', ignore_case: true }).test('example.com'), true);
    assert.equal(m({ prefix: '/api/' }).test('/api/x'), true);
    assert.equal(m({ suffix: '.svc' }).test('a.svc'), true);
    assert.equal(m({ contains: 'ns/' }).test('spiffe://a/ns/b'), true);
    assert.equal(m({ safe_regex: { regex: '.+' } }).test(''), false);
    assert.equal(m({ safe_regex: { regex: 'a.c' } }).test('xabcx'), false, 'full match, not search');
    assert.equal(m({}).test(''), true, 'no pattern decodes as exact ""');
  });

  it('regexes get Istio\'s program-size limit (32768), or the matcher\'s own', () => {
    const long = `spiffe://.+/ns/${'n'.repeat(63)}/(.+/|)sa/${'s'.repeat(200)}(/.+)?`;
    assert.equal(compiled((i) => compileRbacStringMatcher({ safe_regex: { regex: long } }, 'm', i)).test(`spiffe://td/ns/${'n'.repeat(63)}/sa/${'s'.repeat(200)}`), true);
    assert.match(errorsOf((i) => compileRbacStringMatcher({ safe_regex: { regex: long, google_re2: { max_program_size: { value: 50 } } } }, 'm', i)).join(), /program size/);
    assert.match(errorsOf((i) => compileRbacStringMatcher({ safe_regex: { regex: '(' } }, 'm', i)).join(), /m\.safe_regex\.regex: invalid RE2/);
    assert.match(errorsOf((i) => compileRbacStringMatcher({ prefix: '' }, 'm', i)).join(), /m\.prefix: prefix must not be empty/);
  });

  it('CIDR ranges: IPv4, IPv6, /0, IPv4-mapped peers as IPv4, families never cross', () => {
    const cidr = (address_prefix: string, len: number) => compiled((i) => compileCidrRange({ address_prefix, prefix_len: { value: len } }, 'c', i));
    assert.equal(cidr('10.0.0.0', 8)('10.200.1.1'), true);
    assert.equal(cidr('10.0.0.0', 8)('11.0.0.1'), false);
    assert.equal(cidr('10.0.0.0', 8)('::ffff:10.1.2.3'), true);
    assert.equal(cidr('192.168.1.1', 32)('192.168.1.1'), true);
    assert.equal(cidr('192.168.1.1', 32)('192.168.1.2'), false);
    assert.equal(cidr('0.0.0.0', 0)('8.8.8.8'), true);
    assert.equal(cidr('0.0.0.0', 0)('::1'), false);
    assert.equal(cidr('2001:db8::', 32)('2001:db8:1::5'), true);
    assert.equal(cidr('2001:db8::', 32)('10.0.0.1'), false);
    assert.equal(compiled((i) => compileCidrRange({ address_prefix: '10.1.2.3' }, 'c', i))('99.9.9.9'), true, 'prefix_len unset = 0');
    assert.equal(canonicalIp('::FFFF:1.2.3.4'), '1.2.3.4');
    assert.equal(canonicalIp('::1'), '::1');
    assert.match(errorsOf((i) => compileCidrRange({ address_prefix: '10.0.0.0', prefix_len: { value: 33 } }, 'c', i)).join(), /c\.prefix_len: prefix length 33 is larger than 32/);
    assert.match(errorsOf((i) => compileCidrRange({ address_prefix: 'ten' }, 'c', i)).join(), /c\.address_prefix: "ten" is not an IP address/);
  });

  it('value matchers follow the value kind: string only matches strings, list_match any element, or_match any matcher', () => {
    const v = (spec: object) => compiled((i) => compileValueMatcher(spec, 'v', i));
    const str = { string_match: { exact: 'admins' } };
    assert.equal(v(str)('admins'), true);
    assert.equal(v(str)(['admins']), false);
    assert.equal(v({ list_match: { one_of: str } })(['users', 'admins']), true);
    assert.equal(v({ list_match: { one_of: str } })('admins'), false);
    const either = v({ or_match: { value_matchers: [{ list_match: { one_of: str } }, str] } });
    assert.equal(either('admins'), true);
    assert.equal(either(['x', 'admins']), true);
    assert.equal(either(['x']), false);
    assert.equal(either(undefined), false);
    assert.equal(v({ present_match: true })(undefined), false);
    assert.equal(v({ present_match: true })(null), true);
    assert.equal(v({ null_match: {} })(null), true);
    assert.equal(v({ bool_match: true })(true), true);
    assert.equal(v({ double_match: { range: { start: 1, end: 5 } } })(4.5), true);
    assert.equal(v({ double_match: { range: { start: 1, end: 5 } } })(5), false);
    assert.equal(v({ double_match: { exact: 3 } })(3), true);
    assert.match(errorsOf((i) => compileValueMatcher({ or_match: { value_matchers: [str] } }, 'v', i)).join(), /at least 2/);
    assert.match(errorsOf((i) => compileValueMatcher({}, 'v', i)).join(), /sets no match pattern/);
  });

  it('metadata matchers walk filter → path keys; a missing value never matches, invert flips', () => {
    const spec = { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: 'iss' }], value: { string_match: { exact: 'https://issuer' } } };
    const m = compiled((i) => compileMetadataMatcher(spec, 'md', i));
    const md = (payload: object) => ({ 'envoy.filters.http.jwt_authn': { payload } });
    assert.equal(m(md({ iss: 'https://issuer' })), true);
    assert.equal(m(md({ iss: 'other' })), false);
    assert.equal(m({}), false);
    assert.equal(m({ 'envoy.filters.http.jwt_authn': 'not-an-object' }), false);
    const inverted = compiled((i) => compileMetadataMatcher({ ...spec, invert: true }, 'md', i));
    assert.equal(inverted({}), true);
    assert.match(errorsOf((i) => compileMetadataMatcher({ filter: '', path: [], value: { present_match: true } }, 'md', i)).join('\n'), /md\.filter: .*\n.*md\.path: .*at least one path segment/);
  });
});
