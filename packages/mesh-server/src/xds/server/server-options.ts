// Options of the ADS server and the small interfaces it depends on (registry, clock, log).

import type { XdsMetricsHooks } from '../../metrics/control-plane-metrics';
import type { WorkloadRegistration } from '../../registry/auto-registration';
import type { Translate, TranslationInput } from '../contracts';

/** Where auto-registration goes: the registry applies its own grace period on unregister. */
export interface WorkloadRegistrar {
  register(nodeId: string, registration: WorkloadRegistration): void;
  /** The node's stream dropped: keep its endpoints for the grace period. */
  unregister(nodeId: string): void;
  /** The node left gracefully: remove it now, if `registration` (when given) is still its current one. */
  remove(nodeId: string, registration?: WorkloadRegistration): void;
}

/** Timers, injectable for tests. */
export interface XdsServerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Where the server reports what it cannot do (bad clients, failed translations). */
export interface XdsServerLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of XdsServer. */
export interface XdsServerOptions {
  readonly translate: Translate;
  /** The current config and registry; read once per debounced change. */
  readonly input: () => TranslationInput;
  readonly registry?: WorkloadRegistrar;
  /** Quiet time after the last inputChanged() before pushing (default 100 ms). */
  readonly debounceMs?: number;
  /** Longest a stream of changes can hold a push back (default 10 × debounceMs). */
  readonly maxDebounceMs?: number;
  readonly clock?: XdsServerClock;
  readonly log?: XdsServerLog;
  /** Push/NACK counters for the control plane's /metrics. */
  readonly metrics?: XdsMetricsHooks;
}

/** Real timers (unref'd). */
export const REAL_SERVER_CLOCK: XdsServerClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Default log: warnings and errors to stderr, info dropped. */
export const STDERR_LOG: XdsServerLog = {
  info: () => undefined,
  warn: (message) => console.error(message),
  error: (message) => console.error(message),
};
