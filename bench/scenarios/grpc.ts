// Group `grpc`: a raw @grpc/grpc-js client making unary calls to the bench's grpc-js echo server, and
// the same client through the mesh (grpc-js-xds with mesh-client's channel settings), same rounds.
import type { ScenarioGroup } from '../harness/group';
import { runLoadGroup, type LoadScenario } from '../harness/load-group';
import { startMeshPlane } from '../harness/mesh-plane';

/** The rows of the grpc group. */
export const GRPC_SCENARIOS: readonly LoadScenario[] = [
  { id: 'grpc', label: 'grpc-js unary (raw)', driver: 'grpc', server: 'grpc' },
  { id: 'mesh-grpc', label: 'grpc-js via the mesh (xDS)', driver: 'mesh-grpc', server: 'grpc', mesh: true, baseline: 'grpc' },
];

/** The grpc group. */
export const group: ScenarioGroup = {
  name: 'grpc',
  order: 20,
  title: 'grpc-js unary calls, raw and through the in-process mesh (grpc-js-xds)',
  run: (context) => runLoadGroup(context, GRPC_SCENARIOS, { prepareMesh: (servers) => startMeshPlane(context, servers) }),
};
