// ConnectionGates over ClusterLimits: a connection slot per request in flight, a FIFO of pending
// requests bounded by max_pending_requests (overflow beyond), hand-over on release, aborts.

import assert from 'node:assert/strict';
import { ClusterLimits } from '../policy/cluster-limits';
import { DEFAULT_THRESHOLDS } from '../snapshot/compile-cluster-limits';
import { ConnectionGates } from './connection-gate';

function limits(maxConnections: number, maxPendingRequests: number): ClusterLimits {
  return new ClusterLimits('c', 'DEFAULT', { ...DEFAULT_THRESHOLDS, maxConnections, maxPendingRequests });
}

describe('ConnectionGates', () => {
  it('admits up to max_connections, queues up to max_pending_requests, overflows beyond', async () => {
    const gates = new ConnectionGates();
    const l = limits(1, 1);
    const first = gates.acquire(l);
    assert.ok(!(first instanceof Promise) && first.ok);
    const second = gates.acquire(l);
    assert.ok(second instanceof Promise);
    assert.equal(gates.waiting(l), 1);
    const third = gates.acquire(l);
    assert.ok(!(third instanceof Promise) && !third.ok && third.limit === 'max_pending_requests');
    assert.deepEqual(l.counts(), { connections: 1, pending: 1, requests: 0, retries: 0 });
    first.release();
    const handed = await second;
    assert.ok(handed.ok);
    assert.deepEqual(l.counts(), { connections: 1, pending: 0, requests: 0, retries: 0 });
    handed.release();
    handed.release();
    assert.deepEqual(l.counts(), { connections: 0, pending: 0, requests: 0, retries: 0 });
  });

  it('admitsNow says whether acquire would grant at once; takeTry/giveBackTry count without slot objects and hand over to waiters', async () => {
    const gates = new ConnectionGates();
    const l = limits(1, 1);
    assert.equal(gates.admitsNow(l), true);
    assert.equal(l.admitsRequest(), true);
    l.takeTry();
    assert.equal(gates.admitsNow(l), false, 'the connection is held');
    assert.deepEqual(l.counts(), { connections: 1, pending: 0, requests: 1, retries: 0 });
    const waiter = gates.acquire(l);
    assert.ok(waiter instanceof Promise);
    l.giveBackTry();
    assert.deepEqual(l.counts(), { connections: 0, pending: 1, requests: 0, retries: 0 });
    assert.equal(gates.admitsNow(l), false, 'a waiter is queued: a new call would queue behind it');
    gates.slotReleased(l);
    const handed = await waiter;
    assert.deepEqual(l.counts(), { connections: 1, pending: 0, requests: 0, retries: 0 });
    handed.release();
    assert.equal(gates.admitsNow(l), true);
    const one = limits(1, 1);
    one.update({ ...one.thresholds, maxRequests: 1 });
    one.takeTry();
    assert.equal(one.admitsRequest(), false, 'max_requests reached');
    assert.ok(!one.tryAcquireRequest().ok, 'and tryAcquireRequest agrees');
    one.giveBackTry();
    assert.equal(one.admitsRequest(), true);
  });

  it('serves waiters in order and drops an aborted one', async () => {
    const gates = new ConnectionGates();
    const l = limits(1, 5);
    const holder = gates.acquire(l) as { ok: true; release(): void };
    const abort = new AbortController();
    const a = gates.acquire(l, abort.signal) as Promise<{ release(): void }>;
    const b = gates.acquire(l) as Promise<{ release(): void }>;
    abort.abort(new Error('gone'));
    await assert.rejects(a, /gone/);
    assert.equal(gates.waiting(l), 1);
    holder.release();
    (await b).release();
    assert.deepEqual(l.counts(), { connections: 0, pending: 0, requests: 0, retries: 0 });
  });

  it('wakeAll admits waiters after the limit is raised; rejectAll fails the rest', async () => {
    const gates = new ConnectionGates();
    const l = limits(1, 5);
    gates.acquire(l);
    const waiting = gates.acquire(l) as Promise<{ ok: boolean }>;
    const other = gates.acquire(l) as Promise<unknown>;
    l.update({ ...l.thresholds, maxConnections: 2 });
    gates.wakeAll();
    assert.equal((await waiting).ok, true);
    gates.rejectAll(new Error('closing'));
    await assert.rejects(other, /closing/);
    assert.equal(l.counts().pending, 0);
  });
});
