// The strict SPIFFE ID parser: Istio-shaped identities accepted, every SPIFFE-ID syntax violation
// and every path trick (encoding, dot segments, trailing slash, query, NUL) refused.

import assert from 'node:assert/strict';
import { isIdentityError } from './errors';
import { checkTrustDomain, formatSpiffeId, parseSpiffeId } from './spiffe-id';

describe('parseSpiffeId', () => {
  it('parses Istio identities', () => {
    assert.deepEqual(parseSpiffeId('spiffe://cluster.local/ns/default/sa/bookinfo-reviews'), {
      uri: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews',
      trustDomain: 'cluster.local',
      namespace: 'default',
      serviceAccount: 'bookinfo-reviews',
      principal: 'cluster.local/ns/default/sa/bookinfo-reviews',
    });
    assert.equal(parseSpiffeId('spiffe://td_1-x.y/ns/A.b_c-D/sa/x.y').serviceAccount, 'x.y');
    assert.equal(formatSpiffeId('cluster.local', 'a', 'b').uri, 'spiffe://cluster.local/ns/a/sa/b');
  });

  const refused: [string, string][] = [
    ['SPIFFE://cluster.local/ns/a/sa/b', 'uppercase scheme'],
    ['https://cluster.local/ns/a/sa/b', 'wrong scheme'],
    ['spiffe:cluster.local/ns/a/sa/b', 'no authority'],
    ['spiffe://Cluster.local/ns/a/sa/b', 'uppercase trust domain'],
    ['spiffe://user@cluster.local/ns/a/sa/b', 'userinfo'],
    ['spiffe://cluster.local:443/ns/a/sa/b', 'port'],
    ['spiffe://clu%73ter.local/ns/a/sa/b', 'percent-encoded trust domain'],
    ['spiffe:///ns/a/sa/b', 'empty trust domain'],
    ['spiffe://cluster.local', 'no path'],
    ['spiffe://cluster.local/', 'root path'],
    ['spiffe://cluster.local/ns/a/sa/b/', 'trailing slash'],
    ['spiffe://cluster.local/ns/a/sa/b?x=1', 'query'],
    ['spiffe://cluster.local/ns/a/sa/b#frag', 'fragment'],
    ['spiffe://cluster.local/ns/a/sa/%62', 'percent-encoded path'],
    ['spiffe://cluster.local/ns/a/sa/..', 'dot-dot segment'],
    ['spiffe://cluster.local/ns/./sa/b', 'dot segment'],
    ['spiffe://cluster.local/ns//sa/b', 'empty segment'],
    ['spiffe://cluster.local/ns/a/sa/b\u0000evil', 'NUL byte'],
    ['spiffe://cluster.local/ns/a/sa/b, URI:spiffe://cluster.local/ns/admin/sa/root', 'SAN string injection'],
    ['spiffe://cluster.local/ns/a/sa/b\u00e9', 'non-ASCII'],
    ['spiffe://cluster.local/ns/a/sa/b/extra', 'extra segments'],
    ['spiffe://cluster.local/sa/b/ns/a', 'wrong order'],
    ['spiffe://cluster.local/spire/agent/x', 'not an Istio identity'],
    [`spiffe://cluster.local/ns/a/sa/${'b'.repeat(2048)}`, 'too long'],
    [`spiffe://${'a'.repeat(256)}/ns/a/sa/b`, 'trust domain too long'],
  ];
  for (const [uri, why] of refused) {
    it(`refuses ${why}`, () => {
      assert.throws(() => parseSpiffeId(uri), (e: unknown) => isIdentityError(e, 'INVALID_SPIFFE_ID') && e.message.includes('not a valid SPIFFE identity'));
    });
  }

  it('checks configured trust domains', () => {
    checkTrustDomain('cluster.local');
    assert.throws(() => checkTrustDomain('Cluster.local'), (e: unknown) => isIdentityError(e, 'INVALID_SPIFFE_ID'));
  });
});
