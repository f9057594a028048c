// Tests of reading a client's identity and registration from its xDS node.

import assert from 'node:assert/strict';
import { toStruct } from '@inboard/xds';
import { NODE_METADATA } from '../contracts';
import { NodeError, parseNode, peerAddress, viewKeyOf } from './node-identity';

describe('node identity', () => {
  const table: [string, string][] = [
    ['127.0.0.1:5000', '127.0.0.1'],
    ['::1:5000', '::1'],
    ['::ffff:10.0.0.7:443', '10.0.0.7'],
    ['[fe80::1]:80', 'fe80::1'],
  ];
  for (const [peer, ip] of table) it(`peer ${peer} → ${ip}`, () => assert.equal(peerAddress(peer), ip));

  it('reads ProxyInfo with defaults, and no registration for a pure caller', () => {
    const { proxy, registration } = parseNode({ id: 'n', locality: { region: 'eu', zone: 'z1' }, user_agent_name: 'ua' }, '127.0.0.1:1');
    assert.deepEqual(proxy, { id: 'n', role: 'sidecar', namespace: 'default', labels: {}, locality: 'eu/z1', userAgent: 'ua' });
    assert.equal(registration, undefined);
  });

  it('registers on INBOARD_PORTS alone, with numeric-string ports and the peer address', () => {
    const { registration } = parseNode({ id: 'n', metadata: toStruct({ [NODE_METADATA.PORTS]: { http: '9080' }, [NODE_METADATA.LABELS]: { app: 'x' } }) }, '::ffff:127.0.0.5:99');
    assert.deepEqual(registration, { namespace: 'default', labels: { app: 'x' }, serviceAccount: '', addresses: ['127.0.0.5'], ports: { http: 9080 }, locality: '' });
  });

  it('rejects a bad INSTANCE_IPS entry naming it', () => {
    assert.throws(() => parseNode({ id: 'n', metadata: toStruct({ [NODE_METADATA.SERVICE]: 's', [NODE_METADATA.INSTANCE_IPS]: '10.0.0.1,not-an-ip' }) }, '127.0.0.1:1'), (e: unknown) => e instanceof NodeError && /INSTANCE_IPS: "not-an-ip" is not an IP address/.test(e.message));
  });

  it('gives equal view keys to clients that differ only in id', () => {
    const a = parseNode({ id: 'a', user_agent_name: 'x', metadata: toStruct({ [NODE_METADATA.LABELS]: { app: 'r', version: 'v1' } }) }, '127.0.0.1:1').proxy;
    const b = parseNode({ id: 'b', user_agent_name: 'x', metadata: toStruct({ [NODE_METADATA.LABELS]: { version: 'v1', app: 'r' } }) }, '127.0.0.1:2').proxy;
    const c = parseNode({ id: 'c', user_agent_name: 'x', metadata: toStruct({ [NODE_METADATA.LABELS]: { app: 'r', version: 'v2' } }) }, '127.0.0.1:3').proxy;
    assert.equal(viewKeyOf(a), viewKeyOf(b));
    assert.notEqual(viewKeyOf(a), viewKeyOf(c));
  });

  // Regression (found by the grpc-js-xds interop suite): translation serves gRPC user agents a
  // different profile, so a gRPC client and an Inboard client with equal metadata must not share
  // a view — whichever connected first used to decide what the other got (redirect routes that
  // gRPC NACKs, or no redirect routes for the Inboard client).
  it('gives different view keys to a proxyless gRPC client and an Inboard client with equal metadata', () => {
    const metadata = toStruct({ [NODE_METADATA.NAMESPACE]: 'default', [NODE_METADATA.LABELS]: { app: 'r' } });
    const grpcClient = parseNode({ id: 'g', user_agent_name: 'gRPC Node Pure JS', metadata }, '127.0.0.1:1').proxy;
    const inboard = parseNode({ id: 'i', user_agent_name: 'inboard-mesh-client', metadata }, '127.0.0.1:2').proxy;
    assert.notEqual(viewKeyOf(grpcClient), viewKeyOf(inboard));
  });
});
