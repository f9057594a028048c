// Public surface of @inboard/mesh-server: start a control plane in-process, plus the pieces a
// program may compose on its own (admin API, xDS server, stores, translation, validation).

export { startControlPlane, DEFAULT_XDS_PORT, type ControlPlane, type ControlPlaneOptions, type Logger } from './control-plane';
export { startApiServer, type ApiServer, type ApiServerOptions } from './api/server';
export type * from './api/wire';
export { XdsServer, type XdsServerOptions } from './xds/server';
export { translate, createTranslate, clusterName, parseClusterName, type TranslateOptions } from './xds/translate';
export type { ProxyInfo, XdsResourceSet, TranslationInput, Translate, ClientSyncStatus, XdsStatusProvider } from './xds/contracts';
export { NODE_METADATA } from './xds/contracts';
export { openEmbeddedStore, type EmbeddedStoreOptions } from './store/sqlite-store';
export { MemoryStore } from './store/memory-store';
export type { ConfigStore, StoreOp, CommitResult, WatchEvent } from './store/config-store';
export { WorkloadRegistry, type WorkloadRegistryOptions } from './registry/registry';
export type { RegistrySnapshot, ServiceInfo, WorkloadEndpoint } from './registry/types';
export { parseYamlDocuments, type SourceDocument } from './config/documents';
export { validateDocuments, validateResource, formatIssue, type ValidationIssue, type ValidationOutcome } from './config/validate';
export { analyze } from './config/analyze';
export { KINDS, findKind, type Resource, type KindName, type ResourceKey } from './config/resource';
export { MeshServerError, isServerError, type ServerErrorCode } from './errors';
export { openCertificateAuthority, DEFAULT_WORKLOAD_TTL_MS, MAX_WORKLOAD_TTL_MS, type CertificateAuthority, type CertificateAuthorityOptions, type IssuedCertificate } from './ca/authority';
export { startSigningService, addSigningServices, signingServerCredentials, DEFAULT_SIGNING_PORT, type SigningService, type SigningServiceOptions } from './ca/signing-service';
export { openTokenStore, type TokenStore, type TokenScope, type VerifiedToken, type TokenInfo, type IssueTokenRequest } from './tokens/token-store';
