// Which DestinationRule applies to a host for one proxy, and the effective traffic policy of one
// cluster (service port, optional subset), following istiod: proxy namespace first, then the service's
// namespace, then the root namespace; same-host rules in one namespace merge; port-level settings
// replace the rule-level fields they cover; subset policy overrides top-level fields one by one.

import type { Resource } from '../../config/resource';
import { keyString, keyOf } from '../../config/resource';
import type { DestinationRuleSpec, Subset, TrafficPolicy } from '../../config/istio-types';
import type { ProxyInfo } from '../contracts';
import { hostMatches, hostSpecificity, resolveHost } from './names';
import { isExportedTo, labelsMatch } from './visibility';
import type { WarningSink } from './warnings';

/** A subset together with the DestinationRule it came from. */
export interface SourcedSubset extends Subset {
  readonly source: string;
}

/** The DestinationRule (possibly several merged) that applies to one host for one proxy. */
export interface SelectedDestinationRule {
  /** "DestinationRule/ns/name" of every rule that contributed, first the one whose trafficPolicy counts. */
  readonly sources: readonly string[];
  readonly namespace: string;
  readonly trafficPolicy?: TrafficPolicy;
  readonly subsets: readonly SourcedSubset[];
}

/**
 * Picks the DestinationRule for `host` as seen by `proxy`. `rules` must be sorted (creation time,
 * namespace, name) so that merging and conflicts resolve the same way for every input order.
 */
export function selectDestinationRule(
  rules: readonly Resource<DestinationRuleSpec>[],
  host: string,
  serviceNamespace: string | undefined,
  proxy: ProxyInfo,
  rootNamespace: string,
  warnings: WarningSink,
): SelectedDestinationRule | undefined {
  const order = [proxy.namespace, serviceNamespace, rootNamespace].filter((ns, i, all): ns is string => !!ns && all.indexOf(ns) === i);
  for (const namespace of order) {
    const candidates = rules.filter((rule) => applies(rule, namespace, host, proxy));
    if (candidates.length === 0) continue;
    const best = Math.max(...candidates.map((rule) => hostSpecificity(resolveHost(rule.spec.host, rule.metadata.namespace))));
    const chosen = candidates.filter((rule) => hostSpecificity(resolveHost(rule.spec.host, rule.metadata.namespace)) === best);
    // Rules with a workloadSelector are the more specific ones; they come first.
    chosen.sort((a, b) => Number(!a.spec.workloadSelector) - Number(!b.spec.workloadSelector));
    return merge(chosen, namespace, warnings);
  }
  return undefined;
}

function applies(rule: Resource<DestinationRuleSpec>, namespace: string, host: string, proxy: ProxyInfo): boolean {
  if (rule.metadata.namespace !== namespace) return false;
  if (!isExportedTo(rule.spec.exportTo, namespace, proxy.namespace)) return false;
  if (!hostMatches(resolveHost(rule.spec.host, namespace), host)) return false;
  const selector = rule.spec.workloadSelector?.matchLabels;
  if (rule.spec.workloadSelector) {
    // A selector scopes the rule to matching workloads of its own namespace.
    return namespace === proxy.namespace && labelsMatch(selector, proxy.labels);
  }
  return true;
}

function merge(chosen: readonly Resource<DestinationRuleSpec>[], namespace: string, warnings: WarningSink): SelectedDestinationRule {
  const first = chosen[0]!;
  const firstKey = keyString(keyOf(first));
  let trafficPolicy = first.spec.trafficPolicy;
  const subsets: SourcedSubset[] = [];
  const sources: string[] = [];
  for (const rule of chosen) {
    const source = keyString(keyOf(rule));
    sources.push(source);
    if (rule !== first && rule.spec.trafficPolicy) {
      if (trafficPolicy) {
        warnings.add(source, `trafficPolicy ignored: ${firstKey} for the same host in namespace ${namespace} takes precedence (Istio merges only subsets)`);
      } else {
        trafficPolicy = rule.spec.trafficPolicy;
      }
    }
    for (const subset of rule.spec.subsets ?? []) {
      const existing = subsets.find((s) => s.name === subset.name);
      if (existing) {
        warnings.add(source, `subset "${subset.name}" ignored: already defined by ${existing.source}`);
        continue;
      }
      subsets.push({ ...subset, source });
    }
  }
  return { sources, namespace, ...(trafficPolicy ? { trafficPolicy } : {}), subsets };
}

/** The port-level entry of a policy for `port`, as a whole policy (port-level fields do not inherit). */
function portLevelPolicy(policy: TrafficPolicy | undefined, port: number): { policy: TrafficPolicy | undefined; portLevel: boolean } {
  if (!policy) return { policy: undefined, portLevel: false };
  const entry = (policy.portLevelSettings ?? []).find((p) => p.port?.number === port);
  if (!entry) return { policy, portLevel: false };
  const { port: _port, ...fields } = entry;
  return { policy: fields, portLevel: true };
}

/**
 * The traffic policy of cluster (port, subset) under this rule: rule policy → its port-level entry →
 * subset policy → the subset's port-level entry, each later level replacing whole top-level fields.
 */
export function effectivePolicy(rule: SelectedDestinationRule | undefined, subsetName: string | undefined, port: number): TrafficPolicy | undefined {
  if (!rule) return undefined;
  const base = portLevelPolicy(rule.trafficPolicy, port).policy;
  const subset = subsetName === undefined ? undefined : rule.subsets.find((s) => s.name === subsetName);
  if (!subset?.trafficPolicy) return base ? withoutPortLevel(base) : undefined;
  const { policy: subsetPolicy, portLevel } = portLevelPolicy(subset.trafficPolicy, port);
  if (!base) return subsetPolicy ? withoutPortLevel(subsetPolicy) : undefined;
  const merged: TrafficPolicy = withoutPortLevel(base);
  const s = subsetPolicy ?? {};
  return {
    ...merged,
    ...(s.connectionPool !== undefined || portLevel ? { connectionPool: s.connectionPool } : {}),
    ...(s.outlierDetection !== undefined || portLevel ? { outlierDetection: s.outlierDetection } : {}),
    ...(s.loadBalancer !== undefined || portLevel ? { loadBalancer: s.loadBalancer } : {}),
    ...(s.tls !== undefined || portLevel ? { tls: s.tls } : {}),
    ...(s.tunnel !== undefined ? { tunnel: s.tunnel } : {}),
    ...(s.proxyProtocol !== undefined ? { proxyProtocol: s.proxyProtocol } : {}),
  };
}

function withoutPortLevel(policy: TrafficPolicy): TrafficPolicy {
  const { portLevelSettings: _pls, ...rest } = policy;
  return rest;
}
