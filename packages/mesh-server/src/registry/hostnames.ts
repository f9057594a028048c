// Service hostnames the way Istio and Kubernetes spell them: `<svc>.<ns>.svc.<domain>`, with the
// short forms `<svc>`, `<svc>.<ns>` and `<svc>.<ns>.svc` resolved against a namespace.

import { MeshServerError } from '../errors';

/** The default trust domain / cluster DNS suffix. */
export const DEFAULT_DOMAIN = 'cluster.local';

/** `<name>.<namespace>.svc.<domain>`. */
export function serviceHostname(name: string, namespace: string, domain = DEFAULT_DOMAIN): string {
  return `${name}.${namespace}.svc.${domain}`.toLowerCase();
}

/**
 * Resolves a service name to its FQDN: `reviews` (in `namespace`), `reviews.prod`, `reviews.prod.svc`,
 * or a name already fully qualified (returned lower-cased, without a trailing dot).
 */
export function toServiceFqdn(service: string, namespace: string, domain = DEFAULT_DOMAIN): string {
  const name = service.trim().toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  if (name === '' || labels.some((label) => label === '')) {
    throw new MeshServerError('BAD_REQUEST', `service name ${JSON.stringify(service)} is not a hostname`, { service });
  }
  if (labels.length === 1) return serviceHostname(name, namespace, domain);
  if (labels.length === 2) return `${name}.svc.${domain}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${name}.${domain}`;
  return name;
}

/** Name and namespace of an in-cluster FQDN (`<svc>.<ns>.svc.<domain>`), else undefined. */
export function splitServiceHostname(hostname: string, domain = DEFAULT_DOMAIN): { name: string; namespace: string } | undefined {
  const suffix = `.svc.${domain}`;
  if (!hostname.endsWith(suffix)) return undefined;
  const labels = hostname.slice(0, -suffix.length).split('.');
  return labels.length === 2 ? { name: labels[0]!, namespace: labels[1]! } : undefined;
}
