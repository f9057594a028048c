// The metrics label budget: for each budgeted label, an allow-list plus the K most frequent other
// values pass, everything else is reported as `other` and counted as dropped. Frequencies are
// estimated with the Space-Saving algorithm in bounded memory; the admitted set is recomputed every
// `rebalanceEvery` observations (deterministic: no timers), so it follows the traffic's top K.

import { MeshError } from '../errors';

/** The value that replaces a label value outside the budget. */
export const OTHER_LABEL_VALUE = 'other';

/** The budget of one label. */
export interface LabelLimit {
  /** How many values besides `allow` may appear (the most frequent ones). 0: only `allow`. */
  readonly maxValues: number;
  /** Values always admitted (e.g. the top paths the control plane computed). */
  readonly allow?: readonly string[];
}

/** Label name → its budget. Labels without an entry are not limited. */
export type LabelBudget = Readonly<Record<string, LabelLimit>>;

/**
 * Default budget: the labels whose values come from outside the mesh's own topology — request
 * paths, source identities claimed in peer metadata, and hosts reached by passthrough.
 */
export const DEFAULT_LABEL_BUDGET: LabelBudget = Object.freeze({
  request_path: { maxValues: 50 },
  destination_service: { maxValues: 200 },
  source_workload: { maxValues: 200 },
  source_app: { maxValues: 200 },
  source_version: { maxValues: 200 },
  source_canonical_service: { maxValues: 200 },
  source_canonical_revision: { maxValues: 200 },
});

/** Options of a CardinalityGuard. */
export interface CardinalityGuardOptions {
  /** Called once per value replaced by `other`. */
  readonly onDrop?: (label: string) => void;
  /** Observations of a label between two recomputations of its admitted set (default 1000). */
  readonly rebalanceEvery?: number;
}

/** Applies a LabelBudget to label sets; the budget can be replaced at run time. */
export class CardinalityGuard {
  private states = new Map<string, LabelState>();
  private current: LabelBudget = {};
  private readonly onDrop: (label: string) => void;
  private readonly rebalanceEvery: number;

  /** @throws MeshError INVALID_OPTIONS naming the bad budget entry. */
  constructor(budget: LabelBudget = DEFAULT_LABEL_BUDGET, options: CardinalityGuardOptions = {}) {
    this.onDrop = options.onDrop ?? (() => undefined);
    const every = options.rebalanceEvery ?? 1000;
    if (!Number.isInteger(every) || every < 1) invalid('rebalanceEvery', 'must be a positive integer', every);
    this.rebalanceEvery = every;
    this.setBudget(budget);
  }

  /** The budget in force. */
  budget(): LabelBudget {
    return this.current;
  }

  /**
   * Replaces the budget (e.g. pushed by the control plane). Frequencies seen so far are kept for
   * labels still budgeted, and their admitted sets are recomputed under the new limits at once.
   * @throws MeshError INVALID_OPTIONS naming the bad entry; the old budget then stays in force.
   */
  setBudget(budget: LabelBudget): void {
    const checked = checkBudget(budget);
    const next = new Map<string, LabelState>();
    for (const [label, limit] of Object.entries(checked)) {
      const state = this.states.get(label) ?? new LabelState();
      state.configure(limit);
      next.set(label, state);
    }
    this.states = next;
    this.current = checked;
  }

  /** `value`, or `other` when the label's budget is spent on more frequent values. */
  admit(label: string, value: string): string {
    const state = this.states.get(label);
    if (!state) return value;
    const admitted = state.admit(value);
    if (state.observations >= this.rebalanceEvery) state.rebalance();
    if (admitted) return value;
    this.onDrop(label);
    return OTHER_LABEL_VALUE;
  }

  /** The label set with every budgeted label admitted; the same object when nothing changed. */
  apply<T extends Readonly<Record<string, string>>>(labels: T): T {
    let out: Record<string, string> | undefined;
    for (const label of this.states.keys()) {
      const value = labels[label];
      if (value === undefined) continue;
      const admitted = this.admit(label, value);
      if (admitted !== value) (out ??= { ...labels })[label] = admitted;
    }
    return (out as T | undefined) ?? labels;
  }

  /** The values currently admitted for `label` besides its allow-list, most frequent first. */
  admitted(label: string): readonly string[] {
    return this.states.get(label)?.admittedList() ?? [];
  }
}

/** Space-Saving counters and the admitted set of one label. */
class LabelState {
  observations = 0;
  private limit: LabelLimit = { maxValues: 0 };
  private allow = new Set<string>();
  private admittedSet = new Set<string>();
  private readonly counts = new Map<string, number>();
  private capacity = 64;

  configure(limit: LabelLimit): void {
    this.limit = limit;
    this.allow = new Set(limit.allow ?? []);
    this.capacity = Math.max(64, 4 * limit.maxValues);
    this.rebalance();
  }

  admit(value: string): boolean {
    if (this.allow.has(value)) return true;
    this.observations++;
    this.count(value);
    if (this.admittedSet.has(value)) return true;
    if (this.admittedSet.size < this.limit.maxValues) {
      this.admittedSet.add(value);
      return true;
    }
    return false;
  }

  /** Admits the top `maxValues` by estimated frequency, then halves every count (recent traffic weighs more). */
  rebalance(): void {
    this.observations = 0;
    this.admittedSet = new Set(this.ranked().slice(0, this.limit.maxValues));
    for (const [value, n] of this.counts) {
      const halved = Math.floor(n / 2);
      if (halved === 0 && !this.admittedSet.has(value)) this.counts.delete(value);
      else this.counts.set(value, halved);
    }
    while (this.counts.size > this.capacity) this.counts.delete(this.minimum()!);
  }

  admittedList(): string[] {
    return this.ranked().filter((v) => this.admittedSet.has(v));
  }

  /** Space-Saving: a new value replaces the least counted one and inherits its count + 1. */
  private count(value: string): void {
    const n = this.counts.get(value);
    if (n !== undefined) {
      this.counts.set(value, n + 1);
      return;
    }
    let inherited = 0;
    if (this.counts.size >= this.capacity) {
      const min = this.minimum()!;
      inherited = this.counts.get(min)!;
      this.counts.delete(min);
    }
    this.counts.set(value, inherited + 1);
  }

  /** Least counted value, not admitted if possible (ties: the greatest value, so the order is deterministic). */
  private minimum(): string | undefined {
    let best: string | undefined;
    let bestCount = Infinity;
    let bestAdmitted = true;
    for (const [value, n] of this.counts) {
      const admitted = this.admittedSet.has(value);
      const better = bestAdmitted !== admitted ? !admitted : n < bestCount || (n === bestCount && best !== undefined && value > best);
      if (best === undefined || better) {
        best = value;
        bestCount = n;
        bestAdmitted = admitted;
      }
    }
    return best;
  }

  /** Counted values, most frequent first (ties by value). */
  private ranked(): string[] {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([v]) => v);
  }
}

function checkBudget(budget: unknown): LabelBudget {
  if (typeof budget !== 'object' || budget === null || Array.isArray(budget)) invalid('labelBudget', 'must be an object of label name → { maxValues, allow? }', budget);
  const out: Record<string, LabelLimit> = {};
  for (const [label, limit] of Object.entries(budget as Record<string, unknown>)) {
    const field = `labelBudget.${label}`;
    if (typeof limit !== 'object' || limit === null) invalid(field, 'must be an object { maxValues, allow? }', limit);
    const { maxValues, allow } = limit as { maxValues?: unknown; allow?: unknown };
    if (typeof maxValues !== 'number' || !Number.isInteger(maxValues) || maxValues < 0) invalid(`${field}.maxValues`, 'must be an integer ≥ 0', maxValues);
    if (allow !== undefined && (!Array.isArray(allow) || allow.some((v) => typeof v !== 'string'))) invalid(`${field}.allow`, 'must be a list of strings', allow);
    out[label] = Object.freeze({ maxValues, ...(allow !== undefined ? { allow: Object.freeze([...(allow as string[])]) } : {}) });
  }
  return Object.freeze(out);
}

function invalid(field: string, problem: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? 'an object' : String(value);
  throw new MeshError('INVALID_OPTIONS', `${field} ${problem} (got ${shown})`, { details: { field } });
}
