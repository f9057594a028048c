// The effective PeerAuthentication mTLS mode of each port a workload serves, with Istio's precedence:
// port > workload > namespace > mesh (root namespace), UNSET inheriting, PERMISSIVE by default, and
// the oldest policy winning at each scope.

import type { Resource } from '../../config/resource';
import type { MTLSMode, PeerAuthenticationSpec } from '../../config/istio-types';
import { sourceOf } from './context';
import { selectorMatches, type PolicyTarget } from './rbac-policies';
import type { WarningSink } from './warnings';

/** An effective mode (never UNSET). */
export type EffectiveMtlsMode = Exclude<MTLSMode, 'UNSET'>;

/** The mode of one port and the policy it came from (absent: Istio's default, PERMISSIVE). */
export interface PortMtls {
  readonly mode: EffectiveMtlsMode;
  /** "PeerAuthentication/ns/name" of the policy that decided it. */
  readonly source?: string;
}

const hasSelector = (pa: Resource<PeerAuthenticationSpec>): boolean => Object.keys(pa.spec.selector?.matchLabels ?? {}).length > 0;

const setMode = (mode: MTLSMode | undefined): EffectiveMtlsMode | undefined => (mode === undefined || mode === 'UNSET' ? undefined : mode);

/**
 * The effective mode for each of `ports` of the workload `target`. `config` must be in config order
 * (oldest first), as the translation context sorts it. Duplicates at one scope get a warning.
 */
export function effectiveMtlsModes(
  config: readonly Resource[],
  target: PolicyTarget,
  ports: readonly number[],
  rootNamespace: string,
  warnings?: WarningSink,
): Map<number, PortMtls> {
  const all = config.filter((r): r is Resource<PeerAuthenticationSpec> => r.kind === 'PeerAuthentication');
  const first = (candidates: Resource<PeerAuthenticationSpec>[], scope: string): Resource<PeerAuthenticationSpec> | undefined => {
    for (const ignored of candidates.slice(1)) {
      warnings?.add(sourceOf(ignored), `another ${scope} PeerAuthentication (${sourceOf(candidates[0]!)}) is older and wins; this one is ignored`);
    }
    return candidates[0];
  };
  const mesh = first(all.filter((pa) => pa.metadata.namespace === rootNamespace && !hasSelector(pa)), 'mesh-wide');
  const namespace = target.namespace === rootNamespace
    ? undefined
    : first(all.filter((pa) => pa.metadata.namespace === target.namespace && !hasSelector(pa)), `namespace-wide (${target.namespace})`);
  const workload = first(
    all.filter((pa) => pa.metadata.namespace === target.namespace && hasSelector(pa) && selectorMatches(pa.spec.selector, target.labels)),
    'workload',
  );

  let base: PortMtls = { mode: 'PERMISSIVE' };
  for (const scope of [mesh, namespace, workload]) {
    const mode = setMode(scope?.spec.mtls?.mode);
    if (scope && mode) base = { mode, source: sourceOf(scope) };
  }
  const out = new Map<number, PortMtls>();
  for (const port of ports) {
    const portMode = setMode(workload?.spec.portLevelMtls?.[String(port)]?.mode);
    out.set(port, workload && portMode ? { mode: portMode, source: sourceOf(workload) } : base);
  }
  return out;
}
