// Cross-resource analysis of the stored config, in the spirit of `istioctl analyze`: broken
// references (gateways, hosts, subsets), conflicting VirtualServices, subsets without workloads,
// and per-resource validation warnings (fields Inboard stores but does not enforce, dead rules).
// Istio's message codes are used where Istio has one; Inboard's own codes start with INB.

import { buildMeshIndex } from './analyze/mesh-index';
import { analyzeDestinationRule } from './analyze/destination-rules';
import { analyzeHostConflicts, analyzeVirtualService } from './analyze/virtual-services';
import type { Resource } from './resource';
import { validateResource } from './validate';
import type { RegistrySnapshot } from '../registry/types';

/** One finding. `resource` is "Kind namespace/name"; `path` the field at fault, when there is one. */
export interface AnalysisMessage {
  readonly level: 'Error' | 'Warning' | 'Info';
  /** Istio's analysis code (IST0101 ReferencedResourceNotFound, …) or Inboard's (INB…). */
  readonly code: string;
  readonly resource: string;
  readonly path?: string;
  readonly message: string;
}

/** Codes of validation warnings that Istio reports as Info rather than Warning. */
const INFO_CODES = new Set(['IST0131']);

/**
 * Analyzes `resources` as a whole. With a registry snapshot, services and workloads registered at
 * run time count as known, and subsets are checked against the workloads that exist.
 * Messages come out grouped by resource, in the order of `resources`.
 */
export function analyze(resources: readonly Resource[], registry?: RegistrySnapshot): AnalysisMessage[] {
  const index = buildMeshIndex(resources, registry);
  const byResource = new Map<string, AnalysisMessage[]>();
  const add = (messages: readonly AnalysisMessage[]) => {
    for (const m of messages) byResource.set(m.resource, [...(byResource.get(m.resource) ?? []), m]);
  };
  for (const resource of resources) {
    add(validationMessages(resource));
    if (resource.kind === 'VirtualService') add(analyzeVirtualService(resource, index));
    if (resource.kind === 'DestinationRule') add(analyzeDestinationRule(resource, index, registry));
  }
  add(analyzeHostConflicts(resources.filter((r) => r.kind === 'VirtualService')));
  return [...byResource.values()].flat();
}

/** A stored resource's validation findings: warnings as they are, errors (rules changed since it was stored) as IST0106. */
function validationMessages(resource: Resource): AnalysisMessage[] {
  const { errors, warnings } = validateResource(resource);
  const name = `${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}`;
  return [
    ...errors.map((e): AnalysisMessage => ({ level: 'Error', code: 'IST0106', resource: name, path: e.path, message: `Schema validation error: ${e.message}` })),
    ...warnings.map((w): AnalysisMessage => ({
      level: w.code !== undefined && INFO_CODES.has(w.code) ? 'Info' : 'Warning',
      code: w.code ?? 'INB0002',
      resource: name,
      path: w.path,
      message: w.message,
    })),
  ];
}
