// Integration: mesh mTLS on the gRPC path against a real control plane and CA (this process, ports 0).
// mesh.serveGrpc applies the port's PeerAuthentication mode (STRICT: TLS with a mesh client
// certificate only; PERMISSIVE: plaintext and mTLS on one port) and names the verified caller;
// mesh.grpcCredentials() dials with secure naming (a wrong expected identity is refused).

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type Mesh } from '../src';
import { inboundListenerName } from '../src/authz';
import { registerGrpcXds, xdsChannelCredentials, type ServedGrpc } from '../src/grpc';
import { startTestPlane, until, type TestPlane } from './support/control-plane';

interface PlaneWithCa {
  readonly caAddress: string;
  readonly ca: { trustBundle(): readonly string[] };
  readonly tokens: { issue(request: { scope: 'workload'; namespace: string; serviceAccount: string }): { token: string } };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = (bytes: Buffer) => JSON.parse(bytes.toString());
const WHOAMI: grpc.MethodDefinition<object, { caller: string }> = {
  path: '/inboard.test.Echo/Whoami', requestStream: false, responseStream: false,
  requestSerialize: json, requestDeserialize: parse, responseSerialize: json, responseDeserialize: parse,
};

/** One call on a direct channel to 127.0.0.1:port (or `target`): the caller the server saw, or the status name. */
async function whoami(port: number, credentials: grpc.ChannelCredentials, target = `127.0.0.1:${port}`, options: grpc.ChannelOptions = { 'grpc.ssl_target_name_override': 'reviews', 'grpc.default_authority': 'reviews' }): Promise<string> {
  const client = new grpc.Client(target, credentials, options);
  try {
    return await new Promise((resolve) =>
      client.makeUnaryRequest(WHOAMI.path, WHOAMI.requestSerialize, WHOAMI.responseDeserialize, {}, new grpc.Metadata(), { deadline: Date.now() + 3_000 }, (error, reply) =>
        resolve(error ? `status ${grpc.status[error.code]}` : reply!.caller)));
  } finally {
    client.close();
  }
}

describe('mesh mTLS over gRPC (serveGrpc modes, client credentials)', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let server: Mesh;
  let client: Mesh;
  let served: ServedGrpc;

  const modeOf = (port: number) => (server.snapshot?.listeners.get(inboundListenerName('127.0.0.1', port))?.metadata['inboard'] as Record<string, unknown> | undefined)?.['mtls_mode'];
  async function setMode(mode: string): Promise<void> {
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'reviews', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode } },
    });
    await until(`the gRPC port to be ${mode}`, () => modeOf(served.port) === mode);
  }

  before(async () => {
    tp = await startTestPlane();
    const ca = tp.plane as unknown as PlaneWithCa;
    const mtlsFor = (serviceAccount: string) => ({
      token: ca.tokens.issue({ scope: 'workload', namespace: 'default', serviceAccount }).token, caRootPem: ca.ca.trustBundle()[0]!, caAddress: ca.caAddress,
    });
    server = connect({ controlPlane: tp.xds, service: 'reviews', serviceAccount: 'bookinfo-reviews', mtls: mtlsFor('bookinfo-reviews') });
    client = connect({ controlPlane: tp.xds, service: 'productpage', serviceAccount: 'bookinfo-productpage', mtls: mtlsFor('bookinfo-productpage') });
    await Promise.all([server.ready, server.mtls.whenReady(), client.mtls.whenReady()]);
    const grpcServer = new grpc.Server();
    grpcServer.addService({ Whoami: WHOAMI } as grpc.ServiceDefinition, {
      Whoami: (call: grpc.ServerUnaryCall<object, unknown>, callback: grpc.sendUnaryData<{ caller: string }>) => {
        assert.equal(server.grpcPeer(call)?.principal, served.peerOf(call)?.principal, 'mesh.grpcPeer agrees with served.peerOf');
        callback(null, { caller: served.peerOf(call)?.principal ?? 'plaintext' });
      },
    });
    served = await server.serveGrpc(grpcServer, { port: 0 });
    await until('the gRPC inbound listener', () => modeOf(served.port) !== undefined);
  });

  after(async () => {
    await client?.close();
    await server?.close();
    await tp?.close();
  });

  it('PERMISSIVE: plaintext and mTLS callers both served on one port; the mTLS caller is named', async () => {
    await setMode('PERMISSIVE');
    assert.equal(await whoami(served.port, grpc.credentials.createInsecure()), 'plaintext');
    assert.equal(await whoami(served.port, client.grpcCredentials(['spiffe://cluster.local/ns/default/sa/bookinfo-reviews'])), 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
  });

  it('secure naming: credentials expecting another identity refuse the server', async () => {
    assert.equal(await whoami(served.port, client.grpcCredentials(['spiffe://cluster.local/ns/default/sa/bookinfo-ratings'])), 'status UNAVAILABLE');
  });

  it('STRICT: plaintext is refused, TLS without a client certificate is refused, mesh mTLS works', async () => {
    await setMode('STRICT');
    assert.equal(await whoami(served.port, grpc.credentials.createInsecure()), 'status UNAVAILABLE');
    const material = client.certificate()!;
    assert.equal(await whoami(served.port, grpc.credentials.createSsl(Buffer.from(material.trustBundle.join('\n')), null, null, { checkServerIdentity: () => undefined })), 'status UNAVAILABLE');
    assert.equal(await whoami(served.port, client.grpcCredentials()), 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
  });

  it('grpc-js-xds channels: DestinationRule ISTIO_MUTUAL gives mesh mTLS through the file_watcher certificate provider', async () => {
    registerGrpcXds();
    await tp.apply({
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'default' },
      spec: { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    const options = client.grpc;
    assert.ok(options.bootstrap.certificate_providers?.['default'], 'the bootstrap names the certificate provider');
    const caller = await until('an xDS mTLS call to succeed', async () => {
      const answer = await whoami(served.port, xdsChannelCredentials(), options.target('reviews', served.port), options.channelOptions);
      return answer.startsWith('spiffe://') ? answer : undefined;
    }, 15_000, 200);
    assert.equal(caller, 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage');
  });
});
