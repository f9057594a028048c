// Runs the route-matching table (route-cases.ts) through the compiler and findRoute.

import assert from 'node:assert/strict';
import { mulberry32 } from '../balancing/random';
import { compileRouteConfiguration } from '../snapshot/compile-route-config';
import { Issues } from '../snapshot/proto-readers';
import { findRoute, matchesEveryPath } from './match';
import { ROUTE_TABLES } from './route-cases';

describe('route matching table', () => {
  it('has at least 120 cases', () => {
    assert.ok(ROUTE_TABLES.reduce((n, t) => n + t.cases.length, 0) >= 120);
  });

  for (const t of ROUTE_TABLES) {
    describe(t.table, () => {
      const issues = new Issues();
      const table = compileRouteConfiguration(t.config, issues);
      it('compiles without errors', () => {
        assert.deepEqual(issues.errors, []);
        assert.ok(table);
      });
      for (const c of t.cases) {
        it(c.name, () => {
          assert.ok(table);
          const found = findRoute(table, { method: 'GET', ...c.request, headers: c.request.headers ?? {}, authority: c.request.authority ?? 'svc' }, { random: mulberry32(7) });
          const routeName = found.ok ? found.route.name : null;
          assert.equal(routeName, c.route, `route for ${c.request.authority ?? 'svc'}${c.request.path}`);
          if (c.vhost !== undefined) {
            const vhost = found.ok ? found.virtualHost.name : found.virtualHost?.name ?? null;
            assert.equal(vhost, c.vhost);
          }
        });
      }
    });
  }
});

describe('matchesEveryPath', () => {
  const compile = (match: Record<string, unknown>) => {
    const issues = new Issues();
    const table = compileRouteConfiguration({
      name: 't',
      virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match, route: { cluster: 'c' } }] }],
    }, issues);
    assert.deepEqual(issues.errors, []);
    return table!.virtualHosts[0]!.routes[0]!.match;
  };

  it('holds for a prefix of "" or "/" with no other condition, in either case sensitivity', () => {
    for (const match of [{ prefix: '/' }, { prefix: '' }, { prefix: '/', case_sensitive: false }]) {
      assert.equal(matchesEveryPath(compile(match)), true, JSON.stringify(match));
    }
  });

  it('fails for any narrower path or any further condition', () => {
    for (const match of [
      { prefix: '/r' }, { path: '/' }, { safe_regex: { regex: '.*' } }, { path_separated_prefix: '/a' },
      { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] },
      { prefix: '/', query_parameters: [{ name: 'u', present_match: true }] },
      { prefix: '/', grpc: {} }, { prefix: '/', tls_context: { presented: true } },
      { prefix: '/', runtime_fraction: { default_value: { numerator: 50 } } },
      { prefix: '/', dynamic_metadata: [{ filter: 'f', path: [{ key: 'k' }], value: { present_match: true } }] },
    ]) {
      assert.equal(matchesEveryPath(compile(match)), false, JSON.stringify(match));
    }
  });
});
