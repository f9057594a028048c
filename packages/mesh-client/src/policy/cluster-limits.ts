// Envoy's circuit breakers: per cluster and routing priority, counters of connections, pending
// requests, active requests and active retries shared by every route to the cluster, with the
// retry budget. State lives in a store keyed by cluster name that survives config pushes.

import { DEFAULT_THRESHOLDS, compileCircuitBreakers } from '../snapshot/compile-cluster-limits';
import type { Issue } from '../snapshot/proto-readers';
import type { CircuitBreakerThresholds, ClusterConfig } from '../snapshot/types';
import { compileStrict } from './strict-compile';

/** The circuit breaker that refused a permit (Envoy's overflow counters in brackets). */
export type LimitName =
  | 'max_connections' // upstream_cx_overflow: the request waits for a connection instead
  | 'max_pending_requests' // upstream_rq_pending_overflow → local 503 UO
  | 'max_requests' // upstream_rq_pending_overflow → local 503 UO
  | 'max_retries'; // upstream_rq_retry_overflow → no retry, the upstream answer is returned (flag UO)

/** A granted slot. `release()` gives it back (idempotent). */
export interface Permit {
  readonly ok: true;
  release(): void;
}

/** A refusal: which limit, its current maximum and the count that hit it. */
export interface Overflow {
  readonly ok: false;
  readonly limit: LimitName;
  readonly max: number;
  readonly active: number;
  /** True when the retry limit came from a retry budget rather than max_retries. */
  readonly retryBudget: boolean;
}

/** `tryAcquire*` result. */
export type AcquireResult = Permit | Overflow;

/** Current counter values of one cluster and priority. */
export interface LimitCounts {
  readonly connections: number;
  readonly pending: number;
  readonly requests: number;
  readonly retries: number;
}

/** Compiled circuit breakers of a cluster: DEFAULT and HIGH thresholds, Envoy's defaults applied. */
export type CircuitBreakers = ClusterConfig['circuitBreakers'];

/**
 * Compiles a Cluster's `circuit_breakers` message (undefined = Envoy's defaults: 1024
 * connections, pending and requests, 3 retries; a `retry_budget` defaults to 20 % / 3) through
 * the snapshot compiler, strictly: invalid input throws, notes go to `notes`.
 * @throws MeshError CONFIG_REJECTED naming each invalid field.
 */
export function compileClusterLimits(circuitBreakers: unknown, notes?: Issue[]): CircuitBreakers {
  return compileStrict('circuit_breakers', (issues) => compileCircuitBreakers(circuitBreakers, 'circuit_breakers', issues), notes);
}

/**
 * The retries allowed in flight: with a retry budget, max(min_retry_concurrency,
 * ⌊budget_percent % × (active requests + pending requests)⌋) — Envoy's RetryBudgetImpl::max —
 * otherwise max_retries.
 */
export function allowedRetries(thresholds: CircuitBreakerThresholds, activeRequests: number, pendingRequests: number): number {
  const budget = thresholds.retryBudget;
  if (!budget) return thresholds.maxRetries;
  return Math.max(Math.floor((budget.budgetPercent / 100) * (activeRequests + pendingRequests)), budget.minRetryConcurrency);
}

/**
 * The breakers of one cluster at one priority. A `tryAcquire*` succeeds while the counter is
 * below its limit (Envoy's `canCreate()`: count < max). Limits can change in place (`update`);
 * counts are never reset by a config change.
 */
export class ClusterLimits {
  private connections = 0;
  private pending = 0;
  private requests = 0;
  private retries = 0;

  constructor(readonly cluster: string, readonly priority: 'DEFAULT' | 'HIGH', private current: CircuitBreakerThresholds = DEFAULT_THRESHOLDS) {}

  /** The thresholds in force. */
  get thresholds(): CircuitBreakerThresholds {
    return this.current;
  }

  /** Replaces the thresholds (a config push); counters are kept. */
  update(thresholds: CircuitBreakerThresholds): void {
    this.current = thresholds;
  }

  /** A snapshot of the counters. */
  counts(): LimitCounts {
    return { connections: this.connections, pending: this.pending, requests: this.requests, retries: this.retries };
  }

  /** The retries allowed in flight right now (budget-based when a budget is configured). */
  retryLimit(): number {
    return allowedRetries(this.current, this.requests, this.pending);
  }

  /**
   * A connection slot. On overflow Envoy does not fail the request: it waits (pending) for an
   * existing connection. `force` grants the slot anyway and counts it — Envoy's guarantee that a
   * selected host may open one connection even past max_connections.
   */
  tryAcquireConnection(force = false, onRelease?: SlotReleaseListener): AcquireResult {
    if (!force && !this.admitsConnection()) return this.overflow('max_connections', this.current.maxConnections, this.connections);
    this.connections++;
    return new HeldSlot(this, 'connections', onRelease);
  }

  /** True when `tryAcquireConnection()` would grant a slot now (no side effect). */
  admitsConnection(): boolean {
    return this.connections < this.current.maxConnections;
  }

  /** True when `tryAcquireRequest()` would grant a slot now (no side effect). */
  admitsRequest(): boolean {
    return this.requests < this.current.maxRequests;
  }

  /**
   * Counts the request and the connection slot of one try, which `admitsRequest()` and
   * `admitsConnection()` have just found free, without slot objects; the caller gives them back
   * once with `giveBackTry`.
   */
  takeTry(): void {
    this.requests++;
    this.connections++;
  }

  /** Gives back what `takeTry` counted. */
  giveBackTry(): void {
    this.requests--;
    this.connections--;
  }

  /** A slot for a request queued while waiting for a connection (max_pending_requests). */
  tryAcquirePending(): AcquireResult {
    if (this.pending >= this.current.maxPendingRequests) return this.overflow('max_pending_requests', this.current.maxPendingRequests, this.pending);
    this.pending++;
    return new HeldSlot(this, 'pending');
  }

  /** A slot for a request in flight upstream, first try or retry alike (max_requests). */
  tryAcquireRequest(): AcquireResult {
    if (!this.admitsRequest()) return this.overflow('max_requests', this.current.maxRequests, this.requests);
    this.requests++;
    return new HeldSlot(this, 'requests');
  }

  /**
   * A retry slot (max_retries, or the retry budget). Envoy holds it from the decision to retry,
   * through the back-off, until the retried attempt's outcome is known.
   */
  tryAcquireRetry(): AcquireResult {
    const max = this.retryLimit();
    if (this.retries >= max) return this.overflow('max_retries', max, this.retries);
    this.retries++;
    return new HeldSlot(this, 'retries');
  }

  /** True when nothing is held. */
  idle(): boolean {
    return this.connections === 0 && this.pending === 0 && this.requests === 0 && this.retries === 0;
  }

  /** Gives one slot of `counter` back (HeldSlot.release calls it, once per slot). */
  giveBack(counter: SlotCounter): void {
    // A switch, not this[counter]--: a property named by a variable is a slow generic access.
    switch (counter) {
      case 'connections': this.connections--; break;
      case 'pending': this.pending--; break;
      case 'requests': this.requests--; break;
      case 'retries': this.retries--; break;
    }
  }

  private overflow(limit: LimitName, max: number, active: number): Overflow {
    return { ok: false, limit, max, active, retryBudget: limit === 'max_retries' && this.current.retryBudget !== undefined };
  }
}

/** The counters a slot is taken from. */
export type SlotCounter = 'connections' | 'pending' | 'requests' | 'retries';

/** Told when a slot it was handed to is released (the connection gate then admits a waiter). */
export interface SlotReleaseListener {
  slotReleased(limits: ClusterLimits): void;
}

/** A granted slot of one counter (a class, not closures: one object per slot on the hot path). */
class HeldSlot implements Permit {
  readonly ok = true;
  private held = true;

  constructor(private readonly limits: ClusterLimits, private readonly counter: SlotCounter, private readonly onRelease: SlotReleaseListener | undefined = undefined) {}

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.limits.giveBack(this.counter);
    this.onRelease?.slotReleased(this.limits);
  }
}

/** What `reconcile` needs of a cluster: its name and compiled breakers (a `ClusterConfig` fits). */
export type ClusterLimitsConfig = Pick<ClusterConfig, 'name' | 'circuitBreakers'>;

/**
 * The breakers of every cluster, keyed by cluster name and priority. Lives as long as the mesh
 * client; `reconcile` applies each pushed cluster set in place, so in-flight counts survive.
 */
export class ClusterLimitsStore {
  private readonly entries = new Map<string, { default: ClusterLimits; high: ClusterLimits }>();

  /**
   * The breakers of `cluster` at `priority`. An unknown cluster gets Envoy's defaults (it is
   * kept until a reconcile that does not list it).
   */
  get(cluster: string, priority: 'DEFAULT' | 'HIGH' = 'DEFAULT'): ClusterLimits {
    let entry = this.entries.get(cluster);
    if (!entry) {
      entry = { default: new ClusterLimits(cluster, 'DEFAULT'), high: new ClusterLimits(cluster, 'HIGH') };
      this.entries.set(cluster, entry);
    }
    return priority === 'HIGH' ? entry.high : entry.default;
  }

  /**
   * Applies a cluster set: known clusters get their new thresholds in place, new clusters are
   * added, clusters no longer listed are dropped once nothing is held on them (a cluster that is
   * still busy is kept until a later reconcile finds it idle).
   */
  reconcile(clusters: Iterable<ClusterLimitsConfig>): void {
    const seen = new Set<string>();
    for (const c of clusters) {
      seen.add(c.name);
      this.get(c.name, 'DEFAULT').update(c.circuitBreakers.default);
      this.get(c.name, 'HIGH').update(c.circuitBreakers.high);
    }
    for (const [name, entry] of this.entries) {
      if (!seen.has(name) && entry.default.idle() && entry.high.idle()) this.entries.delete(name);
    }
  }

  /** Cluster names with state. */
  clusters(): string[] {
    return [...this.entries.keys()];
  }
}
