import assert from 'node:assert/strict';
import { FakeClock, seededRandom, sleep, systemClock } from './clock';

describe('policy/clock', () => {
  it('FakeClock runs due timers in due order, ties in creation order, with now() at their due time', () => {
    const clock = new FakeClock(100);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 50);
    clock.advance(20);
    assert.deepEqual(seen, ['a@110', 'b@120', 'c@120']);
    assert.equal(clock.now(), 120);
    assert.equal(clock.pendingTimers(), 1);
  });

  it('FakeClock runs timers scheduled by a timer within the same advance, and skips cancelled ones', () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    const cancelled = clock.setTimeout(() => seen.push(-1), 5);
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 10);
    }, 10);
    cancelled.cancel();
    clock.advance(30);
    assert.deepEqual(seen, [10, 20]);
    assert.throws(() => clock.advanceTo(5), RangeError);
    assert.throws(() => clock.advance(-1), RangeError);
  });

  it('sleep resolves after the delay and rejects with the abort reason', async () => {
    const clock = new FakeClock();
    let done = false;
    const p = sleep(clock, 50).then(() => { done = true; });
    clock.advance(49);
    await Promise.resolve();
    assert.equal(done, false);
    clock.advance(1);
    await p;
    assert.equal(done, true);

    const controller = new AbortController();
    const q = sleep(clock, 50, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(q, /stop/);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('seededRandom is deterministic and uniform in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });

  it('systemClock timers fire, and a cancelled one never does (a later timer fires after its due time)', async () => {
    let cancelledFired = false;
    const t = systemClock.setTimeout(() => { cancelledFired = true; }, 1);
    t.cancel();
    await new Promise<void>((resolve) => { systemClock.setTimeout(resolve, 5); });
    assert.equal(cancelledFired, false);
    assert.ok(systemClock.now() > 0);
  });
});
