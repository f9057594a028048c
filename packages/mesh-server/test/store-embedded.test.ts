// What only the embedded SQLite store promises beyond the shared contract: state, revision and
// watch history persist across reopen; the data dir is private and held by one store at a time;
// a damaged database is refused clearly.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from '../src/config/resource';
import { isServerError } from '../src/errors';
import type { WatchEvent } from '../src/store/config-store';
import { EMBEDDED_STORE_FILE, openEmbeddedStore } from '../src/store/sqlite-store';

function entry(name: string, seq: number): Resource {
  return { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name, namespace: 'default' }, spec: { address: '127.0.0.1', labels: { seq: String(seq) } } };
}

describe('embedded SQLite store', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-store-embedded-')); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates a missing data dir with mode 0700 and keeps the database in it', async () => {
    const dir = path.join(root, 'nested', 'data');
    const store = openEmbeddedStore(dir);
    await store.close();
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.ok(fs.existsSync(path.join(dir, EMBEDDED_STORE_FILE)));
  });

  it('keeps resources, the revision and the watch history across close and reopen', async () => {
    const first = openEmbeddedStore(root);
    await first.commit([{ type: 'put', resource: entry('a', 1) }, { type: 'put', resource: entry('b', 1) }]);
    await first.commit([{ type: 'put', resource: entry('a', 2) }]);
    await first.commit([{ type: 'delete', key: { kind: 'WorkloadEntry', namespace: 'default', name: 'b' } }]);
    const before = await first.list();
    await first.close();

    const second = openEmbeddedStore(root);
    assert.deepEqual(await second.list(), before);
    assert.equal(await second.revision(), '3');
    const events: WatchEvent[] = [];
    const watch = second.watch({ afterRevision: '1' }, (e) => events.push(e));
    const next = await second.commit([{ type: 'put', resource: entry('c', 1) }]);
    assert.equal(next.revision, '4', 'the revision counter continues where it stopped');
    const deadline = Date.now() + 5_000;
    while (events.length < 3 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events.map((e) => [e.type, e.revision, e.resource.metadata.name]), [['MODIFIED', '2', 'a'], ['DELETED', '3', 'b'], ['ADDED', '4', 'c']]);
    watch.close();
    await second.close();
  });

  it('persists compaction: a watch from before the kept history still fails after reopen', async () => {
    const first = openEmbeddedStore(root, { historyLimit: 2 });
    for (let i = 0; i < 4; i++) await first.commit([{ type: 'put', resource: entry(`e${i}`, i) }]);
    await first.close();
    const second = openEmbeddedStore(root, { historyLimit: 2 });
    assert.throws(() => second.watch({ afterRevision: '1' }, () => undefined), (e: unknown) => isServerError(e, 'COMPACTED') && /revision 2/.test(e.message));
    second.watch({ afterRevision: '2' }, () => undefined).close();
    await second.close();
  });

  it('refuses a second open of a held data dir with UNAVAILABLE naming the dir, and releases it on close', async () => {
    const holder = openEmbeddedStore(root);
    assert.throws(() => openEmbeddedStore(root), (e: unknown) => isServerError(e, 'UNAVAILABLE') && e.message.includes(root) && /in use/.test(e.message));
    await holder.close();
    const again = openEmbeddedStore(root);
    assert.equal(await again.revision(), '0');
    await again.close();
  });

  it('refuses a file that is not a store database with STORE_FAILURE naming the file', () => {
    fs.writeFileSync(path.join(root, EMBEDDED_STORE_FILE), 'this is not a database, just some text that is long enough to be read as a header '.repeat(20));
    assert.throws(() => openEmbeddedStore(root), (e: unknown) => isServerError(e, 'STORE_FAILURE') && e.message.includes(EMBEDDED_STORE_FILE));
  });

  it('rejects a bad historyLimit', () => {
    assert.throws(() => openEmbeddedStore(root, { historyLimit: -1 }), (e: unknown) => isServerError(e, 'BAD_REQUEST') && /historyLimit/.test(e.message));
  });
});
