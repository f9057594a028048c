import assert from 'node:assert/strict';
import { cpuImpliedRatio, pairedRatio, tokensNeeded } from './security-jobs';

describe('security bench arithmetic', () => {
  it('counts the workload tokens for a number of calls (plus the warm-up token)', () => {
    const cases: [number, number, number][] = [[100, 10, 11], [101, 10, 12], [1, 10, 2], [400, 5, 81]];
    for (const [requests, perToken, expected] of cases) assert.equal(tokensNeeded(requests, perToken), expected, `${requests}/${perToken}`);
    assert.throws(() => tokensNeeded(10, 0), /perToken must be ≥ 1/);
  });

  it('pairs mTLS with plaintext round by round', () => {
    assert.deepEqual(pairedRatio([900, 800, 850], [1000, 1000, 1000]), { median: 0.85, min: 0.8, max: 0.9 });
    assert.throws(() => pairedRatio([1], [1, 2]), /equal, non-empty rounds/);
    assert.throws(() => pairedRatio([], []), /equal, non-empty rounds/);
  });

  it('predicts the client-bound ratio from CPU per request', () => {
    const rounds = (values: number[]) => values.map((clientCpuUsPerRequest) => ({ clientCpuUsPerRequest }));
    assert.equal(cpuImpliedRatio(rounds([40, 50, 45]), rounds([30, 27, 36])), 30 / 45);
    assert.throws(() => cpuImpliedRatio([], rounds([1])), /at least one round/);
  });
});
