// Test harness of the xDS protocol tests: a tiny fake Translate over hand-written Envoy resources,
// a real XdsServer on 127.0.0.1, raw ADS streams for byte-level control, a manual clock and a
// bounded poll. (Real translation is tested elsewhere; here only the wire protocol matters.)

import * as grpc from '@grpc/grpc-js';
import {
  ADS_METHOD_PATH,
  AdsClient,
  EXTENSION_TYPE_URL,
  loadXdsProtos,
  peekName,
  toStruct,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from '@inboard/xds';
import type { ProxyInfo, Translate, TranslationInput, XdsFamily, XdsResourceSet } from '../src/xds/contracts';
import type { RegistrySnapshot } from '../src/registry/types';
import { XdsServer, type WorkloadRegistrar, type XdsServerClock, type XdsServerLog } from '../src/xds/server';

/** Resources the fake translation serves, per family; tests edit it and call inputChanged(). */
export interface FakeWorld {
  listeners: Map<string, object>;
  routes: Map<string, object>;
  clusters: Map<string, object>;
  endpoints: Map<string, object>;
  /** Views translated, in order (one entry per Translate call). */
  readonly translations: ProxyInfo[];
  /** When set, Translate throws this message. */
  failWith?: string;
}

/** A world with nothing in it. */
export function emptyWorld(): FakeWorld {
  return { listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map(), translations: [] };
}

/** Translate that serves the world as it is when called (copies, so later edits do not leak). */
export function fakeTranslate(world: FakeWorld): Translate {
  return (_input, proxy): XdsResourceSet => {
    world.translations.push(proxy);
    if (world.failWith) throw new Error(world.failWith);
    return {
      listeners: new Map(world.listeners),
      routes: new Map(world.routes),
      clusters: new Map(world.clusters),
      endpoints: new Map(world.endpoints),
      warnings: new Map(),
    };
  };
}

/** A proxyless client Listener over RDS. */
export function listener(name: string, routeName: string): object {
  return {
    name,
    api_listener: {
      api_listener: {
        '@type': EXTENSION_TYPE_URL.HTTP_CONNECTION_MANAGER,
        rds: { route_config_name: routeName, config_source: { ads: {} } },
        http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': EXTENSION_TYPE_URL.ROUTER } }],
      },
    },
  };
}

/** A RouteConfiguration sending everything to `cluster`. */
export function route(name: string, cluster: string, domains: string[] = ['*']): object {
  return { name, virtual_hosts: [{ name: 'vh', domains, routes: [{ match: { prefix: '' }, route: { cluster } }] }] };
}

/** An EDS Cluster (`tag` lands in metadata, to make otherwise equal clusters differ). */
export function cluster(name: string, tag = ''): object {
  return {
    name,
    type: 'EDS',
    lb_policy: 'ROUND_ROBIN',
    eds_cluster_config: { eds_config: { ads: {} } },
    ...(tag ? { metadata: { filter_metadata: { test: { fields: { tag: { string_value: tag } } } } } } : {}),
  };
}

/** A ClusterLoadAssignment with one locality of loopback endpoints on `ports`. */
export function endpoints(clusterName: string, ...ports: number[]): object {
  return {
    cluster_name: clusterName,
    endpoints: [
      {
        locality: {},
        load_balancing_weight: { value: 1 },
        lb_endpoints: ports.map((port) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } })),
      },
    ],
  };
}

/** Adds EDS cluster `name` (cluster()) and its endpoints on loopback `ports` (endpoints()) to `world`. */
export function addCluster(world: FakeWorld, name: string, ...ports: number[]): void {
  world.clusters.set(name, cluster(name));
  world.endpoints.set(name, endpoints(name, ...ports));
}

/** Clusters c1 (endpoint port 9001) and c2 (port 9002), which both stream suites start from. */
export function addTwoClusters(world: FakeWorld): void {
  addCluster(world, 'c1', 9001);
  addCluster(world, 'c2', 9002);
}

const EMPTY_REGISTRY: RegistrySnapshot = { version: 0, services: new Map(), endpoints: [], endpointsFor: () => [] };

/** Input of the fake translation (never read by it). */
export const EMPTY_INPUT: TranslationInput = { config: [], registry: EMPTY_REGISTRY };

/** Log that records messages (tests assert on warnings). */
export function recordingLog(): XdsServerLog & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

/** Starts an XdsServer on 127.0.0.1 serving `world`; returns it with its port. */
export async function startServer(
  world: FakeWorld,
  options: { registry?: WorkloadRegistrar; clock?: XdsServerClock; debounceMs?: number; log?: XdsServerLog; port?: number } = {},
): Promise<{ server: XdsServer; port: number; log: XdsServerLog & { lines: string[] } }> {
  const log = (options.log as XdsServerLog & { lines: string[] }) ?? recordingLog();
  const server = new XdsServer({
    translate: fakeTranslate(world),
    input: () => EMPTY_INPUT,
    debounceMs: options.debounceMs ?? 5,
    log,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const port = await server.listen(options.port ?? 0);
  return { server, port, log };
}

/** What serveWorldPerTest hands a suite before each test. */
export interface ServedWorld {
  readonly world: FakeWorld;
  readonly server: XdsServer;
  readonly port: number;
}

/** Things to close after the current test (run in order, awaited). */
export type Cleanups = (() => void | Promise<void>)[];

/**
 * Registers a protocol suite's per-test hooks: before each test a fresh world filled by `fill` and an
 * XdsServer on 127.0.0.1 serving it (handed to `use`); after each, the returned cleanups run, then
 * that server closes (a test that starts another server pushes its close onto the cleanups).
 */
export function serveWorldPerTest(fill: (world: FakeWorld) => void, use: (served: ServedWorld) => void): Cleanups {
  const cleanups: Cleanups = [];
  let server: XdsServer | undefined;
  beforeEach(async () => {
    const world = emptyWorld();
    fill(world);
    const started = await startServer(world);
    server = started.server;
    use({ world, server, port: started.port });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server?.close();
    server = undefined;
  });
  return cleanups;
}

/** `closeable`, after adding its close() to `cleanups`. */
export function tracked<T extends { close(): void }>(cleanups: Cleanups, closeable: T): T {
  cleanups.push(() => closeable.close());
  return closeable;
}

/** An AdsClient for node `id` on the server at `port`, with its own subchannel pool; closed by `cleanups`. */
export function adsClient(cleanups: Cleanups, port: number, id: string, options: Partial<ConstructorParameters<typeof AdsClient>[0]> = {}): AdsClient {
  return tracked(cleanups, new AdsClient({ target: `127.0.0.1:${port}`, node: { id }, channelOptions: { 'grpc.use_local_subchannel_pool': 1 }, ...options }));
}

/** A raw ADS stream: write requests, await responses one by one. */
export class RawStream<Req extends object, Res extends object> {
  private readonly queue: Res[] = [];
  private readonly waiters: ((r: Res) => void)[] = [];
  private readonly client: grpc.Client;
  readonly call: grpc.ClientDuplexStream<Req, Res>;
  /** Set when the stream ended, with its status. */
  status: grpc.StatusObject | undefined;

  constructor(port: number, delta: boolean, options: { read?: boolean } = {}) {
    const service = loadXdsProtos().adsService();
    const method = service[delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources']!;
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    this.call = this.client.makeBidiStreamRequest(
      delta ? ADS_METHOD_PATH.DELTA : ADS_METHOD_PATH.SOTW,
      method.requestSerialize as (r: Req) => Buffer,
      method.responseDeserialize as (b: Buffer) => Res,
    );
    this.call.on('error', () => undefined);
    this.call.on('status', (s) => (this.status = s));
    if (options.read !== false) {
      this.call.on('data', (r: Res) => {
        const waiter = this.waiters.shift();
        if (waiter) waiter(r);
        else this.queue.push(r);
      });
    }
  }

  send(request: Req): void {
    this.call.write(request);
  }

  /** The next response (rejects after `timeoutMs`). */
  next(timeoutMs = 5_000): Promise<Res> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (r: Res) => { clearTimeout(timer); resolve(r); };
      this.waiters.push(done);
    });
  }

  /** Responses received and not yet taken. */
  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

/** A raw SotW stream. */
export type RawSotw = RawStream<DiscoveryRequest, DiscoveryResponse>;
/** A raw delta stream. */
export type RawDelta = RawStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

/** Opens a raw SotW stream. */
export function rawSotw(port: number, options?: { read?: boolean }): RawSotw {
  return new RawStream<DiscoveryRequest, DiscoveryResponse>(port, false, options);
}

/** Opens a raw delta stream. */
export function rawDelta(port: number): RawDelta {
  return new RawStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(port, true);
}

/** A node for raw requests. */
export function node(id: string, metadata: Record<string, unknown> = {}): DiscoveryRequest['node'] {
  return { id, locality: {}, user_agent_name: 'raw-test', metadata: toStruct(metadata) };
}

/** Names of the resources in a SotW response (decoded through field 1). */
export function namesOf(response: DiscoveryResponse): string[] {
  return (response.resources ?? []).map((any) => peekName(any.value) ?? '?');
}

/** Polls `condition` until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A clock whose timers fire only when the test says so. */
export class ManualClock implements XdsServerClock {
  private nowMs = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  now(): number {
    return this.nowMs;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.nowMs + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.size;
  }
  /** Advances time by `ms`, firing due timers in order. */
  advance(ms: number): void {
    this.nowMs += ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= this.nowMs).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) return;
      this.timers.delete(due[0]);
      due[1].fn();
    }
  }
}

/** The family names of a status record, for compact assertions. */
export const FAMILIES: readonly XdsFamily[] = ['listeners', 'routes', 'clusters', 'endpoints'];
