import assert from 'node:assert/strict';
import { UNKNOWN_PEER, workloadPeer } from './istio-labels';
import { decodePeerMetadata, encodePeerMetadata, inboundSourcePeer } from './peer-metadata';

const productpage = workloadPeer({ namespace: 'default', labels: { app: 'productpage', version: 'v1' }, serviceAccount: 'bookinfo-productpage' });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('telemetry/peer-metadata', () => {
  it('round-trips a peer, never sending the principal', () => {
    const header = encodePeerMetadata(productpage);
    assert.match(header, /^[A-Za-z0-9_-]+$/);
    const decoded = decodePeerMetadata(header)!;
    assert.deepEqual(decoded, { workload: 'productpage-v1', namespace: 'default', app: 'productpage', version: 'v1', canonicalService: 'productpage', canonicalRevision: 'v1' });
    assert.equal('principal' in decoded, false);
  });

  it('refuses malformed values (table)', () => {
    const cases: (string | undefined)[] = [
      undefined, '', 'not base64!', b64('a string'), b64([1]), b64({ app: 5 }), b64({ app: 'has space' }), b64({ app: 'x'.repeat(254) }),
      'A'.repeat(1025), Buffer.from('{oops').toString('base64url'),
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
