// Figures of the memory group (pure): what @inboard/mesh-client adds to an application, split into
// loading the library and holding a connected mesh's config, and the G5b goal verdict.
import type { MemoryProbeResult, MemoryReading } from './mesh-memory-process';

/** Memory the library adds, MB (2^20 bytes). */
export interface LibraryMemory {
  /** Loading the module graph (code, and tsx's transpiled sources when run from source). */
  readonly loadHeapMb: number;
  readonly loadRssMb: number;
  /** connect() → ready and routable: the config, the ADS stream, the runtime state. */
  readonly connectHeapMb: number;
  readonly connectRssMb: number;
  /** Both together. */
  readonly totalHeapMb: number;
  readonly totalRssMb: number;
  /** The baseline process's drift over the same steps (noise floor), heap and RSS. */
  readonly baselineHeapMb: number;
  readonly baselineRssMb: number;
}

const MB = 2 ** 20;
/** Heap plus off-heap (external) memory: what the JS side of the library holds. */
const held = (reading: MemoryReading) => reading.heapUsed + reading.external;

/** The library's memory from the mesh process's readings and the baseline process's. */
export function libraryMemory(mesh: MemoryProbeResult, baseline: MemoryProbeResult): LibraryMemory {
  const mb = (bytes: number) => Number((bytes / MB).toFixed(2));
  return {
    loadHeapMb: mb(held(mesh.loaded) - held(mesh.start)),
    loadRssMb: mb(mesh.loaded.rss - mesh.start.rss),
    connectHeapMb: mb(held(mesh.connected) - held(mesh.loaded)),
    connectRssMb: mb(mesh.connected.rss - mesh.loaded.rss),
    totalHeapMb: mb(held(mesh.connected) - held(mesh.start)),
    totalRssMb: mb(mesh.connected.rss - mesh.start.rss),
    baselineHeapMb: mb(held(baseline.connected) - held(baseline.start)),
    baselineRssMb: mb(baseline.connected.rss - baseline.start.rss),
  };
}

/** The G5b limit at `services` services (5 MB at ≤ 50, 15 MB at ≤ 1,000), or undefined beyond. */
export function memoryGoalMb(services: number): number | undefined {
  if (services <= 50) return 5;
  if (services <= 1_000) return 15;
  return undefined;
}
