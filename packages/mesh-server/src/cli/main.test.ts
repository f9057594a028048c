import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startApiServer, type ApiServer } from '../api/server';
import { WorkloadRegistry } from '../registry/registry';
import { ConfigCache } from '../store/config-cache';
import { MemoryStore } from '../store/memory-store';
import type { ClientSyncStatus, XdsStatusProvider } from '../xds/contracts';
import type { CliIo } from './io';
import { main } from './main';

const TOKEN = 'K'.repeat(43);

/** Runs the CLI in this process with captured output. */
async function run(args: string[], env: Record<string, string>, cwd: string, stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([stdin]),
    env,
    cwd,
    now: () => new Date('2030-01-01T00:00:00Z'),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const status = (state: 'SYNCED' | 'NACKED', nackError?: string) => ({ state, subscribed: 1, ...(nackError ? { nackError } : {}) });
const CLIENTS: ClientSyncStatus[] = [
  {
    proxy: { id: 'productpage-v1-1', role: 'sidecar', namespace: 'default', labels: { app: 'productpage' }, locality: '' },
    peer: '127.0.0.1:40000',
    connectedAt: '2030-01-01T00:00:00Z',
    protocol: 'delta',
    families: { clusters: status('SYNCED'), endpoints: status('SYNCED'), listeners: status('SYNCED'), routes: status('NACKED', 'no such cluster') },
  },
];
const xds: XdsStatusProvider = {
  clients: () => CLIENTS,
  configDump: (id) =>
    id === 'productpage-v1-1'
      ? {
          clusters: [{ name: 'outbound|9080|v1|reviews.default.svc.cluster.local', type: 'EDS' }],
          endpoints: [],
          listeners: [{ name: 'reviews:9080', api_listener: { api_listener: { rds: { route_config_name: 'reviews:9080' } } } }],
          routes: [],
        }
      : undefined,
};

describe('inboard CLI in process (against an in-process API server)', () => {
  let dir: string;
  let store: MemoryStore;
  let cache: ConfigCache;
  let registry: WorkloadRegistry;
  let server: ApiServer;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-cli-'));
    store = new MemoryStore({ clock: () => new Date('2029-12-31T23:59:00Z') });
    cache = new ConfigCache(store);
    registry = new WorkloadRegistry();
    cache.onChange(() => registry.setConfig(cache.snapshot().resources));
    server = await startApiServer({ store, config: cache, registry, xdsStatus: xds, token: TOKEN, port: 0 });
    env = { INBOARD_SERVER: server.url, INBOARD_TOKEN: TOKEN };
  });
  afterEach(async () => {
    await server.close();
    cache.close();
    registry.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the command list without arguments (exit 2) and with --help (exit 0)', async () => {
    const bare = await run([], env, dir);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /Commands:\n {2}control-plane/);
    const help = await run(['--help'], env, dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /proxy-status/);
    const version = await run(['--version'], env, dir);
    assert.match(version.stdout, /^client version: /);
  });

  it('applies from stdin, lists with ages from the injected clock, and deletes', async () => {
    const yaml = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: reviews\nspec:\n  host: reviews\n  subsets:\n  - name: v1\n    labels:\n      version: v1\n';
    const applied = await run(['apply', '-f', '-'], env, dir, yaml);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stdout, 'destinationrule.networking.istio.io/reviews created\n');
    const table = await run(['get', 'destinationrules'], env, dir);
    assert.equal(table.stdout, 'NAME      HOST      SUBSETS   AGE\nreviews   reviews   v1        60s\n');
    const analysis = await run(['analyze'], env, dir);
    assert.equal(analysis.code, 0);
    assert.match(analysis.stdout, /^Warning \[IST\d+\] \(DestinationRule default\/reviews spec\.\S+\) /m);
    const deleted = await run(['delete', 'dr', 'reviews'], env, dir);
    assert.equal(deleted.stdout, 'destinationrule.networking.istio.io "reviews" deleted\n');
  });

  it('exits 1 from analyze when a message is an Error', async () => {
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [r]\n  gateways: [missing-gateway]\n  http:\n  - route:\n    - destination:\n        host: r\n';
    assert.equal((await run(['apply', '-f', '-'], env, dir, vs)).code, 0);
    const deadline = Date.now() + 5_000;
    while (cache.snapshot().resources.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const analysis = await run(['analyze', '-A'], env, dir);
    assert.equal(analysis.code, 1, analysis.stdout);
    assert.match(analysis.stdout, /^Error \[IST0101\] \(VirtualService default\/r /m);
  });

  it('finds the token in <data-dir>/admin-token when neither --token nor INBOARD_TOKEN is set', async () => {
    fs.mkdirSync(path.join(dir, '.inboard'));
    fs.writeFileSync(path.join(dir, '.inboard', 'admin-token'), TOKEN + '\n');
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination:\n        host: r\n';
    const applied = await run(['apply', '-f', '-'], { INBOARD_SERVER: server.url }, dir, vs);
    assert.equal(applied.code, 0, applied.stderr);
    const refused = await run(['apply', '-f', '-'], { INBOARD_SERVER: server.url, INBOARD_TOKEN: 'nope' }, dir, vs);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the token from INBOARD_TOKEN was refused/);
  });

  it('shows proxy-status with NACK text and proxy-config tables for a client prefix', async () => {
    const statusRun = await run(['proxy-status'], env, dir);
    assert.equal(statusRun.code, 0);
    assert.match(statusRun.stdout, /^productpage-v1-1\s+SYNCED\s+SYNCED\s+SYNCED\s+NACKED\s+delta/m);
    assert.match(statusRun.stdout, /NACKs:\n {2}productpage-v1-1 routes: no such cluster/);
    const clusters = await run(['proxy-config', 'product', 'clusters'], env, dir);
    assert.equal(clusters.code, 0, clusters.stderr);
    assert.match(clusters.stdout, /^reviews.default.svc.cluster.local\s+9080\s+v1\s+outbound\s+EDS$/m);
    const istioctlOrder = await run(['proxy-config', 'listeners', 'productpage-v1-1'], env, dir);
    assert.match(istioctlOrder.stdout, /^reviews:9080\s+api_listener\s+reviews:9080$/m);
    const json = JSON.parse((await run(['proxy-config', 'productpage', 'all', '-o', 'json'], env, dir)).stdout);
    assert.equal(json.proxyID, 'productpage-v1-1');
    const unknown = await run(['proxy-config', 'zzz'], env, dir);
    assert.equal(unknown.code, 1);
    const badType = await run(['proxy-config', 'productpage', 'secrets'], env, dir);
    assert.equal(badType.code, 2);
  });

  it('describes a resource and reports a missing one with exit 1', async () => {
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  labels:\n    team: a\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination:\n        host: r\n';
    await run(['apply', '-f', '-'], env, dir, vs);
    const described = await run(['describe', 'vs', 'r'], env, dir);
    assert.match(described.stdout, /^Labels:\s+team=a$/m);
    assert.match(described.stdout, /^Created:\s+2029-12-31T23:59:00Z \(60s ago\)$/m);
    assert.match(described.stdout, /^Spec:\n {2}hosts:\n {2}- r$/m);
    const missing = await run(['describe', 'vs', 'nope'], env, dir);
    assert.equal(missing.code, 1);
  });
});
