// Interop, status: a real @grpc/grpc-js-xds client as the `inboard` CLI reports it — proxy-status
// shows it SYNCED on all four types, and proxy-config returns exactly the bytes the client holds
// (checked against the client's own CSDS dump, as the csds interop case does). Also: a gRPC client
// and an Inboard client with equal node metadata get different views (gRPC NACKs some routes).

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AdsClient, TYPE_URL, encodeResource, xdsIncludeDirs } from '@inboard/xds';
import { cliFor, until } from './cli-harness';
import { SERVICE_PORT, backendsById, destination, echoService, fqdn, fqdnTarget, useInteropMesh, virtualService, type InteropMesh } from './xds-interop-harness';

const FAMILY_COLUMNS = ['CLUSTERS', 'LISTENERS', 'ENDPOINTS', 'ROUTES'];

/** One client's entry of a CSDS ClientStatusResponse (fields as proto-loader gives them). */
interface CsdsConfig {
  node: { id: string };
  generic_xds_configs: { name: string; type_url: string; client_status: string; xds_config: { type_url: string; value: Buffer } | null }[];
}

/** Asks a grpc-js process's admin server (CSDS) what its xDS clients hold. */
async function fetchClientStatus(port: number): Promise<CsdsConfig[]> {
  const definition = protoLoader.loadSync('envoy/service/status/v3/csds.proto', {
    keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: xdsIncludeDirs(),
  });
  const Csds = (grpc.loadPackageDefinition(definition) as any).envoy.service.status.v3.ClientStatusDiscoveryService;
  const client = new Csds(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.FetchClientStatus({}, (error: grpc.ServiceError | null, response: { config: CsdsConfig[] }) => (error ? reject(error) : resolve(response.config))),
    );
  } finally {
    client.close();
  }
}

describe('xDS interop (status): grpc-js-xds clients as `inboard proxy-status` and `proxy-config` see them', function () {
  this.timeout(20_000);
  let mesh: InteropMesh;
  useInteropMesh(backendsById('v1-a', 'v2-a'), (started) => (mesh = started));

  it('proxy-status shows the client SYNCED on all four types; proxy-config clusters -o json is byte-for-byte what the client holds', async () => {
    await mesh.apply([echoService('status')]);
    const client = await mesh.client(fqdnTarget('status'), 'status-client');
    await client.warmUp();
    // The client ACKs after it has applied a response: poll (bounded) until all four show it.
    const cli = cliFor(mesh.plane);
    let table = '';
    await until(async () => {
      const run = await cli(['proxy-status', 'status-client']);
      assert.equal(run.code, 0, run.stderr);
      table = run.stdout;
      return /status-client(\s+SYNCED){4}\s+sotw\s/.test(table);
    }, 'proxy-status to show status-client SYNCED on all four types', 15_000);
    const [header, row] = table.trim().split('\n');
    const columns = header!.split(/\s{3,}/);
    const cells = row!.split(/\s{3,}/);
    for (const column of FAMILY_COLUMNS) assert.equal(cells[columns.indexOf(column)], 'SYNCED', `${column}:\n${table}`);

    const run = await cli(['proxy-config', 'status-client', 'clusters', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const sent = JSON.parse(run.stdout) as { name: string }[];
    const host = fqdn('status');
    assert.ok(sent.some((c) => c.name === `outbound|${SERVICE_PORT}||${host}`), run.stdout);

    // The client's own view (CSDS through grpc-js's admin services in the client process).
    const csds = await fetchClientStatus(await mesh.driver.adminPort());
    const mine = csds.find((c) => c.node.id === 'status-client');
    assert.ok(mine, `CSDS lists ${csds.map((c) => c.node.id)}`);
    // grpc-js-xds 1.14 reports CSDS type_url without the `type.googleapis.com/` prefix.
    const byType = (typeUrl: string) => mine.generic_xds_configs.filter((g) => typeUrl.endsWith(`/${g.type_url}`) || g.type_url === typeUrl);
    for (const typeUrl of Object.values(TYPE_URL)) {
      const held = byType(typeUrl);
      assert.ok(held.length > 0 && held.every((g) => g.client_status === 'ACKED'), `${typeUrl}: ${JSON.stringify(held.map((g) => [g.name, g.client_status]))}`);
    }
    const heldClusters = byType(TYPE_URL.CLUSTER);
    for (const cluster of heldClusters) {
      const printed = sent.find((c) => c.name === cluster.name);
      assert.ok(printed, `proxy-config does not show ${cluster.name}, which the client holds`);
      const encoded = encodeResource(TYPE_URL.CLUSTER, printed);
      assert.ok(encoded.value.equals(cluster.xds_config!.value), `${cluster.name}: proxy-config JSON re-encodes to other bytes than the client holds`);
    }
  });

  it('a gRPC client never gets the view of an Inboard client with the same node metadata (no NACK of routes gRPC cannot take)', async () => {
    const host = fqdn('shared');
    // A redirect route: Inboard clients (Envoy semantics) get it; gRPC clients NACK redirects, so
    // translation leaves it out for them. Both clients below have namespace default and no labels.
    await mesh.apply([
      echoService('shared'),
      virtualService('shared', host, [
        { match: [{ uri: { prefix: '/old.Service/' } }], redirect: { uri: '/new.Service/' } },
        { route: [destination(host)] },
      ]),
    ]);
    // The Inboard client connects first, so its view is computed first in this generation.
    const inboard = new AdsClient({ target: mesh.xdsAddress, node: { id: 'shared-inboard', metadata: { NAMESPACE: 'default' } } });
    try {
      const routeName = `${host}:${SERVICE_PORT}`;
      const routes = new Promise<ReadonlyMap<string, object>>((resolve) =>
        inboard.on('resources', (update) => { if (update.typeUrl === TYPE_URL.ROUTE && update.resources.has(routeName)) resolve(update.resources); }),
      );
      inboard.watch(TYPE_URL.ROUTE, [routeName]);
      const inboardRoute = (await routes).get(routeName) as { virtual_hosts: { routes: { redirect?: object }[] }[] };
      assert.ok(inboardRoute.virtual_hosts[0]!.routes.some((r) => r.redirect), 'the Inboard client gets the redirect route');

      const client = await mesh.client(fqdnTarget('shared'), 'shared-grpc', { NAMESPACE: 'default' });
      await client.warmUp();
      const dump = await mesh.configDump('shared-grpc');
      const grpcRoute = dump.routes.find((r: { name: string }) => r.name === routeName);
      assert.equal(grpcRoute.virtual_hosts[0].routes.some((r: { redirect?: object }) => r.redirect), false, 'the gRPC client gets no redirect route');
    } finally {
      inboard.close();
    }
  });
});
