// Real @grpc/grpc-js-xds 1.14 clients against the real translation with mesh TLS in it: a
// DestinationRule ISTIO_MUTUAL cluster (UpstreamTlsContext over certificate-provider instances) is
// ACKed by a client whose bootstrap has certificate_providers.default (Istio's grpc-agent bootstrap)
// and NACKed by one without; with no tls setting (auto mTLS) gRPC clients get plaintext clusters.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from '../src/config/resource';
import { XdsServer } from '../src/xds/server';
import { translate } from '../src/xds/translate';
import { endpoint, fakeRegistry, k8sService, parseConfig } from '../src/xds/translate/test-support';
import { recordingLog, waitFor } from './xds-protocol-harness';

const ECHO_PATH = '/inboard.test.Echo/Echo';
const identity = (b: Buffer) => b;
const TARGET = 'xds:///echo.default.svc.cluster.local:7070';
const CLUSTER = 'outbound|7070||echo.default.svc.cluster.local';

function startEcho(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService({
    Echo: { path: ECHO_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity, originalName: 'Echo' },
  }, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, call.request) });
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve({ server, port }))));
}

describe('xDS interop: grpc-js-xds clients and mesh TLS in clusters', function () {
  this.timeout(30_000);
  let echo: { server: grpc.Server; port: number };
  let xds: XdsServer;
  let port: number;
  let config: Resource[] = [];
  const clients: grpc.Client[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-xds-tls-'));

  before(async () => {
    (require('@grpc/grpc-js-xds') as { register(): void }).register();
    echo = await startEcho();
    const registry = fakeRegistry(
      [k8sService('echo', 'default', [{ name: 'grpc', port: 7070, protocol: 'GRPC' }])],
      [endpoint('echo-1', '127.0.0.1', { app: 'echo' }, { ports: { grpc: echo.port }, serviceAccount: 'echo' })],
    );
    xds = new XdsServer({ translate, input: () => ({ config, registry }), debounceMs: 5, log: recordingLog() });
    port = await xds.listen(0, '127.0.0.1');
    // The provider's files only have to exist for the bootstrap; with insecure channel credentials
    // grpc-js-xds accepts the TLS settings and connects in plaintext (A29: XdsChannelCredentials applies them).
    for (const f of ['cert.pem', 'key.pem', 'root.pem']) fs.writeFileSync(path.join(dir, f), '');
  });

  after(async () => {
    for (const c of clients) c.close();
    await xds?.close();
    echo?.server.forceShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(nodeId: string, withProviders: boolean): grpc.Client {
    const bootstrap = {
      xds_servers: [{ server_uri: `127.0.0.1:${port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: nodeId, locality: {} },
      ...(withProviders ? {
        certificate_providers: {
          default: { plugin_name: 'file_watcher', config: { certificate_file: path.join(dir, 'cert.pem'), private_key_file: path.join(dir, 'key.pem'), ca_certificate_file: path.join(dir, 'root.pem'), refresh_interval: '900s' } },
        },
      } : {}),
    };
    const client = new grpc.Client(TARGET, grpc.credentials.createInsecure(), { 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': JSON.stringify(bootstrap) });
    clients.push(client);
    return client;
  }

  const call = (client: grpc.Client) => new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(ECHO_PATH, identity, identity, Buffer.from('hi'), new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r!.toString())));
  });
  const status = (id: string) => xds.clients().find((c) => c.proxy.id === id);

  it('no tls setting: a bare grpc-js-xds client gets a plaintext cluster and ACKs everything', async () => {
    config = [];
    xds.inputChanged();
    const client = open('bare-auto', false);
    assert.equal(await call(client), 'hi');
    await waitFor('all four families synced', () => Object.values(status('bare-auto')?.families ?? {}).every((f) => f.state === 'SYNCED'));
    const cluster = xds.configDump('bare-auto')!.clusters.find((c) => (c as { name: string }).name === CLUSTER) as Record<string, unknown>;
    assert.equal(cluster['transport_socket'], undefined);
    assert.equal(cluster['transport_socket_matches'], undefined);
  });

  it('ISTIO_MUTUAL: ACKed by a client bootstrapped with certificate_providers.default, NACKed (naming the instance) by one without', async () => {
    config = parseConfig('kind: DestinationRule\nmetadata: { name: echo }\nspec: { host: echo, trafficPolicy: { tls: { mode: ISTIO_MUTUAL } } }');
    xds.inputChanged();
    const istio = open('with-providers', true);
    assert.equal(await call(istio), 'hi');
    await waitFor('the provider-bootstrapped client synced', () => Object.values(status('with-providers')?.families ?? {}).every((f) => f.state === 'SYNCED'));
    const served = xds.configDump('with-providers')!.clusters.find((c) => (c as { name: string }).name === CLUSTER) as { transport_socket?: { typed_config: { sni: string } } };
    assert.equal(served.transport_socket?.typed_config.sni, 'outbound_.7070_._.echo.default.svc.cluster.local');

    const bare = open('without-providers', false);
    await assert.rejects(call(bare)); // the channel resolves on its first call; without the cluster it cannot succeed
    await waitFor('the bare client NACKed the cluster', () => status('without-providers')?.families.clusters.state === 'NACKED', 15_000);
    assert.match(status('without-providers')!.families.clusters.nackError ?? '', /Unmatched UpstreamTlsContext\.tls_certificate_provider_instance\.instance_name: default/);
  });
});
