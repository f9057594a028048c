// Contracts between the xDS server (protocol, per-connection state) and config translation
// (Istio config + registry → Envoy resources): who a client is, and the resources it is served.

import type { Resource } from '../config/resource';
import type { RegistrySnapshot } from '../registry/types';

/**
 * Node metadata keys a client sends in `node.metadata` (a google.protobuf.Struct). Istio's own keys
 * where Istio has one; `INBOARD_*` for what auto-registration needs beyond them.
 */
export const NODE_METADATA = {
  /** string: the workload's namespace (default "default"). */
  NAMESPACE: 'NAMESPACE',
  /** struct of strings: workload labels, e.g. { app: "reviews", version: "v1" }. */
  LABELS: 'LABELS',
  /** string: service account name (identity spiffe://cluster.local/ns/NS/sa/SA). */
  SERVICE_ACCOUNT: 'SERVICE_ACCOUNT',
  /** string: comma-separated IP addresses the workload serves on. */
  INSTANCE_IPS: 'INSTANCE_IPS',
  /** string: name of the workload instance (for display), e.g. "reviews-v1-1". */
  WORKLOAD_NAME: 'WORKLOAD_NAME',
  /** string: service short name or FQDN this workload serves; present only on serving clients. */
  SERVICE: 'INBOARD_SERVICE',
  /** struct: port name → port number the workload serves, e.g. { http: 9080 }. */
  PORTS: 'INBOARD_PORTS',
  /** string: 'sidecar' (default: an application process) or 'router' (an ingress gateway). */
  ROLE: 'INBOARD_ROLE',
} as const;

/** What the control plane knows about one connected client, from its node message. */
export interface ProxyInfo {
  /** node.id as sent. */
  readonly id: string;
  readonly role: 'sidecar' | 'router';
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  /** node.locality as "region/zone/subzone". */
  readonly locality: string;
  /** node.user_agent_name, e.g. "gRPC Node Pure JS" or "inboard-mesh-client". */
  readonly userAgent?: string;
}

/** Envoy resources for one client view, by resource name, as plain objects (see @inboard/xds). */
export interface XdsResourceSet {
  readonly listeners: ReadonlyMap<string, object>;
  readonly routes: ReadonlyMap<string, object>;
  readonly clusters: ReadonlyMap<string, object>;
  readonly endpoints: ReadonlyMap<string, object>;
  /** Config the translation could not honour, per source resource ("Kind/ns/name" → messages). */
  readonly warnings: ReadonlyMap<string, readonly string[]>;
}

/** Everything translation reads: the config resources and the registry, both immutable. */
export interface TranslationInput {
  readonly config: readonly Resource[];
  readonly registry: RegistrySnapshot;
}

/** Pure translation for one client view. Same input and proxy → equal output. */
export type Translate = (input: TranslationInput, proxy: ProxyInfo) => XdsResourceSet;

/** The four resource families served, in Envoy's push order (CDS before EDS, LDS before RDS). */
export type XdsFamily = 'clusters' | 'endpoints' | 'listeners' | 'routes';

/** Sync state of one resource family for one client, as `inboard proxy-status` shows it. */
export interface FamilySyncStatus {
  /** SYNCED: last push ACKed; STALE: a push awaits its ACK; NACKED: last push rejected; NOT_SENT: nothing sent yet (not subscribed, or nothing to send). */
  readonly state: 'SYNCED' | 'STALE' | 'NACKED' | 'NOT_SENT';
  readonly sentVersion?: string;
  readonly ackedVersion?: string;
  /** error_detail.message of the last NACK. */
  readonly nackError?: string;
  readonly subscribed: number;
}

/** One connected client as the status API reports it. */
export interface ClientSyncStatus {
  readonly proxy: ProxyInfo;
  /** Peer address of the stream. */
  readonly peer: string;
  readonly connectedAt: string; // ISO time
  readonly protocol: 'sotw' | 'delta';
  readonly families: Readonly<Record<XdsFamily, FamilySyncStatus>>;
}

/** What the xDS server exposes to the admin API (istiod's /debug/syncz and /debug/config_dump). */
export interface XdsStatusProvider {
  clients(): readonly ClientSyncStatus[];
  /** The resources last sent to the client with this node id (CSDS view), or undefined if not connected. */
  configDump(nodeId: string): Readonly<Record<XdsFamily, readonly object[]>> | undefined;
}
