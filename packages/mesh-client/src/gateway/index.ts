// The ingress gateway's public surface, for the package index (`export * from './gateway'`) and for
// the `inboard gateway` command (main.ts): start one, or serve a stand-in mesh in tests.

export { startGateway, serveGateway, GatewayError, DEFAULT_GATEWAY_LABELS, type Gateway, type GatewayListener, type GatewayMesh, type GatewayOptions } from './gateway';
export { planListeners, localPortOf, type PlannedListener, type PortMapping, type TlsFiles, type ListenerProblem, type CertificateSources, type TlsChainPlan, type TlsListenerPlan } from './listener-plan';
export { runGatewayCli, GATEWAY_USAGE, type GatewayCliIo } from './main';
