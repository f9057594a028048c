// Unit tests of InboundAuthorizer: listener lookup per snapshot, no listener = allow, a DENY kept
// across a snapshot without the listener, fail-closed on bad RBAC or metadata and before any config.

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { HttpFilterSpec, ListenerSpec, MeshSnapshot } from '../snapshot/types';
import { InboundAuthorizer } from './inbound-authz';

const PORT = 9080;
const NAME = `xds.istio.io/grpc/lds/inbound/127.0.0.1:${PORT}`;
const RBAC_TYPE = 'envoy.extensions.filters.http.rbac.v3.RBAC';

function rbac(config: object): HttpFilterSpec {
  return { name: 'envoy.filters.http.rbac', typeName: RBAC_TYPE, optional: false, disabled: false, config: config as Record<string, unknown> };
}
const DENY_ADMIN = rbac({ rules: { action: 'DENY', policies: { 'ns[default]-policy[deny-admin]-rule[0]': { permissions: [{ url_path: { path: { prefix: '/admin' } } }], principals: [{ any: true }] } } } });

function listener(filters: HttpFilterSpec[], metadata: Record<string, unknown> = { inboard: { mtls_mode: 'PERMISSIVE', path_normalization: 'BASE' } }): ListenerSpec {
  return { name: NAME, kind: 'socket', http: { httpFilters: filters }, filterChains: [], metadata } as unknown as ListenerSpec;
}
function snapshot(listeners: ListenerSpec[]): MeshSnapshot {
  return { version: String(Math.random()), listeners: new Map(listeners.map((l) => [l.name, l])) } as unknown as MeshSnapshot;
}
function request(url: string, headers: Record<string, string[]> = {}): IncomingMessage {
  return {
    method: 'GET', url, headers: { host: 'vault' }, headersDistinct: { host: ['vault'], ...headers },
    socket: { localAddress: '127.0.0.1', localPort: PORT, remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
}

describe('inbound/InboundAuthorizer', () => {
  let current: MeshSnapshot | undefined;
  const problems: string[] = [];
  const authorizer = () => new InboundAuthorizer({ current: () => current }, PORT, '127.0.0.1', (p) => problems.push(p.problem!));
  beforeEach(() => { current = undefined; problems.length = 0; });

  const cases: [title: string, listeners: ListenerSpec[] | undefined, url: string, expected: number | string][] = [
    ['fails closed (503) before any config', undefined, '/ok', 503],
    ['allows when the port has no inbound listener (no policy applies)', [], '/admin', '/admin'],
    ['denies what a DENY policy matches', [listener([DENY_ADMIN])], '/admin', 403],
    ['denies after normalising the path', [listener([DENY_ADMIN])], '/x/../%61dmin', 403],
    ['hands the normalised URL on', [listener([DENY_ADMIN])], '/a/./ok?q', '/a/ok?q'],
    ['answers 400 for a target that cannot be normalised', [listener([DENY_ADMIN])], '/a%2Fb%00', 400],
    ['denies everything when the RBAC config is invalid', [listener([rbac({ rules: { action: 'MAYBE' } })])], '/ok', 403],
    ['denies everything when the metadata is unknown', [listener([], { inboard: { mtls_mode: 'SOMETIMES' } })], '/ok', 403],
  ];
  for (const [title, listeners, url, expected] of cases) {
    it(title, () => {
      current = listeners ? snapshot(listeners) : undefined;
      const verdict = authorizer().check(request(url));
      assert.equal(verdict.allowed ? verdict.url : verdict.reply.status, expected);
    });
  }

  it('reports a listener it cannot enforce once per snapshot', () => {
    current = snapshot([listener([rbac({ rules: { action: 'MAYBE' } })])]);
    const a = authorizer();
    a.check(request('/1'));
    a.check(request('/2'));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /rules\.action/);
  });

  it('keeps enforcing the last listener when a later snapshot lacks it (a DENY is never skipped)', () => {
    const a = authorizer();
    current = snapshot([listener([DENY_ADMIN])]);
    assert.equal(a.check(request('/admin')).allowed, false);
    current = snapshot([]);
    assert.equal(a.check(request('/admin')).allowed, false);
    current = snapshot([listener([])]);
    assert.equal(a.check(request('/admin')).allowed, true, 'a pushed listener without policies lifts the DENY');
  });

  it('answers 400 to two Host headers before authorization', () => {
    current = snapshot([]);
    const verdict = authorizer().check(request('/ok', { host: ['a', 'b'] }));
    assert.equal(verdict.allowed ? 'allowed' : verdict.reply.status, 400);
  });
});
