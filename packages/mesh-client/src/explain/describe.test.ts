// explain's descriptions: Istio cluster names, header matchers, and the failing condition of a route.

import assert from 'node:assert/strict';
import { compileSnapshot } from '../snapshot/compile';
import { bookinfoResources } from '../snapshot/test-resources';
import { RequestView } from '../routing/request-view';
import { transportFailureKind } from '../pipeline/passthrough';
import { describeMatch, firstFailedCondition, parseClusterName } from './describe';

describe('explain descriptions', () => {
  it('parses Istio cluster names', () => {
    assert.deepEqual(parseClusterName('outbound|9080|v1|reviews.default.svc.cluster.local'), { direction: 'outbound', port: 9080, subset: 'v1', host: 'reviews.default.svc.cluster.local' });
    assert.deepEqual(parseClusterName('outbound|9080||reviews.default.svc.cluster.local').subset, '');
    assert.deepEqual(parseClusterName('PassthroughCluster'), {});
  });

  it('describes a route match and names the condition a request fails', () => {
    const { snapshot } = compileSnapshot(bookinfoResources());
    const table = snapshot.routeTables.get('reviews.default.svc.cluster.local:9080')!;
    const jason = table.virtualHosts[0]!.routes.find((r) => r.match.headers.length > 0)!;
    assert.ok(describeMatch(jason).some((c) => /^header end-user exact "jason"/.test(c)), describeMatch(jason).join('; '));
    const anonymous = new RequestView({ authority: 'reviews', method: 'GET', path: '/', headers: {} });
    assert.match(firstFailedCondition(jason, anonymous)!, /end-user/);
    const fromJason = new RequestView({ authority: 'reviews', method: 'GET', path: '/', headers: { 'end-user': 'jason' } });
    assert.equal(firstFailedCondition(jason, fromJason), undefined);
  });

  it('tells connect failures from resets in undici errors', () => {
    assert.equal(transportFailureKind(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'connect-failure');
    assert.equal(transportFailureKind(new Error('fetch failed', { cause: Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) })), 'connect-failure');
    assert.equal(transportFailureKind(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })])), 'connect-failure');
    assert.equal(transportFailureKind(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })), 'reset');
  });
});
