// The CA's SPIFFE ID builder: valid Kubernetes names in, `spiffe://td/ns/<ns>/sa/<sa>` out; anything
// else refused with BAD_REQUEST naming the field.

import assert from 'node:assert/strict';
import { isServerError } from '../errors';
import { spiffeId } from './spiffe';

describe('spiffeId', () => {
  it('builds Istio-shaped identities', () => {
    assert.equal(spiffeId('cluster.local', 'default', 'bookinfo-reviews'), 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews');
    assert.equal(spiffeId('td_1.example', 'a', 'sa.with.dots'), 'spiffe://td_1.example/ns/a/sa/sa.with.dots');
  });

  it('refuses names outside the Kubernetes rules', () => {
    const cases: [string, string, string, string][] = [
      ['Cluster.local', 'a', 'b', 'trustDomain'],
      ['', 'a', 'b', 'trustDomain'],
      ['td:8080', 'a', 'b', 'trustDomain'],
      ['td', 'A', 'b', 'namespace'],
      ['td', 'a.b', 'b', 'namespace'],
      ['td', '-a', 'b', 'namespace'],
      ['td', 'a'.repeat(64), 'b', 'namespace'],
      ['td', 'a', '..', 'serviceAccount'],
      ['td', 'a', 'b/c', 'serviceAccount'],
      ['td', 'a', 'b%2fc', 'serviceAccount'],
      ['td', 'a', 'b\u0000', 'serviceAccount'],
      ['td', 'a', 'x'.repeat(254), 'serviceAccount'],
    ];
    for (const [td, ns, sa, field] of cases) {
      assert.throws(() => spiffeId(td, ns, sa), (e: unknown) => isServerError(e, 'BAD_REQUEST') && e.details.field === field, `${td} ${ns} ${sa}`);
    }
  });
});
