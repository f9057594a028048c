import assert from 'node:assert/strict';
import { libraryMemory, memoryGoalMb } from './memory-figures';
import type { MemoryProbeResult, MemoryReading } from './mesh-memory-process';

const MB = 2 ** 20;
const reading = (rssMb: number, heapMb: number, externalMb = 0): MemoryReading => ({ rss: rssMb * MB, heapUsed: heapMb * MB, external: externalMb * MB, arrayBuffers: 0 });

describe('memory figures', () => {
  it('splits the library memory into loading and holding the config, beside the baseline drift', () => {
    const mesh: MemoryProbeResult = { mode: 'mesh', start: reading(60, 10, 1), loaded: reading(90, 25, 1.5), connected: reading(96, 28, 2), readyMs: 120 };
    const baseline: MemoryProbeResult = { mode: 'baseline', start: reading(60, 10, 1), loaded: reading(60.5, 10.1, 1), connected: reading(60.5, 10.1, 1), readyMs: 0 };
    assert.deepEqual(libraryMemory(mesh, baseline), {
      loadHeapMb: 15.5,
      loadRssMb: 30,
      connectHeapMb: 3.5,
      connectRssMb: 6,
      totalHeapMb: 19,
      totalRssMb: 36,
      baselineHeapMb: 0.1,
      baselineRssMb: 0.5,
    });
  });

  it('has the G5b limits', () => {
    assert.deepEqual([10, 50, 51, 1_000, 1_001].map(memoryGoalMb), [5, 5, 15, 15, undefined]);
  });
});
