// Integration with a hand-made xDS server (mesh-server's XdsServer over a fake translation): an
// invalid pushed resource is NACKed with a message naming the field, the last good config stays in
// force, a later valid push is accepted; a lost control plane never deletes the config. Both protocols.

import assert from 'node:assert/strict';
import { EXTENSION_TYPE_URL } from '@inboard/xds';
import { connect, type Mesh, type NackEvent } from '../src';
import { startPlainServer } from './support/backends';
import { meshServer, until } from './support/control-plane';

type World = Record<'listeners' | 'routes' | 'clusters' | 'endpoints', Map<string, object>>;

function echoWorld(port: number): World {
  return {
    listeners: new Map([['echo', {
      name: 'echo',
      api_listener: { api_listener: {
        '@type': EXTENSION_TYPE_URL.HTTP_CONNECTION_MANAGER,
        rds: { route_config_name: 'echo-routes', config_source: { ads: {} } },
        http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': EXTENSION_TYPE_URL.ROUTER } }],
      } },
    }]]),
    routes: new Map([['echo-routes', route({ prefix: '/' })]]),
    clusters: new Map([['echo-cluster', { name: 'echo-cluster', type: 'EDS', lb_policy: 'ROUND_ROBIN', eds_cluster_config: { eds_config: { ads: {} } } }]]),
    endpoints: new Map([['echo-cluster', {
      cluster_name: 'echo-cluster',
      endpoints: [{ locality: {}, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }] }],
    }]]),
  };
}

function route(match: object, extra: object = {}): object {
  return { name: 'echo-routes', virtual_hosts: [{ name: 'echo', domains: ['*'], routes: [{ match, route: { cluster: 'echo-cluster' }, ...extra }] }] };
}

for (const protocol of ['delta', 'sotw'] as const) {
  describe(`NACK and last good config (${protocol})`, function () {
    this.timeout(20_000);
    it('rejects an invalid route with a precise message, keeps routing on the last good one, accepts the fix', async () => {
      const backend = await startPlainServer('echo');
      const world = echoWorld(backend.port);
      const server = new (meshServer().XdsServer)({
        translate: () => ({ ...world, listeners: new Map(world.listeners), routes: new Map(world.routes), warnings: new Map() }),
        input: () => ({ config: [], registry: { version: 0, services: new Map(), endpoints: [], endpointsFor: () => [] } }),
        debounceMs: 5,
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      }) as unknown as { listen(port: number, host: string): Promise<number>; inputChanged(): void; close(): Promise<void>; clients(): { families: Record<string, { state: string; nackError?: string }> }[] };
      const port = await server.listen(0, '127.0.0.1');
      const mesh: Mesh = connect({ controlPlane: `127.0.0.1:${port}`, protocol, env: {} });
      const nacks: NackEvent[] = [];
      mesh.on('nack', (e) => nacks.push(e));
      let closed = false;
      try {
        await mesh.ready;
        assert.equal((await mesh.fetch('http://echo/a')).status, 200);
        const good = mesh.snapshot!.version;

        world.routes.set('echo-routes', route({ safe_regex: { regex: '/(unclosed' } }));
        server.inputChanged();
        const nack = await until('a NACK', () => nacks[0]);
        assert.equal(nack.family, 'routes');
        assert.match(nack.message, /routes "echo-routes": virtual_hosts\[0\]\.routes\[0\]\.match\.safe_regex/);
        assert.deepEqual(nack.errors.map((e) => e.name), ['echo-routes']);
        const status = await until('the control plane to record the NACK', () => server.clients()[0]?.families['routes']?.state === 'NACKED' && server.clients()[0]!.families['routes']!);
        assert.match(status.nackError ?? '', /safe_regex/);
        assert.equal(mesh.snapshot!.version, good, 'the last good config stays in force');
        assert.equal((await mesh.fetch('http://echo/still-works')).status, 200);

        world.routes.set('echo-routes', route({ prefix: '/' }, { route: undefined, direct_response: { status: 418, body: { inline_string: 'fixed' } } }));
        server.inputChanged();
        await until('the fixed route to be accepted', () => mesh.snapshot!.version !== good);
        const fixed = await mesh.fetch('http://echo/');
        assert.deepEqual([fixed.status, await fixed.text()], [418, 'fixed']);

        // The control plane goes away: the config is kept and requests keep being answered.
        const disconnected = new Promise<void>((resolve) => mesh.once('disconnected', () => resolve()));
        const version = mesh.snapshot!.version;
        await server.close();
        closed = true;
        await disconnected;
        assert.equal(mesh.snapshot!.version, version);
        assert.equal((await mesh.fetch('http://echo/')).status, 418);
      } finally {
        await mesh.close();
        if (!closed) await server.close();
        await backend.close();
      }
    });
  });
}
