// Envoy's HTTP/1.1 connection-pool admission for one cluster, over H9's ClusterLimits counters: a
// request in flight holds one connection (no pipelining); when max_connections are busy it waits
// as a pending request, and when max_pending_requests are already waiting it overflows (503 UO).

import type { ClusterLimits, Overflow, Permit, SlotReleaseListener } from '../policy/cluster-limits';

interface Waiter {
  readonly limits: ClusterLimits;
  readonly pending: Permit;
  readonly resolve: (permit: Permit) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * Connection slots of every cluster, with their FIFO queues of pending requests. Keyed by the
 * ClusterLimits object (one per cluster and priority, kept across config pushes), so waiters
 * survive a push; `wakeAll()` after a push lets raised limits admit waiters at once.
 */
export class ConnectionGates implements SlotReleaseListener {
  private readonly queues = new Map<ClusterLimits, Waiter[]>();

  /**
   * A connection slot now (a Permit), an Overflow (max_pending_requests reached), or a promise of
   * a slot that rejects with the signal's reason when `signal` aborts while waiting.
   */
  acquire(limits: ClusterLimits, signal?: AbortSignal): Permit | Overflow | Promise<Permit> {
    // The slot tells this gate when it is released, so the next waiter is admitted then.
    if (this.admitsNow(limits)) return limits.tryAcquireConnection(false, this);
    const pending = limits.tryAcquirePending();
    if (!pending.ok) return pending;
    return new Promise<Permit>((resolve, reject) => {
      if (signal?.aborted) {
        pending.release();
        reject(signal.reason);
        return;
      }
      const waiter: Waiter = {
        limits, pending, resolve, reject, signal,
        onAbort: () => {
          const q = this.queues.get(limits);
          const i = q?.indexOf(waiter) ?? -1;
          if (i >= 0) q!.splice(i, 1);
          pending.release();
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      let q = this.queues.get(limits);
      if (!q) this.queues.set(limits, (q = []));
      q.push(waiter);
    });
  }

  /** True when `acquire(limits)` would grant a connection slot at once, without queueing (no side effect). */
  admitsNow(limits: ClusterLimits): boolean {
    const queue = this.queues.get(limits);
    return (queue === undefined || queue.length === 0) && limits.admitsConnection();
  }

  /** Requests waiting for a connection on `limits`. */
  waiting(limits: ClusterLimits): number {
    return this.queues.get(limits)?.length ?? 0;
  }

  /** Admits waiters wherever a slot is free (after limits were raised by a push). */
  wakeAll(): void {
    for (const limits of [...this.queues.keys()]) this.wake(limits);
  }

  /** Fails every waiter with `reason` (the mesh is closing). */
  rejectAll(reason: unknown): void {
    for (const queue of this.queues.values()) {
      for (const w of queue.splice(0)) {
        w.signal?.removeEventListener('abort', w.onAbort);
        w.pending.release();
        w.reject(reason);
      }
    }
    this.queues.clear();
  }

  /** A connection slot of `limits` was released: admit a waiter. */
  slotReleased(limits: ClusterLimits): void {
    this.wake(limits);
  }

  /** Admits the waiters of `limits` while connection slots are free. */
  private wake(limits: ClusterLimits): void {
    const queue = this.queues.get(limits);
    while (queue && queue.length > 0) {
      const slot = limits.tryAcquireConnection(false, this);
      if (!slot.ok) return;
      const w = queue.shift()!;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.pending.release();
      w.resolve(slot);
    }
    if (queue && queue.length === 0) this.queues.delete(limits);
  }
}
