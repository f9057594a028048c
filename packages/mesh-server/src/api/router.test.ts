import assert from 'node:assert/strict';
import { matchRoute, parseTarget, type Route } from './router';

const handler = () => {};
const routes: Route[] = [
  { method: 'POST', pattern: '/apis/inboard.io/v1/apply', handler },
  { method: 'GET', pattern: '/apis/:group/:version/:plural', handler },
  { method: 'GET', pattern: '/apis/:group/:version/namespaces/:namespace/:plural/:name', handler },
  { method: 'PUT', pattern: '/apis/:group/:version/namespaces/:namespace/:plural/:name', handler },
];

describe('api router', () => {
  describe('parseTarget', () => {
    const table: [string, string[] | undefined][] = [
      ['/', []],
      ['/healthz', ['healthz']],
      ['/apis/a/b/', ['apis', 'a', 'b']],
      ['/apis/x%2Dy/b', ['apis', 'x-y', 'b']],
      ['//admin', undefined],
      ['/a//b', undefined],
      ['/a/../b', undefined],
      ['/a/%2e%2e/b', undefined],
      ['/a/%2Fb', undefined],
      ['/a/%zz', undefined],
      ['/a#frag', undefined],
      ['http://other/admin', undefined],
    ];
    for (const [target, expected] of table) {
      it(`${target} → ${expected ? JSON.stringify(expected) : 'rejected'}`, () => {
        assert.deepEqual(parseTarget(target)?.segments, expected);
      });
    }
    it('keeps the query apart', () => {
      assert.equal(parseTarget('/x?watch=true&resourceVersion=5')!.query.get('resourceVersion'), '5');
    });
  });

  describe('matchRoute', () => {
    it('captures parameters', () => {
      const m = matchRoute(routes, 'GET', ['apis', 'networking.istio.io', 'v1', 'namespaces', 'default', 'virtualservices', 'reviews']);
      assert.equal(m.kind, 'found');
      assert.deepEqual(m.kind === 'found' && m.params, { group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'reviews' });
    });
    it('prefers the literal pattern: GET on the apply path is 405, not a list', () => {
      assert.deepEqual(matchRoute(routes, 'GET', ['apis', 'inboard.io', 'v1', 'apply']), { kind: 'method-not-allowed', allow: ['POST'] });
    });
    it('answers 405 with every method the path serves', () => {
      const m = matchRoute(routes, 'DELETE', ['apis', 'g', 'v', 'namespaces', 'n', 'p', 'x']);
      assert.deepEqual(m, { kind: 'method-not-allowed', allow: ['GET', 'PUT'] });
    });
    it('answers not-found for unknown paths', () => {
      assert.deepEqual(matchRoute(routes, 'GET', ['nope']), { kind: 'not-found' });
    });
  });
});
