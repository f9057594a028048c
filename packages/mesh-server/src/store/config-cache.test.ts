// Unit tests of ConfigCache over the in-memory store: initial list, live updates, per-tick
// batching, immutable snapshots, filters, re-list after compaction, retry after a failed watch.

import assert from 'node:assert/strict';
import type { Resource, ResourceKey } from '../config/resource';
import { MeshServerError } from '../errors';
import { ConfigCache } from './config-cache';
import type { CommitResult, ConfigStore, ListOptions, StoreOp, StoredResource, Watch, WatchEvent, WatchOptions } from './config-store';
import { MemoryStore } from './memory-store';

function service(name: string, namespace = 'default', spec: unknown = { ports: [] }): Resource {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}
function gateway(name: string): Resource {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'default' }, spec: { servers: [] } };
}
const put = (resource: Resource): StoreOp => ({ type: 'put', resource });
const names = (resources: readonly Resource[]) => resources.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`);

/** Resolves with the next batch the cache emits (bounded wait). */
function nextBatch(cache: ConfigCache): Promise<readonly WatchEvent[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error('no change batch within 5 s')); }, 5_000);
    timer.unref();
    const off = cache.onChange((batch) => { clearTimeout(timer); off(); resolve(batch); });
  });
}

/** A store that can hold back watch events and fail the current watch on demand. */
class ControlledStore implements ConfigStore {
  readonly inner = new MemoryStore();
  muted = false;
  lists = 0;
  failNextList: Error | undefined;
  private lastOnError: ((error: Error) => void) | undefined;
  get(key: ResourceKey): Promise<StoredResource | undefined> { return this.inner.get(key); }
  async list(options?: ListOptions) {
    this.lists++;
    if (this.failNextList) { const error = this.failNextList; this.failNextList = undefined; throw error; }
    return this.inner.list(options);
  }
  commit(ops: readonly StoreOp[]): Promise<CommitResult> { return this.inner.commit(ops); }
  watch(options: WatchOptions, listener: (event: WatchEvent) => void, onError?: (error: Error) => void): Watch {
    this.lastOnError = onError;
    return this.inner.watch(options, (e) => { if (!this.muted) listener(e); }, onError);
  }
  failWatch(error: Error): void { this.lastOnError?.(error); }
  revision(): Promise<string> { return this.inner.revision(); }
  close(): Promise<void> { return this.inner.close(); }
}

describe('ConfigCache', () => {
  let store: MemoryStore;
  let cache: ConfigCache | undefined;
  beforeEach(() => { store = new MemoryStore(); });
  afterEach(async () => { cache?.close(); cache = undefined; await store.close(); });

  it('loads the listed resources before ready resolves, sorted and frozen', async () => {
    await store.commit([put(service('b')), put(gateway('gw')), put(service('a', 'prod'))]);
    cache = new ConfigCache(store);
    await cache.ready;
    const snap = cache.snapshot();
    assert.equal(snap.revision, '1');
    assert.deepEqual(names(snap.resources), ['Gateway/default/gw', 'Service/default/b', 'Service/prod/a']);
    assert.ok(Object.isFrozen(snap) && Object.isFrozen(snap.resources));
    assert.equal(cache.snapshot(), snap, 'unchanged config gives the same snapshot object');
  });

  it('follows live changes with new snapshots, leaving old ones untouched', async () => {
    await store.commit([put(service('a'))]);
    cache = new ConfigCache(store);
    await cache.ready;
    const before = cache.snapshot();
    const batch = nextBatch(cache);
    await store.commit([put(service('b')), put(service('a', 'default', { ports: [{ port: 1 }] }))]);
    const events = await batch;
    assert.deepEqual(events.map((e) => [e.type, e.resource.metadata.name, e.revision]), [['ADDED', 'b', '2'], ['MODIFIED', 'a', '2']]);
    const after = cache.snapshot();
    assert.notEqual(after, before);
    assert.deepEqual(names(before.resources), ['Service/default/a']);
    assert.deepEqual([after.revision, names(after.resources)], ['2', ['Service/default/a', 'Service/default/b']]);
    const deleted = nextBatch(cache);
    await store.commit([{ type: 'delete', key: { kind: 'Service', namespace: 'default', name: 'a' } }]);
    assert.deepEqual((await deleted).map((e) => e.type), ['DELETED']);
    assert.deepEqual([cache.snapshot().revision, names(cache.snapshot().resources)], ['3', ['Service/default/b']]);
  });

  it('batches the events that arrive in one tick into one call', async () => {
    cache = new ConfigCache(store);
    await cache.ready;
    const batches: (readonly WatchEvent[])[] = [];
    cache.onChange((b) => batches.push(b));
    const done = nextBatch(cache);
    void store.commit([put(service('a'))]);
    void store.commit([put(service('b'))]);
    await done;
    assert.deepEqual(batches.map((b) => b.map((e) => e.resource.metadata.name)), [['a', 'b']]);
  });

  it('mirrors only the kind and namespace it was asked for', async () => {
    await store.commit([put(service('a')), put(gateway('gw')), put(service('x', 'prod'))]);
    cache = new ConfigCache(store, { kind: 'Service', namespace: 'default' });
    await cache.ready;
    const batch = nextBatch(cache);
    await store.commit([put(gateway('gw2')), put(service('y', 'prod'))]);
    await store.commit([put(service('b'))]);
    assert.deepEqual((await batch).map((e) => e.resource.metadata.name), ['b']);
    assert.deepEqual(names(cache.snapshot().resources), ['Service/default/a', 'Service/default/b']);
  });

  it('lists again when the watch reports compaction, and emits the differences', async () => {
    const controlled = new ControlledStore();
    await controlled.commit([put(service('keep')), put(service('change')), put(service('drop'))]);
    cache = new ConfigCache(controlled);
    await cache.ready;
    controlled.muted = true; // events are lost, as for a watcher that fell behind compaction
    await controlled.commit([put(service('change', 'default', { ports: [{ port: 2 }] })), put(service('new'))]);
    await controlled.commit([{ type: 'delete', key: { kind: 'Service', namespace: 'default', name: 'drop' } }]);
    assert.deepEqual(names(cache.snapshot().resources), ['Service/default/change', 'Service/default/drop', 'Service/default/keep']);
    controlled.muted = false;
    const batch = nextBatch(cache);
    controlled.failWatch(new MeshServerError('COMPACTED', 'history compacted'));
    assert.deepEqual((await batch).map((e) => [e.type, e.resource.metadata.name, e.revision]), [
      ['MODIFIED', 'change', '3'], ['DELETED', 'drop', '3'], ['ADDED', 'new', '3'],
    ]);
    assert.equal(controlled.lists, 2);
    assert.deepEqual([cache.snapshot().revision, names(cache.snapshot().resources)], ['3', ['Service/default/change', 'Service/default/keep', 'Service/default/new']]);
    const live = nextBatch(cache);
    await controlled.commit([put(service('after'))]);
    assert.deepEqual((await live).map((e) => e.resource.metadata.name), ['after'], 'the new watch delivers live changes');
    await controlled.close();
  });

  it('reports another watch failure and lists again after the retry delay, also when that list fails once', async () => {
    const controlled = new ControlledStore();
    const errors: Error[] = [];
    cache = new ConfigCache(controlled, { retryDelayMs: 1, onError: (e) => errors.push(e) });
    await cache.ready;
    controlled.muted = true;
    await controlled.commit([put(service('missed'))]);
    controlled.muted = false;
    controlled.failNextList = new Error('store briefly unreachable');
    const batch = nextBatch(cache);
    controlled.failWatch(new Error('connection reset'));
    assert.deepEqual((await batch).map((e) => [e.type, e.resource.metadata.name]), [['ADDED', 'missed']]);
    assert.deepEqual(errors.map((e) => (e as MeshServerError).code), ['UNAVAILABLE', 'UNAVAILABLE']);
    assert.match(errors[0]!.message, /connection reset/);
    assert.match(errors[1]!.message, /briefly unreachable/);
    assert.equal(controlled.lists, 3);
    await controlled.close();
  });

  it('rejects ready when the first list fails', async () => {
    const controlled = new ControlledStore();
    controlled.failNextList = new MeshServerError('UNAVAILABLE', 'store down');
    const errors: Error[] = [];
    cache = new ConfigCache(controlled, { onError: (e) => errors.push(e) });
    await assert.rejects(cache.ready, /store down/);
    assert.equal(errors.length, 1);
    await controlled.close();
  });

  it('keeps notifying other listeners when one throws, and stops after unsubscribe and close', async () => {
    const errors: Error[] = [];
    cache = new ConfigCache(store, { onError: (e) => errors.push(e) });
    await cache.ready;
    const seen: string[] = [];
    const off = cache.onChange(() => { throw new Error('bad listener'); });
    cache.onChange((b) => seen.push(...b.map((e) => e.resource.metadata.name)));
    let batch = nextBatch(cache);
    await store.commit([put(service('a'))]);
    await batch;
    assert.deepEqual([seen, errors.map((e) => e.message)], [['a'], ['bad listener']]);
    off();
    batch = nextBatch(cache);
    await store.commit([put(service('b'))]);
    await batch;
    assert.deepEqual([seen, errors.length], [['a', 'b'], 1]);
    cache.close();
    const frozen = cache.snapshot();
    await store.commit([put(service('c'))]);
    await store.list(); // let any stray delivery run
    assert.equal(cache.snapshot(), frozen);
    assert.deepEqual(seen, ['a', 'b']);
  });
});
