// Istio's BookInfo authorization task (samples/bookinfo/platform/kube/.../security/authz-http),
// applied unchanged: the RBAC filter each workload's inbound listener carries, in full.

import assert from 'node:assert/strict';
import { translate } from './index';
import { applySamples, bookinfoRegistry, get, sidecar, warningLines } from './test-support';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const AUTHZ = 'bookinfo/security/authz-http';
const ADDRESS: Record<string, string> = { details: '10.0.0.1', productpage: '10.0.0.2', ratings: '10.0.0.3', reviews: '10.0.0.4' };

/** The http_filters of the inbound listener of `app` v1 after applying the sample files. */
function inboundFilters(files: readonly string[], app: string): Loose[] {
  const config = applySamples(files.map((f) => `${AUTHZ}/${f}`));
  const result = translate({ config, registry: bookinfoRegistry() }, sidecar({ labels: { app, version: 'v1' } }));
  assert.deepEqual(warningLines(result).filter((w) => w.includes('AuthorizationPolicy')), []);
  const listener = get(result.listeners, `xds.istio.io/grpc/lds/inbound/${ADDRESS[app]}:9080`);
  return listener.filter_chains[0].filters[0].typed_config.http_filters;
}

const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };
const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const NEVER = { permissions: [{ not_rule: { any: true } }], principals: [{ not_id: { any: true } }] };
const GET_ONLY = { and_rules: { rules: [{ or_rules: { rules: [{ header: { name: ':method', string_match: { exact: 'GET' } } }] } }] } };
const fromPrincipal = (sa: string) => ({
  and_ids: { ids: [{ or_ids: { ids: [{ authenticated: { principal_name: { exact: `spiffe://cluster.local/ns/default/sa/${sa}` } } }] } }] },
});

describe('translate: BookInfo authz-http samples → RBAC filters of the inbound listeners', () => {
  it('allow-nothing: every workload gets an ALLOW filter whose only policy never matches (deny all)', () => {
    for (const app of Object.keys(ADDRESS)) {
      assert.deepEqual(inboundFilters(['allow-nothing.yaml'], app), [
        { name: 'envoy.filters.http.rbac', typed_config: { '@type': RBAC, rules: { action: 'ALLOW', policies: { 'ns[default]-policy[allow-nothing]-rule[0]': NEVER } } } },
        ROUTER,
      ], app);
    }
  });

  it('productpage-viewer: GET from anyone, on productpage only', () => {
    const files = ['allow-nothing.yaml', 'productpage-viewer.yaml'];
    assert.deepEqual(inboundFilters(files, 'productpage')[0]!.typed_config.rules.policies, {
      'ns[default]-policy[allow-nothing]-rule[0]': NEVER,
      'ns[default]-policy[productpage-viewer]-rule[0]': { permissions: [GET_ONLY], principals: [{ and_ids: { ids: [{ any: true }] } }] },
    });
    assert.deepEqual(Object.keys(inboundFilters(files, 'details')[0]!.typed_config.rules.policies), ['ns[default]-policy[allow-nothing]-rule[0]']);
  });

  const viewers: [string, string, string][] = [
    ['details-viewer.yaml', 'details', 'bookinfo-productpage'],
    ['reviews-viewer.yaml', 'reviews', 'bookinfo-productpage'],
    ['ratings-viewer.yaml', 'ratings', 'bookinfo-reviews'],
  ];
  for (const [file, app, sa] of viewers) {
    it(`${file}: GET from ${sa}'s identity only, on ${app} only`, () => {
      const policies = inboundFilters(['allow-nothing.yaml', file], app)[0]!.typed_config.rules.policies;
      assert.deepEqual(policies[`ns[default]-policy[${app}-viewer]-rule[0]`], { permissions: [GET_ONLY], principals: [fromPrincipal(sa)] });
    });
  }

  it('the whole task applied together: each service allows exactly its own viewer policy', () => {
    const files = ['allow-nothing.yaml', 'productpage-viewer.yaml', 'details-viewer.yaml', 'reviews-viewer.yaml', 'ratings-viewer.yaml', 'bookinfo-gateway-viewer.yaml'];
    for (const app of Object.keys(ADDRESS)) {
      const filters = inboundFilters(files, app);
      assert.equal(filters.length, 2, app);
      assert.deepEqual(Object.keys(filters[0]!.typed_config.rules.policies), ['ns[default]-policy[allow-nothing]-rule[0]', `ns[default]-policy[${app}-viewer]-rule[0]`], app);
    }
  });

  it('bookinfo-gateway-viewer selects the gateway by label, so no sidecar gets it', () => {
    assert.deepEqual(inboundFilters(['bookinfo-gateway-viewer.yaml'], 'productpage'), [ROUTER]);
  });
});
