// The xDS bootstrap grpc-js-xds reads, built in memory (pure): the control plane to ask and the
// node to present — its id, `locality: {}` (grpc-js-xds rejects a node without one) and Inboard's
// node metadata keys, so the control plane knows the caller's namespace, labels and identity.

import { invalidOption } from './errors';

/**
 * Node metadata keys the Inboard control plane reads (mirrors NODE_METADATA in
 * packages/mesh-server/src/xds/contracts.ts: the wire contract between the two packages).
 */
export const NODE_METADATA = {
  NAMESPACE: 'NAMESPACE',
  LABELS: 'LABELS',
  SERVICE_ACCOUNT: 'SERVICE_ACCOUNT',
  INSTANCE_IPS: 'INSTANCE_IPS',
  WORKLOAD_NAME: 'WORKLOAD_NAME',
  SERVICE: 'INBOARD_SERVICE',
  PORTS: 'INBOARD_PORTS',
} as const;

/** Who this process is to the control plane. */
export interface MeshNode {
  /** node.id: unique per process; `inboard proxy-status` lists clients by it. */
  readonly id: string;
  /** Namespace of the workload (default "default"); short service names resolve in it. */
  readonly namespace?: string;
  /** Workload labels, e.g. { app: 'reviews', version: 'v1' } (VirtualService sourceLabels match them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Service account (identity spiffe://cluster.local/ns/NS/sa/SA). */
  readonly serviceAccount?: string;
  /** Display name of the instance, e.g. "reviews-v1-1". */
  readonly workloadName?: string;
  /** Istio locality parts. */
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
  /** node.cluster (free text; not read by Inboard). */
  readonly cluster?: string;
}

/** A grpc-js-xds bootstrap (the JSON of GRPC_XDS_BOOTSTRAP_CONFIG), snake_case as gRPC expects. */
export interface XdsBootstrap {
  readonly xds_servers: readonly {
    readonly server_uri: string;
    readonly channel_creds: readonly { readonly type: 'insecure' }[];
    readonly server_features: readonly string[];
  }[];
  readonly node: {
    readonly id: string;
    readonly cluster?: string;
    readonly locality: { readonly region?: string; readonly zone?: string; readonly sub_zone?: string };
    readonly metadata: Readonly<Record<string, unknown>>;
  };
  /** Certificate providers (`default` = the mesh workload certificate, Istio's instance name). */
  readonly certificate_providers?: Readonly<Record<string, {
    readonly plugin_name: 'file_watcher';
    readonly config: { readonly certificate_file: string; readonly private_key_file: string; readonly ca_certificate_file: string; readonly refresh_interval: string };
  }>>;
}

/** Files of the mesh certificate for the bootstrap's `default` file_watcher provider. */
export interface BootstrapCertificateFiles {
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly caCertificateFile: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks `controlPlane` (a gRPC target such as "127.0.0.1:15010"); throws INVALID_OPTIONS. */
export function checkControlPlane(where: string, controlPlane: unknown): string {
  if (typeof controlPlane !== 'string' || controlPlane.trim() === '' || /\s/.test(controlPlane)) {
    invalidOption(where, 'controlPlane', 'must be the xDS address host:port, e.g. "127.0.0.1:15010"', controlPlane);
  }
  if (/^https?:\/\//i.test(controlPlane)) {
    invalidOption(where, 'controlPlane', 'is an HTTP URL; give the xDS address host:port (port 15010 by default), not the admin API URL', controlPlane);
  }
  return controlPlane;
}

/** Checks a MeshNode; throws INVALID_OPTIONS naming the field. */
export function checkMeshNode(where: string, node: MeshNode | undefined): MeshNode {
  if (typeof node !== 'object' || node === null) invalidOption(where, 'node', 'must be an object with at least an id');
  if (typeof node.id !== 'string' || node.id.trim() === '') invalidOption(where, 'node.id', 'must be a non-empty string', node.id);
  if (node.namespace !== undefined && (typeof node.namespace !== 'string' || !DNS_LABEL.test(node.namespace))) {
    invalidOption(where, 'node.namespace', 'must be a DNS label (lower-case letters, digits, "-")', node.namespace);
  }
  for (const [key, value] of Object.entries(node.labels ?? {})) {
    if (typeof value !== 'string') invalidOption(where, `node.labels.${key}`, 'must be a string', value);
  }
  for (const field of ['serviceAccount', 'workloadName', 'cluster'] as const) {
    const value = node[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) invalidOption(where, `node.${field}`, 'must be a non-empty string', value);
  }
  for (const [key, value] of Object.entries(node.locality ?? {})) {
    if (typeof value !== 'string') invalidOption(where, `node.locality.${key}`, 'must be a string', value);
  }
  return node;
}

/** The node metadata of `node` under Inboard's keys, plus `extra` (e.g. a serving workload's keys). */
export function nodeMetadata(node: MeshNode, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    [NODE_METADATA.NAMESPACE]: node.namespace ?? 'default',
    ...(node.labels && Object.keys(node.labels).length > 0 ? { [NODE_METADATA.LABELS]: { ...node.labels } } : {}),
    ...(node.serviceAccount !== undefined ? { [NODE_METADATA.SERVICE_ACCOUNT]: node.serviceAccount } : {}),
    ...(node.workloadName !== undefined ? { [NODE_METADATA.WORKLOAD_NAME]: node.workloadName } : {}),
    ...extra,
  };
}

/** node.locality in Envoy's field names (empty object when none: grpc-js-xds requires the field). */
export function envoyLocality(node: MeshNode): XdsBootstrap['node']['locality'] {
  const l = node.locality ?? {};
  return { ...(l.region ? { region: l.region } : {}), ...(l.zone ? { zone: l.zone } : {}), ...(l.subZone ? { sub_zone: l.subZone } : {}) };
}

/**
 * The bootstrap for a grpc-js-xds client of the control plane at `controlPlane` (plaintext xDS); with
 * `certificates`, the `default` file_watcher certificate provider that mesh-mTLS clusters name.
 */
export function buildXdsBootstrap(controlPlane: string, node: MeshNode, where = 'buildXdsBootstrap', certificates?: BootstrapCertificateFiles): XdsBootstrap {
  checkControlPlane(where, controlPlane);
  checkMeshNode(where, node);
  return {
    xds_servers: [{ server_uri: controlPlane, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: {
      id: node.id,
      ...(node.cluster !== undefined ? { cluster: node.cluster } : {}),
      locality: envoyLocality(node),
      metadata: nodeMetadata(node),
    },
    ...(certificates ? {
      certificate_providers: {
        default: {
          plugin_name: 'file_watcher',
          config: { certificate_file: certificates.certificateFile, private_key_file: certificates.privateKeyFile, ca_certificate_file: certificates.caCertificateFile, refresh_interval: '5s' },
        },
      },
    } : {}),
  };
}
