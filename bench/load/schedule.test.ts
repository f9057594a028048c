import assert from 'node:assert/strict';
import { delayUntilDue, dueCount, firstIndexAtOrAfter, scheduledAt, sendBudget, type OpenLoopSchedule } from './schedule';

describe('open-loop schedule', () => {
  const at1000: OpenLoopSchedule = { startMs: 100, ratePerSec: 1000 };
  const at3: OpenLoopSchedule = { startMs: 0, ratePerSec: 3 };

  it('places request i at start + i/rate', () => {
    const cases: [OpenLoopSchedule, number, number][] = [
      [at1000, 0, 100],
      [at1000, 1, 101],
      [at1000, 250, 350],
      [at3, 3, 1000],
      [{ startMs: 5, ratePerSec: 20_000 }, 4, 5.2],
    ];
    for (const [schedule, index, expected] of cases) assert.ok(Math.abs(scheduledAt(schedule, index) - expected) < 1e-9, `index ${index}`);
  });

  it('counts the requests due by a time, including one due exactly then', () => {
    const cases: [OpenLoopSchedule, number, number][] = [
      [at1000, 99.999, 0],
      [at1000, 100, 1],
      [at1000, 100.999, 1],
      [at1000, 101, 2],
      [at1000, 1099.5, 1000],
      [at3, 999.9999, 3],
      [at3, 1000, 4],
      [at3, 1000 / 3, 2], // 333.33… is exactly request 1's due time despite float error
    ];
    for (const [schedule, now, expected] of cases) assert.equal(dueCount(schedule, now), expected, `now ${now}`);
  });

  it('finds the first request of a window', () => {
    const cases: [OpenLoopSchedule, number, number][] = [
      [at1000, 0, 0],
      [at1000, 100, 0],
      [at1000, 100.5, 1],
      [at1000, 101, 1],
      [at1000, 1100, 1000],
      [at3, 1000, 3],
      [at3, 1001, 4],
    ];
    for (const [schedule, time, expected] of cases) assert.equal(firstIndexAtOrAfter(schedule, time), expected, `time ${time}`);
  });

  it('a window of D ms at R req/s holds exactly R·D/1000 requests', () => {
    for (const [rate, startOffset, duration] of [[1000, 3000, 5000], [777, 1234.5, 1000], [20_000, 500, 250]] as const) {
      const schedule = { startMs: 12.345, ratePerSec: rate };
      const first = firstIndexAtOrAfter(schedule, schedule.startMs + startOffset);
      const end = firstIndexAtOrAfter(schedule, schedule.startMs + startOffset + duration);
      assert.equal(end - first, Math.round((rate * duration) / 1000), `rate ${rate}`);
    }
  });

  it('waits until the next due time, never a negative delay', () => {
    assert.equal(delayUntilDue(at1000, 5, 100), 5);
    assert.equal(delayUntilDue(at1000, 5, 104.5), 0.5);
    assert.equal(delayUntilDue(at1000, 5, 200), 0);
  });

  it('sends what is due, held back only by the in-flight cap', () => {
    const cases: [number, number, number, number, number][] = [
      // due, sent, inFlight, maxInFlight → budget
      [10, 4, 0, 100, 6],
      [10, 10, 3, 100, 0],
      [10, 4, 98, 100, 2],
      [10, 4, 100, 100, 0],
      [10, 4, 120, 100, 0],
    ];
    for (const [due, sent, inFlight, max, expected] of cases) assert.equal(sendBudget(due, sent, inFlight, max), expected);
  });
});
