// Earliest-deadline-first scheduler, Envoy's EdfScheduler: an entry with weight w is due every
// 1/w; picking takes the earliest deadline (FIFO on ties) and re-adds it. Weighted RR and
// weighted LEAST_REQUEST run on it; so does locality selection.

interface Slot<T> {
  deadline: number;
  order: number;
  item: T;
}

/** A min-heap of (deadline, insertion order). Weights must be > 0. */
export class EdfScheduler<T> {
  private readonly heap: Slot<T>[] = [];
  private now = 0;
  private order = 0;

  /** Adds `item`, due 1/weight after the current time. */
  add(item: T, weight: number): void {
    this.push({ deadline: this.now + 1 / weight, order: this.order++, item });
  }

  /** Number of entries. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Takes the entry with the earliest deadline, advances time to it and re-adds it with the weight
   * `weightOf(item)` computes now (dynamic weights: LEAST_REQUEST's weight / (active + 1)^bias).
   */
  pickAndAdd(weightOf: (item: T) => number): T | undefined {
    const top = this.pop();
    if (!top) return undefined;
    this.now = top.deadline;
    const w = weightOf(top.item);
    if (w > 0) this.push({ deadline: this.now + 1 / w, order: this.order++, item: top.item });
    return top.item;
  }

  private push(slot: Slot<T>): void {
    const h = this.heap;
    h.push(slot);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Slot<T> | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
}
