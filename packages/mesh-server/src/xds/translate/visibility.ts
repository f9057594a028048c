// exportTo semantics: which config objects and services a proxy in a given namespace may see.
// Istio's rules: unset = everywhere, "*" = everywhere, "." = own namespace, "~" = nowhere, else names.

import type { Resource } from '../../config/resource';
import type { ServiceEntrySpec } from '../../config/istio-types';
import type { ServiceInfo } from '../../registry/types';

/** The annotation Kubernetes Services use to restrict their visibility. */
export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

/** True if an object in `ownerNamespace` with this exportTo list is visible to `proxyNamespace`. */
export function isExportedTo(exportTo: readonly string[] | undefined, ownerNamespace: string, proxyNamespace: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  for (const entry of exportTo) {
    const e = entry.trim();
    if (e === '*') return true;
    if (e === '.' && ownerNamespace === proxyNamespace) return true;
    if (e === proxyNamespace) return true;
  }
  return false;
}

/** The exportTo list a service's source resource declares (annotation on Service, field on ServiceEntry). */
export function serviceExportTo(service: ServiceInfo, configByKey: ReadonlyMap<string, Resource>): readonly string[] | undefined {
  const source = configByKey.get(service.source);
  if (!source) return undefined;
  if (source.kind === 'ServiceEntry') return (source.spec as ServiceEntrySpec).exportTo;
  if (source.kind === 'Service') {
    const annotation = source.metadata.annotations?.[EXPORT_TO_ANNOTATION];
    return annotation === undefined ? undefined : annotation.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
  return undefined;
}

/** True if the labels satisfy the selector (every selector pair present with the same value). */
export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector)) {
    if (labels[key] !== value) return false;
  }
  return true;
}
