// The outlier detectors of every cluster, keyed by cluster name: created when a cluster gains an
// outlier_detection block, reconciled in place on each push, closed when the block or cluster goes.

import { EventEmitter, type Event, type IDisposable } from 'cockatiel';
import type { OutlierDetectionConfig } from '../snapshot/types';
import { systemClock, type Clock, type Random } from './clock';
import { OutlierDetector, type OutlierEvent } from './outlier-detector';
import type { AttemptOutcome } from './outcome';

/** One cluster as the store needs it: its outlier config (undefined = detection off) and hosts. */
export interface OutlierClusterInput {
  readonly cluster: string;
  readonly config: OutlierDetectionConfig | undefined;
  /** Endpoint keys (`address:port`) of every priority. */
  readonly hosts: Iterable<string>;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Outlier detectors by cluster. Lives as long as the mesh client; `close()` stops every timer.
 * Events of all detectors are re-emitted on `onEvent`.
 */
export class OutlierDetectorStore {
  private readonly detectors = new Map<string, { detector: OutlierDetector; subscription: IDisposable }>();
  private readonly events = new EventEmitter<OutlierEvent>();
  private closed = false;

  /** Events of every detector. Listeners must not throw. */
  readonly onEvent: Event<OutlierEvent> = this.events.addListener;

  constructor(private readonly options: { readonly clock?: Clock; readonly random?: Random } = {}) {}

  /**
   * Applies a pushed cluster set. Clusters with a config get a detector (kept and reconciled
   * when one exists); detectors of clusters that lost their config or left are closed.
   * @throws RangeError for a config whose interval or ejection time is not positive.
   */
  reconcile(clusters: Iterable<OutlierClusterInput>): void {
    if (this.closed) return;
    const wanted = new Set<string>();
    for (const c of clusters) {
      if (!c.config) continue;
      wanted.add(c.cluster);
      const existing = this.detectors.get(c.cluster);
      if (existing) {
        existing.detector.reconcile(c.config, c.hosts);
        continue;
      }
      const detector = new OutlierDetector({
        cluster: c.cluster, config: c.config, hosts: c.hosts, clock: this.options.clock ?? systemClock,
        ...(this.options.random ? { random: this.options.random } : {}),
      });
      const subscription = detector.onEvent((e) => this.events.emit(e));
      this.detectors.set(c.cluster, { detector, subscription });
    }
    for (const [name, entry] of this.detectors) {
      if (wanted.has(name)) continue;
      entry.subscription.dispose();
      entry.detector.close();
      this.detectors.delete(name);
    }
  }

  /** The detector of `cluster`, if outlier detection is on for it. */
  get(cluster: string): OutlierDetector | undefined {
    return this.detectors.get(cluster)?.detector;
  }

  /** Ejected hosts of `cluster` (empty when detection is off). */
  ejected(cluster: string): ReadonlySet<string> {
    return this.detectors.get(cluster)?.detector.ejected() ?? NONE;
  }

  /** Records an attempt outcome for `host` of `cluster`; a no-op when detection is off. */
  recordOutcome(cluster: string, host: string, outcome: AttemptOutcome, options: { readonly grpc?: boolean } = {}): void {
    this.detectors.get(cluster)?.detector.recordOutcome(host, outcome, options);
  }

  /** Closes every detector. Idempotent. */
  close(): void {
    this.closed = true;
    for (const entry of this.detectors.values()) {
      entry.subscription.dispose();
      entry.detector.close();
    }
    this.detectors.clear();
  }
}
