// Crash safety and lost-update checks of the embedded store with real processes: a writer child is
// SIGKILLed at random moments (seeded) and every write it acknowledged must be there on reopen;
// many interleaved compare-and-swap writers on one counter never lose an increment.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTs } from '../../../testing/spawn';
import type { Resource } from '../src/config/resource';
import { isServerError } from '../src/errors';
import { openEmbeddedStore } from '../src/store/sqlite-store';

const WRITER = 'packages/mesh-server/test/fixtures/store-writer.ts';

/** A small seeded PRNG (mulberry32) so the kill moments are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads a child's stdout as lines; `until` waits (bounded) for a condition on the lines so far. */
function lineReader(child: ChildProcess) {
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let wake: (() => void) | undefined;
  const closed = new Promise<void>((resolve) => child.stdout!.on('close', resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    wake?.();
  });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.on('exit', () => wake?.());
  async function until(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!predicate()) {
      if (child.exitCode !== null) throw new Error(`writer exited (${child.exitCode}) before ${what}; stderr:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr:\n${stderr}`);
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100).unref(); });
    }
  }
  return { lines, until, closed, stderr: () => stderr };
}

function acksOf(lines: readonly string[]): { seq: number; revision: number }[] {
  return lines.filter((l) => l.startsWith('ack ')).map((l) => {
    const [, seq, revision] = l.split(' ');
    return { seq: Number(seq), revision: Number(revision) };
  });
}

describe('embedded store durability (real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess | undefined;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-store-durability-')); });
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write across SIGKILL at random moments', async () => {
    const random = seededRandom(20261125);
    const acked = new Map<number, number>(); // seq → revision it was acknowledged at
    let expectedFirst = 0;
    for (let round = 0; round < 5; round++) {
      const writer = spawnTs(WRITER, [dir]);
      child = writer;
      const out = lineReader(writer);
      await out.until(() => out.lines.some((l) => l.startsWith('ready ')), 'the writer to start');
      const [, first] = out.lines.find((l) => l.startsWith('ready '))!.split(' ');
      assert.equal(Number(first), expectedFirst, `round ${round}: the writer resumes after the last stored write`);

      if (round === 0) {
        assert.throws(() => openEmbeddedStore(dir), (e: unknown) => isServerError(e, 'UNAVAILABLE') && e.message.includes(dir),
          'a data dir held by a live process must be refused');
      }

      const target = 1 + Math.floor(random() * 60);
      await out.until(() => acksOf(out.lines).length >= target, `${target} acknowledged writes`);
      writer.kill('SIGKILL');
      await out.closed;
      const roundAcks = acksOf(out.lines);
      assert.ok(roundAcks.length >= target);
      for (const ack of roundAcks) acked.set(ack.seq, ack.revision);

      // Reopen: the database opens cleanly (lock released, integrity check passed) and holds every ack.
      const store = openEmbeddedStore(dir);
      const { items, revision } = await store.list({ kind: 'WorkloadEntry' });
      const bySeq = new Map<number, Resource>();
      for (const item of items) {
        if (item.metadata.name !== 'counter') bySeq.set(Number(item.metadata.name.slice(2)), item);
      }
      for (const [seq, ackRevision] of acked) {
        const stored = bySeq.get(seq);
        assert.ok(stored, `round ${round}: acknowledged write w-${seq} (revision ${ackRevision}) was lost`);
        assert.equal(stored.metadata.resourceVersion, String(ackRevision));
      }
      const stored = [...bySeq.keys()].sort((a, b) => a - b);
      const last = stored.at(-1)!;
      assert.deepEqual(stored, Array.from({ length: last + 1 }, (_, i) => i), 'writes are sequential, so the stored ones have no gaps');
      assert.ok(last <= Math.max(...acked.keys()) + 1, 'at most the one in-flight write beyond the last ack');
      const counter = items.find((i) => i.metadata.name === 'counter')!;
      assert.deepEqual(counter.spec, { address: '127.0.0.1', labels: { last: String(last) } }, 'a transaction is never half-applied');
      assert.equal(revision, counter.metadata.resourceVersion, 'the store revision is the revision of the last commit');
      assert.equal(Number(revision), last + 1, 'one revision per commit, none skipped or reused');
      await store.close();
      expectedFirst = last + 1;
    }
    assert.ok(acked.size >= 5);
  });

  it('never loses an increment under many interleaved compare-and-swap read-modify-write loops', async () => {
    const store = openEmbeddedStore(dir);
    const key = { kind: 'WorkloadEntry' as const, namespace: 'default', name: 'counter' };
    await store.commit([{ type: 'put', resource: { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'counter', namespace: 'default' }, spec: { weight: 0 } }, expectedVersion: '0' }]);
    const writers = 16;
    const increments = 25;
    let conflicts = 0;
    await Promise.all(Array.from({ length: writers }, async () => {
      for (let done = 0; done < increments;) {
        const current = (await store.get(key))!;
        await new Promise((resolve) => setImmediate(resolve));
        const spec = { weight: (current.spec as { weight: number }).weight + 1 };
        try {
          await store.commit([{ type: 'put', resource: { ...current, spec }, expectedVersion: current.metadata.resourceVersion }]);
          done++;
        } catch (error) {
          if (!isServerError(error, 'CONFLICT')) throw error;
          conflicts++;
        }
      }
    }));
    await store.close();
    const reopened = openEmbeddedStore(dir);
    const final = (await reopened.get(key))!;
    await reopened.close();
    assert.equal((final.spec as { weight: number }).weight, writers * increments);
    assert.equal(final.metadata.resourceVersion, String(writers * increments + 1));
    assert.ok(conflicts > 0, 'the writers should have collided');
  });
});
