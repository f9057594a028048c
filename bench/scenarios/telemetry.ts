// Group `telemetry`: the mesh data path with OpenTelemetry off and on, in the same rounds: metrics
// only, metrics + tracing sampled at 1 %, metrics + tracing at 100 %. The load process of a
// telemetry row installs the SDK (mesh-client's installTelemetry: Prometheus metrics, parent-based
// ratio sampler, spans to an in-memory exporter emptied every second) before its driver connects;
// the mesh picks up OpenTelemetry's global providers (the tracer through the API's proxy, so a
// provider registered a moment after connect() still records). Ratios against the telemetry-off row.
import fs from 'node:fs';
import path from 'node:path';
import type { ScenarioGroup } from '../harness/group';
import type { LoadScenario } from '../harness/load-group';
import { runMeshVariants, type MeshVariant } from './resilience';

/** What a telemetry row turns on in its load process. */
export interface BenchTelemetry {
  readonly metrics: boolean;
  /** Root sampling ratio of tracing; absent = no tracing. */
  readonly tracingRatio?: number;
}

/** The environment variable that carries a row's {@link BenchTelemetry} to its load process. */
export const BENCH_TELEMETRY_ENV = 'INBOARD_BENCH_TELEMETRY';

/** The slice of `@inboard/mesh-client/telemetry-sdk` used here (loaded lazily, in the load process only). */
interface TelemetrySdk {
  installTelemetry(options: Record<string, unknown>): Promise<{ memoryExporter?: { reset(): void } }>;
}

/**
 * Installs the OpenTelemetry SDK as a telemetry row asks (called in the load process, before the
 * driver connects). Spans go to memory, emptied every second, so the cost measured is recording and
 * processing them, not a network export.
 */
export async function installBenchTelemetry(settings: BenchTelemetry): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@inboard/mesh-client/telemetry-sdk') as TelemetrySdk;
  const installed = await sdk.installTelemetry({
    serviceName: 'bench-client',
    ...(settings.metrics ? { metrics: { port: 0, host: '127.0.0.1' } } : {}),
    ...(settings.tracingRatio !== undefined ? { tracing: { sampler: settings.tracingRatio, exporter: 'memory' } } : {}),
  });
  if (installed.memoryExporter) setInterval(() => installed.memoryExporter!.reset(), 1000).unref();
}

/**
 * Writes the preload of telemetry rows into `dir` (the run's scratch directory): a CommonJS file that
 * registers tsx (the same hook the load process gets on its command line; requiring it twice is a
 * no-op) and calls {@link installBenchTelemetry} from this file with the row's settings.
 */
export function writeTelemetryPreload(dir: string): string {
  const file = path.join(dir, 'bench-telemetry-preload.cjs');
  const self = path.resolve(__filename);
  fs.writeFileSync(file, [
    `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
    `require(${JSON.stringify(self)}).installBenchTelemetry(JSON.parse(process.env.${BENCH_TELEMETRY_ENV}))`,
    `  .catch((error) => { process.stderr.write('bench telemetry: ' + error.message + '\\n'); process.exit(3); });`,
    '',
  ].join('\n'));
  return file;
}

/** The load-process environment of a telemetry row: NODE_OPTIONS requires the preload; the settings travel as JSON (pure). */
export function telemetryEnv(preload: string, settings: BenchTelemetry, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): Record<string, string> {
  return { NODE_OPTIONS: `${nodeOptions} --require ${JSON.stringify(preload)}`.trim(), [BENCH_TELEMETRY_ENV]: JSON.stringify(settings) };
}

const OFF = 'mesh-telemetry-off';

/** The rows of the telemetry group, telemetry off first; `preload` from {@link writeTelemetryPreload}. */
export function telemetryVariants(preload: string): MeshVariant[] {
  const row = (id: string, label: string, settings?: BenchTelemetry): MeshVariant => {
    const scenario: LoadScenario = { id, label, driver: 'mesh-dispatcher', server: 'http', mesh: true, ...(settings ? { baseline: OFF } : {}) };
    return { scenario, service: 'bench-plain', config: [], ...(settings ? { env: telemetryEnv(preload, settings) } : {}) };
  };
  return [
    row(OFF, 'mesh.dispatcher, telemetry off'),
    row('mesh-metrics', 'mesh.dispatcher, metrics on', { metrics: true }),
    row('mesh-metrics-trace-1pct', 'mesh.dispatcher, metrics + tracing 1 %', { metrics: true, tracingRatio: 0.01 }),
    row('mesh-metrics-trace-100pct', 'mesh.dispatcher, metrics + tracing 100 %', { metrics: true, tracingRatio: 1 }),
  ];
}

/** The telemetry group. */
export const group: ScenarioGroup = {
  name: 'telemetry',
  order: 80,
  title: 'the mesh data path with telemetry off, metrics on, and tracing sampled at 1 % and 100 %',
  run: (context) => runMeshVariants(context, telemetryVariants(writeTelemetryPreload(context.tmpDir))),
};
