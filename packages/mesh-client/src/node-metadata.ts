// The node metadata keys mesh-client sends in `node.metadata` of its xDS streams: who the process
// is (namespace, labels, service account) and, on a serving workload's registration stream, what it
// serves. The wire contract is NODE_METADATA in packages/mesh-server/src/xds/contracts.ts; the keys
// are copied here because mesh-client must not load mesh-server at run time.

/** Node metadata keys read by the Inboard control plane (mirror of mesh-server's NODE_METADATA). */
export const NODE_METADATA = Object.freeze({
  /** string: the workload's namespace (default "default"). */
  NAMESPACE: 'NAMESPACE',
  /** struct of strings: workload labels, e.g. { app: "reviews", version: "v1" }. */
  LABELS: 'LABELS',
  /** string: service account name (identity spiffe://cluster.local/ns/NS/sa/SA). */
  SERVICE_ACCOUNT: 'SERVICE_ACCOUNT',
  /** string: comma-separated IP addresses the workload serves on. */
  INSTANCE_IPS: 'INSTANCE_IPS',
  /** string: display name of the workload instance. */
  WORKLOAD_NAME: 'WORKLOAD_NAME',
  /** string: the service this workload serves; present only on registration streams. */
  SERVICE: 'INBOARD_SERVICE',
  /** struct: port name → port number served, e.g. { http: 9080 }; registration streams only. */
  PORTS: 'INBOARD_PORTS',
  /** string: 'sidecar' (an application process, the default) or 'router' (an ingress gateway). */
  ROLE: 'INBOARD_ROLE',
} as const);

/** Who this process is, as both its config stream and its registration streams present it. */
export interface NodeIdentity {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  readonly role: 'sidecar' | 'router';
  readonly workloadName?: string;
}

/** The metadata of a config (caller) stream: identity only, so the node never registers itself. */
export function callerMetadata(identity: NodeIdentity): Record<string, unknown> {
  return {
    [NODE_METADATA.NAMESPACE]: identity.namespace,
    ...(Object.keys(identity.labels).length > 0 ? { [NODE_METADATA.LABELS]: { ...identity.labels } } : {}),
    ...(identity.serviceAccount !== undefined ? { [NODE_METADATA.SERVICE_ACCOUNT]: identity.serviceAccount } : {}),
    ...(identity.workloadName !== undefined ? { [NODE_METADATA.WORKLOAD_NAME]: identity.workloadName } : {}),
    ...(identity.role !== 'sidecar' ? { [NODE_METADATA.ROLE]: identity.role } : {}),
  };
}

/** Istio's workload label saying whether the workload serves mesh mTLS ("istio") or not ("disabled"). */
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/**
 * The identity a serving workload registers with: a workload that cannot serve mesh mTLS (no
 * certificate) is labelled `security.istio.io/tlsMode: disabled`, so auto mTLS sends it plaintext.
 */
export function servingIdentity(identity: NodeIdentity, servesMtls: boolean): NodeIdentity {
  if (servesMtls || identity.labels[TLS_MODE_LABEL] !== undefined) return identity;
  return { ...identity, labels: { ...identity.labels, [TLS_MODE_LABEL]: 'disabled' } };
}

/** The metadata of a registration stream: identity plus the service, ports and addresses served. */
export function registrationMetadata(
  identity: NodeIdentity, service: string, ports: Readonly<Record<string, number>>, addresses: readonly string[],
): Record<string, unknown> {
  return {
    ...callerMetadata(identity),
    [NODE_METADATA.SERVICE]: service,
    [NODE_METADATA.PORTS]: { ...ports },
    ...(addresses.length > 0 ? { [NODE_METADATA.INSTANCE_IPS]: addresses.join(',') } : {}),
  };
}
