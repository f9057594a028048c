// The closed and open loops against fake in-process drivers: request counts and error accounting,
// which follow from the schedule and the stop rules, not from timing.
import assert from 'node:assert/strict';
import { runClosedLoop } from './closed-loop';
import { RequestFailure, type Driver } from './driver';
import { runOpenLoop } from './open-loop';

function fakeDriver(behaviour: (call: number) => Promise<void>): Driver & { calls: number } {
  return {
    name: 'fake',
    calls: 0,
    async setup() {},
    request() {
      return behaviour(++this.calls);
    },
    async close() {},
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('load loops (fake drivers)', () => {
  it('closed loop stops after exactly the requested number of measured requests and counts errors by kind', async () => {
    const driver = fakeDriver(async (call) => {
      await tick();
      if (call % 4 === 0) throw new RequestFailure('HTTP_503', 'unavailable');
    });
    const edges: string[] = [];
    const result = await runClosedLoop(driver, { mode: 'closed', concurrency: 3, warmupMs: 5, durationMs: 60_000, requests: 200 }, (edge) => edges.push(edge));
    assert.equal(result.ok + (result.errors.HTTP_503 ?? 0), 200);
    assert.ok((result.errors.HTTP_503 ?? 0) > 0);
    assert.deepEqual(Object.keys(result.errors), ['HTTP_503']);
    assert.deepEqual(edges, ['start', 'end']);
    assert.equal(result.latency.count, result.ok);
  });

  it('closed loop rejects a concurrency below 1', async () => {
    await assert.rejects(runClosedLoop(fakeDriver(async () => {}), { mode: 'closed', concurrency: 0, warmupMs: 0, durationMs: 10 }), /concurrency must be ≥ 1/);
  });

  it('open loop measures exactly rate × duration requests after the warm-up', async () => {
    const driver = fakeDriver(async (call) => {
      await tick();
      if (call % 10 === 0) throw new RequestFailure('HTTP_500', 'boom');
    });
    const edges: string[] = [];
    const result = await runOpenLoop(
      driver,
      { mode: 'open', ratePerSec: 2000, warmupMs: 20, durationMs: 100, maxInFlight: 64, pacer: 'precise', drainTimeoutMs: 5_000 },
      (edge) => edges.push(edge),
    );
    assert.equal(result.ok + (result.errors.HTTP_500 ?? 0), 200);
    assert.equal(driver.calls, 240); // 40 warm-up requests, sent but not counted
    assert.equal(result.latency.count, result.ok);
    assert.equal(result.service?.count, result.ok);
    assert.equal(result.offeredRate, 2000);
    assert.deepEqual(edges, ['start', 'end']);
  });

  it('open loop counts measured requests still unanswered after the drain timeout', async () => {
    const driver = fakeDriver((call) => (call <= 5 ? Promise.resolve() : new Promise<void>(() => {})));
    const result = await runOpenLoop(driver, { mode: 'open', ratePerSec: 1000, warmupMs: 5, durationMs: 20, maxInFlight: 1000, pacer: 'timer', drainTimeoutMs: 50 });
    assert.equal(result.ok, 0);
    assert.equal(result.errors.DRAIN_TIMEOUT, 20);
  });

  it('open loop holds requests back at the in-flight cap and still sends all of them', async () => {
    let inFlight = 0;
    let peak = 0;
    const driver = fakeDriver(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
    });
    const result = await runOpenLoop(driver, { mode: 'open', ratePerSec: 5000, warmupMs: 0, durationMs: 40, maxInFlight: 2, pacer: 'precise', drainTimeoutMs: 5_000 });
    assert.equal(result.ok, 200);
    assert.ok(peak <= 2, `peak in flight ${peak}`);
  });

  it('open loop rejects a window that holds no request', async () => {
    await assert.rejects(
      runOpenLoop(fakeDriver(async () => {}), { mode: 'open', ratePerSec: 1, warmupMs: 1, durationMs: 0.5, maxInFlight: 1, pacer: 'timer', drainTimeoutMs: 10 }),
      /holds no request/,
    );
  });
});
