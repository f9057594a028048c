import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverGroups, notRunGroup } from './group';

describe('scenario registry', () => {
  it('discovers every group file in bench/scenarios, sorted by order, names unique', () => {
    const groups = discoverGroups(path.join(__dirname, '..', 'scenarios'));
    assert.deepEqual(groups.map((group) => group.name), ['http', 'datapath', 'grpc', 'control-plane', 'memory', 'resilience', 'security', 'telemetry']);
  });

  it('names a file that does not export a group', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-groups-'));
    try {
      fs.writeFileSync(path.join(directory, 'broken.js'), 'exports.nothing = 1;\n');
      assert.throws(() => discoverGroups(directory), /bench\/scenarios\/broken\.js must export `group`/);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('makes placeholder groups that report NOT RUN with their reason', async () => {
    const group = notRunGroup('later', 99, 'something', 'waiting for X');
    assert.deepEqual(await group.run({} as never), { status: 'not-run', reason: 'waiting for X' });
  });
});
