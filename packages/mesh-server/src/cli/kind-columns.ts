// The columns `inboard get` prints per kind, between NAME and AGE, following Istio's CRD printer
// columns (VirtualService GATEWAYS/HOSTS, DestinationRule HOST, ServiceEntry HOSTS/LOCATION/RESOLUTION, …).

import type { KindName, Resource } from '../config/resource';
import type * as T from '../config/istio-types';
import { formatLabels, joinList } from './table';

/** Extra columns of one kind: headers and a cell function; `wide` adds more for `-o wide`. */
export interface KindColumns {
  readonly headers: readonly string[];
  readonly cells: (resource: Resource) => string[];
  readonly wideHeaders: readonly string[];
  readonly wideCells: (resource: Resource) => string[];
}

const spec = <S>(r: Resource) => (r.spec ?? {}) as S;

const selectorOf = (s: { selector?: { matchLabels?: Record<string, string> } }) => formatLabels(s.selector?.matchLabels);

/** Columns per kind. */
export const KIND_COLUMNS: Readonly<Record<KindName, KindColumns>> = {
  Service: {
    headers: ['TYPE', 'PORT(S)'],
    cells: (r) => {
      const s = spec<T.ServiceSpec>(r);
      return [s.type ?? 'ClusterIP', joinList((s.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`))];
    },
    wideHeaders: ['SELECTOR'],
    wideCells: (r) => [formatLabels(spec<T.ServiceSpec>(r).selector)],
  },
  VirtualService: {
    headers: ['GATEWAYS', 'HOSTS'],
    cells: (r) => {
      const s = spec<T.VirtualServiceSpec>(r);
      return [joinList(s.gateways), joinList(s.hosts)];
    },
    wideHeaders: ['HTTP ROUTES', 'TCP ROUTES', 'TLS ROUTES'],
    wideCells: (r) => {
      const s = spec<T.VirtualServiceSpec>(r) as T.VirtualServiceSpec & { http?: unknown[]; tcp?: unknown[]; tls?: unknown[] };
      return [String(s.http?.length ?? 0), String(s.tcp?.length ?? 0), String(s.tls?.length ?? 0)];
    },
  },
  DestinationRule: {
    headers: ['HOST', 'SUBSETS'],
    cells: (r) => {
      const s = spec<T.DestinationRuleSpec>(r);
      return [s.host ?? '', joinList((s.subsets ?? []).map((x) => x.name))];
    },
    wideHeaders: ['LOAD BALANCER', 'TLS MODE'],
    wideCells: (r) => {
      const policy = spec<T.DestinationRuleSpec>(r).trafficPolicy as { loadBalancer?: { simple?: string; consistentHash?: unknown }; tls?: { mode?: string } } | undefined;
      const lb = policy?.loadBalancer?.simple ?? (policy?.loadBalancer?.consistentHash ? 'CONSISTENT_HASH' : '');
      return [lb, policy?.tls?.mode ?? ''];
    },
  },
  Gateway: {
    headers: ['SERVERS', 'HOSTS'],
    cells: (r) => {
      const s = spec<T.GatewaySpec>(r);
      return [joinList((s.servers ?? []).map((x) => `${x.port?.number}/${x.port?.protocol}`)), joinList([...new Set((s.servers ?? []).flatMap((x) => x.hosts ?? []))])];
    },
    wideHeaders: ['SELECTOR'],
    wideCells: (r) => [formatLabels(spec<T.GatewaySpec>(r).selector)],
  },
  ServiceEntry: {
    headers: ['HOSTS', 'LOCATION', 'RESOLUTION'],
    cells: (r) => {
      const s = spec<T.ServiceEntrySpec>(r);
      return [joinList(s.hosts), s.location ?? '', s.resolution ?? ''];
    },
    wideHeaders: ['PORTS', 'ENDPOINTS'],
    wideCells: (r) => {
      const s = spec<T.ServiceEntrySpec>(r);
      return [joinList((s.ports ?? []).map((p) => `${p.number}/${p.protocol ?? ''}`)), String(s.endpoints?.length ?? 0)];
    },
  },
  WorkloadEntry: {
    headers: ['ADDRESS', 'LABELS'],
    cells: (r) => {
      const s = spec<T.WorkloadEntrySpec>(r);
      return [s.address ?? '', formatLabels(s.labels)];
    },
    wideHeaders: ['SERVICE ACCOUNT', 'LOCALITY', 'PORTS'],
    wideCells: (r) => {
      const s = spec<T.WorkloadEntrySpec>(r);
      return [s.serviceAccount ?? '', s.locality ?? '', joinList(Object.entries(s.ports ?? {}).map(([n, p]) => `${n}:${p}`))];
    },
  },
  PeerAuthentication: {
    headers: ['MODE'],
    cells: (r) => [spec<T.PeerAuthenticationSpec>(r).mtls?.mode ?? ''],
    wideHeaders: ['SELECTOR'],
    wideCells: (r) => [selectorOf(spec<T.PeerAuthenticationSpec>(r))],
  },
  AuthorizationPolicy: {
    headers: ['ACTION'],
    cells: (r) => [spec<T.AuthorizationPolicySpec>(r).action ?? 'ALLOW'],
    wideHeaders: ['RULES', 'SELECTOR'],
    wideCells: (r) => {
      const s = spec<T.AuthorizationPolicySpec>(r);
      return [String(s.rules?.length ?? 0), selectorOf(s)];
    },
  },
  RequestAuthentication: {
    headers: ['ISSUERS'],
    cells: (r) => [joinList((spec<T.RequestAuthenticationSpec>(r).jwtRules ?? []).map((j) => j.issuer))],
    wideHeaders: ['SELECTOR'],
    wideCells: (r) => [selectorOf(spec<T.RequestAuthenticationSpec>(r))],
  },
};
