// The transport, at the bottom of the request stack: one undici Pool per (cluster, endpoint),
// kept across config pushes and reconciled when the endpoint set, pool settings or TLS settings
// change. Mesh mTLS pools dial through identity/upstream-connector (certificate read per connect).

import { derivedOnce } from '../snapshot/derived-once';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { MeshRequest, MeshResponse } from '../request';
import type { MtlsSource } from '../identity/mesh-mtls';
import { meshTlsConnector, type UpstreamMtls } from '../identity/upstream-connector';
import { dispatchForResponse } from './dispatch-response';

export { upstreamMtlsFor, isUpstreamTlsFailure, type UpstreamMtls } from '../identity/upstream-connector';

/** Connection settings of one cluster (from DestinationRule connectionPool via xDS). */
export interface PoolSettings {
  /** Max connections per endpoint (Envoy's per-cluster max_connections applies across hosts; see breaker). */
  readonly maxConnections?: number;
  readonly maxRequestsPerConnection?: number;
  readonly connectTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
}

interface PoolEntry {
  readonly pool: Pool;
  readonly settingsKey: string;
}

/** Options passed to one attempt. */
export interface SendOptions {
  readonly signal?: AbortSignal;
  /** Mesh mTLS for this endpoint (upstreamMtlsFor); absent = plaintext. Ignored while the mesh has no identity. */
  readonly tls?: UpstreamMtls;
}

/**
 * Owns the upstream connection pools. `send` runs one attempt against one endpoint.
 * Pools are keyed by `cluster|address:port` so a config push that keeps an endpoint keeps its
 * connections; `reconcile` closes pools of endpoints that left.
 */
export class EndpointPools {
  /**
   * Pools by cluster, endpoint (`address:port`) and TLS variant ('plaintext' or the TLS settings'
   * key): nested maps, so a lookup hashes the snapshot's own strings instead of building a key.
   */
  private readonly pools = new Map<string, Map<string, Map<string, PoolEntry>>>();
  private closed = false;
  private mtls: MtlsSource | undefined;

  constructor(private readonly defaults: PoolSettings = {}) {}

  /** The workload identity mesh-mTLS pools present. Without one (mTLS off) every pool is plaintext. */
  useMtls(source: MtlsSource | undefined): void {
    this.mtls = source?.enabled ? source : undefined;
  }

  /** True when `send` with `tls` will use mesh mTLS (an identity is configured). */
  get mtlsEnabled(): boolean {
    return this.mtls !== undefined;
  }

  /** Sends `request` to `address:port` over the cluster's pool. Rejects on connect/reset errors. */
  async send(cluster: string, endpoint: string, settings: PoolSettings, request: MeshRequest, options: SendOptions = {}): Promise<MeshResponse> {
    const pool = this.poolFor(cluster, endpoint, settings, this.mtls ? options.tls : undefined);
    const response = await dispatchForResponse(pool, {
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body: request.body ?? null,
      // The mesh's own timeouts (route and per-try) govern; undici's 300 s defaults would fire too late to matter.
      headersTimeout: 0,
      bodyTimeout: 0,
    }, options.signal ?? request.signal);
    return {
      status: response.status,
      headers: response.headers as MeshResponse['headers'],
      body: response.body,
      endpoint,
    };
  }

  /**
   * The pool `send` uses for `address:port` of the cluster, for callers that dispatch with their own
   * undici handler (the dispatcher front end's pass-through, plaintext clusters only).
   */
  dispatcherFor(cluster: string, endpoint: string, settings: PoolSettings, tls?: UpstreamMtls): Dispatcher {
    return this.poolFor(cluster, endpoint, settings, this.mtls ? tls : undefined);
  }

  /** Closes pools whose endpoint is not in `keep` (keys are `cluster|address:port`; every TLS variant goes). */
  reconcile(keep: ReadonlySet<string>): void {
    for (const [cluster, endpoints] of this.pools) {
      for (const [endpoint, variants] of endpoints) {
        if (keep.has(`${cluster}|${endpoint}`)) continue;
        endpoints.delete(endpoint);
        for (const entry of variants.values()) void entry.pool.close().catch(() => undefined);
      }
      if (endpoints.size === 0) this.pools.delete(cluster);
    }
  }

  /** Number of pools currently open (for tests and stats). */
  get size(): number {
    return this.entries().length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = this.entries();
    this.pools.clear();
    await Promise.all(entries.map((e) => e.pool.close().catch(() => e.pool.destroy())));
  }

  /** `settings` over the defaults, and their identity; remembered per settings object (callers reuse one per cluster). */
  private readonly mergedSettings = derivedOnce((settings: PoolSettings): { readonly merged: PoolSettings; readonly settingsKey: string } => {
    const merged = { ...this.defaults, ...settings };
    return { merged, settingsKey: `${merged.maxConnections}|${merged.maxRequestsPerConnection}|${merged.connectTimeoutMs}|${merged.idleTimeoutMs}` };
  });

  private poolFor(cluster: string, endpoint: string, settings: PoolSettings, tls: UpstreamMtls | undefined): Pool {
    if (this.closed) throw new Error('mesh transport is closed');
    // The TLS settings are part of the pool's key: plaintext and mTLS pools to one endpoint are
    // distinct and never share (or replace) each other's connections.
    const variant = tls?.key ?? 'plaintext';
    const { merged, settingsKey } = this.mergedSettings(settings);
    const existing = this.pools.get(cluster)?.get(endpoint)?.get(variant);
    if (existing && existing.settingsKey === settingsKey) return existing.pool;
    if (existing) void existing.pool.close().catch(() => undefined);
    const connectTimeout = merged.connectTimeoutMs ?? 10_000;
    const pool = new Pool(`${tls ? 'https' : 'http'}://${endpoint}`, {
      ...(tls && this.mtls ? { connect: meshTlsConnector(this.mtls, tls, connectTimeout) } : {}),
      connections: merged.maxConnections ?? null,
      pipelining: 1,
      ...(merged.maxRequestsPerConnection ? { maxRequestsPerClient: merged.maxRequestsPerConnection } : {}),
      connectTimeout,
      keepAliveTimeout: merged.idleTimeoutMs ?? 4_000,
    });
    let endpoints = this.pools.get(cluster);
    if (!endpoints) this.pools.set(cluster, (endpoints = new Map()));
    let variants = endpoints.get(endpoint);
    if (!variants) endpoints.set(endpoint, (variants = new Map()));
    variants.set(variant, { pool, settingsKey });
    return pool;
  }

  /** Every open pool. */
  private entries(): PoolEntry[] {
    return [...this.pools.values()].flatMap((endpoints) => [...endpoints.values()].flatMap((variants) => [...variants.values()]));
  }
}
