// Integration: RequestAuthentication and AuthorizationPolicy on gRPC calls. A real control plane
// (ports 0), a grpc-js server with inboundGrpcInterceptor registered through mesh.serveGrpc, inline
// JWKS with keys made here, and a plain grpc-js client: a bad token ends the call UNAUTHENTICATED
// before the handler, a good one reaches it with the claim header set and the token removed, and an
// ALLOW on requestPrincipals: ["*"] answers PERMISSION_DENIED to anonymous calls.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type Mesh } from '../src';
import { inboundListenerName } from '../src/authz';
import { loadJose, type Jose } from '../src/inbound/request-authn';
import { inboundGrpcInterceptor } from '../src/inbound/request-authn-grpc';
import type { ServedGrpc } from '../src/grpc';
import { startTestPlane, until, type TestPlane } from './support/control-plane';

const ISS = 'https://issuer.inboard.test';
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = (bytes: Buffer) => JSON.parse(bytes.toString());
interface Seen { sub?: string; authorization?: string }
const WHO: grpc.MethodDefinition<object, Seen> = {
  path: '/inboard.test.Vault/Who', requestStream: false, responseStream: false,
  requestSerialize: json, requestDeserialize: parse, responseSerialize: json, responseDeserialize: parse,
};

describe('RequestAuthentication on gRPC calls (jwt-grpc)', function () {
  this.timeout(30_000);
  let jose: Jose;
  let keys: Awaited<ReturnType<Jose['generateKeyPair']>>;
  let stranger: Awaited<ReturnType<Jose['generateKeyPair']>>;
  let tp: TestPlane;
  let mesh: Mesh;
  let served: ServedGrpc;
  let client: grpc.Client;
  let handled = 0;

  const sign = (claims: Record<string, unknown> = {}, key = keys) =>
    new jose.SignJWT({ iss: ISS, sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600, ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(key.privateKey);

  /** One call: the handler's view of the metadata, or the status it ended with. */
  const call = (token?: string): Promise<Seen | string> => new Promise((resolve) => {
    const metadata = new grpc.Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    client.makeUnaryRequest(WHO.path, WHO.requestSerialize, WHO.responseDeserialize, {}, metadata, { deadline: Date.now() + 5_000 }, (error, reply) =>
      resolve(error ? `${grpc.status[error.code]}: ${error.details}` : reply!));
  });

  before(async () => {
    jose = await loadJose();
    keys = await jose.generateKeyPair('ES256', { extractable: true });
    stranger = await jose.generateKeyPair('ES256', { extractable: true });
    const jwks = JSON.stringify({ keys: [{ ...(await jose.exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256' }] });
    tp = await startTestPlane();
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'vault-jwt', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'vault' } }, jwtRules: [{ issuer: ISS, jwks, outputClaimToHeaders: [{ header: 'x-jwt-sub', claim: 'sub' }] }] },
    });
    mesh = connect({ controlPlane: tp.xds, service: 'vault' });
    await mesh.ready;
    const server = new grpc.Server({ interceptors: [mesh.grpcInboundInterceptor()] });
    server.addService({ Who: WHO } as grpc.ServiceDefinition, {
      Who: (c: grpc.ServerUnaryCall<object, Seen>, callback: grpc.sendUnaryData<Seen>) => {
        handled++;
        const sub = c.metadata.get('x-jwt-sub')[0];
        const authorization = c.metadata.get('authorization')[0];
        callback(null, { ...(typeof sub === 'string' ? { sub } : {}), ...(typeof authorization === 'string' ? { authorization } : {}) });
      },
    });
    served = await mesh.serveGrpc(server, { port: 0, host: '127.0.0.1' });
    const listener = inboundListenerName('127.0.0.1', served.port);
    await until(`the inbound listener ${listener} with jwt_authn`, () => {
      const inboard = mesh.snapshot?.listeners.get(listener)?.metadata['inboard'] as Record<string, unknown> | undefined;
      return inboard?.['jwt_authn'] !== undefined;
    });
    client = new grpc.Client(`127.0.0.1:${served.port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await mesh?.close();
    await tp?.close();
  });

  it('verifies the token in the call metadata: bad → UNAUTHENTICATED before the handler, good → claim header, token removed', async () => {
    handled = 0;
    assert.deepEqual(await call(), {});
    assert.equal(await call(await sign({}, stranger)), 'UNAUTHENTICATED: Jwt verification fails');
    assert.equal(await call('not.a.jwt'), 'UNAUTHENTICATED: Jwt verification fails');
    assert.deepEqual(await call(await sign()), { sub: 'alice' });
    assert.equal(handled, 2, 'the handler ran only for the anonymous and the good call');
  });

  it('requestPrincipals: ["*"] denies anonymous calls with PERMISSION_DENIED and allows verified ones', async () => {
    await tp.apply({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'require-jwt', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'vault' } }, action: 'ALLOW', rules: [{ from: [{ source: { requestPrincipals: [`${ISS}/*`] } }] }] },
    });
    await until('the ALLOW to take effect', async () => (await call()) === 'PERMISSION_DENIED: RBAC: access denied');
    assert.deepEqual(await call(await sign({ sub: 'bob' })), { sub: 'bob' });
    assert.equal(await call(await sign({}, stranger)), 'UNAUTHENTICATED: Jwt verification fails');
  });

  it('fails closed: an interceptor that cannot tell the served port refuses the call (UNAVAILABLE)', async () => {
    // A bare interceptor behind the mesh's mTLS front: grpc-js reports no local port for those connections.
    const bare = new grpc.Server({ interceptors: [inboundGrpcInterceptor({ current: () => mesh.snapshot })] });
    bare.addService({ Who: WHO } as grpc.ServiceDefinition, { Who: (_c: grpc.ServerUnaryCall<object, Seen>, callback: grpc.sendUnaryData<Seen>) => { handled++; callback(null, {}); } });
    const servedBare = await mesh.serveGrpc(bare, { port: 0, host: '127.0.0.1' });
    const bareClient = new grpc.Client(`127.0.0.1:${servedBare.port}`, grpc.credentials.createInsecure());
    try {
      handled = 0;
      const reply = await new Promise<string>((resolve) => bareClient.makeUnaryRequest(WHO.path, WHO.requestSerialize, WHO.responseDeserialize, {}, new grpc.Metadata(), { deadline: Date.now() + 5_000 },
        (error) => resolve(error ? `${grpc.status[error.code]}: ${error.details}` : 'OK')));
      assert.equal(reply, 'UNAVAILABLE: inbound authorization: the served port of this call is unknown');
      assert.equal(handled, 0, 'the handler never ran');
    } finally {
      bareClient.close();
      await servedBare.close();
    }
  });
});
