// The ConfigStore contract: what every backend (embedded SQLite today, etcd later) provides.
// Modelled on etcd's data model: one monotonically increasing store revision, per-resource
// mod revisions, compare-and-swap on them, atomic multi-resource transactions, and watch-from-revision.

import type { Resource, ResourceKey, KindName } from '../config/resource';

/** A stored resource with the store's bookkeeping filled in (`metadata.resourceVersion`, …). */
export type StoredResource = Resource;

/** One write in a transaction. */
export type StoreOp =
  | {
      readonly type: 'put';
      readonly resource: Resource;
      /**
       * Compare-and-swap guard on the current mod revision of this key:
       * undefined = unconditional; '0' = must not exist yet; otherwise must equal the stored resourceVersion.
       */
      readonly expectedVersion?: string;
    }
  | { readonly type: 'delete'; readonly key: ResourceKey; readonly expectedVersion?: string };

/**
 * What a committed transaction returns: the store revision after it and the resources as stored.
 * A transaction that changes nothing (only no-op puts and deletes of absent keys) does not bump
 * the revision and emits no event; `revision` is then the current one.
 */
export interface CommitResult {
  readonly revision: string;
  /** One entry per op, in order: the stored resource for put, the removed one (or null if absent) for delete. */
  readonly results: readonly (StoredResource | null)[];
  /**
   * One entry per op, in order: true when the op changed nothing (a put whose apiVersion, spec,
   * labels and annotations equal what is stored; a delete of an absent key without a guard).
   */
  readonly unchanged?: readonly boolean[];
}

/**
 * A change seen by a watcher. `revision` is the store revision the change was committed at; all
 * events of one transaction share it and arrive together. A DELETED event carries the resource as
 * it was last stored.
 */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly revision: string;
  readonly resource: StoredResource;
}

export interface ListOptions {
  readonly kind?: KindName;
  /** Omitted = every namespace. */
  readonly namespace?: string;
}

export interface WatchOptions extends ListOptions {
  /**
   * Deliver every change committed after this revision (exclusive), then live changes.
   * Omitted = only changes after the call. If that history was compacted, the watch fails with
   * MeshServerError code 'COMPACTED' and the caller must list again (list, then watch from the
   * listed revision). A revision newer than the store's fails with 'BAD_REQUEST'.
   */
  readonly afterRevision?: string;
}

export interface Watch {
  /** Stops delivery; idempotent. */
  close(): void;
}

/**
 * A config store. Every method is safe to call concurrently; writes are serialised by the backend.
 * A resolved commit() is durable: it survives kill -9 of the process at any later moment.
 */
export interface ConfigStore {
  get(key: ResourceKey): Promise<StoredResource | undefined>;
  /** Resources matching the options, sorted by kind, namespace, name; plus the revision the list reflects. */
  list(options?: ListOptions): Promise<{ readonly revision: string; readonly items: readonly StoredResource[] }>;
  /**
   * Applies every op or none. Fails with MeshServerError code 'CONFLICT' (naming the key, the
   * expected and the actual version) when an expectedVersion does not match, with 'NOT_FOUND' when
   * deleting an absent key with a guard, and with 'BAD_REQUEST' for a malformed op or two ops on one key.
   * The store sets `metadata.resourceVersion` (the mod revision), `creationTimestamp` (on create,
   * kept on update) and `generation` (1 on create, +1 when `spec` changes); values given for them are ignored.
   */
  commit(ops: readonly StoreOp[]): Promise<CommitResult>;
  /**
   * Events in revision order; the listener is called synchronously per event, never concurrently,
   * and never before watch() has returned. A watch that cannot start (compacted or bad revision,
   * closed store) reports the error to `onError` and delivers nothing; without `onError` such an
   * error is thrown by watch() itself when the backend knows it at call time. An exception thrown
   * by `listener` does not stop the watch or the store: it is passed to `onError` (or emitted as a
   * process warning).
   */
  watch(options: WatchOptions, listener: (event: WatchEvent) => void, onError?: (error: Error) => void): Watch;
  /** Current store revision. */
  revision(): Promise<string>;
  close(): Promise<void>;
}
