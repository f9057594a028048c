// Which AuthorizationPolicies apply to a workload, and the RBAC HTTP filters they become in Istio's
// order AUDIT (LOG) → DENY → ALLOW, dry-run policies as shadow rules. An untranslatable rule is skipped
// in an ALLOW policy and matches everything in a DENY or AUDIT one (fail closed).

import type { Resource } from '../../config/resource';
import type { AuthorizationPolicySpec, WorkloadSelector } from '../../config/istio-types';
import { sourceOf } from './context';
import { TYPE_URL as BASE_TYPE_URL, type EnvoyObject } from './envoy-names';
import { RBAC_POLICY_MATCH_ALL, RBAC_POLICY_MATCH_NEVER, rbacPolicyName, rulePolicy } from './rbac-rules';
import type { WarningSink } from './warnings';

/** `@type` of the RBAC HTTP filter config. */
export const RBAC_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';

/** HTTP filter names of the three RBAC filters (DENY and ALLOW as Istio's proxyless generator names them). */
export const RBAC_FILTER_NAMES = {
  LOG: 'envoy.filters.http.rbac.AUDIT',
  DENY: 'envoy.filters.http.rbac.DENY',
  ALLOW: 'envoy.filters.http.rbac',
} as const;

/** Istio's dry-run annotation: "true" puts the policy into shadow_rules (evaluated, never enforced). */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** Istio's shadow_rules_stat_prefix per action (RBACShadowRulesAllowStatPrefix / …DenyStatPrefix). */
const SHADOW_STAT_PREFIX: Readonly<Record<RbacAction, string>> = { ALLOW: 'istio_dry_run_allow_', DENY: 'istio_dry_run_deny_', LOG: '' };

/** Envoy RBAC actions. */
export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

/** The workload a policy is selected for. */
export interface PolicyTarget {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** True when `selector` is absent/empty or all its matchLabels are among `labels`. */
export function selectorMatches(selector: WorkloadSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * The AuthorizationPolicies that apply to `target`, in config order (oldest first): those of the
 * root namespace and of the workload's namespace whose selector is empty or matches its labels.
 */
export function applicableAuthorizationPolicies(config: readonly Resource[], target: PolicyTarget, rootNamespace: string): Resource<AuthorizationPolicySpec>[] {
  return config
    .filter((r): r is Resource<AuthorizationPolicySpec> => r.kind === 'AuthorizationPolicy')
    .filter((r) => (r.metadata.namespace === rootNamespace || r.metadata.namespace === target.namespace) && selectorMatches(r.spec.selector, target.labels));
}

/** The Envoy action a policy's rules are enforced with. CUSTOM (rejected at write) fails closed as DENY. */
function actionOf(policy: Resource<AuthorizationPolicySpec>, warnings: WarningSink): RbacAction {
  switch (policy.spec.action ?? 'ALLOW') {
    case 'ALLOW': return 'ALLOW';
    case 'DENY': return 'DENY';
    case 'AUDIT': return 'LOG';
    default:
      warnings.add(sourceOf(policy), 'action CUSTOM has no external authorizer in Inboard; its rules are enforced as DENY (fail closed)');
      return 'DENY';
  }
}

function isDryRun(policy: Resource<AuthorizationPolicySpec>, warnings: WarningSink): boolean {
  const value = policy.metadata.annotations?.[DRY_RUN_ANNOTATION];
  if (value === undefined) return false;
  if (/^(true|1|t)$/i.test(value)) return true;
  if (!/^(false|0|f)$/i.test(value)) warnings.add(sourceOf(policy), `annotation ${DRY_RUN_ANNOTATION}: ${JSON.stringify(value)} is not a boolean; the policy is enforced`);
  return false;
}

/** The RBAC Policies of one AuthorizationPolicy, by Envoy policy name. */
function envoyPolicies(policy: Resource<AuthorizationPolicySpec>, action: RbacAction, warnings: WarningSink): [string, EnvoyObject][] {
  const { namespace, name } = policy.metadata;
  const rules = policy.spec.rules ?? [];
  if (rules.length === 0) return [[rbacPolicyName(namespace, name, 0), RBAC_POLICY_MATCH_NEVER]];
  const out: [string, EnvoyObject][] = [];
  rules.forEach((rule, i) => {
    const id = rbacPolicyName(namespace, name, i);
    try {
      out.push([id, rulePolicy(rule ?? {}, namespace)]);
    } catch (error) {
      const message = (error as Error).message;
      if (action === 'ALLOW') {
        warnings.add(sourceOf(policy), `rules[${i}] skipped (it allows nothing): ${message}`);
      } else {
        warnings.add(sourceOf(policy), `rules[${i}] cannot be translated (${message}); it matches every request instead (fail closed)`);
        out.push([id, RBAC_POLICY_MATCH_ALL]);
      }
    }
  });
  return out;
}

/** Policies grouped by (action, enforced or dry-run), names sorted. */
interface Grouped {
  readonly enforced: Map<string, EnvoyObject>;
  readonly dryRun: Map<string, EnvoyObject>;
  hasEnforced: boolean;
  hasDryRun: boolean;
}

function sortedPolicies(map: Map<string, EnvoyObject>): Record<string, EnvoyObject> {
  return Object.fromEntries([...map.keys()].sort().map((k) => [k, map.get(k)!]));
}

/** Options of authorizationHttpFilters. */
export interface RbacFilterOptions {
  /** gRPC's RBAC filter rejects action LOG and reads only `rules`: AUDIT and dry-run policies are left out. */
  readonly grpcClient: boolean;
}

/**
 * The RBAC HTTP filters (without the router) for the policies that apply to a workload: one per
 * action that has policies, AUDIT → DENY → ALLOW. Empty when no policy applies (Envoy/Istio: no
 * filter, everything allowed). An ALLOW policy without rules adds a never-matching policy, so the
 * ALLOW filter exists and denies what nothing else allows (allow-nothing).
 */
export function authorizationHttpFilters(policies: readonly Resource<AuthorizationPolicySpec>[], options: RbacFilterOptions, warnings: WarningSink): EnvoyObject[] {
  const groups: Record<RbacAction, Grouped> = {
    LOG: { enforced: new Map(), dryRun: new Map(), hasEnforced: false, hasDryRun: false },
    DENY: { enforced: new Map(), dryRun: new Map(), hasEnforced: false, hasDryRun: false },
    ALLOW: { enforced: new Map(), dryRun: new Map(), hasEnforced: false, hasDryRun: false },
  };
  for (const policy of policies) {
    const action = actionOf(policy, warnings);
    if (action === 'LOG' && options.grpcClient) {
      warnings.add(sourceOf(policy), 'AUDIT is not served to gRPC xDS servers (their RBAC filter rejects action LOG); the policy has no effect there');
      continue;
    }
    const dryRun = isDryRun(policy, warnings);
    if (dryRun && options.grpcClient) {
      warnings.add(sourceOf(policy), 'dry-run policies are not served to gRPC xDS servers (they evaluate no shadow rules)');
      continue;
    }
    const group = groups[action];
    const target = dryRun ? group.dryRun : group.enforced;
    if (dryRun) group.hasDryRun = true;
    else group.hasEnforced = true;
    for (const [name, envoyPolicy] of envoyPolicies(policy, action, warnings)) target.set(name, envoyPolicy);
  }
  const filters: EnvoyObject[] = [];
  for (const action of ['LOG', 'DENY', 'ALLOW'] as const) {
    const group = groups[action];
    if (!group.hasEnforced && !group.hasDryRun) continue;
    const config: EnvoyObject = { '@type': RBAC_TYPE_URL };
    if (group.hasEnforced) config['rules'] = { action, policies: sortedPolicies(group.enforced) };
    if (group.hasDryRun) {
      config['shadow_rules'] = { action, policies: sortedPolicies(group.dryRun) };
      if (SHADOW_STAT_PREFIX[action] !== '') config['shadow_rules_stat_prefix'] = SHADOW_STAT_PREFIX[action];
    }
    filters.push({ name: RBAC_FILTER_NAMES[action], typed_config: config });
  }
  return filters;
}

/** The Router filter that ends every inbound filter chain. */
export function routerFilter(): EnvoyObject {
  return { name: 'envoy.filters.http.router', typed_config: { '@type': BASE_TYPE_URL.router } };
}
