// The long-lived state of a Mesh, kept apart from config: connection pools, circuit-breaker
// counters, outlier detectors, active-request counts and connection queues, all keyed by cluster or
// endpoint identity and reconciled on every snapshot; plus the pickers, rebuilt per snapshot.

import { derivedOnce } from '../snapshot/derived-once';
import { buildPicker, type Picker } from '../balancing/picker';
import { EndpointStateStore } from '../balancing/endpoint-state';
import type { RandomSource } from '../balancing/random';
import { MeshError } from '../errors';
import type { Clock } from '../policy/clock';
import { ClusterLimitsStore } from '../policy/cluster-limits';
import { OutlierDetectorStore } from '../policy/outlier-store';
import type { ClusterConfig, MeshSnapshot } from '../snapshot/types';
import { EndpointPools, type PoolSettings } from '../transport/endpoint-pools';
import { ConnectionGates } from './connection-gate';

interface CachedPicker {
  readonly snapshot: MeshSnapshot;
  readonly ejected: ReadonlySet<string>;
  readonly picker: Picker;
}

/** Circuit-breaker limits this large mean "unlimited" (Istio sends 2^32−1 for unset fields). */
const UNLIMITED = 1_000_000;

/**
 * State that survives config pushes. `apply(snapshot)` reconciles every store with the new
 * cluster and endpoint set; `picker(snapshot, cluster)` returns the cluster's picker for that
 * snapshot, rebuilt when the snapshot or the cluster's ejected hosts change.
 */
export class MeshRuntime {
  readonly pools = new EndpointPools();
  readonly limits = new ClusterLimitsStore();
  readonly outliers: OutlierDetectorStore;
  readonly endpointState = new EndpointStateStore();
  readonly gates = new ConnectionGates();
  /** Faults in progress (HTTPFault max_active_faults). */
  activeFaults = 0;
  private readonly pickers = new Map<string, CachedPicker>();
  private closed = false;

  constructor(private readonly random: RandomSource, clock: Clock) {
    this.outliers = new OutlierDetectorStore({ clock, random });
  }

  /** Reconciles the stores with a new snapshot (counters, ejections and pools of kept endpoints survive). */
  apply(snapshot: MeshSnapshot): void {
    if (this.closed) return;
    const clusters = [...snapshot.clusters.values()];
    this.limits.reconcile(clusters);
    this.outliers.reconcile(clusters.map((c) => ({
      cluster: c.name, config: c.outlierDetection, hosts: (snapshot.endpoints.get(c.name)?.endpoints ?? []).map((e) => e.key),
    })));
    const endpointKeys = new Set<string>();
    const poolKeys = new Set<string>();
    for (const c of clusters) {
      for (const e of snapshot.endpoints.get(c.name)?.endpoints ?? []) {
        endpointKeys.add(e.key);
        poolKeys.add(`${c.name}|${e.key}`);
      }
    }
    this.endpointState.reconcile(endpointKeys);
    this.pools.reconcile(poolKeys);
    this.pickers.clear();
    this.gates.wakeAll();
  }

  /** The picker of `cluster` under `snapshot` (skipping the hosts outlier detection ejected now). */
  picker(snapshot: MeshSnapshot, cluster: ClusterConfig): Picker {
    const ejected = this.outliers.ejected(cluster.name);
    const cached = this.pickers.get(cluster.name);
    if (cached && cached.snapshot === snapshot && cached.ejected === ejected) return cached.picker;
    const picker = buildPicker({ cluster, endpoints: snapshot.endpoints.get(cluster.name), ejected, state: this.endpointState, random: this.random });
    this.pickers.set(cluster.name, { snapshot, ejected, picker });
    return picker;
  }

  /** Pool settings of a cluster from its config (DestinationRule connectionPool via xDS). */
  poolSettings(cluster: ClusterConfig): PoolSettings {
    return poolSettingsOf(cluster);
  }

  /** Stops timers, fails queued requests and closes every pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.outliers.close();
    this.gates.rejectAll(new MeshError('CLOSED', 'the mesh was closed while the request waited for a connection'));
    this.pickers.clear();
    await this.pools.close();
  }
}

/** A compiled cluster is immutable: one settings object per cluster, so pools can remember it. */
const poolSettingsOf = derivedOnce((cluster: ClusterConfig): PoolSettings => {
  const max = cluster.circuitBreakers.perHostMaxConnections ?? cluster.circuitBreakers.default.maxConnections;
  return Object.freeze({
    ...(max < UNLIMITED ? { maxConnections: max } : {}),
    ...(cluster.maxRequestsPerConnection !== undefined ? { maxRequestsPerConnection: cluster.maxRequestsPerConnection } : {}),
    connectTimeoutMs: cluster.connectTimeoutMs,
    ...(cluster.idleTimeoutMs !== undefined ? { idleTimeoutMs: cluster.idleTimeoutMs } : {}),
  });
});
