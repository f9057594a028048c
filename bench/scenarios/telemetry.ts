// Group `telemetry` (placeholder): the mesh data path with OpenTelemetry metrics and traces off and
// on (exporters on), to price the observability layer separately from routing.
import { notRunGroup } from '../harness/group';

/** The telemetry group (NOT RUN until its scenario is written). */
export const group = notRunGroup(
  'telemetry',
  80,
  'mesh data path with telemetry off vs on (metrics, traces, exporters)',
  'scenario not written yet: mesh rows with an OpenTelemetry SDK installed (metrics and traces, exporters on; issue 9) against telemetry off',
);
