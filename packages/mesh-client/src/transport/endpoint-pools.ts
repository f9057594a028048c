// The transport, at the bottom of the request stack: one undici Pool per (cluster, endpoint),
// kept across config pushes and reconciled when the endpoint set or pool settings change.

import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { MeshRequest, MeshResponse } from '../request';
import { dispatchForResponse } from './dispatch-response';

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
}

/**
 * Owns the upstream connection pools. `send` runs one attempt against one endpoint.
 * Pools are keyed by `cluster|address:port` so a config push that keeps an endpoint keeps its
 * connections; `reconcile` closes pools of endpoints that left.
 */
export class EndpointPools {
  private readonly pools = new Map<string, PoolEntry>();
  private closed = false;

  constructor(private readonly defaults: PoolSettings = {}) {}

  /** Sends `request` to `address:port` over the cluster's pool. Rejects on connect/reset errors. */
  async send(cluster: string, endpoint: string, settings: PoolSettings, request: MeshRequest, options: SendOptions = {}): Promise<MeshResponse> {
    const pool = this.poolFor(cluster, endpoint, settings);
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

  /** Closes pools whose key is not in `keep` (keys are `cluster|address:port`). */
  reconcile(keep: ReadonlySet<string>): void {
    for (const [key, entry] of this.pools) {
      if (!keep.has(key)) {
        this.pools.delete(key);
        void entry.pool.close().catch(() => undefined);
      }
    }
  }

  /** Number of pools currently open (for tests and stats). */
  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(entries.map((e) => e.pool.close().catch(() => e.pool.destroy())));
  }

  private poolFor(cluster: string, endpoint: string, settings: PoolSettings): Pool {
    if (this.closed) throw new Error('mesh transport is closed');
    const key = `${cluster}|${endpoint}`;
    const merged = { ...this.defaults, ...settings };
    const settingsKey = `${merged.maxConnections}|${merged.maxRequestsPerConnection}|${merged.connectTimeoutMs}|${merged.idleTimeoutMs}`;
    const existing = this.pools.get(key);
    if (existing && existing.settingsKey === settingsKey) return existing.pool;
    if (existing) void existing.pool.close().catch(() => undefined);
    const pool = new Pool(`http://${endpoint}`, {
      connections: merged.maxConnections ?? null,
      pipelining: 1,
      ...(merged.maxRequestsPerConnection ? { maxRequestsPerClient: merged.maxRequestsPerConnection } : {}),
      connectTimeout: merged.connectTimeoutMs ?? 10_000,
      keepAliveTimeout: merged.idleTimeoutMs ?? 4_000,
    });
    this.pools.set(key, { pool, settingsKey });
    return pool;
  }
}
