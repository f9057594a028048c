// Group `control-plane` (placeholder): xDS push fan-out from mesh-server to 100 / 1,000 / 5,000 raw ADS
// clients (@inboard/xds's AdsClient) in a separate process — time from an apply to the last ACK (p50,
// p99, max), bytes pushed per client per change, server memory per connected client, and resync time
// after a restart (issue 3's goals). Not written yet.
import { notRunGroup } from '../harness/group';

/** The control-plane group (NOT RUN until its scenario is written). */
export const group = notRunGroup(
  'control-plane',
  40,
  'xDS push fan-out at 100 / 1,000 / 5,000 ADS clients, resync after restart, memory per client',
  'scenario not written yet: N raw ADS clients (@inboard/xds) against one mesh-server, apply → last ACK, bytes per client, memory per client, resync after restart',
);
