// Group `control-plane` (placeholder): xDS push fan-out from mesh-server to 100 / 1,000 / 5,000 raw ADS
// clients in a separate process — time from an apply to the last ACK (p50, p99, max), bytes pushed
// per client per change, server memory per connected client, and resync time after a restart
// (issue 3's goals). Waits for the ADS client being written in packages/xds.
import { notRunGroup } from '../harness/group';

/** The control-plane group (NOT RUN until the ADS client and the xDS server land). */
export const group = notRunGroup(
  'control-plane',
  40,
  'xDS push fan-out at 100 / 1,000 / 5,000 ADS clients, resync after restart, memory per client',
  'waiting for the ADS client (packages/xds) and mesh-server\'s xDS server; scenario to be written in bench/scenarios/control-plane.ts',
);
