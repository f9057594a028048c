// Group `mesh`: the in-process mesh against the same raw client, and against a sidecar-style hop,
// all measured side by side in the same rounds (issue 5's data-path goals). Until
// @inboard/mesh-client exports connect(), the group prints NOT RUN with that reason.
//
// To finish it when the mesh lands, implement startBenchControlPlane() below: start mesh-server in
// its own process (server side), declare `bench-http` (port 9080 → the http server's port) and
// `bench-grpc` (9081 → the grpc server's port) in namespace `default`, e.g. as ServiceEntry or
// Service + WorkloadEntry resources, wait until it serves them, and return the MeshTarget. The
// mesh drivers are already in bench/load/drivers/mesh.ts; telemetry-on rows can be added here.
import { NotRunError, type MeshTarget } from '../load/driver';
import { meshConnectFunction } from '../load/drivers/mesh';
import type { GroupContext, ScenarioGroup } from '../harness/group';
import { runLoadGroup, type LoadScenario } from '../harness/load-group';
import type { RunningServer, ServerKind } from '../servers/launch';
import { HAPROXY } from '../proxies/haproxy';

/** The rows of the mesh group: each mesh front end next to the raw client it wraps, plus the sidecar hop. */
export const MESH_SCENARIOS: readonly LoadScenario[] = [
  { id: 'undici-pool', label: 'undici Pool.request (raw)', driver: 'undici-pool', server: 'http' },
  { id: 'mesh-dispatcher', label: 'undici + mesh.dispatcher', driver: 'mesh-dispatcher', server: 'http', mesh: true, baseline: 'undici-pool' },
  { id: 'undici-fetch', label: 'undici fetch (raw)', driver: 'undici-fetch', server: 'http' },
  { id: 'mesh-fetch', label: 'mesh.fetch', driver: 'mesh-fetch', server: 'http', mesh: true, baseline: 'undici-fetch' },
  { id: 'axios', label: 'axios keep-alive (raw)', driver: 'axios', server: 'http' },
  { id: 'mesh-axios', label: 'mesh.axios()', driver: 'mesh-axios', server: 'http', mesh: true, baseline: 'axios' },
  { id: 'grpc', label: 'grpc-js unary (raw)', driver: 'grpc', server: 'grpc' },
  { id: 'mesh-grpc', label: 'grpc-js via mesh (xDS)', driver: 'mesh-grpc', server: 'grpc', mesh: true, baseline: 'grpc' },
  { id: 'haproxy-2hop', label: 'undici → haproxy ×2 (sidecars)', driver: 'undici-pool', server: 'http', proxy: { kind: HAPROXY, layout: 'both-sides' }, baseline: 'undici-pool' },
];

/** Starts a control plane that knows the bench servers; not wired yet (see the file comment). */
async function startBenchControlPlane(_context: GroupContext, _servers: ReadonlyMap<ServerKind, RunningServer>): Promise<{ mesh: MeshTarget }> {
  throw new NotRunError('the bench does not start a control plane yet: implement startBenchControlPlane() in bench/scenarios/mesh.ts');
}

/** The mesh group. */
export const group: ScenarioGroup = {
  name: 'mesh',
  order: 30,
  title: 'in-process mesh (fetch, dispatcher, axios, grpc) vs the raw client and vs sidecar hops',
  async run(context) {
    try {
      meshConnectFunction();
    } catch (error) {
      if (error instanceof NotRunError) return { status: 'not-run', reason: error.message };
      throw error;
    }
    return runLoadGroup(context, MESH_SCENARIOS, { prepare: (servers) => startBenchControlPlane(context, servers) });
  },
};
