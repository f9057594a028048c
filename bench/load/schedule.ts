// The open-loop (fixed-rate) schedule, as pure arithmetic: request i is due at start + i/rate,
// whatever happened to the requests before it. Latency is measured from these due times, so a
// stalled client or server cannot hide its stall (no coordinated omission).

/** A fixed-rate schedule on the performance.now() clock (milliseconds). */
export interface OpenLoopSchedule {
  readonly startMs: number;
  readonly ratePerSec: number;
}

/** Guards against float error when a due time lands exactly on a given time (in requests). */
const EPSILON = 1e-9;

/** Position of `timeMs` in the schedule, in requests since the start (fractional). */
function position(schedule: OpenLoopSchedule, timeMs: number): number {
  return ((timeMs - schedule.startMs) * schedule.ratePerSec) / 1000;
}

/** When request `index` (0-based) is due. */
export function scheduledAt(schedule: OpenLoopSchedule, index: number): number {
  return schedule.startMs + (index * 1000) / schedule.ratePerSec;
}

/** How many requests are due by `nowMs` (indices 0 … n−1); 0 before the start. */
export function dueCount(schedule: OpenLoopSchedule, nowMs: number): number {
  const at = position(schedule, nowMs);
  return at < -EPSILON ? 0 : Math.floor(at + EPSILON) + 1;
}

/** The first index due at or after `timeMs` (the first request of a window starting then). */
export function firstIndexAtOrAfter(schedule: OpenLoopSchedule, timeMs: number): number {
  return Math.max(0, Math.ceil(position(schedule, timeMs) - EPSILON));
}

/** Milliseconds from `nowMs` until request `index` is due (0 when already due). */
export function delayUntilDue(schedule: OpenLoopSchedule, index: number, nowMs: number): number {
  return Math.max(0, scheduledAt(schedule, index) - nowMs);
}

/**
 * How many requests to send now: all that are due and not yet sent, limited by the in-flight cap.
 * Requests held back by the cap are sent (late) as others complete; their latency still counts
 * from their due time.
 */
export function sendBudget(due: number, sent: number, inFlight: number, maxInFlight: number): number {
  return Math.max(0, Math.min(due - sent, maxInFlight - inFlight));
}
