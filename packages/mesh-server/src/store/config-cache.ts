// An in-memory mirror of a ConfigStore (Kubernetes' list+watch informer): list, watch from the
// listed revision, re-list when the history was compacted. Readers take immutable snapshots;
// subscribers get the changes batched per tick. The xDS translation reads config only through it.

import type { KindName, Resource } from '../config/resource';
import { MeshServerError, isServerError } from '../errors';
import type { ConfigStore, StoredResource, Watch, WatchEvent } from './config-store';
import { compareResources, resourceKeyString } from './store-helpers';

/** Options of a ConfigCache. */
export interface ConfigCacheOptions {
  /** Mirror only this kind. Default: every kind. */
  readonly kind?: KindName;
  /** Mirror only this namespace. Default: every namespace. */
  readonly namespace?: string;
  /** Delay before listing again after a watch or re-list failure (other than compaction). Default 1000 ms. */
  readonly retryDelayMs?: number;
  /** Receives errors the cache recovers from (failed re-lists, throwing listeners). Default: a process warning. */
  readonly onError?: (error: Error) => void;
}

/** The mirrored config at one store revision. Never mutated; a change produces a new one. */
export interface ConfigSnapshot {
  readonly revision: string;
  /** Sorted by kind, namespace, name. */
  readonly resources: readonly Resource[];
}

/** A list+watch mirror of a ConfigStore with immutable snapshots and batched change events. */
export class ConfigCache {
  /** Resolves once the first list is loaded; rejects if it fails (the cache then stays empty). */
  readonly ready: Promise<void>;
  private readonly listeners = new Set<(changed: readonly WatchEvent[]) => void>();
  private resources = new Map<string, StoredResource>();
  private revision = '0';
  private current: ConfigSnapshot = Object.freeze({ revision: '0', resources: Object.freeze([]) });
  private stale = false;
  private pending: WatchEvent[] = [];
  private watch: Watch | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Bumped on every (re)sync so events of an abandoned watch are ignored. */
  private epoch = 0;
  private closed = false;

  constructor(private readonly store: ConfigStore, private readonly options: ConfigCacheOptions = {}) {
    this.ready = this.sync();
    this.ready.catch((error: unknown) => this.report(error));
  }

  /** The current config; the same object until something changes. */
  snapshot(): ConfigSnapshot {
    if (this.stale) {
      const resources = Object.freeze([...this.resources.values()].sort(compareResources));
      this.current = Object.freeze({ revision: this.revision, resources });
      this.stale = false;
    }
    return this.current;
  }

  /**
   * Calls `listener` with the events that arrived in one tick, after the snapshot reflects them.
   * After a re-list the events are the differences found. Returns the unsubscribe function.
   */
  onChange(listener: (changed: readonly WatchEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops watching and drops the listeners. */
  close(): void {
    this.closed = true;
    this.epoch++;
    this.watch?.close();
    this.watch = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.listeners.clear();
    this.pending = [];
  }

  /** Lists, replaces the mirror (emitting the differences), then watches from the listed revision. */
  private async sync(): Promise<void> {
    const epoch = ++this.epoch;
    this.watch?.close();
    this.watch = undefined;
    const { kind, namespace } = this.options;
    const listed = await this.store.list({ kind, namespace });
    if (this.closed || epoch !== this.epoch) return;
    const next = new Map(listed.items.map((r) => [resourceKeyString(r), r] as const));
    const changes = differences(this.resources, next, listed.revision);
    this.resources = next;
    this.revision = listed.revision;
    this.stale = true;
    this.queue(changes);
    this.watch = this.store.watch(
      { kind, namespace, afterRevision: listed.revision },
      (event) => this.onEvent(epoch, event),
      (error) => this.onWatchError(epoch, error),
    );
  }

  private onEvent(epoch: number, event: WatchEvent): void {
    if (this.closed || epoch !== this.epoch) return;
    const key = resourceKeyString(event.resource);
    if (event.type === 'DELETED') this.resources.delete(key);
    else this.resources.set(key, event.resource);
    this.revision = event.revision;
    this.stale = true;
    this.queue([event]);
  }

  private onWatchError(epoch: number, error: Error): void {
    if (this.closed || epoch !== this.epoch) return;
    this.watch = undefined;
    if (isServerError(error, 'COMPACTED')) {
      this.resync();
      return;
    }
    this.report(new MeshServerError('UNAVAILABLE', `config cache: the watch failed (${error.message}); listing again`, {}, { cause: error }));
    this.retryLater();
  }

  private resync(): void {
    this.sync().catch((error: unknown) => {
      this.report(new MeshServerError('UNAVAILABLE', `config cache: listing the store failed (${(error as Error).message}); retrying`, {}, { cause: error }));
      this.retryLater();
    });
  }

  private retryLater(): void {
    if (this.closed) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) this.resync();
    }, this.options.retryDelayMs ?? 1_000);
    this.retryTimer.unref();
  }

  private queue(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    const first = this.pending.length === 0;
    this.pending.push(...events);
    if (first) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const batch = Object.freeze(this.pending);
    this.pending = [];
    if (batch.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(batch);
      } catch (error) {
        this.report(error);
      }
    }
  }

  private report(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.options.onError) this.options.onError(err);
    else process.emitWarning(err.message, { code: 'INBOARD_CONFIG_CACHE' });
  }
}

/** The events that turn `before` into `after` (keyed by `Kind/ns/name`), stamped with `revision`. */
function differences(before: ReadonlyMap<string, StoredResource>, after: ReadonlyMap<string, StoredResource>, revision: string): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (const [key, resource] of after) {
    const old = before.get(key);
    if (!old) events.push({ type: 'ADDED', revision, resource });
    else if (old.metadata.resourceVersion !== resource.metadata.resourceVersion) events.push({ type: 'MODIFIED', revision, resource });
  }
  for (const [key, resource] of before) {
    if (!after.has(key)) events.push({ type: 'DELETED', revision, resource });
  }
  return events.sort((a, b) => compareResources(a.resource, b.resource));
}
