// The lookup tables the analyzers share: known service hosts and their ports (from Service and
// ServiceEntry resources and the registry), DestinationRule subsets by host, Gateways by
// namespace/name, and where each VirtualService destination sits.

import { qualifyHost, resolveHost, serviceHost } from '../host-names';
import type { Resource } from '../resource';
import type { RegistrySnapshot } from '../../registry/types';
import { hostWithin } from '../validate/names';
import { list, rec, str } from '../validate/schema';

/** What the analyzers know about the mesh. */
export interface MeshIndex {
  /** Is `host` (an FQDN) a service the mesh knows (exactly, or through a wildcard ServiceEntry)? */
  knows(host: string): boolean;
  /** Resolves a host as written in a resource of `namespace` to the name the mesh knows it by. */
  resolve(host: string, namespace: string): string;
  /** Port numbers of a known service, when known. */
  ports(host: string): readonly number[] | undefined;
  /** Subset names DestinationRules define for `host` (resolved), including wildcard DR hosts. */
  subsets(host: string): ReadonlySet<string>;
  /** The Gateway resource "namespace/name", if stored. */
  gateway(key: string): Resource | undefined;
}

/** Builds the index from the stored resources and, when given, the registry. */
export function buildMeshIndex(resources: readonly Resource[], registry?: RegistrySnapshot): MeshIndex {
  const exact = new Map<string, number[]>();
  const wildcards: string[] = [];
  const addHost = (host: string, ports: number[]) => {
    const h = host.toLowerCase();
    if (h.startsWith('*')) wildcards.push(h);
    else exact.set(h, [...new Set([...(exact.get(h) ?? []), ...ports])]);
  };
  for (const r of resources) {
    const spec = rec(r.spec);
    if (r.kind === 'Service') {
      addHost(serviceHost(r.metadata.name, r.metadata.namespace), numbers(list(spec?.ports).map((p) => rec(p)?.port)));
    } else if (r.kind === 'ServiceEntry') {
      const ports = numbers(list(spec?.ports).map((p) => rec(p)?.number));
      for (const h of list(spec?.hosts)) if (typeof h === 'string') addHost(qualifyHost(h, r.metadata.namespace), ports);
    }
  }
  for (const [host, info] of registry?.services ?? []) addHost(host, info.ports.map((p) => p.port));

  const knows = (host: string): boolean => exact.has(host.toLowerCase()) || wildcards.some((w) => hostWithin(host, w));
  const resolve = (host: string, namespace: string): string => resolveHost(host, namespace, knows);

  const subsetsByHost = new Map<string, Set<string>>();
  for (const r of resources) {
    if (r.kind !== 'DestinationRule') continue;
    const spec = rec(r.spec);
    const host = str(spec?.host);
    if (host === undefined) continue;
    const key = resolve(host, r.metadata.namespace);
    const names = subsetsByHost.get(key) ?? new Set<string>();
    for (const s of list(spec?.subsets)) {
      const name = str(rec(s)?.name);
      if (name !== undefined) names.add(name);
    }
    subsetsByHost.set(key, names);
  }

  const gateways = new Map<string, Resource>();
  for (const r of resources) if (r.kind === 'Gateway') gateways.set(`${r.metadata.namespace}/${r.metadata.name}`, r);

  return {
    knows,
    resolve,
    ports: (host) => exact.get(host.toLowerCase()),
    subsets(host) {
      const names = new Set(subsetsByHost.get(host) ?? []);
      for (const [drHost, drNames] of subsetsByHost) {
        if (drHost.startsWith('*') && hostWithin(host, drHost)) drNames.forEach((n) => names.add(n));
      }
      return names;
    },
    gateway: (key) => gateways.get(key),
  };
}

function numbers(values: unknown[]): number[] {
  return values.filter((v): v is number => typeof v === 'number');
}

/** "namespace/name" of a gateway reference made from a VirtualService in `namespace`. */
export function gatewayKey(ref: string, namespace: string): string {
  if (ref.includes('/')) return ref;
  if (ref.includes('.')) {
    const [name, ns] = ref.split('.');
    return `${ns}/${name}`;
  }
  return `${namespace}/${ref}`;
}

/** A destination inside a VirtualService, with its path and how it is used. */
export interface DestinationRef {
  readonly path: string;
  readonly host: string;
  readonly subset?: string;
  readonly port?: number;
  readonly mirror: boolean;
}

/** Every destination of a VirtualService spec: HTTP/TCP/TLS routes, mirror and mirrors. */
export function destinationsOf(spec: Record<string, unknown> | undefined): DestinationRef[] {
  const out: DestinationRef[] = [];
  const add = (value: unknown, path: string, mirror: boolean) => {
    const d = rec(value);
    const host = str(d?.host);
    if (!d || host === undefined) return;
    const subset = str(d.subset);
    const port = rec(d.port)?.number;
    out.push({ path, host, mirror, ...(subset !== undefined ? { subset } : {}), ...(typeof port === 'number' ? { port } : {}) });
  };
  for (const family of ['http', 'tcp', 'tls']) {
    list(spec?.[family]).forEach((route, r) => {
      const rt = rec(route);
      list(rt?.route).forEach((dest, d) => add(rec(dest)?.destination, `spec.${family}[${r}].route[${d}].destination`, false));
      if (family !== 'http') return;
      add(rt?.mirror, `spec.http[${r}].mirror`, true);
      list(rt?.mirrors).forEach((m, i) => add(rec(m)?.destination, `spec.http[${r}].mirrors[${i}].destination`, true));
    });
  }
  return out;
}
