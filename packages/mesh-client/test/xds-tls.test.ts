// Integration: the control plane's TLS port (istiod's 15012) serves xDS and certificate signing
// together. A mesh with `mtls.xdsOverTls` takes its config and registers its workload there, trusting
// only the pinned mesh root; signing is refused on the plaintext xDS port; a client pinning another
// root never connects; asking for xDS over TLS without mTLS is an option error.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { caServiceDefinitions } from '@inboard/xds';
import { connect, type Mesh } from '../src';
import { tlsXdsChannel } from '../src/config/xds-channel';
import { makeKeys, makeRoot } from '../src/identity/test-certificates';
import { startTestPlane, until, type TestPlane } from './support/control-plane';

/** The parts of mesh-server's ControlPlane this test uses beyond the support handle. */
interface PlaneWithCa {
  readonly caAddress: string;
  readonly ca: { trustBundle(): readonly string[] };
  readonly tokens: { issue(request: { scope: 'workload'; namespace: string; serviceAccount: string }): { token: string } };
}

describe('xDS over TLS on the CA port (15012)', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let ca: PlaneWithCa;
  let root: string;
  const meshes: Mesh[] = [];

  before(async () => {
    tp = await startTestPlane();
    ca = tp.plane as unknown as PlaneWithCa;
    root = ca.ca.trustBundle()[0]!;
  });

  after(async () => {
    await Promise.all(meshes.map((m) => m.close()));
    await tp?.close();
  });

  it('a mesh with xdsOverTls gets its config and registers its workload over TLS with the root pinned', async () => {
    const token = ca.tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount: 'bookinfo-details' }).token;
    const mesh = connect({ controlPlane: tp.xds, service: 'details', serviceAccount: 'bookinfo-details', mtls: { token, caRootPem: root, caAddress: ca.caAddress, xdsOverTls: true } });
    meshes.push(mesh);
    assert.equal(mesh.xdsChannel.security, 'tls');
    assert.equal(mesh.xdsChannel.target, ca.caAddress, 'the config stream goes to the CA port, not the plaintext xDS port');
    await mesh.ready;
    const served = await mesh.serve((_req, res) => res.end('ok'), { port: 0 });
    await until('details to be registered', async () => (await tp.workloads()).some((w) => w.id === served.nodeId));
  });

  it('refuses certificate signing on the plaintext xDS port (the bearer token never crosses in clear)', async () => {
    const definitions = caServiceDefinitions();
    const Bundles = grpc.makeGenericClientConstructor(definitions.trustBundleService, 'TrustBundleService');
    const client = new Bundles(tp.xds, grpc.credentials.createInsecure());
    try {
      const token = ca.tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount: 'bookinfo-details' }).token;
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      const getTrustBundle = (client as unknown as { GetTrustBundle: (req: object, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void }).GetTrustBundle.bind(client);
      const error = await new Promise<grpc.ServiceError | undefined>((resolve) => getTrustBundle({}, metadata, { deadline: Date.now() + 5_000 }, (e) => resolve(e ?? undefined)));
      assert.equal(error?.code, grpc.status.UNAUTHENTICATED);
      assert.match(error!.details, /served over TLS only/);
    } finally {
      client.close();
    }
  });

  it('a client pinning another root cannot connect to the TLS port', async () => {
    const channel = tlsXdsChannel(ca.caAddress, makeRoot(makeKeys(), 'another root'));
    const client = new grpc.Client(channel.target, channel.credentials, channel.channelOptions);
    try {
      const error = await new Promise<Error | undefined>((resolve) => client.waitForReady(Date.now() + 3_000, (e) => resolve(e)));
      assert.ok(error, 'the handshake fails against a root the server does not chain to');
    } finally {
      client.close();
    }
  });

  it('xdsOverTls without mutual TLS is an option error naming the field', () => {
    assert.throws(() => connect({ controlPlane: tp.xds, mtls: { xdsOverTls: true } }), (e: unknown) =>
      (e as { code?: string }).code === 'INVALID_OPTIONS' && /options\.mtls\.xdsOverTls needs mutual TLS, which is off: no workload token/.test((e as Error).message));
    assert.throws(() => connect({ controlPlane: tp.xds, env: { INBOARD_XDS_TLS: 'yes' } }), /\$INBOARD_XDS_TLS must be true or false/);
  });
});
