// @inboard/xds: the xDS wire layer shared by the control plane and the client — Envoy proto
// loading, type URLs, Any encoding/decoding of plain resource objects, and an ADS client.

export { loadXdsProtos, xdsIncludeDirs, XDS_PROTO_FILES, type XdsProtos } from './protos';
export { adsServiceDefinition, ADS_SERVICE_NAME, ADS_METHOD_PATH, WIRE_DECODE_OPTIONS } from './ads-service';
export {
  TYPE_URL,
  EXTENSION_TYPE_URL,
  FAMILY_TYPE_URL,
  PUSH_ORDER,
  familyOf,
  isFullStateType,
  messageNameOf,
  typeUrlOf,
  resourceNameOf,
  type ResourceTypeUrl,
  type XdsFamily,
} from './type-urls';
export { encodeResource, decodeResource, checkResource, DECODE_OPTIONS, type EncodedAny } from './codec';
export type { FieldProblem } from './plain-object';
export { toStruct, fromStruct, type Struct, type StructValue, type JsonValue } from './struct';
export { XdsError, isXdsError, type XdsErrorCode } from './errors';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { AdsClient, ADS_CLIENT_USER_AGENT } from './ads-client';
export { peekName } from './client-resources';
export type {
  AdsClientOptions,
  AdsClientEvents,
  AdsNodeIdentity,
  AdsClock,
  ResourceValidator,
  ResourceUpdate,
  NackInfo,
  AckInfo,
  DisconnectInfo,
} from './client-types';
export type {
  DiscoveryRequest,
  DiscoveryResponse,
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  WireAny,
  WireNode,
  WireLocality,
  WireResource,
  WireStatus,
} from './wire-types';

// Certificate signing (Istio's IstioCertificateService + Inboard's TrustBundleService), shared by
// the control plane's CA and the client's WorkloadIdentity.
export {
  CA_SERVICE_NAME,
  TRUST_BUNDLE_SERVICE_NAME,
  caServiceDefinitions,
  type CaServiceDefinitions,
  type IstioCertificateRequest,
  type IstioCertificateResponse,
  type TrustBundleResponse,
} from './istio-ca-service';
