// Harness of the xDS interop suite (xds-interop-*.test.ts): a real `inboard control-plane` process
// with echo backends registered as WorkloadEntries (fixtures/interop/echo-backends.ts), real
// @grpc/grpc-js-xds clients in a worker (fixtures/interop/client-driver.ts), Istio config builders,
// the NACK check every test ends with, and the statistics the assertions use.

import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import { apiCall, removeDir, startControlPlaneProcess, tempDir, until, type ControlPlaneProcess } from './cli-harness';
import { BackendPool, type Backend, type BackendSpec } from './fixtures/interop/echo-backends';
import { ClientDriver, type CallOptions, type CallOutcome, type XdsEchoClient } from './fixtures/interop/client-driver';

export { ECHO_SERVICE_NAME } from './fixtures/interop/echo-service';
export { RPC_BEHAVIOR } from './fixtures/interop/echo-backends';
export type { CallOutcome, XdsEchoClient } from './fixtures/interop/client-driver';

/** Backend specs by id, `<version>-<letter>` (e.g. `v1-a` has version v1). */
export function backendsById(...ids: string[]): BackendSpec[] {
  return ids.map((id) => ({ id, version: id.split('-')[0]! }));
}

/** The port every interop Service declares (name `grpc`, so its protocol is inferred as GRPC). */
export const SERVICE_PORT = 7070;

// ---- Istio config builders ---------------------------------------------------------------------

type Doc = Record<string, unknown>;

/** A Kubernetes Service `name` in `default` selecting every echo backend, port 7070 named `grpc`. */
export function echoService(name: string, selector: Record<string, string> = { app: 'echo' }): Doc {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector, ports: [{ name: 'grpc', port: SERVICE_PORT }] } };
}

/** A WorkloadEntry for a backend: 127.0.0.1, labels app=echo + version, port `grpc` = its port. */
export function workloadEntry(backend: Backend): Doc {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'WorkloadEntry',
    metadata: { name: `echo-${backend.id}`, namespace: 'default' },
    spec: { address: '127.0.0.1', labels: { app: 'echo', version: backend.version }, ports: { grpc: backend.port } },
  };
}

/** A mesh VirtualService for host `host` with these HTTP rules. */
export function virtualService(name: string, host: string, http: readonly object[]): Doc {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'default' }, spec: { hosts: [host], http } };
}

/** A DestinationRule for `host` with subsets v1, v2, v3 by version label and an optional policy. */
export function destinationRule(name: string, host: string, trafficPolicy?: object): Doc {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name, namespace: 'default' },
    spec: {
      host,
      ...(trafficPolicy ? { trafficPolicy } : {}),
      subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
    },
  };
}

/** A route destination: `host` (and subset), with an optional weight. */
export function destination(host: string, subset?: string, weight?: number): object {
  return { destination: { host, ...(subset ? { subset } : {}), port: { number: SERVICE_PORT } }, ...(weight !== undefined ? { weight } : {}) };
}

/** The FQDN of a Service declared by echoService. */
export function fqdn(service: string): string {
  return `${service}.default.svc.cluster.local`;
}

/** The FQDN xDS target of a Service declared by echoService. */
export function fqdnTarget(service: string): string {
  return `xds:///${fqdn(service)}:${SERVICE_PORT}`;
}

// ---- the mesh ----------------------------------------------------------------------------------

/** Per-family sync state as /debug/syncz reports it. */
interface SyncFamily { readonly state: string; readonly nackError?: string }
/** One client of /debug/syncz. */
export interface SyncClient { readonly proxy: { readonly id: string; readonly userAgent?: string }; readonly families: Record<string, SyncFamily> }

/** A control plane process with echo backends registered as WorkloadEntries. */
export interface InteropMesh {
  readonly plane: ControlPlaneProcess;
  readonly xdsAddress: string;
  readonly backends: BackendPool;
  /** Applies documents in one batch and waits until the control plane's config cache holds them. */
  apply(objects: readonly Doc[]): Promise<void>;
  /** The worker hosting the grpc-js-xds clients. */
  readonly driver: ClientDriver;
  /** Opens a grpc-js-xds client in the driver (ended by close()). */
  client(target: string, nodeId: string, metadata?: Record<string, unknown>): Promise<XdsEchoClient>;
  /**
   * Applies echoService(`service`) with the documents `build(host)` makes for its FQDN in one batch,
   * then opens a client on fqdnTarget(`service`) and warms it up (unless `warmUp` is false).
   */
  deploy(service: string, nodeId: string, build?: (host: string) => readonly Doc[], warmUp?: CallOptions | false): Promise<XdsEchoClient>;
  syncz(): Promise<SyncClient[]>;
  /** What the control plane last sent the client with this node id (/debug/config_dump). */
  configDump(nodeId: string): Promise<Record<'listeners' | 'routes' | 'clusters' | 'endpoints', any[]>>;
  /** Fails if any client NACKed anything, now or earlier (syncz state and the control plane's log). */
  assertNoNack(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the control plane process and the backends, and registers the backends as WorkloadEntries. */
export async function startInteropMesh(specs: readonly BackendSpec[]): Promise<InteropMesh> {
  const work = tempDir('inboard-interop-');
  // The three start in parallel: the control plane process, the driver worker, the backends; if
  // one fails, the others are stopped before the error is rethrown.
  const started = await Promise.allSettled([startControlPlaneProcess(path.join(work, 'data')), ClientDriver.start(), BackendPool.start(specs)] as const);
  const [planeStart, driverStart, backendsStart] = started;
  if (planeStart.status === 'rejected' || driverStart.status === 'rejected' || backendsStart.status === 'rejected') {
    if (planeStart.status === 'fulfilled') await planeStart.value.stop();
    if (driverStart.status === 'fulfilled') await driverStart.value.close();
    if (backendsStart.status === 'fulfilled') backendsStart.value.close();
    removeDir(work);
    throw started.map((s) => (s.status === 'rejected' ? s.reason : undefined)).find((reason) => reason !== undefined);
  }
  const [plane, driver, backends] = [planeStart.value, driverStart.value, backendsStart.value];
  const stopAll = async () => {
    await driver.close();
    backends.close();
    await plane.stop();
    removeDir(work);
  };
  let xdsAddress = '';
  await until(() => {
    xdsAddress = /xDS server listening on (\S+)/.exec(plane.output())?.[1] ?? '';
    return xdsAddress !== '';
  }, 'the xDS listening line').catch(async (error) => {
    await stopAll();
    throw error;
  });
  const token = plane.token();

  const waitForRevision = async (revision: number) => {
    await until(async () => {
      const answer = await apiCall(plane.url, 'GET', '/apis/inboard.io/v1/analyze');
      return Number(answer.body?.revision) >= revision;
    }, `config cache at revision ${revision}`);
  };
  const apply = async (objects: readonly Doc[]) => {
    const answer = await apiCall(plane.url, 'POST', '/apis/inboard.io/v1/apply', {
      token,
      body: { documents: objects.map((object, i) => ({ source: 'interop', index: i + 1, object })) },
    });
    if (answer.status !== 200) throw new Error(`apply failed (${answer.status}): ${JSON.stringify(answer.body)}`);
    await waitForRevision(Number(answer.body.revision));
  };
  const syncz = async (): Promise<SyncClient[]> => (await apiCall(plane.url, 'GET', '/debug/syncz')).body.clients;

  const mesh: InteropMesh = {
    plane,
    xdsAddress,
    backends,
    apply,
    driver,
    client: (target, nodeId, metadata) => driver.open(target, nodeId, xdsAddress, metadata),
    async deploy(service, nodeId, build = () => [], warmUp = {}) {
      await apply([echoService(service), ...build(fqdn(service))]);
      const client = await driver.open(fqdnTarget(service), nodeId, xdsAddress);
      if (warmUp !== false) await client.warmUp(warmUp);
      return client;
    },
    syncz,
    async configDump(nodeId) {
      const answer = await apiCall(plane.url, 'GET', `/debug/config_dump?proxyID=${encodeURIComponent(nodeId)}`);
      if (answer.status !== 200) throw new Error(`config_dump of ${nodeId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    async assertNoNack() {
      const problems: string[] = [];
      for (const client of await syncz()) {
        for (const [family, sync] of Object.entries(client.families)) {
          if (sync.state === 'NACKED' || sync.nackError) problems.push(`${client.proxy.id} NACKED ${family}: ${sync.nackError}`);
        }
      }
      for (const line of plane.output().split('\n')) {
        if (/xds: .* rejected |xds: not serving |translation failed/.test(line)) problems.push(line);
      }
      if (problems.length > 0) throw new Error(`xDS problems:\n${problems.join('\n')}`);
    },
    close: stopAll,
  };
  try {
    await apply(backends.backends.map(workloadEntry));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return mesh;
}

/**
 * Registers the mocha hooks of an interop suite: one InteropMesh with these backends for the whole
 * describe block (handed to `use` once started), the NACK check after every test, and close().
 */
export function useInteropMesh(specs: readonly BackendSpec[], use: (mesh: InteropMesh) => void): void {
  let mesh: InteropMesh | undefined;
  before(async () => {
    mesh = await startInteropMesh(specs);
    use(mesh);
  });
  afterEach(async () => mesh?.assertNoNack());
  after(async () => mesh?.close());
}

// ---- statistics --------------------------------------------------------------------------------

/** Count of outcomes per backend (failures under their status name). */
export function tally(outcomes: readonly CallOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.backend ?? grpc.status[o.code]!;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Outcomes with this status. */
export function countStatus(outcomes: readonly CallOutcome[], code: grpc.status): number {
  return outcomes.filter((o) => o.code === code).length;
}

/** [low, high] of a Binomial(n, p) count within `sigmas` standard deviations. */
export function binomialBounds(n: number, p: number, sigmas = 5): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [Math.max(0, Math.floor(n * p - sigmas * sd)), Math.min(n, Math.ceil(n * p + sigmas * sd))];
}

/** Asserts-style check that `count` is within the binomial bounds; returns an error message or undefined. */
export function outsideBinomial(count: number, n: number, p: number, what: string, sigmas = 5): string | undefined {
  const [low, high] = binomialBounds(n, p, sigmas);
  return count < low || count > high ? `${what}: ${count} of ${n} is outside [${low}, ${high}] (p = ${p}, ±${sigmas}σ)` : undefined;
}
