// Envoy's outlier detection for one cluster: consecutive 5xx / gateway / local-origin detectors run
// inline on each recorded outcome; success-rate and failure-percentage detectors, un-ejection and
// the ejection back-off run at each interval sweep. Feeds `ejected()` to the cluster's picker.

import { EventEmitter, type Event } from 'cockatiel';
import { compileOutlierDetection } from '../snapshot/compile-cluster-limits';
import type { Issue } from '../snapshot/proto-readers';
import type { OutlierDetectionConfig } from '../snapshot/types';
import { systemClock, type Clock, type Random, type TimerHandle } from './clock';
import {
  RateAccumulator, ejectionDurationMs, ejectionJitterMs, enforced, mayEject, nextEjectTimeBackoff, successRateThreshold,
} from './outlier-math';
import { grpcToHttpStatus, responseGrpcStatus, type AttemptOutcome } from './outcome';
import { compileStrict } from './strict-compile';

/** Why a host was (or would have been) ejected: Envoy's OutlierEjectionType, lower-cased. */
export type EjectionReason =
  | 'consecutive_5xx' | 'consecutive_gateway_failure' | 'consecutive_local_origin_failure'
  | 'success_rate' | 'success_rate_local_origin' | 'failure_percentage' | 'failure_percentage_local_origin';

/** Events of a detector (Envoy's outlier event log). `at` is clock time. */
export type OutlierEvent =
  | { readonly type: 'ejected'; readonly cluster: string; readonly host: string; readonly reason: EjectionReason; readonly ejections: number; readonly durationMs: number; readonly at: number }
  | { readonly type: 'unejected'; readonly cluster: string; readonly host: string; readonly at: number }
  | { readonly type: 'ejection-skipped'; readonly cluster: string; readonly host: string; readonly reason: EjectionReason; readonly cause: 'not-enforced' | 'max-ejection-percent'; readonly at: number };

/** A host's detector state, for explain and admin pages. */
export interface HostOutlierStatus {
  readonly ejected: boolean;
  /** Total ejections of this host so far. */
  readonly ejections: number;
  /** The ejection-time multiplier (grows per ejection, shrinks per healthy interval). */
  readonly ejectTimeBackoff: number;
  /** Clock time at which the host becomes eligible to return (checked at the next sweep). */
  readonly ejectedUntil?: number;
  readonly consecutive5xx: number;
  readonly consecutiveGatewayFailure: number;
  readonly consecutiveLocalOriginFailure: number;
}

interface HostMonitor {
  consecutive5xx: number;
  consecutiveGateway: number;
  consecutiveLocal: number;
  ejected: boolean;
  ejectedAt: number;
  lastUnejectedAt?: number;
  backoff: number;
  ejections: number;
  jitterMs: number;
  readonly external: RateAccumulator;
  readonly local: RateAccumulator;
}

/** Options of an OutlierDetector. */
export interface OutlierDetectorOptions {
  readonly cluster: string;
  readonly config: OutlierDetectionConfig;
  /** Endpoint keys (`address:port`) of the cluster, all priorities. */
  readonly hosts: Iterable<string>;
  readonly clock?: Clock;
  readonly random?: Random;
}

/**
 * Compiles a Cluster's `outlier_detection` message through the snapshot compiler, strictly, and
 * checks what the detector relies on (Envoy rejects these too): interval and base_ejection_time
 * greater than 0, max_ejection_time ≥ base_ejection_time.
 * @throws MeshError CONFIG_REJECTED naming each invalid field.
 */
export function compileOutlierConfig(outlierDetection: unknown, notes?: Issue[]): OutlierDetectionConfig {
  return compileStrict('outlier_detection', (issues) => {
    if (outlierDetection === undefined || outlierDetection === null) return void issues.error('outlier_detection', 'outlier_detection is required');
    const config = compileOutlierDetection(outlierDetection, 'outlier_detection', issues);
    if (!config) return undefined;
    for (const problem of outlierConfigProblems(config)) issues.error(`outlier_detection.${problem.path}`, problem.message);
    return config;
  }, notes);
}

/** Semantic problems of a compiled config that would make the detector misbehave. */
export function outlierConfigProblems(config: OutlierDetectionConfig): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!(config.intervalMs > 0)) problems.push({ path: 'interval', message: 'interval must be greater than 0' });
  if (!(config.baseEjectionTimeMs > 0)) problems.push({ path: 'base_ejection_time', message: 'base_ejection_time must be greater than 0' });
  if (config.maxEjectionTimeMs < config.baseEjectionTimeMs) {
    problems.push({ path: 'max_ejection_time', message: "outlier detector's max_ejection_time cannot be smaller than base_ejection_time" });
  }
  return problems;
}

/**
 * Outlier detection of one cluster, Envoy's algorithm exactly (see docs/concepts/resilience.md).
 * Outcomes come in through `recordOutcome`; the interval timer is the detector's own (unref'd),
 * stopped by `close()`. `reconcile` applies a pushed config and endpoint set in place.
 */
export class OutlierDetector {
  readonly cluster: string;
  private config: OutlierDetectionConfig;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly monitors = new Map<string, HostMonitor>();
  private activeEjections = 0;
  private ejectedView: ReadonlySet<string> = new Set();
  private timer?: TimerHandle;
  private closed = false;
  private readonly events = new EventEmitter<OutlierEvent>();
  private pending: OutlierEvent[] = [];

  /** Ejections, un-ejections and skipped ejections. Listeners must not throw. */
  readonly onEvent: Event<OutlierEvent> = this.events.addListener;

  /** @throws RangeError when the config has an interval or ejection time that is not positive. */
  constructor(options: OutlierDetectorOptions) {
    this.cluster = options.cluster;
    this.config = checked(options.config);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    for (const host of options.hosts) this.monitors.set(host, newMonitor());
    this.arm();
  }

  /** Keys of the hosts ejected now. A new set object each time the membership changes. */
  ejected(): ReadonlySet<string> {
    return this.ejectedView;
  }

  /** The detector state of `host`, or undefined for a host not in the cluster. */
  hostStatus(host: string): HostOutlierStatus | undefined {
    const m = this.monitors.get(host);
    if (!m) return undefined;
    const c = this.config;
    return {
      ejected: m.ejected, ejections: m.ejections, ejectTimeBackoff: m.backoff,
      ...(m.ejected ? { ejectedUntil: m.ejectedAt + ejectionDurationMs(c.baseEjectionTimeMs, m.backoff, c.maxEjectionTimeMs, m.jitterMs) } : {}),
      consecutive5xx: m.consecutive5xx, consecutiveGatewayFailure: m.consecutiveGateway, consecutiveLocalOriginFailure: m.consecutiveLocal,
    };
  }

  /**
   * Records the outcome of one attempt on `host`, as Envoy's router and connection pool report
   * it. With `grpc` (a gRPC request), a grpc-status in the response headers counts as its HTTP
   * mapping (Grpc::Utility::grpcToHttpStatus). Without split_external_local_origin_errors, local
   * failures count as HTTP codes: connect failure and reset → 503, per-try timeout → 504.
   * With the split, they feed the local-origin detectors, and a connected attempt first counts
   * as a local-origin success (Envoy's onPoolReady). Overflow outcomes, unknown hosts and calls
   * after `close()` are ignored.
   */
  recordOutcome(host: string, outcome: AttemptOutcome, options: { readonly grpc?: boolean } = {}): void {
    const m = this.monitors.get(host);
    if (!m || this.closed || outcome.kind === 'overflow') return;
    const split = this.config.splitExternalLocalOriginErrors;
    const fired: EjectionReason[] = [];
    if (outcome.kind === 'response') {
      const grpc = options.grpc ? responseGrpcStatus(outcome) : undefined;
      if (split) this.localSuccess(m);
      this.httpCode(m, grpc === undefined ? outcome.status : grpcToHttpStatus(grpc), fired);
    } else if (split) {
      if (outcome.kind !== 'connect-failure') this.localSuccess(m);
      this.localFailure(m, fired);
    } else {
      this.httpCode(m, outcome.kind === 'timeout' ? 504 : 503, fired);
    }
    for (const reason of fired) this.onConsecutive(host, reason);
    this.flush();
  }

  /**
   * Applies a pushed config and endpoint set: counters and ejections of hosts that stay are
   * kept, new hosts start clean, hosts that left are forgotten. A changed interval re-arms the
   * sweep timer from now.
   * @throws RangeError when the config has an interval or ejection time that is not positive.
   */
  reconcile(config: OutlierDetectionConfig, hosts: Iterable<string>): void {
    const intervalChanged = config.intervalMs !== this.config.intervalMs;
    this.config = checked(config);
    const keep = new Set(hosts);
    for (const [host, m] of this.monitors) {
      if (keep.has(host)) continue;
      if (m.ejected) this.activeEjections--;
      this.monitors.delete(host);
    }
    for (const host of keep) if (!this.monitors.has(host)) this.monitors.set(host, newMonitor());
    this.refreshView();
    if (intervalChanged && !this.closed) {
      this.timer?.cancel();
      this.arm();
    }
  }

  /** Stops the sweep timer; the detector then ignores outcomes. Idempotent. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => this.sweep(), this.config.intervalMs);
  }

  /** One interval (DetectorImpl::onIntervalTimer). */
  private sweep(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const c = this.config;
    for (const [host, m] of this.monitors) {
      if (m.ejected && ejectionDurationMs(c.baseEjectionTimeMs, m.backoff, c.maxEjectionTimeMs, m.jitterMs) <= now - m.ejectedAt) {
        this.uneject(host, m, now);
      }
      m.external.swap();
      m.local.swap();
    }
    this.rateEjections('external');
    this.rateEjections('local');
    for (const m of this.monitors.values()) {
      if (!m.ejected && m.lastUnejectedAt !== undefined && now - m.lastUnejectedAt >= c.intervalMs && m.backoff > 0) m.backoff--;
    }
    this.arm();
    this.flush();
  }

  /** Success-rate and failure-percentage ejections over the last interval (processSuccessRateEjections). */
  private rateEjections(origin: 'external' | 'local'): void {
    const c = this.config;
    const total = this.monitors.size;
    if (total < c.successRateMinimumHosts && total < c.failurePercentageMinimumHosts) return;
    const srHosts: [string, number][] = [];
    const fpHosts: [string, number][] = [];
    for (const [host, m] of this.monitors) {
      if (m.ejected) continue;
      const stats = (origin === 'external' ? m.external : m.local).rateAndVolume();
      if (!stats) continue;
      if (stats.volume >= c.successRateRequestVolume) srHosts.push([host, stats.rate]);
      if (stats.volume >= c.failurePercentageRequestVolume) fpHosts.push([host, stats.rate]);
    }
    if (srHosts.length > 0 && srHosts.length >= c.successRateMinimumHosts) {
      const { threshold } = successRateThreshold(srHosts.map(([, r]) => r), c.successRateStdevFactor / 1000);
      for (const [host, rate] of srHosts) {
        if (rate < threshold) this.eject(host, origin === 'external' ? 'success_rate' : 'success_rate_local_origin');
      }
    }
    if (fpHosts.length > 0 && fpHosts.length >= c.failurePercentageMinimumHosts) {
      for (const [host, rate] of fpHosts) {
        // A host the success-rate pass just ejected is not ejected twice.
        if (100 - rate >= c.failurePercentageThreshold && !this.monitors.get(host)?.ejected) {
          this.eject(host, origin === 'external' ? 'failure_percentage' : 'failure_percentage_local_origin');
        }
      }
    }
  }

  /** DetectorHostMonitorImpl::putHttpResponseCode. */
  private httpCode(m: HostMonitor, code: number, fired: EjectionReason[]): void {
    const c = this.config;
    if (code >= 500 && code < 600) {
      m.external.record(false);
      if (code >= 502 && code <= 504) {
        if (++m.consecutiveGateway === c.consecutiveGatewayFailure) fired.push('consecutive_gateway_failure');
      } else {
        m.consecutiveGateway = 0;
      }
      if (++m.consecutive5xx === c.consecutive5xx) fired.push('consecutive_5xx');
    } else {
      m.external.record(true);
      m.consecutive5xx = 0;
      m.consecutiveGateway = 0;
    }
  }

  private localFailure(m: HostMonitor, fired: EjectionReason[]): void {
    m.local.record(false);
    if (++m.consecutiveLocal === this.config.consecutiveLocalOriginFailure) fired.push('consecutive_local_origin_failure');
  }

  private localSuccess(m: HostMonitor): void {
    m.local.record(true);
    m.consecutiveLocal = 0;
  }

  /** DetectorImpl::onConsecutiveErrorWorker: eject, then reset the counter that fired. */
  private onConsecutive(host: string, reason: EjectionReason): void {
    const m = this.monitors.get(host);
    if (!m || m.ejected) return;
    this.eject(host, reason);
    if (reason === 'consecutive_5xx') m.consecutive5xx = 0;
    else if (reason === 'consecutive_gateway_failure') m.consecutiveGateway = 0;
    else m.consecutiveLocal = 0;
  }

  /** DetectorImpl::ejectHost. */
  private eject(host: string, reason: EjectionReason): void {
    const m = this.monitors.get(host)!;
    const c = this.config;
    const now = this.clock.now();
    if (!mayEject(this.activeEjections, this.monitors.size, c.maxEjectionPercent, c.alwaysEjectOneHost)) {
      this.pending.push({ type: 'ejection-skipped', cluster: this.cluster, host, reason, cause: 'max-ejection-percent', at: now });
      return;
    }
    if (!enforced(enforcement(c, reason), this.random)) {
      this.pending.push({ type: 'ejection-skipped', cluster: this.cluster, host, reason, cause: 'not-enforced', at: now });
      return;
    }
    this.activeEjections++;
    m.ejected = true;
    m.ejections++;
    m.ejectedAt = now;
    m.jitterMs = ejectionJitterMs(c.maxEjectionTimeJitterMs, this.random);
    m.backoff = nextEjectTimeBackoff(m.backoff, c.baseEjectionTimeMs, c.maxEjectionTimeMs);
    this.refreshView();
    const durationMs = ejectionDurationMs(c.baseEjectionTimeMs, m.backoff, c.maxEjectionTimeMs, m.jitterMs);
    this.pending.push({ type: 'ejected', cluster: this.cluster, host, reason, ejections: m.ejections, durationMs, at: now });
  }

  /** DetectorImpl::unejectHost: counters restart so a few new errors do not re-eject at once. */
  private uneject(host: string, m: HostMonitor, now: number): void {
    this.activeEjections--;
    m.ejected = false;
    m.consecutive5xx = 0;
    m.consecutiveGateway = 0;
    m.consecutiveLocal = 0;
    m.lastUnejectedAt = now;
    this.refreshView();
    this.pending.push({ type: 'unejected', cluster: this.cluster, host, at: now });
  }

  private refreshView(): void {
    const next = new Set<string>();
    for (const [host, m] of this.monitors) if (m.ejected) next.add(host);
    if (next.size !== this.ejectedView.size || [...next].some((h) => !this.ejectedView.has(h))) this.ejectedView = next;
  }

  /** Emits events after the state change is complete, so a listener sees a consistent detector. */
  private flush(): void {
    // Most outcomes change nothing: no new queue for them.
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    for (const e of events) this.events.emit(e);
  }
}

function newMonitor(): HostMonitor {
  return {
    consecutive5xx: 0, consecutiveGateway: 0, consecutiveLocal: 0, ejected: false, ejectedAt: 0, backoff: 0, ejections: 0,
    jitterMs: 0, external: new RateAccumulator(), local: new RateAccumulator(),
  };
}

function enforcement(c: OutlierDetectionConfig, reason: EjectionReason): number {
  switch (reason) {
    case 'consecutive_5xx': return c.enforcingConsecutive5xx;
    case 'consecutive_gateway_failure': return c.enforcingConsecutiveGatewayFailure;
    case 'consecutive_local_origin_failure': return c.enforcingConsecutiveLocalOriginFailure;
    case 'success_rate': return c.enforcingSuccessRate;
    case 'success_rate_local_origin': return c.enforcingLocalOriginSuccessRate;
    case 'failure_percentage': return c.enforcingFailurePercentage;
    case 'failure_percentage_local_origin': return c.enforcingFailurePercentageLocalOrigin;
  }
}

function checked(config: OutlierDetectionConfig): OutlierDetectionConfig {
  const problems = outlierConfigProblems(config);
  if (problems.length > 0) throw new RangeError(`outlier_detection: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return config;
}
