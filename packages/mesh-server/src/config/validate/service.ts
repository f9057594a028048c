// Kubernetes core/v1 Service spec validation, for the part Inboard uses to declare a service
// (ports and selector) plus the read-only fields a `kubectl get -o yaml` round trip carries.
// Rules follow Kubernetes' API validation (port names, protocols, uniqueness).

import { ipCidrString, labelMap, port, report } from './common';
import { dns1123SubdomainError, fqdnError, isIpAddress } from './names';
import { at, type Ctx, enumOf, has, item, list, listOf, NOT_ENFORCED_CODE, notEnforced, object, rec, type Schema, str, string } from './schema';

/** Kubernetes' IANA_SVC_NAME: ≤ 15 characters, lower-case alphanumerics and '-', a letter, no "--". */
function portNameError(name: string): string | undefined {
  if (name.length > 15) return `port name ${JSON.stringify(name)} is longer than 15 characters`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.includes('--')) {
    return `port name ${JSON.stringify(name)} must be lower-case letters, digits and single '-', starting and ending with a letter or digit`;
  }
  if (!/[a-z]/.test(name)) return `port name ${JSON.stringify(name)} must contain at least one letter`;
  return undefined;
}

const targetPort: Schema = {
  expected: 'a port number or name',
  check(value, path, ctx) {
    if (typeof value === 'string') return report(ctx, path, portNameError(value));
    port().check(value, path, ctx);
  },
};

const servicePort = object(
  {
    name: string({ check: (v, p, ctx) => report(ctx, p, portNameError(v)) }),
    port: port(),
    targetPort,
    protocol: enumOf(['TCP', 'UDP', 'SCTP']),
    appProtocol: string({ check: (v, p, ctx) => report(ctx, p, appProtocolError(v)) }),
    nodePort: notEnforced(port(), 'Inboard has no nodes'),
  },
  { required: ['port'] },
);

/** appProtocol: a plain name ("http", "grpc") or a prefixed one ("kubernetes.io/h2c"). */
function appProtocolError(value: string): string | undefined {
  const slash = value.indexOf('/');
  const name = slash < 0 ? value : value.slice(slash + 1);
  if (slash >= 0) {
    const prefixError = dns1123SubdomainError(value.slice(0, slash));
    if (prefixError) return `appProtocol prefix: ${prefixError}`;
  }
  return /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name) && name.length <= 63 ? undefined : `appProtocol ${JSON.stringify(value)} is not a valid protocol name`;
}

/** The core/v1 Service spec schema. */
export const serviceSpec: Schema = object(
  {
    ports: listOf(servicePort),
    selector: labelMap(),
    type: enumOf(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], {
      check: (v, p, ctx) => (v !== 'ClusterIP' ? ctx.warn(p, `accepted but not enforced: type ${v} behaves like ClusterIP in Inboard`, NOT_ENFORCED_CODE) : undefined),
    }),
    clusterIP: notEnforced(string({ check: (v, p, ctx) => (v === 'None' || v === '' || isIpAddress(v) ? undefined : ctx.error(p, `${JSON.stringify(v)} must be an IP address, "None" or ""`)) }), 'clients address services by name'),
    clusterIPs: notEnforced(listOf(ipCidrString()), 'clients address services by name'),
    externalName: string({ check: (v, p, ctx) => report(ctx, p, fqdnError(v)) }),
    ipFamilies: notEnforced(listOf(enumOf(['IPv4', 'IPv6']), { maxItems: 2 }), 'a Kubernetes networking setting'),
    ipFamilyPolicy: notEnforced(enumOf(['SingleStack', 'PreferDualStack', 'RequireDualStack']), 'a Kubernetes networking setting'),
    internalTrafficPolicy: notEnforced(enumOf(['Cluster', 'Local']), 'a Kubernetes networking setting'),
    sessionAffinity: notEnforced(enumOf(['None', 'ClientIP']), 'use a DestinationRule consistentHash for affinity'),
  },
  { check: checkService },
);

function checkService(spec: Record<string, unknown>, path: string, ctx: Ctx): void {
  const type = str(spec.type) ?? 'ClusterIP';
  const ports = list(spec.ports).map(rec);
  if (type === 'ExternalName') {
    if (!str(spec.externalName)) ctx.error(at(path, 'externalName'), 'is required for type ExternalName');
  } else {
    if (has(spec, 'externalName')) ctx.error(at(path, 'externalName'), `is only allowed with type ExternalName, not ${type}`);
    if (ports.length === 0 && spec.clusterIP !== 'None') ctx.error(at(path, 'ports'), 'a Service needs at least one port');
  }
  const names = new Map<string, number>();
  const numbers = new Map<string, number>();
  ports.forEach((p, i) => {
    const where = item(at(path, 'ports'), i);
    const name = str(p?.name);
    if (ports.length > 1 && (name === undefined || name === '')) ctx.error(at(where, 'name'), 'is required when a Service has more than one port');
    if (name !== undefined && name !== '') {
      if (names.has(name)) ctx.error(at(where, 'name'), `duplicate port name ${JSON.stringify(name)} (also ports[${names.get(name)}])`);
      else names.set(name, i);
    }
    if (typeof p?.port === 'number') {
      const key = `${p.port}/${str(p.protocol) ?? 'TCP'}`;
      if (numbers.has(key)) ctx.error(at(where, 'port'), `duplicate port ${key} (also ports[${numbers.get(key)}])`);
      else numbers.set(key, i);
    }
  });
}
