// The control plane's ADS server (state of the world and delta) and the types it is configured with.

export { XdsServer } from './xds-server';
export type { XdsServerOptions, XdsServerClock, XdsServerLog, WorkloadRegistrar } from './server-options';
export { REAL_SERVER_CLOCK, STDERR_LOG } from './server-options';
export { parseNode, viewKeyOf, peerAddress, NodeError, type NodeIdentity } from './node-identity';
