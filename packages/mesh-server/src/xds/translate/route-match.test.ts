import assert from 'node:assert/strict';
import type { HTTPMatchRequest } from '../../config/istio-types';
import { isCatchAllMatch, jwtClaimPath, translateRouteMatch } from './route-match';

describe('translate/route-match', () => {
  const table: [string, HTTPMatchRequest | undefined, Record<string, unknown>][] = [
    ['no match = everything', undefined, { prefix: '/' }],
    ['uri exact → path', { uri: { exact: '/productpage' } }, { path: '/productpage' }],
    ['uri prefix', { uri: { prefix: '/static' } }, { prefix: '/static' }],
    ['uri regex → safe_regex', { uri: { regex: '/api/v[0-9]+/.*' } }, { safe_regex: { regex: '/api/v[0-9]+/.*' } }],
    ['ignoreUriCase', { uri: { prefix: '/A' }, ignoreUriCase: true }, { prefix: '/A', case_sensitive: { value: false } }],
    ['header exact', { headers: { 'end-user': { exact: 'jason' } } },
      { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] }],
    ['header prefix and regex, sorted by name', { headers: { 'x-b': { regex: 'v[12]' }, 'x-a': { prefix: 'pre' } } },
      { prefix: '/', headers: [{ name: 'x-a', string_match: { prefix: 'pre' } }, { name: 'x-b', string_match: { safe_regex: { regex: 'v[12]' } } }] }],
    ['header {} → present', { headers: { 'x-debug': {} } }, { prefix: '/', headers: [{ name: 'x-debug', present_match: true }] }],
    ['header regex "*" → present', { headers: { 'x-debug': { regex: '*' } } }, { prefix: '/', headers: [{ name: 'x-debug', present_match: true }] }],
    ['withoutHeaders exact → inverted, missing treated as empty', { withoutHeaders: { 'end-user': { exact: 'jason' } } },
      { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' }, invert_match: true, treat_missing_header_as_empty: true }] }],
    ['withoutHeaders {} → inverted presence', { withoutHeaders: { 'x-canary': {} } },
      { prefix: '/', headers: [{ name: 'x-canary', present_match: true, invert_match: true }] }],
    ['method, authority, scheme → pseudo-headers after the others', {
      method: { exact: 'GET' }, authority: { prefix: 'reviews' }, scheme: { exact: 'http' }, headers: { 'z-last': { exact: '1' } },
    }, {
      prefix: '/',
      headers: [
        { name: 'z-last', string_match: { exact: '1' } },
        { name: ':method', string_match: { exact: 'GET' } },
        { name: ':authority', string_match: { prefix: 'reviews' } },
        { name: ':scheme', string_match: { exact: 'http' } },
      ],
    }],
    ['queryParams exact, regex and presence (sorted)', { queryParams: { u: { exact: 'normal' }, id: { regex: '\\d+$' }, debug: {} } }, {
      prefix: '/',
      query_parameters: [
        { name: 'debug', present_match: true },
        { name: 'id', string_match: { safe_regex: { regex: '\\d+$' } } },
        { name: 'u', string_match: { exact: 'normal' } },
      ],
    }],
    ['JWT claim header → dynamic metadata', { headers: { '@request.auth.claims.group': { exact: 'admin' } } }, {
      prefix: '/',
      dynamic_metadata: [{
        filter: 'istio_authn',
        path: [{ key: 'request.auth.claims' }, { key: 'group' }],
        value: { list_match: { one_of: { string_match: { exact: 'admin' } } } },
      }],
    }],
  ];
  for (const [name, match, expected] of table) {
    it(name, () => {
      const warnings: string[] = [];
      assert.deepEqual(translateRouteMatch(match, (m) => warnings.push(m)).match, expected);
      assert.deepEqual(warnings, []);
    });
  }

  it('reports JWT claims and query parameters so callers can adapt for gRPC clients', () => {
    const r = translateRouteMatch({ queryParams: { a: {} }, headers: { '@request.auth.claims[iss]': { exact: 'x' } } }, () => undefined);
    assert.equal(r.usesQueryParameters, true);
    assert.equal(r.usesJwtClaims, true);
  });

  it('warns about reserved header keys and leaves them out', () => {
    const warnings: string[] = [];
    const r = translateRouteMatch({ headers: { uri: { exact: '/x' }, 'x-ok': { exact: '1' } } }, (m) => warnings.push(m));
    assert.deepEqual(r.match.headers, [{ name: 'x-ok', string_match: { exact: '1' } }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /"uri" ignored/);
  });

  it('parses JWT claim paths in both notations', () => {
    assert.deepEqual(jwtClaimPath('@request.auth.claims.group.id'), ['group', 'id']);
    assert.deepEqual(jwtClaimPath('@request.auth.claims[group][id]'), ['group', 'id']);
    assert.equal(jwtClaimPath('x-user'), undefined);
  });

  it('recognises catch-all matches as istiod does', () => {
    assert.equal(isCatchAllMatch({ prefix: '/' }), true);
    assert.equal(isCatchAllMatch({ safe_regex: { regex: '.*' } }), true);
    assert.equal(isCatchAllMatch({ prefix: '/', headers: [{ name: 'a', present_match: true }] }), false);
    assert.equal(isCatchAllMatch({ prefix: '/api' }), false);
    assert.equal(isCatchAllMatch({ path: '/' }), false);
  });
});
