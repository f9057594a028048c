// Group `grpc`: a raw @grpc/grpc-js client making unary calls to the bench's grpc-js echo server.
// The mesh-grpc row (grpc-js through grpc-js-xds) is in the mesh group, compared with a raw row there.
import type { ScenarioGroup } from '../harness/group';
import { runLoadGroup, type LoadScenario } from '../harness/load-group';

/** The rows of the grpc group. */
export const GRPC_SCENARIOS: readonly LoadScenario[] = [
  { id: 'grpc', label: 'grpc-js unary (raw)', driver: 'grpc', server: 'grpc' },
];

/** The grpc group. */
export const group: ScenarioGroup = {
  name: 'grpc',
  order: 20,
  title: 'raw grpc-js unary calls against a grpc-js server',
  run: (context) => runLoadGroup(context, GRPC_SCENARIOS),
};
