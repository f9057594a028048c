// Group `resilience`: what Envoy's failure handling costs on the mesh data path. The same mesh client
// (undici + mesh.dispatcher) calls the bench's HTTP server under three names, in the same rounds:
// with no policy, with every policy enabled (route timeout, retries with a per-try timeout, a fault
// filter at 0 %, connection-pool breakers, outlier detection), with the same minus the per-try timeout
// and the fault filter (what the dispatcher's pass-through still streams), and with BookInfo-style policies
// (header match to subsets, retries, outlier detection as in Istio's circuit-breaking task). Ratios
// against the no-policy row are the per-call cost. Also exports the runner the telemetry group uses.
import { rotate, type RoundFigures } from '../harness/aggregate';
import type { GroupContext, GroupOutcome, ScenarioGroup } from '../harness/group';
import { describePath, validateScenarios, type LoadScenario } from '../harness/load-group';
import { measureRound } from '../harness/measure-round';
import { meshServiceDocuments, meshTarget, MESH_SERVICES, startBenchPlane } from '../harness/mesh-plane';
import { scenarioReport, serverReport } from '../harness/scenario-report';
import type { MeshTarget } from '../load/driver';
import { NotRunError } from '../load/driver';
import { startServer, type RunningServer } from '../servers/launch';

const NAMESPACE = 'default';

/** A mesh row of a variants group: the service name it calls, the config that name carries, an optional process environment. */
export interface MeshVariant {
  readonly scenario: LoadScenario;
  /** Mesh service name (a Service + WorkloadEntry on the bench server is declared for it). */
  readonly service: string;
  /** Istio config for that service (VirtualService, DestinationRule …). */
  readonly config: readonly object[];
  /** Labels of its WorkloadEntry beyond app. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Environment of the load process while this row is measured (e.g. NODE_OPTIONS). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The Service + WorkloadEntry that put the bench HTTP server in the mesh as `service` (pure). */
export function variantServiceDocuments(service: string, serverPort: number, labels: Readonly<Record<string, string>> = {}): object[] {
  const [svc, entry] = meshServiceDocuments('http', serverPort) as [Record<string, unknown>, Record<string, unknown>];
  return [
    { ...svc, metadata: { name: service, namespace: NAMESPACE }, spec: { selector: { app: service }, ports: [{ name: 'http', port: MESH_SERVICES.http.port }] } },
    { ...entry, metadata: { name: `${service}-0`, namespace: NAMESPACE }, spec: { address: '127.0.0.1', labels: { app: service, ...labels }, ports: { http: serverPort } } },
  ];
}

/** Where a variant's driver sends its requests: the shared target with the variant's service URL (pure). */
export function variantTarget(xdsAddress: string, service: string): MeshTarget {
  return { ...meshTarget(xdsAddress), serviceUrl: `http://${service}.${NAMESPACE}.svc.cluster.local:${MESH_SERVICES.http.port}/bench` };
}

/** Starts the control plane (its own process) and applies every variant's service and config. */
async function startVariantsPlane(context: GroupContext, server: RunningServer, variants: readonly MeshVariant[]): Promise<string> {
  const documents = variants.flatMap((v) => [...variantServiceDocuments(v.service, server.port, v.labels), ...v.config]);
  const unique = [...new Map(documents.map((d) => [JSON.stringify([(d as { kind: string }).kind, (d as { metadata: { name: string } }).metadata.name]), d])).values()];
  return startBenchPlane(context, unique, 'the bench config');
}

/**
 * Runs mesh rows that differ by the service they call (and so its config) and by the load
 * process's environment, against one HTTP server and one control plane, interleaved over the
 * rounds like runLoadGroup; reports rows the same way.
 */
export async function runMeshVariants(context: GroupContext, variants: readonly MeshVariant[]): Promise<GroupOutcome> {
  const scenarios = variants.map((v) => v.scenario);
  validateScenarios(scenarios);
  const server = await startServer('http', context.placement, context.processes, context.settings.bodyBytes);
  let xds: string;
  try {
    xds = await startVariantsPlane(context, server, variants);
  } catch (error) {
    if (error instanceof NotRunError) return { status: 'not-run', reason: error.message };
    throw error;
  }
  const rounds = new Map<string, RoundFigures[]>(scenarios.map((s) => [s.id, []]));
  const stopped = new Map<string, { status: 'not-run' | 'failed'; reason: string }>();
  for (let round = 0; round < context.settings.rounds; round++) {
    for (const variant of rotate(variants, round)) {
      const { scenario } = variant;
      if (stopped.has(scenario.id)) continue;
      const outcome = await withEnv(variant.env ?? {}, () => measureRound(context, scenario, server, undefined, variantTarget(xds, variant.service)));
      if ('figures' in outcome) {
        rounds.get(scenario.id)!.push(outcome.figures);
        context.log(`  round ${round + 1}/${context.settings.rounds}  ${scenario.id.padEnd(24)} ${Math.round(outcome.figures.closed.throughput)} req/s, open p50 ${outcome.figures.open.latency.p50} µs${outcome.remeasured ? '  (re-measured)' : ''}`);
      } else {
        stopped.set(scenario.id, outcome);
        context.log(`  ${outcome.status === 'not-run' ? 'NOT RUN' : 'FAILED '}  ${scenario.id}: ${outcome.reason}`);
      }
    }
  }
  const reports = scenarios.map((s) => scenarioReport(s, describePath(s), rounds, stopped.get(s.id)));
  return { status: 'ran', report: { kind: 'load', servers: [serverReport(server, reports)], proxies: [], scenarios: reports, notes: [] } };
}

/** Runs `fn` with `env` set in process.env (the load process inherits it), restoring it afterwards. */
async function withEnv<T>(env: Readonly<Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const host = (service: string) => `${service}.${NAMESPACE}.svc.cluster.local`;
const vs = (name: string, http: object[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: NAMESPACE }, spec: { hosts: [host(name)], http } });
const dr = (name: string, spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: NAMESPACE }, spec: { host: host(name), ...spec } });

/** Breaker limits far above the bench's concurrency: counted on every call, never hit. */
const CONNECTION_POOL = { tcp: { maxConnections: 4096, connectTimeout: '1s' }, http: { http1MaxPendingRequests: 4096, http2MaxRequests: 4096, maxRetries: 64 } };

/** Every policy on: route timeout, retries with a per-try timeout, fault filter at 0 %, breakers, outlier detection. */
export const ALL_POLICIES: readonly object[] = [
  vs('bench-policies', [{
    route: [{ destination: { host: host('bench-policies'), port: { number: MESH_SERVICES.http.port } } }],
    // Armed on every call, never reached (the bench's machine can stall for seconds under load).
    timeout: '30s',
    retries: { attempts: 3, perTryTimeout: '10s', retryOn: '5xx,reset,connect-failure,refused-stream' },
    fault: { delay: { fixedDelay: '1s', percentage: { value: 0 } }, abort: { httpStatus: 503, percentage: { value: 0 } } },
  }]),
  dr('bench-policies', { trafficPolicy: { connectionPool: CONNECTION_POOL, outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 } } }),
];

/**
 * A route timeout with retries, breakers and outlier detection, but no per-try timeout and no
 * fault filter: what the dispatcher's pass-through still streams (its deadline armed per call).
 */
export const TIMEOUT_POLICIES: readonly object[] = [
  vs('bench-timeouts', [{
    route: [{ destination: { host: host('bench-timeouts'), port: { number: MESH_SERVICES.http.port } } }],
    timeout: '30s',
    retries: { attempts: 3, retryOn: '5xx,reset,connect-failure,refused-stream' },
  }]),
  dr('bench-timeouts', { trafficPolicy: { connectionPool: CONNECTION_POOL, outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 } } }),
];

/**
 * BookInfo-style: jason → v2 by header, everyone else → v1 with retries (no timeout, Istio's default);
 * subsets, breakers and outlier detection (Istio's defaults once the block is present: 5 consecutive 5xx).
 */
export const BOOKINFO_POLICIES: readonly object[] = [
  vs('bench-bookinfo', [
    { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: host('bench-bookinfo'), subset: 'v2' } }] },
    { route: [{ destination: { host: host('bench-bookinfo'), subset: 'v1' } }], retries: { attempts: 2, retryOn: 'gateway-error,connect-failure,refused-stream' } },
  ]),
  dr('bench-bookinfo', {
    trafficPolicy: { connectionPool: CONNECTION_POOL, outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' } },
    subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
  }),
];

const NONE = 'mesh-no-policy';

/** The rows of the resilience group, the no-policy baseline first. */
export const RESILIENCE_VARIANTS: readonly MeshVariant[] = [
  { scenario: { id: NONE, label: 'mesh.dispatcher, no policy', driver: 'mesh-dispatcher', server: 'http', mesh: true }, service: 'bench-plain', config: [] },
  { scenario: { id: 'mesh-all-policies', label: 'mesh.dispatcher, every policy on', driver: 'mesh-dispatcher', server: 'http', mesh: true, baseline: NONE }, service: 'bench-policies', config: ALL_POLICIES },
  { scenario: { id: 'mesh-timeout-retries', label: 'mesh.dispatcher, route timeout + retries + breakers + outlier detection', driver: 'mesh-dispatcher', server: 'http', mesh: true, baseline: NONE }, service: 'bench-timeouts', config: TIMEOUT_POLICIES },
  { scenario: { id: 'mesh-bookinfo-policies', label: 'mesh.dispatcher, BookInfo-style policies', driver: 'mesh-dispatcher', server: 'http', mesh: true, baseline: NONE }, service: 'bench-bookinfo', config: BOOKINFO_POLICIES, labels: { version: 'v1' } },
];

/** The resilience group. */
export const group: ScenarioGroup = {
  name: 'resilience',
  order: 60,
  title: 'the mesh data path with no policy, every resilience policy on, a route timeout with retries, and BookInfo-style policies',
  run: (context) => runMeshVariants(context, RESILIENCE_VARIANTS),
};
