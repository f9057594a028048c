// Closed-loop load: N workers, each sending its next request the moment the previous one ends, for
// maximum throughput. A warm-up runs first on the same connections and is not counted.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { errorKind, type Driver } from './driver';
import { LatencyRecorder } from './histogram';
import type { ClosedLoopSpec, PhaseResult } from './job';
import { MeasurementWindow, perRequest } from './window';

/** Called when the measured window opens and closes (the parent samples other processes then). */
export type WindowListener = (edge: 'start' | 'end') => void;

/** Runs one closed-loop phase against an already set-up driver. */
export async function runClosedLoop(driver: Driver, spec: ClosedLoopSpec, onWindow: WindowListener = () => {}): Promise<PhaseResult> {
  if (!(spec.concurrency >= 1)) throw new Error(`closed loop: concurrency must be ≥ 1 (got ${spec.concurrency})`);
  const latency = new LatencyRecorder();
  const errors: Record<string, number> = {};
  const window = new MeasurementWindow();
  let recording = false;
  let stopping = false;
  let ok = 0;
  let failed = 0;
  let figures: ReturnType<MeasurementWindow['end']> | undefined;
  let windowTimer: NodeJS.Timeout | undefined;

  const stop = () => {
    if (stopping) return;
    stopping = true;
    recording = false;
    if (windowTimer) clearTimeout(windowTimer);
    if (window.started) {
      figures = window.end();
      onWindow('end');
    }
  };

  const worker = async () => {
    while (!stopping) {
      const startedAt = performance.now();
      let succeeded = true;
      try {
        await driver.request();
        if (recording) {
          latency.recordMs(performance.now() - startedAt);
          ok++;
        }
      } catch (error) {
        succeeded = false;
        if (recording) {
          const kind = errorKind(error);
          errors[kind] = (errors[kind] ?? 0) + 1;
          failed++;
        }
      }
      if (recording && spec.requests !== undefined && ok + failed >= spec.requests) stop();
      if (!succeeded) await yieldToEventLoop(); // a fast-failing driver must not starve the timers
    }
  };

  const warmupTimer = setTimeout(() => {
    recording = true;
    window.start();
    onWindow('start');
    if (spec.requests === undefined) windowTimer = setTimeout(stop, spec.durationMs);
  }, spec.warmupMs);

  try {
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  } finally {
    clearTimeout(warmupTimer);
    stop();
  }
  const measured = figures ?? { elapsedMs: 0, cpuUs: 0, eventLoopUtilization: 0 };
  return {
    mode: 'closed',
    windowMs: Math.round(measured.elapsedMs),
    ok,
    errors,
    throughput: measured.elapsedMs > 0 ? Math.round((ok * 1000) / measured.elapsedMs) : 0,
    latency: latency.summary(),
    ...perRequest(measured, ok + failed),
    eventLoopUtilization: Math.round(measured.eventLoopUtilization * 1000) / 1000,
  };
}
