import assert from 'node:assert/strict';
import { CpuProbe, parseProcStat, parseSystemBusyTicks, processTree } from './proc-cpu';

describe('/proc CPU parsing', () => {
  it('reads the parent pid and utime+stime, counting fields after the last ")"', () => {
    const plain = '1234 (haproxy) S 1000 1234 1000 0 -1 4194560 1500 0 0 0 250 75 0 0 20 0 1 0 100 1000000 500';
    assert.deepEqual(parseProcStat(plain), { parentPid: 1000, cpuTicks: 325 });
    const tricky = '77 (nginx: worker (x) y) R 76 77 76 0 -1 0 0 0 0 0 9 1 0 0 20 0 1 0 5 0 0';
    assert.deepEqual(parseProcStat(tricky), { parentPid: 76, cpuTicks: 10 });
  });

  it('rejects a malformed stat line', () => {
    assert.equal(parseProcStat('no parenthesis here'), undefined);
    assert.equal(parseProcStat('1 (x) S'), undefined);
  });

  it('sums the busy columns of /proc/stat and leaves idle and iowait out', () => {
    const stat = 'cpu  100 5 50 9000 30 1 2 3 0 0\ncpu0 50 2 25 4500 15 0 1 1 0 0\nintr 1 2 3\n';
    assert.equal(parseSystemBusyTicks(stat), 100 + 5 + 50 + 1 + 2 + 3);
    assert.equal(parseSystemBusyTicks('intr 1 2'), undefined);
  });

  it('finds this process in its own tree and reads the CPU it has used (Linux)', () => {
    assert.ok(processTree(process.pid).includes(process.pid));
    assert.ok(new CpuProbe([process.pid], 100).sampleUs() > 0, 'loading mocha and tsx must have cost CPU');
    assert.equal(new CpuProbe([], 100).sampleUs(), 0);
  });
});
