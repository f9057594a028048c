// Group `memory`: heap and RSS that @inboard/mesh-client adds to an application whose mesh holds 50,
// 500 and 1,000 services × 10 endpoints (goals G5b: ≤ 5 MB and ≤ 15 MB), against a baseline process, and
// the control plane's own memory at those sizes. Method: bench/memory/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compiledPackagesNodeArgs, waitForLine } from '../../testing/spawn';
import type { GroupContext, GroupOutcome, ScenarioGroup } from '../harness/group';
import { placedCommand } from '../harness/placement';
import { captureOutput } from '../harness/processes';
import { NotRunError } from '../load/driver';
import { meshConnectFunction } from '../load/drivers/mesh';
import { generatedServices, meshDocuments } from '../control-plane/mesh-config';
import { applyDocuments, planeMemory, startPlane } from '../control-plane/plane';
import { libraryMemory, memoryGoalMb, type LibraryMemory } from '../memory/memory-figures';
import type { MemoryProbeResult } from '../memory/mesh-memory-process';

const PROBE_FILE = path.join(__dirname, '..', 'memory', 'mesh-memory-process.ts');
/** Service counts measured, endpoints per service. */
export const SERVICE_COUNTS: readonly number[] = [50, 500, 1_000];
const ENDPOINTS_PER_SERVICE = 10;
const APPLY_BATCH = 500;

interface SizeResult {
  readonly services: number;
  readonly endpoints: number;
  readonly library: LibraryMemory;
  readonly readyMs: number;
  readonly plane: { readonly rssEmptyMb: number; readonly rssLoadedMb: number; readonly heapEmptyMb: number; readonly heapLoadedMb: number };
}

async function probe(context: GroupContext, args: readonly string[]): Promise<MemoryProbeResult> {
  const { command, args: placed } = placedCommand(context.placement, 'client', process.execPath, [...compiledPackagesNodeArgs(), '--expose-gc', PROBE_FILE, ...args]);
  const child = context.processes.add(spawn(command, placed, { stdio: ['ignore', 'pipe', 'pipe'] }));
  captureOutput(child);
  try {
    const [, json] = await waitForLine(child, /^memory (\{.*\})$/, 120_000);
    return JSON.parse(json!) as MemoryProbeResult;
  } finally {
    await context.processes.stop(child);
  }
}

async function measureSize(context: GroupContext, services: number): Promise<SizeResult> {
  const plane = await startPlane(context, fs.mkdtempSync(path.join(context.tmpDir, `memory-${services}-`)));
  try {
    const empty = await planeMemory(plane);
    const documents = meshDocuments(generatedServices(services, ENDPOINTS_PER_SERVICE));
    for (let index = 0; index < documents.length; index += APPLY_BATCH) await applyDocuments(plane, documents.slice(index, index + APPLY_BATCH), `memory-${index}`);
    const probeUrl = `http://svc-${services - 1}.default.svc.cluster.local:9080/`;
    const baseline = await probe(context, ['--mode', 'baseline']);
    const mesh = await probe(context, ['--mode', 'mesh', '--control-plane', plane.xdsAddress, '--probe-url', probeUrl]);
    const loaded = await planeMemory(plane);
    const mb = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));
    return {
      services,
      endpoints: services * ENDPOINTS_PER_SERVICE,
      library: libraryMemory(mesh, baseline),
      readyMs: mesh.readyMs,
      plane: { rssEmptyMb: mb(empty.rss), rssLoadedMb: mb(loaded.rss), heapEmptyMb: mb(empty.heap), heapLoadedMb: mb(loaded.heap) },
    };
  } finally {
    await context.processes.stop(plane.child);
  }
}

function verdict(services: number, library: LibraryMemory): string {
  const limit = memoryGoalMb(services);
  if (limit === undefined) return '–';
  return `${library.connectHeapMb <= limit ? 'met' : 'MISSED'} (≤ ${limit} MB)`;
}

async function run(context: GroupContext): Promise<GroupOutcome> {
  try {
    meshConnectFunction();
  } catch (error) {
    if (error instanceof NotRunError) return { status: 'not-run', reason: error.message };
    throw error;
  }
  const results: SizeResult[] = [];
  const failures: { services: number; reason: string }[] = [];
  for (const services of SERVICE_COUNTS) {
    context.log(`mesh-client with ${services} services × ${ENDPOINTS_PER_SERVICE} endpoints`);
    try {
      results.push(await measureSize(context, services));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const reason = message.match(/memory probe failed: .*/)?.[0] ?? message.split('\n')[0]!;
      failures.push({ services, reason });
      context.log(`  FAILED: ${reason}`);
    }
  }
  if (results.length === 0) throw new Error(failures.map((f) => `${f.services} services: ${f.reason}`).join('; '));
  const f = (value: number) => value.toFixed(1);
  return {
    status: 'ran',
    report: {
      kind: 'table',
      columns: ['services', 'endpoints', 'config heap MB', 'config RSS MB', 'load heap MB', 'load RSS MB', 'total RSS MB', 'baseline drift MB', 'ready ms', 'CP RSS MB (empty → loaded)', 'CP heap MB', 'goal (config heap)'],
      rows: results.map((r) => [
        String(r.services),
        String(r.endpoints),
        f(r.library.connectHeapMb),
        f(r.library.connectRssMb),
        f(r.library.loadHeapMb),
        f(r.library.loadRssMb),
        f(r.library.totalRssMb),
        `${f(r.library.baselineHeapMb)} / ${f(r.library.baselineRssMb)}`,
        String(r.readyMs),
        `${f(r.plane.rssEmptyMb)} → ${f(r.plane.rssLoadedMb)}`,
        `${f(r.plane.heapEmptyMb)} → ${f(r.plane.heapLoadedMb)}`,
        verdict(r.services, r.library),
      ]).concat(failures.map((f) => [String(f.services), String(f.services * ENDPOINTS_PER_SERVICE), 'FAILED', '', '', '', '', '', '', '', '', memoryGoalMb(f.services) === undefined ? '–' : `not measured (≤ ${memoryGoalMb(f.services)} MB)`])),
      notes: [
        'One application process per size (client core, --expose-gc): readings after two forced GCs at start, after require("@inboard/mesh-client"), and after connect() is ready and routes to the last service (plus 1 s).',
        'config heap/RSS: connect() → ready (the config, the ADS stream and the runtime state); heap = V8 heap used + external. load: the module graph of the compiled packages (dist), as an application loads it.',
        'baseline drift: a process without the library, same steps (heap / RSS): the noise floor. Each service: Service + DestinationRule + VirtualService + 10 WorkloadEntries, applied through the admin API.',
        'Goal G5b (≤ 5 MB at 50 services, ≤ 15 MB at 1,000) is judged on the config heap, the part that grows with the mesh; the load cost is fixed and shown beside it.',
        ...failures.map((f) => `FAILED at ${f.services} services: ${f.reason}`),
      ],
      data: { results, failures },
    },
  };
}

/** The memory group. */
export const group: ScenarioGroup = {
  name: 'memory',
  order: 50,
  title: 'mesh-client memory in the application at 50, 500 and 1,000 services',
  run,
};
