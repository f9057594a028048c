// The application process of the memory group: measures its own heap and RSS (after forced GC; run
// with --expose-gc) at start, after loading @inboard/mesh-client, and after connect() is ready and
// routes to the last of the services in its config. `--mode baseline` does the same without the
// library (the noise floor). Prints one line: "memory <json>".
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';

/** Set to a directory to write heap snapshots after loading the library and after connecting (for a diff). */
export const HEAP_SNAPSHOT_ENV = 'INBOARD_BENCH_HEAP_SNAPSHOT';

function snapshot(name: string): void {
  const dir = process.env[HEAP_SNAPSHOT_ENV];
  if (dir) v8.writeHeapSnapshot(path.join(path.resolve(dir), `mesh-memory-${process.pid}-${name}.heapsnapshot`));
}

/** One memory reading, bytes. */
export interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** What the process prints. */
export interface MemoryProbeResult {
  readonly mode: 'baseline' | 'mesh';
  readonly start: MemoryReading;
  readonly loaded: MemoryReading;
  readonly connected: MemoryReading;
  /** ms from connect() to routable. */
  readonly readyMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function reading(): MemoryReading {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc: the readings need a forced GC');
  gc();
  gc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

interface MeshSurface {
  readonly ready: Promise<void>;
  explain(request: { url: string }): { decision?: string; endpoints?: { available?: boolean }[] };
  on(event: 'disconnected', listener: (info: { code?: number; details?: string }) => void): unknown;
  close(): unknown;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, 'control-plane': { type: 'string' }, 'probe-url': { type: 'string' }, 'timeout-ms': { type: 'string' } } });
  const mode = values.mode === 'baseline' ? 'baseline' : 'mesh';
  const timeoutMs = Number(values['timeout-ms'] ?? '60000');
  await sleep(200);
  const start = reading();
  if (mode === 'baseline') {
    await sleep(1_000);
    const later = reading();
    process.stdout.write(`memory ${JSON.stringify({ mode, start, loaded: later, connected: later, readyMs: 0 } satisfies MemoryProbeResult)}\n`);
    return;
  }
  if (!values['control-plane'] || !values['probe-url']) throw new Error('--control-plane and --probe-url are required in mesh mode');
  const { connect } = require('@inboard/mesh-client') as { connect: (options: Record<string, unknown>) => MeshSurface };
  const loaded = reading();
  snapshot('loaded');
  const began = Date.now();
  // A ref'd guard: the mesh's own timers and streams may be unref'd, and a wait must end with a reason.
  let readyAfterMs: number | undefined;
  let lastDecision: unknown;
  let lastDisconnect: { code?: number; details?: string } | undefined;
  const guard = setTimeout(() => {
    const stream = lastDisconnect ? `; last config stream end: ${lastDisconnect.code} ${lastDisconnect.details ?? ''}` : '';
    const state = readyAfterMs === undefined ? `mesh.ready never resolved${stream}` : `ready after ${readyAfterMs} ms, last explain: ${JSON.stringify(lastDecision).slice(0, 400)}`;
    process.stderr.write(`memory probe failed: the mesh was not ready and routable within ${timeoutMs} ms (${state})\n`);
    process.exit(1);
  }, timeoutMs);
  const mesh = connect({ controlPlane: values['control-plane'], service: 'memory-probe', namespace: 'default' });
  mesh.on('disconnected', (info) => {
    lastDisconnect = info;
  });
  await mesh.ready;
  readyAfterMs = Date.now() - began;
  for (;;) {
    const decision = mesh.explain({ url: values['probe-url'] });
    lastDecision = decision;
    if (decision.decision === 'forward' && decision.endpoints?.some((endpoint) => endpoint.available)) break;
    if (Date.now() - began > timeoutMs) throw new Error(`the mesh does not route ${values['probe-url']} after ${timeoutMs} ms: ${JSON.stringify(decision).slice(0, 300)}`);
    await sleep(50);
  }
  const readyMs = Date.now() - began;
  clearTimeout(guard);
  await sleep(1_000);
  const connected = reading();
  snapshot('connected');
  process.stdout.write(`memory ${JSON.stringify({ mode, start, loaded, connected, readyMs } satisfies MemoryProbeResult)}\n`);
  mesh.close();
  setTimeout(() => process.exit(0), 100).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`memory probe failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
