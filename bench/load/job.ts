// The messages between the bench (parent) and a load process (child): the job to run, the window
// edges the parent uses to sample server and proxy CPU, and the figures that come back.
import type { DriverTarget } from './driver';
import type { LatencySummary } from './histogram';

/** Closed loop: `concurrency` workers each send the next request as soon as the last one ends. */
export interface ClosedLoopSpec {
  readonly mode: 'closed';
  readonly concurrency: number;
  readonly warmupMs: number;
  /** Measured window length; ignored when `requests` is set. */
  readonly durationMs: number;
  /** Stop after this many measured requests instead of after `durationMs`. */
  readonly requests?: number;
}

/**
 * How the open loop waits for the next due time. `precise`: while no request is in flight it blocks
 * the thread until the due time (futex sleep + ≤ 0.2 ms busy-wait); with requests in flight it sleeps
 * in the event loop and completions send what fell due. `timer`: 1 ms-granular timers only.
 */
export type Pacer = 'precise' | 'timer';

/** Open loop: requests are sent on a fixed-rate schedule whether or not earlier ones have returned. */
export interface OpenLoopSpec {
  readonly mode: 'open';
  readonly ratePerSec: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Requests in flight beyond this wait in the generator (their latency still counts from their due time). */
  readonly maxInFlight: number;
  readonly pacer: Pacer;
  /** How long to wait for the measured requests still in flight at the end of the window. */
  readonly drainTimeoutMs: number;
}

/** One measured phase of a job. */
export type PhaseSpec = ClosedLoopSpec | OpenLoopSpec;

/** What a load process runs: one driver against one target, phase after phase. */
export interface LoadJob {
  readonly driver: string;
  readonly target: DriverTarget;
  readonly phases: readonly PhaseSpec[];
}

/** The figures of one phase, measured inside its window only (warm-up excluded). */
export interface PhaseResult {
  readonly mode: 'closed' | 'open';
  readonly windowMs: number;
  /** Successful requests in the window. */
  readonly ok: number;
  /** Failed requests in the window by kind (`HTTP_503`, `ECONNRESET`, `DRAIN_TIMEOUT`, …). */
  readonly errors: Readonly<Record<string, number>>;
  /** Successful requests per second. */
  readonly throughput: number;
  /** Closed loop: each request's own time. Open loop: from its scheduled send time (CO-correct). */
  readonly latency: LatencySummary;
  /** Open loop only: from the actual send (what the generator's lateness is excluded from). */
  readonly service?: LatencySummary;
  /** Open loop only: how late the generator sent each request after its due time. */
  readonly sendLag?: LatencySummary;
  /** Open loop only: the rate asked for. */
  readonly offeredRate?: number;
  /** Client process CPU (user+system, all threads) per request in the window, µs. */
  readonly cpuUsPerRequest: number;
  /** Client process CPU over the window as a fraction of one core. */
  readonly cpuCores: number;
  /** Event-loop utilization of the client's main thread over the window (1 = saturated). */
  readonly eventLoopUtilization: number;
}

/** The result of a whole job. */
export interface LoadJobResult {
  readonly driver: string;
  readonly phases: readonly PhaseResult[];
  /** Peak resident set size of the load process, MB. */
  readonly peakRssMb: number;
}

/** Parent → child. */
export interface RunJobMessage {
  readonly type: 'run';
  readonly job: LoadJob;
}

/** Child → parent. */
export type WorkerMessage =
  | { readonly type: 'window'; readonly phase: number; readonly edge: 'start' | 'end' }
  | { readonly type: 'done'; readonly result: LoadJobResult }
  | { readonly type: 'not-run'; readonly reason: string }
  | { readonly type: 'failed'; readonly error: string };
