import assert from 'node:assert/strict';
import { UNKNOWN_PEER, workloadPeer } from './istio-labels';
import { decodePeerMetadata, encodePeerMetadata, inboundSourcePeer } from './peer-metadata';

const productpage = workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage' });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('telemetry/peer-metadata', () => {
  it('round-trips a peer, never sending the principal', () => {
    const header = encodePeerMetadata(productpage);
    const decoded = decodePeerMetadata(header)!;
    assert.deepEqual(decoded, { workload: 'productpage-v1', namespace: 'default', app: 'productpage', version: 'v1', canonicalService: 'productpage', canonicalRevision: 'v1' });
    assert.equal('principal' in decoded, false);
  });

  it('sends compact JSON: no field the receiver derives, none it would refuse', () => {
    const header = encodePeerMetadata(productpage);
    assert.equal(header, '{"workload":"productpage-v1","namespace":"default","app":"productpage","version":"v1"}');
    assert.match(header, /^[\x21-\x7e]+$/, 'a valid header value as it is');
    // Canonical names that differ from app and version are sent, and read back.
    const renamed = workloadPeer({ namespace: 'shop', labels: { app: 'web', 'service.istio.io/canonical-name': 'storefront', 'service.istio.io/canonical-revision': 'blue' } });
    assert.deepEqual(JSON.parse(encodePeerMetadata(renamed)), { workload: 'web', namespace: 'shop', app: 'web', canonicalService: 'storefront', canonicalRevision: 'blue' });
    assert.deepEqual(decodePeerMetadata(encodePeerMetadata(renamed)), { workload: 'web', namespace: 'shop', app: 'web', canonicalService: 'storefront', canonicalRevision: 'blue' });
    // No app or version: the canonical service is the workload's, the revision 'latest' (workloadPeer's defaults).
    const bare = workloadPeer({ workloadName: 'batch-job', namespace: 'jobs' });
    assert.equal(encodePeerMetadata(bare), '{"workload":"batch-job","namespace":"jobs"}');
    assert.deepEqual(decodePeerMetadata(encodePeerMetadata(bare)), { workload: 'batch-job', namespace: 'jobs', canonicalService: 'batch-job', canonicalRevision: 'latest' });
    // A value the receiver would refuse is left out instead of spoiling the whole header.
    const spaced = { ...productpage, version: 'v 1', canonicalRevision: 'v 1' };
    assert.deepEqual(decodePeerMetadata(encodePeerMetadata(spaced)), { workload: 'productpage-v1', namespace: 'default', app: 'productpage', canonicalService: 'productpage', canonicalRevision: 'latest' });
  });

  it('reads the base64url form earlier clients send, as it is', () => {
    const legacy = b64({ workload: 'reviews-v2', namespace: 'default', app: 'reviews', version: 'v2', canonicalService: 'reviews', canonicalRevision: 'v2' });
    assert.deepEqual(decodePeerMetadata(legacy), { workload: 'reviews-v2', namespace: 'default', app: 'reviews', version: 'v2', canonicalService: 'reviews', canonicalRevision: 'v2' });
    assert.deepEqual(decodePeerMetadata(b64({ workload: 'w' })), { workload: 'w' }, 'nothing derived for the full form');
  });

  it('refuses malformed values (table)', () => {
    const cases: (string | undefined)[] = [
      undefined, '', 'not base64!', b64('a string'), b64([1]), b64({ app: 5 }), b64({ app: 'has space' }), b64({ app: 'x'.repeat(254) }),
      'A'.repeat(1025), Buffer.from('{oops').toString('base64url'),
      '{oops', '{"app":5}', '{"app":"has space"}', `{"app":"${'x'.repeat(254)}"}`, `{"app":"${'x'.repeat(1020)}"}`, '[1]', '"x"',
    ];
    for (const value of cases) assert.equal(decodePeerMetadata(value), undefined, String(value).slice(0, 40));
  });

  it('takes principal and namespace from the verified certificate over the claims', () => {
    const claimed = encodePeerMetadata({ ...productpage, namespace: 'kube-system' });
    const peer = inboundSourcePeer(claimed, 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
    assert.equal(peer.namespace, 'default');
    assert.equal(peer.principal, 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
    assert.equal(peer.workload, 'productpage-v1');
    assert.deepEqual(inboundSourcePeer(undefined), UNKNOWN_PEER);
    assert.equal(inboundSourcePeer(claimed).namespace, 'kube-system', 'without mTLS the claim is all there is');
    assert.equal(inboundSourcePeer(claimed).principal, 'unknown');
  });
});
