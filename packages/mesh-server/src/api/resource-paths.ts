// Kubernetes-style REST paths of config resources: `/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}`
// for Istio kinds, `/api/v1/...` for core kinds. Built by the CLI, resolved by the API server.

import { KINDS, type KindInfo } from '../config/resource';
import { ApiError } from './api-error';

/** Collection or item path for a kind (its served version). No namespace = all namespaces (list only). */
export function resourcePath(info: KindInfo, namespace?: string, name?: string): string {
  const root = info.group ? `/apis/${info.group}/${info.versions[0]}` : `/api/${info.versions[0]}`;
  if (namespace === undefined) return `${root}/${info.plural}`;
  const collection = `${root}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}

/** Finds the kind served at `group/version/plural` (group '' for the core `/api/v1`), or answers 404. */
export function resolveKind(group: string, version: string, plural: string): KindInfo {
  const info = KINDS.find((k) => k.group === group && k.plural === plural);
  const where = group ? `${group}/${version}` : version;
  if (!info) {
    const served = KINDS.filter((k) => k.group === group).map((k) => k.plural);
    throw new ApiError(404, 'NOT_FOUND', `no resource "${plural}" in API ${where}` + (served.length ? `; this group serves ${served.join(', ')}` : ''), { group, version, plural });
  }
  if (!info.versions.includes(version)) {
    throw new ApiError(404, 'NOT_FOUND', `${plural} is not served at version ${version}; use one of ${info.versions.join(', ')}`, { group, version, plural });
  }
  return info;
}

/** `virtualservices.networking.istio.io` (or `services` for core), as Kubernetes names a resource type in errors. */
export function qualifiedPlural(info: KindInfo): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}
