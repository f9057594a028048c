// Time and randomness as injected dependencies of every resilience policy: the `Clock` (monotonic
// milliseconds + unref'd timers), the real `systemClock`, a `FakeClock` for tests, and the seeded PRNG.

import { mulberry32, type RandomSource } from '../balancing/random';

/** A uniform double in [0, 1), like `Math.random`. The same type as the balancers' `RandomSource`. */
export type Random = RandomSource;

/** A seeded, deterministic `Random` (mulberry32, shared with the balancers in `balancing/random.ts`). */
export function seededRandom(seed: number): Random {
  return mulberry32(seed);
}

/** A scheduled callback; `cancel()` is idempotent and safe after the timer fired. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Where policies read time and schedule work. `now()` is monotonic milliseconds (not wall time);
 * timers never keep the process alive (they are `unref()`'d).
 */
export interface Clock {
  /** Monotonic time in milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds (0 when negative). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** The real clock: `performance.now()` and unref'd `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
});

interface FakeTimer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A manual clock for tests. Time moves only through `advance(ms)` / `advanceTo(t)`, which run
 * every timer that falls due, in due-time order (ties in creation order), each with `now()` set
 * to its due time. Timers a callback schedules inside the window run in the same call.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { due: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Moves time forward by `ms`, running due timers. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance needs a non-negative duration, got ${ms}`);
    this.advanceTo(this.time + ms);
  }

  /** Moves time forward to `t` (never backwards), running due timers. */
  advanceTo(t: number): void {
    if (t < this.time) throw new RangeError(`FakeClock cannot go back from ${this.time} to ${t}`);
    for (;;) {
      const next = this.nextDue(t);
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.time = next.due;
      next.fn();
    }
    this.time = t;
  }

  /** Timers scheduled and neither fired nor cancelled. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  private nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    this.timers = this.timers.filter((t) => !t.cancelled);
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/**
 * Resolves after `ms` on `clock` (a retry back-off, a fault delay); rejects with the signal's
 * reason as soon as `signal` aborts. The timer is cancelled either way.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
