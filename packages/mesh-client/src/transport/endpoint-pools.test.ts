import assert from 'node:assert/strict';
import type { MtlsSource } from '../identity/mesh-mtls';
import { EndpointPools, type UpstreamMtls } from './endpoint-pools';

const never = () => new Promise<never>(() => undefined);
const source: MtlsSource = { enabled: true, current: () => { throw new Error('none'); }, whenReady: never, onRotate: () => () => undefined };
const mtls = (identity: string): UpstreamMtls => ({ expectedIdentity: identity, sanMatchers: [], key: `mtls||${identity}|` });

describe('EndpointPools and mesh mTLS', () => {
  it('keeps plaintext and each TLS setting in distinct pools, and reconciles all variants of a gone endpoint', async () => {
    const pools = new EndpointPools();
    pools.useMtls(source);
    assert.equal(pools.mtlsEnabled, true);
    const plain = pools.dispatcherFor('c', '127.0.0.1:1', {});
    const tls = pools.dispatcherFor('c', '127.0.0.1:1', {}, mtls('spiffe://cluster.local/ns/default/sa/a'));
    assert.notEqual(plain, tls);
    assert.equal(pools.dispatcherFor('c', '127.0.0.1:1', {}), plain, 'the plaintext pool survives a TLS use');
    assert.equal(pools.dispatcherFor('c', '127.0.0.1:1', {}, mtls('spiffe://cluster.local/ns/default/sa/a')), tls);
    assert.notEqual(pools.dispatcherFor('c', '127.0.0.1:1', {}, mtls('spiffe://cluster.local/ns/default/sa/b')), tls, 'another identity, another pool');
    assert.equal(pools.size, 3);
    pools.reconcile(new Set(['c|127.0.0.1:2']));
    assert.equal(pools.size, 0);
    await pools.close();
  });

  it('without an identity every pool is plaintext (TLS settings ignored)', async () => {
    const pools = new EndpointPools();
    pools.useMtls({ ...source, enabled: false });
    assert.equal(pools.mtlsEnabled, false);
    assert.equal(pools.dispatcherFor('c', '127.0.0.1:1', {}, mtls('x')), pools.dispatcherFor('c', '127.0.0.1:1', {}));
    await pools.close();
  });
});
