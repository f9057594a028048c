// Per-endpoint state that must survive config pushes (active request counts for LEAST_REQUEST),
// keyed by endpoint identity `address:port`. Pickers are rebuilt on every change; this store is not.

/** Mutable state of one endpoint. */
interface EndpointEntry extends ActiveRequest {
  active: number;
  /** False once the endpoint left the config; the entry goes when its last request ends. */
  present: boolean;
}

/** A request `EndpointStateStore.enter` counted, to hand back to `leave` (its endpoint's count). */
export interface ActiveRequest {
  readonly active: number;
}

/**
 * Active request counts by endpoint key. `track(key)` marks a request in flight and returns its
 * `done()` (idempotent). `reconcile(keys)` forgets endpoints that left the config — entries with
 * requests still in flight are kept until those finish, so counts never go negative.
 */
export class EndpointStateStore {
  private readonly entries = new Map<string, EndpointEntry>();

  /** Requests in flight to `key` (0 for unknown endpoints). */
  active(key: string): number {
    return this.entries.get(key)?.active ?? 0;
  }

  /** Counts a request to `key` as active; call the returned function once it completes. */
  track(key: string): () => void {
    const entry = this.enter(key);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.leave(key, entry);
    };
  }

  /** Counts a request to `key` as active (no function to allocate); give the result to `leave` once, when it completes. */
  enter(key: string): ActiveRequest {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { active: 0, present: true };
      this.entries.set(key, entry);
    }
    entry.active++;
    return entry;
  }

  /** The request `enter(key)` counted has completed (call once per enter). */
  leave(key: string, request: ActiveRequest): void {
    const entry = request as EndpointEntry;
    entry.active--;
    if (entry.active === 0 && !entry.present && this.entries.get(key) === entry) this.entries.delete(key);
  }

  /** Keeps state for `keys` (the current endpoint set); drops the rest once idle. */
  reconcile(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const [key, entry] of this.entries) {
      entry.present = keep.has(key);
      if (!entry.present && entry.active === 0) this.entries.delete(key);
    }
    for (const key of keep) if (!this.entries.has(key)) this.entries.set(key, { active: 0, present: true });
  }

  /** Keys currently tracked (present or draining). */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}
