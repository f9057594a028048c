// Type URLs of the xDS resource types and the typed_config extensions Inboard uses, and the short
// family names ('listeners' | 'routes' | 'clusters' | 'endpoints') the control plane and client speak.

const PREFIX = 'type.googleapis.com/';

/** Type URL of each of the four served resource types. */
export const TYPE_URL = {
  LISTENER: `${PREFIX}envoy.config.listener.v3.Listener`,
  ROUTE: `${PREFIX}envoy.config.route.v3.RouteConfiguration`,
  CLUSTER: `${PREFIX}envoy.config.cluster.v3.Cluster`,
  ENDPOINT: `${PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
} as const;

/** One of the four resource type URLs. */
export type ResourceTypeUrl = (typeof TYPE_URL)[keyof typeof TYPE_URL];

/** Type URLs of extension configs that appear inside resources as `typed_config` Any values. */
export const EXTENSION_TYPE_URL = {
  HTTP_CONNECTION_MANAGER: `${PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  ROUTER: `${PREFIX}envoy.extensions.filters.http.router.v3.Router`,
  FAULT: `${PREFIX}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  RBAC: `${PREFIX}envoy.extensions.filters.http.rbac.v3.RBAC`,
  RBAC_PER_ROUTE: `${PREFIX}envoy.extensions.filters.http.rbac.v3.RBACPerRoute`,
  UPSTREAM_TLS_CONTEXT: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  DOWNSTREAM_TLS_CONTEXT: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  TYPED_STRUCT: `${PREFIX}xds.type.v3.TypedStruct`,
} as const;

/** Short name of a resource family. */
export type XdsFamily = 'listeners' | 'routes' | 'clusters' | 'endpoints';

/** Family → type URL. */
export const FAMILY_TYPE_URL: Readonly<Record<XdsFamily, ResourceTypeUrl>> = {
  listeners: TYPE_URL.LISTENER,
  routes: TYPE_URL.ROUTE,
  clusters: TYPE_URL.CLUSTER,
  endpoints: TYPE_URL.ENDPOINT,
};

/** Families in Envoy's make-before-break push order: CDS, EDS, LDS, RDS. */
export const PUSH_ORDER: readonly XdsFamily[] = ['clusters', 'endpoints', 'listeners', 'routes'];

/** The family of a resource type URL, or undefined for any other type. */
export function familyOf(typeUrl: string): XdsFamily | undefined {
  switch (typeUrl) {
    case TYPE_URL.LISTENER: return 'listeners';
    case TYPE_URL.ROUTE: return 'routes';
    case TYPE_URL.CLUSTER: return 'clusters';
    case TYPE_URL.ENDPOINT: return 'endpoints';
    default: return undefined;
  }
}

/** True for the types whose SotW responses carry the full set (LDS, CDS) and that allow wildcard. */
export function isFullStateType(typeUrl: string): boolean {
  return typeUrl === TYPE_URL.LISTENER || typeUrl === TYPE_URL.CLUSTER;
}

/** The message name inside a type URL ("type.googleapis.com/a.b.C" → "a.b.C"). */
export function messageNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** The type URL of a message name. */
export function typeUrlOf(messageName: string): string {
  return PREFIX + messageName;
}

/** Name of a decoded resource: Listener/RouteConfiguration/Cluster `name`, ClusterLoadAssignment `cluster_name`. */
export function resourceNameOf(typeUrl: string, resource: { readonly [k: string]: unknown }): string | undefined {
  const value = typeUrl === TYPE_URL.ENDPOINT ? resource['cluster_name'] : resource['name'];
  return typeof value === 'string' ? value : undefined;
}
