// Public surface of @inboard/mesh-client: connect() and the Mesh it returns, the request/response
// shapes, coded errors and local replies, explain, the gRPC front end and workload identity.
// package.json `exports` blocks deep imports; everything public is named here.

/** Connect this process to the mesh; see `Mesh` for what it offers. */
export { connect, Mesh, type MeshEvents, type ConfigEvent, type MeshServeGrpcOptions } from './mesh';
/** Options of connect() and their resolved form. */
export { DEFAULT_CONTROL_PLANE, type ConnectOptions, type ResolvedOptions, type OutboundTrafficPolicy, type TelemetryOptions, type MtlsOptions } from './options';
/** A rejected xDS response, as the `nack` event reports it. */
export type { NackEvent } from './config/xds-config';
/** The request/response shape every front end is translated into. */
export { headerValue, toHeaderMap, type MeshRequest, type MeshResponse, type HeaderMap } from './request';
/** Options of `mesh.handle`. */
export type { HandleOptions } from './pipeline/stack';
/** Coded errors, Envoy's local replies and the response-flag header. */
export { MeshError, isMeshError, LOCAL_REPLY, RESPONSE_FLAGS_HEADER, type MeshErrorCode, type LocalReplySpec } from './errors';
/** The inbound side: options and handle of `mesh.serve`, and the headers it strips. */
export { INBOUND_STRIPPED_HEADERS, type RequestAuth, type VerifiedPeer } from './inbound/inbound-context';
export type { ServeOptions, ServedHttp, RequestHandler } from './inbound/serve-http';
/** Request headers the outbound pipeline consumes and never forwards as received. */
export { MESH_REQUEST_HEADERS, HOP_BY_HOP_HEADERS } from './pipeline/headers';
/** `mesh.explain` input and output. */
export type { ExplainRequest, Explanation } from './explain/explain';
/** Node metadata keys of the wire contract with the control plane. */
export { NODE_METADATA } from './node-metadata';
/** The compiled config (`mesh.snapshot`) and a config note. */
export type { MeshSnapshot, ConfigNote, ResourceError } from './snapshot/types';
/** Injectable time and randomness (`connect({ clock, random })`). */
export { FakeClock, systemClock, seededRandom, type Clock, type TimerHandle, type Random } from './policy/clock';
/** Outlier detection events (`mesh.on('outlier', …)`). */
export type { OutlierEvent, EjectionReason } from './policy/outlier-detector';
/** gRPC: grpc-js clients through grpc-js-xds, grpc-js servers registered with the control plane. */
export {
  createGrpcMeshOptions, registerGrpcXds, xdsTarget, serveGrpc, buildXdsBootstrap, GrpcMeshError, isGrpcMeshError, XDS_BOOTSTRAP_CHANNEL_OPTION,
  type GrpcMeshInput, type GrpcMeshOptions, type ServeGrpcOptions, type ServedGrpc, type MeshNode, type XdsBootstrap, type GrpcMeshErrorCode,
} from './grpc';
/** Workload identity: certificates from the mesh CA, rotation, and SPIFFE peer checks. */
export * from './identity';
/** The ingress gateway (`inboard gateway`): Gateway resources served with the mesh pipeline. */
export * from './gateway';
