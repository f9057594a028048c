// The ConfigStore contract, written once as a describe factory and run against every backend
// (the in-memory reference store and the embedded SQLite store): reads, CAS, atomic commits,
// deletes, watch replay/filters/compaction, no-op puts and generation semantics.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Resource, ResourceKey } from '../src/config/resource';
import { MeshServerError, isServerError } from '../src/errors';
import type { ConfigStore, WatchEvent, WatchOptions } from '../src/store/config-store';
import { MemoryStore } from '../src/store/memory-store';
import { openEmbeddedStore } from '../src/store/sqlite-store';

interface BackendOptions { historyLimit?: number; clock?: () => Date }
type OpenBackend = (options?: BackendOptions) => { store: ConfigStore; cleanup: () => Promise<void> };

const T0 = new Date('2026-01-02T03:04:05.678Z');

function service(name: string, namespace = 'default', spec: unknown = { ports: [{ name: 'http', port: 9080 }] }, labels?: Record<string, string>): Resource {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
}

function vs(name: string, namespace = 'default', host = name): Resource {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec: { hosts: [host] } };
}

const svcKey = (name: string, namespace = 'default'): ResourceKey => ({ kind: 'Service', namespace, name });

/** Collects watch events; `until` resolves once a predicate holds (bounded, no sleeping). */
function recorder(store: ConfigStore, options: WatchOptions) {
  const events: WatchEvent[] = [];
  const errors: Error[] = [];
  let wake: (() => void) | undefined;
  const watch = store.watch(options, (e) => { events.push(e); wake?.(); }, (e) => { errors.push(e); wake?.(); });
  async function until(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.map((e) => [e.type, e.revision, e.resource.metadata.name]))}`);
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 50).unref(); });
    }
  }
  return { events, errors, watch, until };
}

async function rejectsWith(promise: Promise<unknown>, code: string, ...fragments: string[]): Promise<MeshServerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isServerError(error), `expected a MeshServerError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(fragment)}`);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

/** The contract every ConfigStore backend must meet. */
function describeConfigStoreContract(name: string, open: OpenBackend): void {
  describe(`ConfigStore contract: ${name}`, () => {
    let store: ConfigStore;
    let cleanup: () => Promise<void>;
    let now: Date;
    beforeEach(() => {
      now = T0;
      ({ store, cleanup } = open({ clock: () => now }));
    });
    afterEach(async () => cleanup());

    it('starts empty at revision 0', async () => {
      assert.equal(await store.revision(), '0');
      assert.deepEqual(await store.list(), { revision: '0', items: [] });
      assert.equal(await store.get(svcKey('reviews')), undefined);
    });

    it('stamps resourceVersion, creationTimestamp and generation on create, and returns frozen values', async () => {
      const input = { ...service('reviews'), metadata: { name: 'reviews', namespace: 'default', resourceVersion: '77', generation: 9 } };
      const result = await store.commit([{ type: 'put', resource: input }]);
      assert.equal(result.revision, '1');
      assert.deepEqual(result.unchanged, [false]);
      const stored = await store.get(svcKey('reviews'));
      assert.deepEqual(stored, {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 'reviews', namespace: 'default', resourceVersion: '1', creationTimestamp: '2026-01-02T03:04:05Z', generation: 1 },
        spec: { ports: [{ name: 'http', port: 9080 }] },
      });
      assert.deepEqual(result.results[0], stored);
      assert.ok(Object.isFrozen(stored) && Object.isFrozen(stored!.metadata) && Object.isFrozen(stored!.spec));
      assert.equal(await store.revision(), '1');
    });

    it('lists sorted by kind, namespace, name and filters by kind and namespace', async () => {
      await store.commit([{ type: 'put', resource: vs('b', 'prod') }, { type: 'put', resource: service('z', 'default') }]);
      await store.commit([{ type: 'put', resource: service('a', 'prod') }, { type: 'put', resource: vs('a', 'default') }]);
      await store.commit([{ type: 'put', resource: service('m', 'default') }]);
      const names = (items: readonly Resource[]) => items.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`);
      const all = await store.list();
      assert.equal(all.revision, '3');
      assert.deepEqual(names(all.items), ['Service/default/m', 'Service/default/z', 'Service/prod/a', 'VirtualService/default/a', 'VirtualService/prod/b']);
      assert.deepEqual(names((await store.list({ kind: 'Service' })).items), ['Service/default/m', 'Service/default/z', 'Service/prod/a']);
      assert.deepEqual(names((await store.list({ namespace: 'prod' })).items), ['Service/prod/a', 'VirtualService/prod/b']);
      assert.deepEqual(names((await store.list({ kind: 'VirtualService', namespace: 'default' })).items), ['VirtualService/default/a']);
      assert.deepEqual((await store.list({ kind: 'Gateway' })).items, []);
    });

    it("creates only once with expectedVersion '0'", async () => {
      await store.commit([{ type: 'put', resource: service('reviews'), expectedVersion: '0' }]);
      const error = await rejectsWith(store.commit([{ type: 'put', resource: service('reviews', 'default', { ports: [] }), expectedVersion: '0' }]), 'CONFLICT', 'Service/default/reviews', 'already exists');
      assert.deepEqual(error.details, { key: 'Service/default/reviews', expectedVersion: '0', actualVersion: '1' });
      assert.equal(await store.revision(), '1');
    });

    it('updates with compare-and-swap and names the key and both versions on a conflict', async () => {
      await store.commit([{ type: 'put', resource: service('reviews') }]);
      await store.commit([{ type: 'put', resource: vs('other') }]);
      const updated = await store.commit([{ type: 'put', resource: service('reviews', 'default', { ports: [] }), expectedVersion: '1' }]);
      assert.equal(updated.revision, '3');
      const error = await rejectsWith(store.commit([{ type: 'put', resource: service('reviews', 'default', { ports: [{ port: 1 }] }), expectedVersion: '1' }]), 'CONFLICT', 'Service/default/reviews', '3', '1');
      assert.deepEqual(error.details, { key: 'Service/default/reviews', expectedVersion: '1', actualVersion: '3' });
      await rejectsWith(store.commit([{ type: 'put', resource: service('absent'), expectedVersion: '5' }]), 'CONFLICT', 'Service/default/absent', 'does not exist');
      assert.deepEqual((await store.get(svcKey('reviews')))!.spec, { ports: [] });
    });

    it('applies a multi-op commit atomically at one revision, or nothing at all', async () => {
      const rec = recorder(store, {});
      await store.commit([{ type: 'put', resource: service('guarded') }]);
      await rejectsWith(
        store.commit([
          { type: 'put', resource: service('first') },
          { type: 'delete', key: svcKey('guarded') },
          { type: 'put', resource: service('third'), expectedVersion: '99' },
        ]),
        'CONFLICT', 'Service/default/third',
      );
      assert.ok(await store.get(svcKey('guarded')), 'the delete in the failed commit must not apply');
      assert.equal(await store.get(svcKey('first')), undefined);
      assert.equal(await store.revision(), '1');
      const ok = await store.commit([{ type: 'put', resource: service('first') }, { type: 'put', resource: vs('second') }, { type: 'delete', key: svcKey('guarded') }]);
      assert.equal(ok.revision, '2');
      assert.deepEqual(ok.results.map((r) => r?.metadata.resourceVersion), ['2', '2', '1']);
      await rec.until(() => rec.events.length === 4, 'four events');
      assert.deepEqual(rec.events.map((e) => [e.type, e.revision, e.resource.metadata.name]), [
        ['ADDED', '1', 'guarded'], ['ADDED', '2', 'first'], ['ADDED', '2', 'second'], ['DELETED', '2', 'guarded'],
      ]);
      rec.watch.close();
    });

    it('rejects two ops on one key and malformed ops, changing nothing', async () => {
      await rejectsWith(store.commit([{ type: 'put', resource: service('a') }, { type: 'delete', key: svcKey('a') }]), 'BAD_REQUEST', 'Service/default/a', 'twice');
      await rejectsWith(store.commit([{ type: 'put', resource: { ...service('a'), kind: 'Deployment' as never } }]), 'BAD_REQUEST', 'ops[0]', 'Deployment');
      await rejectsWith(store.commit([{ type: 'put', resource: service('') }]), 'BAD_REQUEST', 'name');
      await rejectsWith(store.commit([{ type: 'put', resource: service('a'), expectedVersion: 'v1' }]), 'BAD_REQUEST', 'expectedVersion');
      assert.equal(await store.revision(), '0');
    });

    it('deletes with and without a guard', async () => {
      await store.commit([{ type: 'put', resource: service('a') }, { type: 'put', resource: service('b') }, { type: 'put', resource: service('c') }]);
      const plain = await store.commit([{ type: 'delete', key: svcKey('a') }]);
      assert.equal(plain.revision, '2');
      assert.equal(plain.results[0]?.metadata.name, 'a');
      assert.equal(await store.get(svcKey('a')), undefined);

      const absent = await store.commit([{ type: 'delete', key: svcKey('a') }]);
      assert.deepEqual([absent.revision, absent.results, absent.unchanged], ['2', [null], [true]]);

      await rejectsWith(store.commit([{ type: 'delete', key: svcKey('a'), expectedVersion: '1' }]), 'NOT_FOUND', 'Service/default/a');
      await rejectsWith(store.commit([{ type: 'delete', key: svcKey('b'), expectedVersion: '7' }]), 'CONFLICT', 'Service/default/b', '7', '1');
      const guarded = await store.commit([{ type: 'delete', key: svcKey('b'), expectedVersion: '1' }]);
      assert.equal(guarded.revision, '3');
      assert.deepEqual((await store.list()).items.map((r) => r.metadata.name), ['c']);
    });

    it('watches from a revision: replays the history after it, then delivers live changes', async () => {
      await store.commit([{ type: 'put', resource: service('a') }]);
      await store.commit([{ type: 'put', resource: service('a', 'default', { ports: [] }) }]);
      await store.commit([{ type: 'put', resource: service('b') }]);
      let returned = false;
      const events: WatchEvent[] = [];
      let wake: (() => void) | undefined;
      const watch = store.watch({ afterRevision: '1' }, (e) => { assert.ok(returned, 'listener ran before watch() returned'); events.push(e); wake?.(); });
      returned = true;
      const until = async (count: number) => {
        const deadline = Date.now() + 5_000;
        while (events.length < count) {
          assert.ok(Date.now() < deadline, `timed out waiting for ${count} events`);
          await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 50).unref(); });
        }
      };
      await until(2);
      await store.commit([{ type: 'delete', key: svcKey('a') }]);
      await until(3);
      assert.deepEqual(events.map((e) => [e.type, e.revision, e.resource.metadata.name, e.resource.metadata.resourceVersion]), [
        ['MODIFIED', '2', 'a', '2'], ['ADDED', '3', 'b', '3'], ['DELETED', '4', 'a', '2'],
      ]);
      watch.close();
      await store.commit([{ type: 'put', resource: service('c') }]);
      const live = recorder(store, {});
      await store.commit([{ type: 'put', resource: service('d') }]);
      await live.until(() => live.events.length === 1, 'the live event');
      assert.deepEqual(live.events.map((e) => e.resource.metadata.name), ['d']);
      assert.equal(events.length, 3, 'a closed watch delivers nothing more');
      live.watch.close();
    });

    it('filters watch events by kind and namespace, in replay and live', async () => {
      await store.commit([{ type: 'put', resource: service('a', 'prod') }, { type: 'put', resource: vs('a', 'prod') }, { type: 'put', resource: service('a') }]);
      const byKind = recorder(store, { kind: 'VirtualService', afterRevision: '0' });
      const byNamespace = recorder(store, { namespace: 'prod', afterRevision: '0' });
      const both = recorder(store, { kind: 'Service', namespace: 'default' });
      await store.commit([{ type: 'put', resource: vs('b') }, { type: 'put', resource: service('b') }, { type: 'put', resource: service('c', 'prod') }]);
      await byKind.until(() => byKind.events.length === 2, 'kind events');
      await byNamespace.until(() => byNamespace.events.length === 3, 'namespace events');
      await both.until(() => both.events.length === 1, 'kind+namespace events');
      const ids = (r: ReturnType<typeof recorder>) => r.events.map((e) => `${e.resource.kind}/${e.resource.metadata.namespace}/${e.resource.metadata.name}@${e.revision}`);
      assert.deepEqual(ids(byKind), ['VirtualService/prod/a@1', 'VirtualService/default/b@2']);
      assert.deepEqual(ids(byNamespace), ['Service/prod/a@1', 'VirtualService/prod/a@1', 'Service/prod/c@2']);
      assert.deepEqual(ids(both), ['Service/default/b@2']);
      for (const r of [byKind, byNamespace, both]) r.watch.close();
    });

    it('fails a watch from a compacted or future revision', async () => {
      await cleanup();
      ({ store, cleanup } = open({ historyLimit: 3 }));
      for (let i = 0; i < 5; i++) await store.commit([{ type: 'put', resource: service(`s${i}`) }]);
      const compacted = recorder(store, { afterRevision: '0' });
      await compacted.until(() => compacted.errors.length === 1, 'the COMPACTED error');
      assert.ok(isServerError(compacted.errors[0], 'COMPACTED'), String(compacted.errors[0]));
      assert.match(compacted.errors[0]!.message, /revision 0.*compacted.*list again/);
      assert.equal(compacted.events.length, 0);
      assert.throws(() => store.watch({ afterRevision: '1' }, () => undefined), (e: unknown) => isServerError(e, 'COMPACTED'));
      assert.throws(() => store.watch({ afterRevision: '9' }, () => undefined), (e: unknown) => isServerError(e, 'BAD_REQUEST') && /revision 9/.test(e.message));
      assert.throws(() => store.watch({ afterRevision: '-1' }, () => undefined), (e: unknown) => isServerError(e, 'BAD_REQUEST'));
      const recent = recorder(store, { afterRevision: '2' });
      await recent.until(() => recent.events.length === 3, 'the kept history');
      assert.deepEqual(recent.events.map((e) => e.revision), ['3', '4', '5']);
      recent.watch.close();
    });

    it('treats a put with equal apiVersion, spec, labels and annotations as a no-op', async () => {
      const rec = recorder(store, {});
      await store.commit([{ type: 'put', resource: service('a', 'default', { selector: { app: 'a', v: '1' }, ports: [] }, { team: 'x' }) }]);
      const same = await store.commit([
        { type: 'put', resource: service('a', 'default', { ports: [], selector: { v: '1', app: 'a' } }, { team: 'x' }) },
        { type: 'delete', key: svcKey('nothing') },
      ]);
      assert.deepEqual([same.revision, same.unchanged, same.results[0]?.metadata.resourceVersion], ['1', [true, true], '1']);
      const mixed = await store.commit([
        { type: 'put', resource: service('a', 'default', { selector: { app: 'a', v: '1' }, ports: [] }, { team: 'x' }), expectedVersion: '1' },
        { type: 'put', resource: service('b') },
      ]);
      assert.deepEqual([mixed.revision, mixed.unchanged], ['2', [true, false]]);
      await rejectsWith(store.commit([{ type: 'put', resource: service('a', 'default', { selector: { app: 'a', v: '1' }, ports: [] }, { team: 'x' }), expectedVersion: '2' }]), 'CONFLICT');
      await store.commit([{ type: 'put', resource: service('c') }]);
      await rec.until(() => rec.events.length === 3, 'three events');
      assert.deepEqual(rec.events.map((e) => e.resource.metadata.name), ['a', 'b', 'c']);
      rec.watch.close();
    });

    it('bumps generation only when spec changes and keeps creationTimestamp on update', async () => {
      await store.commit([{ type: 'put', resource: service('a', 'default', { ports: [] }) }]);
      now = new Date('2026-05-06T07:08:09Z');
      const relabelled = (await store.commit([{ type: 'put', resource: service('a', 'default', { ports: [] }, { team: 'y' }) }])).results[0]!;
      assert.deepEqual([relabelled.metadata.generation, relabelled.metadata.resourceVersion, relabelled.metadata.creationTimestamp], [1, '2', '2026-01-02T03:04:05Z']);
      const respecced = (await store.commit([{ type: 'put', resource: service('a', 'default', { ports: [{ port: 80 }] }, { team: 'y' }) }])).results[0]!;
      assert.deepEqual([respecced.metadata.generation, respecced.metadata.resourceVersion, respecced.metadata.creationTimestamp], [2, '3', '2026-01-02T03:04:05Z']);
      await store.commit([{ type: 'delete', key: svcKey('a') }]);
      const recreated = (await store.commit([{ type: 'put', resource: service('a') }])).results[0]!;
      assert.deepEqual([recreated.metadata.generation, recreated.metadata.creationTimestamp], [1, '2026-05-06T07:08:09Z']);
    });

    it('survives a throwing listener: the error goes to onError, delivery and the store go on', async () => {
      const seen: string[] = [];
      const errors: Error[] = [];
      const watch = store.watch({}, (e) => { seen.push(e.resource.metadata.name); if (e.resource.metadata.name === 'boom') throw new Error('listener failed'); }, (e) => errors.push(e));
      const healthy = recorder(store, {});
      await store.commit([{ type: 'put', resource: service('boom') }, { type: 'put', resource: service('next') }]);
      await store.commit([{ type: 'put', resource: service('later') }]);
      await healthy.until(() => healthy.events.length === 3, 'three events');
      assert.deepEqual(seen, ['boom', 'next', 'later']);
      assert.deepEqual(errors.map((e) => e.message), ['listener failed']);
      watch.close();
      healthy.watch.close();
    });

    it('never loses an update under many interleaved compare-and-swap writers', async () => {
      await store.commit([{ type: 'put', resource: service('counter', 'default', { value: 0 }) }]);
      let conflicts = 0;
      const writers = 8;
      const increments = 10;
      async function writer(): Promise<void> {
        for (let done = 0; done < increments;) {
          const current = (await store.get(svcKey('counter')))!;
          await new Promise((resolve) => setImmediate(resolve)); // let the other writers read the same version
          const next = { ...current, spec: { value: (current.spec as { value: number }).value + 1 } };
          try {
            await store.commit([{ type: 'put', resource: next, expectedVersion: current.metadata.resourceVersion }]);
            done++;
          } catch (error) {
            if (!isServerError(error, 'CONFLICT')) throw error;
            conflicts++;
          }
        }
      }
      await Promise.all(Array.from({ length: writers }, writer));
      const final = (await store.get(svcKey('counter')))!;
      assert.equal((final.spec as { value: number }).value, writers * increments);
      assert.equal(final.metadata.generation, writers * increments + 1);
      assert.ok(conflicts > 0, 'the writers should have collided at least once');
    });

    it('fails every call once closed', async () => {
      const rec = recorder(store, {});
      await store.close();
      await rejectsWith(store.get(svcKey('a')), 'UNAVAILABLE', 'closed');
      await rejectsWith(store.list(), 'UNAVAILABLE');
      await rejectsWith(store.commit([{ type: 'put', resource: service('a') }]), 'UNAVAILABLE');
      await rejectsWith(store.revision(), 'UNAVAILABLE');
      assert.throws(() => store.watch({}, () => undefined), (e: unknown) => isServerError(e, 'UNAVAILABLE'));
      assert.equal(rec.events.length, 0);
      await store.close();
    });
  });
}

describeConfigStoreContract('MemoryStore', (options) => {
  const store = new MemoryStore(options);
  return { store, cleanup: () => store.close() };
});

describeConfigStoreContract('embedded SQLite store', (options) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-store-contract-'));
  const store = openEmbeddedStore(dir, options);
  return {
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
