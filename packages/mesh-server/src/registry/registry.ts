// The workload registry: services and endpoints from config (Service, ServiceEntry, WorkloadEntry)
// plus workloads that registered through their xDS stream, which leave at once when that stream is
// closed gracefully and outlive a dropped stream by a grace period (DRAINING meanwhile). Hands out
// immutable snapshots whose version moves only when the content changes.

import { MeshServerError } from '../errors';
import type { Resource } from '../config/resource';
import { implicitServices, registrationEndpoints, validateRegistration, type WorkloadRegistration } from './auto-registration';
import { declaredRegistry, type DeclaredRegistry } from './config-sources';
import { DEFAULT_DOMAIN } from './hostnames';
import { buildRegistrySnapshot, pickServices, sortEndpoints } from './registry-snapshot';
import type { RegistrySnapshot, WorkloadEndpoint } from './types';

export type { WorkloadRegistration } from './auto-registration';

/** Options of a WorkloadRegistry. */
export interface WorkloadRegistryOptions {
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** How long an auto-registered endpoint stays after its stream ends. Default 30 000 ms. */
  readonly gracePeriodMs?: number;
  /** Cluster DNS suffix for service hostnames. Default "cluster.local". */
  readonly domain?: string;
  /** How often start()'s timer sweeps expired endpoints. Default 1 000 ms. */
  readonly sweepIntervalMs?: number;
}

interface Registered {
  readonly registration: WorkloadRegistration;
  /** Set once the stream ended; the endpoints leave at this time unless the node registers again. */
  readonly expiresAt?: number;
}

/** Services and workload endpoints of the mesh, as immutable snapshots. */
export class WorkloadRegistry {
  private readonly clock: () => number;
  private readonly gracePeriodMs: number;
  private readonly domain: string;
  private readonly sweepIntervalMs: number;
  private declared: DeclaredRegistry = { services: [], endpoints: [] };
  private readonly registered = new Map<string, Registered>();
  private readonly listeners = new Set<(snapshot: RegistrySnapshot) => void>();
  private current: RegistrySnapshot = buildRegistrySnapshot(0, [], []);
  private contentKey = JSON.stringify([[], []]);
  private timer: NodeJS.Timeout | undefined;

  constructor(options: WorkloadRegistryOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.gracePeriodMs = nonNegative(options.gracePeriodMs ?? 30_000, 'gracePeriodMs');
    this.sweepIntervalMs = nonNegative(options.sweepIntervalMs ?? 1_000, 'sweepIntervalMs');
    this.domain = options.domain ?? DEFAULT_DOMAIN;
  }

  /** Replaces the config-declared part: reads Service, ServiceEntry and WorkloadEntry; ignores other kinds. */
  setConfig(resources: readonly Resource[]): void {
    this.declared = declaredRegistry(resources, this.domain);
    this.update();
  }

  /**
   * Adds or replaces the endpoints of a connected workload (a new registration of a node revives it
   * if its stream had ended). Throws MeshServerError 'BAD_REQUEST' naming the node and field when
   * the registration is unusable.
   */
  register(nodeId: string, registration: WorkloadRegistration): void {
    validateRegistration(nodeId, registration);
    this.registered.set(nodeId, { registration });
    this.update();
  }

  /**
   * The node's stream dropped: its endpoints stay for the grace period (expiresAt, health DRAINING
   * so clients stop picking them), then sweep() removes them.
   */
  unregister(nodeId: string): void {
    const entry = this.registered.get(nodeId);
    if (!entry || entry.expiresAt !== undefined) return;
    this.registered.set(nodeId, { ...entry, expiresAt: this.clock() + this.gracePeriodMs });
    this.update();
  }

  /**
   * The node left gracefully (its stream was half-closed): its endpoints go now, with no grace
   * period. With `registration`, only if that is still the node's current registration (the same
   * object given to register) — a re-registration replaces the entry, and a stream that registered
   * earlier must not remove the newer one. Unknown nodes are ignored.
   */
  remove(nodeId: string, registration?: WorkloadRegistration): void {
    const entry = this.registered.get(nodeId);
    if (!entry || (registration !== undefined && entry.registration !== registration)) return;
    this.registered.delete(nodeId);
    this.update();
  }

  /** Removes auto-registered endpoints whose grace period is over. */
  sweep(): void {
    const now = this.clock();
    let removed = false;
    for (const [nodeId, entry] of this.registered) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.registered.delete(nodeId);
        removed = true;
      }
    }
    if (removed) this.update();
  }

  /** Starts sweeping on an unref'd timer; idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.sweepIntervalMs);
    this.timer.unref();
  }

  /** Stops the sweep timer and drops the listeners. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  /** The current registry; the same object until the content changes. */
  snapshot(): RegistrySnapshot {
    return this.current;
  }

  /** Calls `listener` with each new snapshot (synchronously, after the change). Returns the unsubscribe function. */
  onChange(listener: (snapshot: RegistrySnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Recomputes the content; on a real change bumps the version, replaces the snapshot and notifies. */
  private update(): void {
    const autoEndpoints: WorkloadEndpoint[] = [];
    for (const [nodeId, entry] of this.registered) {
      autoEndpoints.push(...registrationEndpoints(nodeId, entry.registration, this.domain, entry.expiresAt));
    }
    const declaredHosts = new Set(this.declared.services.map((s) => s.hostname));
    const services = pickServices([...this.declared.services, ...implicitServices(autoEndpoints, declaredHosts, this.domain)]);
    const endpoints = sortEndpoints([...this.declared.endpoints, ...autoEndpoints]);
    const contentKey = JSON.stringify([services, endpoints]);
    if (contentKey === this.contentKey) return;
    this.contentKey = contentKey;
    this.current = buildRegistrySnapshot(this.current.version + 1, services, endpoints);
    for (const listener of [...this.listeners]) {
      try {
        listener(this.current);
      } catch (error) {
        process.emitWarning(`workload registry listener threw: ${(error as Error)?.message ?? String(error)}`, { code: 'INBOARD_REGISTRY_LISTENER' });
      }
    }
  }
}

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) throw new MeshServerError('BAD_REQUEST', `${field} must be a non-negative number of milliseconds, got ${value}`, { field });
  return value;
}
