// Measurement script (not a test): where the dispatcher's per-request cost goes under real traffic.
// Dispatchers built from the mesh's own routing functions add one step at a time — the mesh's
// three upstream headers, listener lookup, route match, the route's outcome, the endpoint pick —
// and run beside raw undici and the mesh's own Dispatcher, against one loopback backend (a child
// process), 32 callers, client CPU per request, rounds interleaved in alternating order.
// Run: node --require tsx/cjs packages/mesh-client/src/perf/dispatch-layers.bench.ts [rounds] [case,case…]

import { Dispatcher, Pool, request as undiciRequest } from 'undici';
import type { Mesh } from '@inboard/mesh-client';
import { buildPicker, type Picker } from '../balancing/picker';
import { findListener } from '../pipeline/route-layers';
import { requestId } from '../pipeline/request-id';
import { computeRouteOutcome } from '../routing/actions';
import { findRoute } from '../routing/match';
import { routeTableForListener } from '../snapshot/lookup';
import { closedLoop, isBackend, runEchoBackend, startEchoMesh } from './loopback-mesh';

const CONCURRENCY = 32;
const PEER_HEADER = Buffer.from(JSON.stringify({ workload: 'bench', namespace: 'default', app: 'bench' })).toString('base64url');

/** How far a LayerDispatcher goes before it forwards (each step includes the ones before). */
const STEPS = ['headers', 'listener', 'route match', 'route outcome', 'endpoint pick'] as const;

/** Forwards every request to the endpoint's Pool after `steps` of the mesh's routing. */
class LayerDispatcher extends Dispatcher {
  private readonly pickers = new Map<string, Picker>();
  private readonly pools = new Map<string, Pool>();
  private last: { readonly origin: string; readonly host: string } | undefined;

  constructor(private readonly mesh: Mesh, private readonly steps: number, private readonly backend: string) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin);
    if (origin !== this.last?.origin) this.last = { origin, host: new URL(origin).host };
    const host = this.last.host;
    let target = { path: options.path, authority: host, endpoint: this.backend };
    if (this.steps > 1) target = this.route(host, options);
    let pool = this.pools.get(target.endpoint);
    if (!pool) this.pools.set(target.endpoint, (pool = new Pool(`http://${target.endpoint}`, { connections: null, pipelining: 1 })));
    // The mesh's upstream headers: host, a request id, and its peer metadata (PEER_METADATA_HEADER).
    const headers = { host: target.authority, 'x-request-id': requestId(), 'x-inboard-peer-metadata': PEER_HEADER };
    const legacy = handler as unknown as Record<string, (...args: unknown[]) => unknown>;
    // Method shorthand, not arrow properties: run through tsx, esbuild's keep-names would wrap every
    // arrow in a naming call per request (about 5 µs), which the compiled library never pays.
    const thin = {
      onConnect(abort: unknown, context: unknown) { return legacy['onConnect']?.(abort, context); },
      onHeaders(status: number, raw: Buffer[], resume: () => void, text: string) { return legacy['onHeaders']!(status, raw, resume, text); },
      onData(chunk: Buffer) { return legacy['onData']!(chunk); },
      onComplete(trailers: unknown) { return legacy['onComplete']!(trailers); },
      onError(error: Error) { return legacy['onError']!(error); },
    };
    return pool.dispatch({ path: target.path, method: options.method, headers, servername: target.authority } as Dispatcher.DispatchOptions, thin as unknown as Dispatcher.DispatchHandler);
  }

  /** Steps 2–5: the mesh's listener lookup, route match, route outcome and endpoint pick. */
  private route(host: string, options: Dispatcher.DispatchOptions): { path: string; authority: string; endpoint: string } {
    const snapshot = this.mesh.snapshot!;
    const listener = findListener(snapshot, host);
    const table = listener && routeTableForListener(snapshot, listener.name);
    if (!table) throw new Error(`no listener for ${host}`);
    const target = { path: options.path, authority: host, endpoint: this.backend };
    if (this.steps < 3) return target;
    const found = findRoute(table, { authority: host, method: options.method, path: options.path, headers: {} });
    if (!found.ok) throw new Error(`no route for ${host}${options.path}`);
    if (this.steps < 4) return target;
    const outcome = computeRouteOutcome(table, found.virtualHost, found.route, found.view);
    if (outcome.kind !== 'forward') throw new Error('the route does not forward');
    target.path = outcome.path;
    target.authority = outcome.authority;
    if (this.steps < 5) return target;
    const cluster = snapshot.clusters.get(outcome.cluster)!;
    let picker = this.pickers.get(cluster.name);
    if (!picker) this.pickers.set(cluster.name, (picker = buildPicker({ cluster, endpoints: snapshot.endpoints.get(cluster.name) })));
    const picked = picker.pick({});
    if (!picked.ok) throw picked.error;
    target.endpoint = picked.endpoint.key;
    return target;
  }

  override async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  override async destroy(): Promise<void> {
    await this.close();
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 6);
  const only = process.argv[3]?.split(',');
  const echo = await startEchoMesh(__filename);
  const { mesh, port } = echo;
  const backend = `127.0.0.1:${port}`;
  const pool = new Pool(`http://${backend}`, { connections: null, pipelining: 1 });
  const call = (url: string, dispatcher: Dispatcher) => async () => {
    const { body } = await undiciRequest(url, { dispatcher });
    await body.text();
  };
  const cases: Record<string, () => Promise<void>> = { 'raw request(pool)': call(`http://${backend}/x`, pool) };
  const layers = STEPS.map((step, i) => new LayerDispatcher(mesh, i + 1, backend));
  STEPS.forEach((step, i) => { cases[`${i === 0 ? '' : '+ '}${step}`] = call('http://echo:9080/x', layers[i]!); });
  cases['mesh.dispatcher'] = call('http://echo:9080/x', mesh.dispatcher);
  const names = Object.keys(cases).filter((name) => !only || only.includes(name));
  const results: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      await closedLoop(cases[name]!, 800, CONCURRENCY);
      (results[name] ??= []).push((await closedLoop(cases[name]!, 3000, CONCURRENCY)).cpuUs);
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const raw = results['raw request(pool)'] ? median(results['raw request(pool)']) : undefined;
  console.log(`client CPU µs per request, median of ${rounds} rounds (and the added cost over raw request(pool))`);
  for (const name of names) {
    const m = median(results[name]!);
    console.log(`  ${name.padEnd(20)} ${m.toFixed(1).padStart(6)}${raw !== undefined && name !== 'raw request(pool)' ? `  (+${(m - raw).toFixed(1)})` : ''}`);
  }
  await Promise.all(layers.map((layer) => layer.close()));
  await pool.close();
  await echo.close();
}

if (isBackend()) runEchoBackend();
else main().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
