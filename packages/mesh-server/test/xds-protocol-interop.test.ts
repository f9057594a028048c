// Interop smoke test: an unmodified @grpc/grpc-js-xds 1.14 client resolves xds:///echo through our
// XdsServer (fake translation with the minimal LDS/RDS/CDS/EDS set) to a real grpc-js server on
// loopback, gets a reply, and ACKs every resource (no NACK).

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { XdsServer } from '../src/xds/server';
import { cluster, emptyWorld, endpoints, listener, route, startServer, waitFor } from './xds-protocol-harness';

const ECHO_PATH = '/inboard.test.Echo/Echo';
const identity = (b: Buffer) => b;
const ECHO_SERVICE: grpc.ServiceDefinition = {
  Echo: {
    path: ECHO_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'Echo',
  },
};

function startEcho(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.concat([Buffer.from('echo:'), call.request])),
  });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve({ server, port })));
  });
}

describe('xDS protocol: interop with @grpc/grpc-js-xds', () => {
  let xds: XdsServer;
  let echo: grpc.Server;
  let client: grpc.Client | undefined;

  before(() => {
    // Explicit opt-in: grpc-js-xds registers its xds: resolver and LB policies with grpc-js.
    (require('@grpc/grpc-js-xds') as { register(): void }).register();
  });

  afterEach(async () => {
    client?.close();
    await xds?.close();
    echo?.forceShutdown();
  });

  it('routes xds:///echo to a grpc-js server and ACKs all four resource types', async () => {
    const started = await startEcho();
    echo = started.server;
    const world = emptyWorld();
    world.listeners.set('echo', listener('echo', 'echo-route'));
    world.routes.set('echo-route', route('echo-route', 'echo-cluster', ['echo']));
    world.clusters.set('echo-cluster', cluster('echo-cluster'));
    world.endpoints.set('echo-cluster', endpoints('echo-cluster', started.port));
    const control = await startServer(world);
    xds = control.server;

    const bootstrap = {
      xds_servers: [{ server_uri: `127.0.0.1:${control.port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: 'interop-client', locality: {} },
    };
    client = new grpc.Client('xds:///echo', grpc.credentials.createInsecure(), {
      'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': JSON.stringify(bootstrap),
    });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      client!.makeUnaryRequest(ECHO_PATH, identity, identity, Buffer.from('hello'), new grpc.Metadata(), { deadline: Date.now() + 15_000 }, (err, res) =>
        err ? reject(err) : resolve(res!),
      );
    });
    assert.equal(reply.toString(), 'echo:hello');

    await waitFor('all four ACKed', () => {
      const status = xds.clients().find((c) => c.proxy.id === 'interop-client');
      return !!status && Object.values(status.families).every((f) => f.state === 'SYNCED');
    });
    const status = xds.clients().find((c) => c.proxy.id === 'interop-client')!;
    assert.equal(status.proxy.userAgent, 'gRPC Node Pure JS');
    for (const [family, f] of Object.entries(status.families)) {
      assert.equal(f.nackError, undefined, `${family} was NACKed: ${f.nackError}`);
      assert.equal(f.subscribed, 1, family);
    }
    assert.ok(!control.log.lines.some((l) => l.includes('rejected')), control.log.lines.join('\n'));
    assert.deepEqual(xds.configDump('interop-client')!.endpoints, [world.endpoints.get('echo-cluster')]);
  });
});
