// A process that connects, serves, makes meshed and passthrough calls and then closes its Mesh
// exits by itself: close() ends every stream, pool, timer and server it started.

import assert from 'node:assert/strict';
import { spawnTs } from '../../../testing/spawn';
import { startTestPlane, type TestPlane } from './support/control-plane';

describe('mesh.close() lets the process exit', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  before(async () => { tp = await startTestPlane(); });
  after(async () => { await tp?.close(); });

  it('exits with code 0 after close(), without process.exit', async () => {
    const child = spawnTs('packages/mesh-client/test/fixtures/close-exits.ts', [tp.xds]);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the process did not exit after close():\n${output}`)); }, 20_000);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    assert.equal(code, 0, output);
    assert.match(output, /closed/);
  });
});
