// The Kubernetes-style envelope every config resource is stored in, and the table of kinds the
// control plane accepts (group, versions, plural for the admin API paths, namespaced or not).

/** `metadata` of a stored resource. `namespace` is always filled in ("default" when omitted). */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Store revision at which this resource was last written (etcd's mod_revision). Set by the store. */
  readonly resourceVersion?: string;
  /** Set by the store on first write. */
  readonly creationTimestamp?: string;
  /** Bumped by the store when `spec` changes. */
  readonly generation?: number;
}

/** A validated resource of any supported kind. `spec` is typed per kind in istio-types.ts. */
export interface Resource<S = unknown> {
  readonly apiVersion: string;
  readonly kind: KindName;
  readonly metadata: ObjectMeta;
  readonly spec: S;
}

export type KindName =
  | 'VirtualService'
  | 'DestinationRule'
  | 'Gateway'
  | 'ServiceEntry'
  | 'WorkloadEntry'
  | 'PeerAuthentication'
  | 'AuthorizationPolicy'
  | 'RequestAuthentication'
  | 'Service';

export interface KindInfo {
  readonly kind: KindName;
  readonly group: string; // '' for core
  readonly versions: readonly string[]; // accepted; the first is the storage/served version
  readonly plural: string; // lower-case plural used in API paths and `inboard get`
  readonly shortNames: readonly string[];
}

/** Every kind the control plane stores, in the order `inboard get all` prints them. */
export const KINDS: readonly KindInfo[] = [
  { kind: 'Service', group: '', versions: ['v1'], plural: 'services', shortNames: ['svc'] },
  { kind: 'VirtualService', group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'virtualservices', shortNames: ['vs'] },
  { kind: 'DestinationRule', group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'destinationrules', shortNames: ['dr'] },
  { kind: 'Gateway', group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'gateways', shortNames: ['gw'] },
  { kind: 'ServiceEntry', group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'serviceentries', shortNames: ['se'] },
  { kind: 'WorkloadEntry', group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], plural: 'workloadentries', shortNames: ['we'] },
  { kind: 'PeerAuthentication', group: 'security.istio.io', versions: ['v1', 'v1beta1'], plural: 'peerauthentications', shortNames: ['pa'] },
  { kind: 'AuthorizationPolicy', group: 'security.istio.io', versions: ['v1', 'v1beta1'], plural: 'authorizationpolicies', shortNames: ['ap'] },
  { kind: 'RequestAuthentication', group: 'security.istio.io', versions: ['v1', 'v1beta1'], plural: 'requestauthentications', shortNames: ['ra'] },
];

const byAnyName = new Map<string, KindInfo>();
for (const k of KINDS) {
  for (const n of [k.kind, k.plural, k.kind.toLowerCase(), ...k.shortNames]) byAnyName.set(n.toLowerCase(), k);
}

/** Looks a kind up by kind name, plural, singular lower-case or short name (case-insensitive). */
export function findKind(name: string): KindInfo | undefined {
  return byAnyName.get(name.toLowerCase());
}

/** `group/version` or `version` for the core group, as written in `apiVersion`. */
export function apiVersionOf(info: KindInfo, version = info.versions[0]!): string {
  return info.group ? `${info.group}/${version}` : version;
}

/** The identity of a resource in the store: kind, namespace and name. */
export interface ResourceKey {
  readonly kind: KindName;
  readonly namespace: string;
  readonly name: string;
}

/** `Kind/namespace/name`, the key's stable string form (used by stores and in messages). */
export function keyString(key: ResourceKey): string {
  return `${key.kind}/${key.namespace}/${key.name}`;
}

export function keyOf(resource: Resource): ResourceKey {
  return { kind: resource.kind, namespace: resource.metadata.namespace, name: resource.metadata.name };
}
