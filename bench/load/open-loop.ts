// Open-loop load: requests leave on a fixed-rate schedule whether or not earlier ones have returned,
// and each latency is measured from the request's scheduled send time, so stalls are not hidden
// (coordinated omission). Requests scheduled during the warm-up are sent but not counted.
import { performance } from 'node:perf_hooks';
import { errorKind, type Driver } from './driver';
import { LatencyRecorder } from './histogram';
import type { OpenLoopSpec, PhaseResult } from './job';
import { delayUntilDue, dueCount, firstIndexAtOrAfter, scheduledAt, sendBudget, type OpenLoopSchedule } from './schedule';
import { MeasurementWindow, perRequest, type WindowFigures } from './window';
import type { WindowListener } from './closed-loop';

/** Below this wait, with nothing in flight, the precise pacer blocks instead of arming a (1 ms-granular) timer. */
const PRECISE_BELOW_MS = 2;

/** The last stretch before a due time is busy-waited: futex sleeps overshoot by ~0.1 ms on a VM. */
const BUSY_WAIT_MS = 0.2;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the thread until `targetMs` (performance.now() clock): a futex sleep, then a short busy-wait.
 * Used only while no request is in flight, so no response waits on it.
 */
function sleepUntil(targetMs: number): void {
  const sleepMs = targetMs - performance.now() - BUSY_WAIT_MS;
  if (sleepMs > 0) Atomics.wait(sleepCell, 0, 0, sleepMs);
  while (performance.now() < targetMs) {
    // busy-wait the last ≤ 0.2 ms
  }
}

/** Runs one open-loop phase against an already set-up driver. */
export function runOpenLoop(driver: Driver, spec: OpenLoopSpec, onWindow: WindowListener = () => {}): Promise<PhaseResult> {
  if (!(spec.ratePerSec > 0)) throw new Error(`open loop: rate must be > 0 req/s (got ${spec.ratePerSec})`);
  if (!(spec.maxInFlight >= 1)) throw new Error(`open loop: maxInFlight must be ≥ 1 (got ${spec.maxInFlight})`);
  if (!(spec.durationMs > 0)) throw new Error(`open loop: duration must be > 0 ms (got ${spec.durationMs})`);
  return new Promise((resolve, reject) => {
    const schedule: OpenLoopSchedule = { startMs: performance.now() + 1, ratePerSec: spec.ratePerSec };
    const windowStart = schedule.startMs + spec.warmupMs;
    const firstMeasured = firstIndexAtOrAfter(schedule, windowStart);
    const endIndex = firstIndexAtOrAfter(schedule, windowStart + spec.durationMs);
    const measuredCount = endIndex - firstMeasured;
    const latency = new LatencyRecorder();
    const service = new LatencyRecorder();
    const sendLag = new LatencyRecorder();
    const errors: Record<string, number> = {};
    const window = new MeasurementWindow();
    let sent = 0;
    let inFlight = 0;
    let ok = 0;
    let failed = 0;
    let timer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let finished = false;

    const finish = (figures: WindowFigures) => {
      finished = true;
      disarm();
      if (drainTimer) clearTimeout(drainTimer);
      onWindow('end');
      resolve({
        mode: 'open',
        windowMs: Math.round(figures.elapsedMs),
        ok,
        errors,
        throughput: figures.elapsedMs > 0 ? Math.round((ok * 1000) / figures.elapsedMs) : 0,
        latency: latency.summary(),
        service: service.summary(),
        sendLag: sendLag.summary(),
        offeredRate: spec.ratePerSec,
        ...perRequest(figures, measuredCount),
        eventLoopUtilization: Math.round(figures.eventLoopUtilization * 1000) / 1000,
      });
    };

    const settleMeasured = () => {
      if (finished || ok + failed < measuredCount) return;
      finish(window.end());
    };

    const onDrainTimeout = () => {
      const missing = measuredCount - ok - failed;
      if (missing > 0) errors.DRAIN_TIMEOUT = (errors.DRAIN_TIMEOUT ?? 0) + missing;
      failed += missing;
      settleMeasured();
    };

    const complete = (index: number, sentAt: number, error: unknown) => {
      inFlight--;
      if (index >= firstMeasured && !finished) {
        const now = performance.now();
        if (error === undefined) {
          latency.recordMs(now - scheduledAt(schedule, index));
          service.recordMs(now - sentAt);
          sendLag.recordMs(sentAt - scheduledAt(schedule, index));
          ok++;
        } else {
          const kind = errorKind(error);
          errors[kind] = (errors[kind] ?? 0) + 1;
          failed++;
        }
        settleMeasured();
      }
      // Send what fell due meanwhile; and once nothing is in flight, the precise pacer takes over from the timer.
      if (sent < endIndex && inFlight < spec.maxInFlight && (inFlight === 0 || sent < dueCount(schedule, performance.now()))) pump();
    };

    const send = (index: number) => {
      if (index === firstMeasured) {
        window.start();
        onWindow('start');
      }
      const sentAt = performance.now();
      inFlight++;
      driver.request().then(
        () => complete(index, sentAt, undefined),
        (error: unknown) => complete(index, sentAt, error ?? new Error('rejected without a reason')),
      );
    };

    const disarm = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };

    const pump = () => {
      disarm();
      for (;;) {
        const due = Math.min(endIndex, dueCount(schedule, performance.now()));
        for (let n = sendBudget(due, sent, inFlight, spec.maxInFlight); n > 0; n--) send(sent++);
        if (sent >= endIndex) {
          if (!drainTimer && !finished) drainTimer = setTimeout(onDrainTimeout, spec.drainTimeoutMs);
          return;
        }
        if (sent < due) return; // held back by the in-flight cap: completions call pump again
        const dueAt = scheduledAt(schedule, sent);
        if (spec.pacer === 'precise' && inFlight === 0 && dueAt - performance.now() < PRECISE_BELOW_MS) {
          sleepUntil(dueAt); // nothing in flight, so nothing to process meanwhile
          continue;
        }
        // Requests in flight (or a long wait): sleep in the event loop; completions call pump early.
        timer = setTimeout(pump, delayUntilDue(schedule, sent, performance.now()));
        return;
      }
    };

    if (measuredCount <= 0) {
      reject(new Error('open loop: the measured window holds no request; raise the rate or the duration'));
      return;
    }
    timer = setTimeout(pump, Math.max(0, schedule.startMs - performance.now()));
  });
}
