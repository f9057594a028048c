// TypeScript shapes of the ADS wire messages (envoy.service.discovery.v3) as the service definition
// in ads-service.ts reads and writes them: snake_case, Any resources as { type_url, value }.

import type { Struct } from './struct';

/** google.protobuf.Any on the wire. */
export interface WireAny {
  type_url: string;
  value: Buffer | Uint8Array;
}

/** envoy.config.core.v3.Locality. */
export interface WireLocality {
  region?: string;
  zone?: string;
  sub_zone?: string;
}

/** envoy.config.core.v3.Node (the fields Inboard uses). */
export interface WireNode {
  id?: string;
  cluster?: string;
  metadata?: Struct;
  locality?: WireLocality;
  user_agent_name?: string;
  user_agent_version?: string;
  client_features?: string[];
}

/** google.rpc.Status as carried in error_detail. */
export interface WireStatus {
  code?: number;
  message?: string;
}

/** DiscoveryRequest (state of the world). */
export interface DiscoveryRequest {
  version_info?: string;
  node?: WireNode;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: WireStatus;
}

/** DiscoveryResponse (state of the world). */
export interface DiscoveryResponse {
  version_info?: string;
  resources?: WireAny[];
  type_url?: string;
  nonce?: string;
}

/** DeltaDiscoveryRequest (incremental). */
export interface DeltaDiscoveryRequest {
  node?: WireNode;
  type_url?: string;
  resource_names_subscribe?: string[];
  resource_names_unsubscribe?: string[];
  initial_resource_versions?: Record<string, string>;
  response_nonce?: string;
  error_detail?: WireStatus;
}

/** envoy.service.discovery.v3.Resource inside a DeltaDiscoveryResponse. */
export interface WireResource {
  name?: string;
  version?: string;
  resource?: WireAny;
  aliases?: string[];
}

/** DeltaDiscoveryResponse (incremental). */
export interface DeltaDiscoveryResponse {
  system_version_info?: string;
  resources?: WireResource[];
  type_url?: string;
  removed_resources?: string[];
  nonce?: string;
}
