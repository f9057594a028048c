// The in-memory ConfigStore: the reference behaviour every backend must match (the shared contract
// tests run against it and the embedded SQLite store) and the store unit tests use. Not persistent.

import { keyString, type ResourceKey } from '../config/resource';
import type { CommitResult, ConfigStore, ListOptions, StoreOp, StoredResource, Watch, WatchEvent, WatchOptions } from './config-store';
import { planCommit, type StoredEntry } from './commit-planner';
import { checkWatchStart, closedStoreError, compareResources, historyLimitOption, matchesFilter, parseRevision } from './store-helpers';
import { WatchHub, failedWatch } from './watch-hub';

/** Options of the in-memory store. */
export interface MemoryStoreOptions {
  /** How many past events watches can replay; older ones are compacted. Default 10 000. */
  readonly historyLimit?: number;
  /** Clock for creationTimestamp. Default: the system clock. */
  readonly clock?: () => Date;
}

/** A ConfigStore kept in memory: etcd semantics (revisions, CAS, atomic commits, watch history). */
export class MemoryStore implements ConfigStore {
  private readonly entries = new Map<string, StoredEntry>();
  private readonly history: WatchEvent[] = [];
  private readonly hub = new WatchHub();
  private readonly historyLimit: number;
  private readonly clock: () => Date;
  private currentRevision = 0;
  private compactedRevision = 0;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.historyLimit = historyLimitOption(options.historyLimit);
    this.clock = options.clock ?? (() => new Date());
  }

  async get(key: ResourceKey): Promise<StoredResource | undefined> {
    this.assertOpen();
    return this.entries.get(keyString(key))?.resource;
  }

  async list(options: ListOptions = {}): Promise<{ readonly revision: string; readonly items: readonly StoredResource[] }> {
    this.assertOpen();
    const items = [...this.entries.values()].map((e) => e.resource).filter((r) => matchesFilter(options, r)).sort(compareResources);
    return { revision: String(this.currentRevision), items };
  }

  async commit(ops: readonly StoreOp[]): Promise<CommitResult> {
    this.assertOpen();
    const plan = planCommit(ops, (key) => this.entries.get(keyString(key)), this.currentRevision, this.clock());
    for (const write of plan.writes) {
      if (write.type === 'put') this.entries.set(keyString(write.key), write.entry);
      else this.entries.delete(keyString(write.key));
    }
    if (plan.events.length > 0) {
      this.currentRevision = plan.revision;
      this.history.push(...plan.events);
      this.compact();
      this.hub.publish(plan.events);
    }
    return { revision: String(plan.revision), results: plan.results, unchanged: plan.unchanged };
  }

  watch(options: WatchOptions, listener: (event: WatchEvent) => void, onError?: (error: Error) => void): Watch {
    let replay: WatchEvent[] = [];
    try {
      this.assertOpen();
      if (options.afterRevision !== undefined) {
        const after = parseRevision(options.afterRevision, 'afterRevision');
        checkWatchStart(after, this.currentRevision, this.compactedRevision);
        replay = this.history.filter((e) => Number(e.revision) > after && matchesFilter(options, e.resource));
      }
    } catch (error) {
      return failedWatch(error as Error, onError);
    }
    return this.hub.add(options, replay, listener, onError);
  }

  async revision(): Promise<string> {
    this.assertOpen();
    return String(this.currentRevision);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.closeAll();
  }

  /** Drops the oldest events beyond the history limit, always whole revisions. */
  private compact(): void {
    const excess = this.history.length - this.historyLimit;
    if (excess <= 0) return;
    const cutRevision = Number(this.history[excess - 1]!.revision);
    let drop = excess;
    while (drop < this.history.length && Number(this.history[drop]!.revision) <= cutRevision) drop++;
    this.history.splice(0, drop);
    this.compactedRevision = cutRevision;
  }

  private assertOpen(): void {
    if (this.closed) throw closedStoreError('the in-memory config store');
  }
}
