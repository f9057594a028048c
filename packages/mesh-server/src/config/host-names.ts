// Host name resolution as Istio does it: a short name ("reviews") means a service in the
// namespace of the config object that names it, whatever the caller's namespace. The forms
// "reviews.default" and "reviews.default.svc" also name the in-cluster service (Inboard's convention).

/** The cluster domain of in-mesh service host names. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** `reviews` in namespace `default` → `reviews.default.svc.cluster.local`; other forms unchanged. */
export function qualifyHost(host: string, namespace: string): string {
  if (host.includes('.') || host.startsWith('*')) return host.toLowerCase();
  return `${host}.${namespace}.svc.${CLUSTER_DOMAIN}`.toLowerCase();
}

/** FQDN of an in-cluster service (core/v1 Service `name` in `namespace`). */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/**
 * Resolves a host as written in config to the host name a registry knows: the qualified form
 * when `known` has it; else `name.ns` → `name.ns.svc.cluster.local` and `name.ns.svc` →
 * `name.ns.svc.cluster.local` when those are known; else the qualified form.
 */
export function resolveHost(host: string, namespace: string, known: (host: string) => boolean): string {
  const qualified = qualifyHost(host, namespace);
  if (known(qualified) || qualified.startsWith('*')) return qualified;
  const labels = qualified.split('.');
  if (labels.length === 2 && known(`${qualified}.svc.${CLUSTER_DOMAIN}`)) return `${qualified}.svc.${CLUSTER_DOMAIN}`;
  if (labels.length === 3 && labels[2] === 'svc' && known(`${qualified}.${CLUSTER_DOMAIN}`)) return `${qualified}.${CLUSTER_DOMAIN}`;
  return qualified;
}
