import assert from 'node:assert/strict';
import { isMeshError } from '../errors';
import { seededRandom } from './clock';
import { compileMirrorConfig, decideMirrors, shadowAuthority } from './mirror';

const GET = { authority: 'reviews:9080', method: 'GET', headers: {} };

describe('policy/mirror', () => {
  it('shadow authority: -shadow before the port, as Envoy', () => {
    const table: [string, string][] = [
      ['reviews:9080', 'reviews-shadow:9080'],
      ['reviews', 'reviews-shadow'],
      ['reviews.default.svc.cluster.local:9080', 'reviews.default.svc.cluster.local-shadow:9080'],
      ['10.0.0.1:80', '10.0.0.1-shadow:80'],
      ['[::1]:80', '[::1]-shadow:80'],
      ['[::1]', '[::1]-shadow'],
      ['cluster-1', 'cluster-1-shadow'],
    ];
    for (const [authority, shadow] of table) assert.equal(shadowAuthority(authority), shadow, authority);
  });

  it('an unset runtime_fraction mirrors everything; 0 mirrors nothing; the suffix can be disabled', () => {
    const all = compileMirrorConfig([{ cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local' }]);
    assert.deepEqual(decideMirrors(all, () => 0.999_999, GET), [{ cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local', authority: 'reviews-shadow:9080', traceSampled: true }]);
    const none = compileMirrorConfig([{ cluster: 'm', runtime_fraction: { default_value: { numerator: 0 } } }]);
    assert.deepEqual(decideMirrors(none, () => 0, GET), []);
    const plain = compileMirrorConfig([{ cluster: 'm', disable_shadow_host_suffix_append: true, trace_sampled: { value: false } }]);
    assert.deepEqual(decideMirrors(plain, () => 0, GET), [{ cluster: 'm', authority: 'reviews:9080', traceSampled: false }]);
    assert.deepEqual(decideMirrors(all, () => 0, { ...GET, method: 'CONNECT' }), [], 'CONNECT is never mirrored');
  });

  it('mirrors the configured fraction of 10 000 requests (Istio mirrorPercentage 25 → 250000 per million)', () => {
    const policies = compileMirrorConfig([{ cluster: 'm', runtime_fraction: { default_value: { numerator: 250_000, denominator: 'MILLION' } } }]);
    const rng = seededRandom(5);
    let fired = 0;
    for (let i = 0; i < 10_000; i++) fired += decideMirrors(policies, rng, GET).length;
    assert.ok(Math.abs(fired - 2500) <= 5 * Math.sqrt(10_000 * 0.25 * 0.75), String(fired));
  });

  it('one draw per request is shared by every policy (Envoy uses the stream id)', () => {
    const policies = compileMirrorConfig([
      { cluster: 'ten', runtime_fraction: { default_value: { numerator: 10 } } },
      { cluster: 'fifty', runtime_fraction: { default_value: { numerator: 50 } } },
    ]);
    const rng = seededRandom(9);
    for (let i = 0; i < 2000; i++) {
      const clusters = decideMirrors(policies, rng, GET).map((m) => m.cluster);
      if (clusters.includes('ten')) assert.ok(clusters.includes('fifty'));
    }
  });

  it('cluster_header names the mirror cluster; an absent or empty header skips it', () => {
    const policies = compileMirrorConfig([{ cluster_header: 'X-Mirror-Cluster' }]);
    assert.deepEqual(decideMirrors(policies, () => 0, { ...GET, headers: { 'x-mirror-cluster': 'shadow-c' } }).map((m) => m.cluster), ['shadow-c']);
    assert.deepEqual(decideMirrors(policies, () => 0, { ...GET, headers: { 'x-mirror-cluster': '' } }), []);
    assert.deepEqual(decideMirrors(policies, () => 0, GET), []);
  });

  it('rejects a mirror policy without a cluster', () => {
    assert.throws(() => compileMirrorConfig([{ runtime_fraction: {} }]),
      (e: unknown) => isMeshError(e, 'CONFIG_REJECTED') && /request_mirror_policies\[0\]/.test(e.message));
  });
});
