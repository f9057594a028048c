import assert from 'node:assert/strict';
import { QuietGate } from './quiet';

describe('quiet gate accounting', () => {
  it('charges re-measuring time to the patience budget and never goes below zero', () => {
    const gate = new QuietGate(100, 10_000);
    assert.equal(gate.remainingMs, 10_000);
    gate.spend(4_000);
    assert.equal(gate.remainingMs, 6_000);
    gate.spend(9_000);
    assert.equal(gate.remainingMs, 0);
  });

  it('with no patience it does not wait or even sample', async () => {
    const gate = new QuietGate(100, 0);
    assert.equal(await gate.waitForQuiet(), 0);
    assert.equal(gate.remainingMs, 0);
  });
});
