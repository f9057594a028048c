// Group `telemetry` (placeholder): the mesh data path with OpenTelemetry metrics and traces off and
// on (exporters on), to price the observability layer separately from routing.
import { notRunGroup } from '../harness/group';

/** The telemetry group (NOT RUN until issue 9's telemetry lands in mesh-client). */
export const group = notRunGroup(
  'telemetry',
  80,
  'mesh data path with telemetry off vs on (metrics, traces, exporters)',
  'waiting for OpenTelemetry traces and metrics in @inboard/mesh-client (issue 9)',
);
