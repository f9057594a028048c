import assert from 'node:assert/strict';
import { coreFor, placedCommand, planPlacement } from './placement';

describe('placement', () => {
  it('pins client and server sides to cores 0 and 1 when taskset and two cores are there', () => {
    const placement = planPlacement(2, '/usr/bin/taskset', true);
    assert.equal(placement.pinned, true);
    assert.equal(coreFor(placement, 'client'), 0);
    assert.equal(coreFor(placement, 'server'), 1);
    assert.deepEqual(placedCommand(placement, 'server', '/usr/sbin/haproxy', ['-db', '-f', 'x.cfg']), {
      command: '/usr/bin/taskset',
      args: ['-c', '1', '/usr/sbin/haproxy', '-db', '-f', 'x.cfg'],
    });
  });

  it('floats, saying why, without taskset, on one core, or when asked', () => {
    const cases: [number, string | undefined, boolean, RegExp][] = [
      [2, undefined, true, /taskset not found/],
      [1, '/usr/bin/taskset', true, /only 1 core/],
      [8, '/usr/bin/taskset', false, /--no-pin/],
    ];
    for (const [cores, taskset, want, note] of cases) {
      const placement = planPlacement(cores, taskset, want);
      assert.equal(placement.pinned, false);
      assert.match(placement.note, note);
      assert.equal(coreFor(placement, 'client'), undefined);
      assert.deepEqual(placedCommand(placement, 'client', 'node', ['a.ts']), { command: 'node', args: ['a.ts'] });
    }
  });
});
