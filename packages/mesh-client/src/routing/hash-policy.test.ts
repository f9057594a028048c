// Hash policy evaluation: Envoy's per-policy hashes, rotate-left-1 XOR combination, terminal.

import assert from 'node:assert/strict';
import { xxhash64 } from '../balancing/xxhash64';
import { compileHashPolicies } from '../snapshot/compile-route-policies';
import { Issues } from '../snapshot/proto-readers';
import { computeRequestHash, cookieValue } from './hash-policy';
import { RequestView, type RouteRequest } from './request-view';

const MASK = 0xffffffffffffffffn;
const rotl1 = (h: bigint) => ((h << 1n) | (h >> 63n)) & MASK;

function hashOf(policies: unknown[], request: Partial<RouteRequest>, cookieSeed?: string) {
  const issues = new Issues();
  const compiled = compileHashPolicies(policies, 'hash_policy', issues);
  assert.deepEqual(issues.errors, []);
  const view = new RequestView({ authority: 'svc', method: 'GET', path: '/', headers: {}, ...request });
  return computeRequestHash(compiled, view, cookieSeed === undefined ? {} : { cookieSeed });
}

describe('computeRequestHash', () => {
  it('header: xxHash64 of the value', () => {
    assert.equal(hashOf([{ header: { header_name: 'x-user' } }], { headers: { 'x-user': 'alice' } }).hash, xxhash64('alice'));
  });

  it('header with several values: sorted, so order does not matter', () => {
    const a = hashOf([{ header: { header_name: 'x' } }], { headers: { x: ['b', 'a'] } }).hash;
    const b = hashOf([{ header: { header_name: 'x' } }], { headers: { x: ['a', 'b'] } }).hash;
    assert.equal(a, b);
    assert.equal(a, xxhash64('ab'));
  });

  it('header with regex_rewrite hashes the rewritten value', () => {
    const policy = { header: { header_name: 'x', regex_rewrite: { pattern: { regex: '^user-(\\d+)-.*$' }, substitution: '\\1' } } };
    assert.equal(hashOf([policy], { headers: { x: 'user-42-session-9' } }).hash, xxhash64('42'));
  });

  it('a missing header produces no hash (the balancer picks at random)', () => {
    assert.equal(hashOf([{ header: { header_name: 'x-user' } }], {}).hash, undefined);
  });

  it('two policies combine as rotl1(h1) XOR h2', () => {
    const h = hashOf([{ header: { header_name: 'a' } }, { header: { header_name: 'b' } }], { headers: { a: '1', b: '2' } }).hash;
    assert.equal(h, rotl1(xxhash64('1')) ^ xxhash64('2'));
  });

  it('terminal stops once a hash exists, and falls through when it does not', () => {
    const policies = [{ header: { header_name: 'a' }, terminal: true }, { header: { header_name: 'b' } }];
    assert.equal(hashOf(policies, { headers: { a: '1', b: '2' } }).hash, xxhash64('1'));
    assert.equal(hashOf(policies, { headers: { b: '2' } }).hash, xxhash64('2'));
  });

  it('cookie: hashes the cookie value; quotes are stripped', () => {
    assert.equal(hashOf([{ cookie: { name: 'sid' } }], { headers: { cookie: 'a=1; sid="abc"; b=2' } }).hash, xxhash64('abc'));
    assert.equal(cookieValue(['x=1', 'sid=z'], 'sid'), 'z');
  });

  it('cookie without ttl and absent → no hash; with ttl → generated and set on the response', () => {
    assert.equal(hashOf([{ cookie: { name: 'sid' } }], {}).hash, undefined);
    const r = hashOf([{ cookie: { name: 'sid', ttl: { seconds: 3600 }, path: '/' } }], {}, '10.0.0.1:5555');
    assert.equal(r.setCookies.length, 1);
    const value = r.setCookies[0]!.value;
    assert.match(value, /^[0-9a-f]{16}$/);
    assert.equal(r.hash, xxhash64(value));
    assert.equal(r.setCookies[0]!.header, `sid="${value}"; Max-Age=3600; Path=/; HttpOnly`);
  });

  it('source_ip and query_parameter', () => {
    assert.equal(hashOf([{ connection_properties: { source_ip: true } }], { sourceAddress: '10.1.2.3' }).hash, xxhash64('10.1.2.3'));
    assert.equal(hashOf([{ query_parameter: { name: 'u' } }], { path: '/p?u=jason&u=x' }).hash, xxhash64('jason'));
  });

  it('rejects a hash policy without a specifier', () => {
    const issues = new Issues();
    compileHashPolicies([{ terminal: true }], 'hash_policy', issues);
    assert.match(issues.errors[0]!.message, /hash policy needs/);
    assert.equal(issues.errors[0]!.path, 'hash_policy[0]');
  });
});
