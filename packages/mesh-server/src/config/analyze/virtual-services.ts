// VirtualService analyzers (after istioctl analyze): missing gateways (IST0101), hosts a gateway
// does not serve (IST0132), routes to unknown hosts (IST0101) or undefined subsets (IST0101),
// missing port selectors (IST0112), and two VirtualServices claiming one host (IST0109).

import type { AnalysisMessage } from '../analyze';
import { qualifyHost } from '../host-names';
import type { Resource } from '../resource';
import { hostsOverlap } from '../validate/names';
import { list, rec } from '../validate/schema';
import { destinationsOf, gatewayKey, type MeshIndex } from './mesh-index';

function label(r: Resource): string {
  return `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`;
}

/** Reference checks of one VirtualService. */
export function analyzeVirtualService(vs: Resource, index: MeshIndex): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  const spec = rec(vs.spec);
  const ns = vs.metadata.namespace;
  const report = (level: AnalysisMessage['level'], code: string, path: string, message: string) => out.push({ level, code, resource: label(vs), path, message });

  const hosts = list(spec?.hosts).filter((h): h is string => typeof h === 'string');
  list(spec?.gateways).forEach((g, i) => {
    if (typeof g !== 'string' || g === 'mesh') return;
    const gateway = index.gateway(gatewayKey(g, ns));
    if (!gateway) return report('Error', 'IST0101', `spec.gateways[${i}]`, `Referenced gateway not found: ${JSON.stringify(g)}`);
    if (!gatewayServesAny(gateway, hosts, ns)) {
      report('Warning', 'IST0132', `spec.gateways[${i}]`, `one or more host [${hosts.join(', ')}] defined in VirtualService ${ns}/${vs.metadata.name} not found in Gateway ${gatewayKey(g, ns)}`);
    }
  });
  list(spec?.http).forEach((route, r) => {
    list(rec(route)?.match).forEach((match, m) => {
      list(rec(match)?.gateways).forEach((g, i) => {
        if (typeof g === 'string' && g !== 'mesh' && !index.gateway(gatewayKey(g, ns))) {
          report('Error', 'IST0101', `spec.http[${r}].match[${m}].gateways[${i}]`, `Referenced gateway not found: ${JSON.stringify(g)}`);
        }
      });
    });
  });

  for (const d of destinationsOf(spec)) {
    const host = index.resolve(d.host, ns);
    if (!index.knows(host)) {
      report('Warning', 'IST0101', `${d.path}.host`, `Referenced ${d.mirror ? 'mirror host' : 'host'} not found: ${JSON.stringify(d.host)} (no Service, ServiceEntry or registered workload provides ${host})`);
    } else if (d.port === undefined) {
      const ports = index.ports(host) ?? [];
      if (ports.length > 1) {
        report('Error', 'IST0112', d.path, `This VirtualService routes to a service with more than one port exposed, but does not specify which to use: ${d.host} has ports ${[...ports].sort((a, b) => a - b).join(', ')}`);
      }
    }
    if (d.subset !== undefined && !index.subsets(host).has(d.subset)) {
      report('Error', 'IST0101', `${d.path}.subset`, `Referenced ${d.mirror ? 'mirror+subset' : 'host+subset'} in destinationrule not found: "${d.host}+${d.subset}" (no DestinationRule for ${host} defines subset ${d.subset}; requests would fail with 503)`);
    }
  }
  return out;
}

/** Does any server of the gateway accept any of the VirtualService's hosts (namespace part included)? */
function gatewayServesAny(gateway: Resource, vsHosts: readonly string[], vsNamespace: string): boolean {
  for (const server of list(rec(gateway.spec)?.servers)) {
    for (const entry of list(rec(server)?.hosts)) {
      if (typeof entry !== 'string') continue;
      const slash = entry.indexOf('/');
      const scope = slash < 0 ? '*' : entry.slice(0, slash);
      const host = slash < 0 ? entry : entry.slice(slash + 1);
      const inScope = scope === '*' || scope === vsNamespace || (scope === '.' && gateway.metadata.namespace === vsNamespace);
      if (inScope && vsHosts.some((h) => hostsOverlap(host, h))) return true;
    }
  }
  return false;
}

/**
 * VirtualServices that claim the same host in one gateway context. On the mesh this is Istio's
 * IST0109 (Error: undefined behaviour); on an ingress gateway Istio merges them, which we report
 * as a Warning because the order of the merged rules across resources is not under the user's control.
 */
export function analyzeHostConflicts(virtualServices: readonly Resource[]): AnalysisMessage[] {
  const claims = new Map<string, { vs: Resource; path: string }[]>(); // "context|host" → claimants
  for (const vs of virtualServices) {
    const spec = rec(vs.spec);
    const gateways = list(spec?.gateways).filter((g): g is string => typeof g === 'string');
    const contexts = gateways.length === 0 ? ['mesh'] : gateways.map((g) => (g === 'mesh' ? 'mesh' : gatewayKey(g, vs.metadata.namespace)));
    list(spec?.hosts).forEach((h, i) => {
      if (typeof h !== 'string') return;
      const host = qualifyHost(h, vs.metadata.namespace);
      for (const context of new Set(contexts)) {
        const key = `${context}|${host}`;
        claims.set(key, [...(claims.get(key) ?? []), { vs, path: `spec.hosts[${i}]` }]);
      }
    });
  }
  const out: AnalysisMessage[] = [];
  for (const [key, claimants] of claims) {
    const distinct = [...new Map(claimants.map((c) => [`${c.vs.metadata.namespace}/${c.vs.metadata.name}`, c])).values()];
    if (distinct.length < 2) continue;
    const [context, host] = [key.slice(0, key.indexOf('|')), key.slice(key.indexOf('|') + 1)];
    const names = distinct.map((c) => `${c.vs.metadata.namespace}/${c.vs.metadata.name}`).sort().join(',');
    for (const c of distinct) {
      out.push(context === 'mesh'
        ? { level: 'Error', code: 'IST0109', resource: label(c.vs), path: c.path, message: `The VirtualServices ${names} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.` }
        : { level: 'Warning', code: 'INB0101', resource: label(c.vs), path: c.path, message: `The VirtualServices ${names} bound to gateway ${context} define the same host ${host}; Istio merges such routes into one table, and the order of rules across resources is not under your control. Consider merging them into one VirtualService.` });
    }
  }
  return out;
}
