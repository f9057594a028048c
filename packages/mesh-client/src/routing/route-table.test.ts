// Runs the route-matching table (route-cases.ts) through the compiler and findRoute.

import assert from 'node:assert/strict';
import { mulberry32 } from '../balancing/random';
import { compileRouteConfiguration } from '../snapshot/compile-route-config';
import { Issues } from '../snapshot/proto-readers';
import { findRoute } from './match';
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
