// The gRPC front end of mesh-client: grpc-js clients join the mesh through grpc-js-xds (an
// in-memory bootstrap per channel), grpc-js servers register themselves with serveGrpc.

export { createGrpcMeshOptions, registerGrpcXds, xdsChannelCredentials, xdsTarget, XDS_BOOTSTRAP_CHANNEL_OPTION, type GrpcMeshInput, type GrpcMeshOptions } from './mesh-options';
export { serveGrpc, type ServeGrpcOptions, type ServedGrpc } from './serve';
export { buildXdsBootstrap, NODE_METADATA, type MeshNode, type XdsBootstrap } from './bootstrap';
export { GrpcMeshError, isGrpcMeshError, type GrpcMeshErrorCode } from './errors';
export { meshChannelCredentials } from './mesh-credentials';
export { bindWithMtls, type GrpcServeMtls, type MtlsGrpcBinding } from './serve-mtls';
export { CertificateFiles, type CertificateFilePaths } from './certificate-files';
