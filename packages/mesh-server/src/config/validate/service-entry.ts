// ServiceEntry and WorkloadEntry spec validation (Istio's ValidateServiceEntry and
// validateWorkloadEntry): hosts, ports, resolution modes, endpoints and workload selectors.

import { exportTo, ipCidrString, labelMap, port, report, selectorLabels, wildcardHost } from './common';
import { protocolName } from './gateway';
import { dns1123LabelError, fqdnError, isIpAddress } from './names';
import {
  at, type Ctx, enumOf, has, item, list, listOf, mapOf, notEnforced, object, rec, type Schema, str, string, uint32,
} from './schema';

const HTTP_OR_TLS = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY', 'HTTPS', 'TLS'];

/** A workload address: an IP, a DNS name (resolved by the client), or unix:///abs/path. */
function checkAddress(address: string, path: string, ctx: Ctx, allowHostname: boolean): void {
  if (address.startsWith('unix://')) {
    const socket = address.slice('unix://'.length);
    if (!(socket.startsWith('/') || socket.startsWith('@')) || socket.endsWith('/')) {
      ctx.error(path, `${JSON.stringify(address)}: a unix socket must be an absolute file path or an abstract socket (@name)`);
    }
    return;
  }
  if (isIpAddress(address)) return;
  if (!allowHostname) return ctx.error(path, `${JSON.stringify(address)} is not a valid IP address (STATIC resolution needs IP endpoints)`);
  if (fqdnError(address) !== undefined) ctx.error(path, `${JSON.stringify(address)} is not a valid IP address or host name`);
}

const LOCALITY = /^[^/]*(\/[^/]*(\/[^/]*)?)?$/;

/** Fields of a WorkloadEntry (also a ServiceEntry endpoint). */
const workloadFields = {
  address: string({ maxLength: 256 }),
  ports: mapOf(port(), { maxProperties: 128, key: (k, p, ctx) => report(ctx, p, dns1123LabelError(k) && `port name ${dns1123LabelError(k)}`) }),
  labels: labelMap(),
  network: notEnforced(string({ maxLength: 2048 }), 'multi-network meshes are not supported'),
  locality: string({ maxLength: 2048, check: (v, p, ctx) => (LOCALITY.test(v) ? undefined : ctx.error(p, `locality ${JSON.stringify(v)} must be "region/zone/subzone"`)) }),
  weight: uint32(),
  serviceAccount: string({ maxLength: 253 }),
};

/** Rules shared by a WorkloadEntry and a ServiceEntry endpoint. `servicePorts` names the SE's ports. */
function checkWorkload(we: Record<string, unknown>, path: string, ctx: Ctx, options: { allowHostname: boolean; servicePorts?: Set<string> }): void {
  const address = str(we.address);
  if (address === undefined || address === '') {
    if (!has(we, 'network')) return ctx.error(at(path, 'address'), 'is required');
    ctx.warn(at(path, 'address'), `address is unset with network ${JSON.stringify(we.network)}`);
  } else {
    checkAddress(address, at(path, 'address'), ctx, options.allowHostname);
    if (address.startsWith('unix://') && Object.keys(rec(we.ports) ?? {}).length > 0) ctx.error(at(path, 'ports'), 'a unix socket endpoint cannot have ports');
  }
  if (options.servicePorts) {
    for (const name of Object.keys(rec(we.ports) ?? {})) {
      if (!options.servicePorts.has(name)) ctx.error(item(at(path, 'ports'), name), `port ${JSON.stringify(name)} is not one of the ServiceEntry's ports (${[...options.servicePorts].join(', ') || 'none'})`);
    }
  }
}

/** The WorkloadEntry spec schema. */
export const workloadEntrySpec: Schema = object(workloadFields, {
  check: (we, p, ctx) => checkWorkload(we, p, ctx, { allowHostname: true }),
});

const servicePort = object(
  {
    number: port(),
    protocol: protocolName(),
    name: string({ maxLength: 256, check: (v, p, ctx) => report(ctx, p, dns1123LabelError(v) && `port name ${dns1123LabelError(v)}`) }),
    targetPort: port(),
  },
  { required: ['number', 'name'] },
);

/** The ServiceEntry spec schema. */
export const serviceEntrySpec: Schema = object(
  {
    hosts: listOf(wildcardHost(), { minItems: 1, maxItems: 256 }),
    addresses: notEnforced(listOf(ipCidrString(), { maxItems: 256 }), 'clients match ServiceEntry hosts by name, not by virtual IP'),
    ports: listOf(servicePort, { maxItems: 256 }),
    location: enumOf(['MESH_EXTERNAL', 'MESH_INTERNAL']),
    resolution: enumOf(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'], {
      rejected: { DYNAMIC_DNS: 'resolution DYNAMIC_DNS is not supported by Inboard; use DNS' },
    }),
    endpoints: listOf(object(workloadFields), { maxItems: 4096 }),
    workloadSelector: object({ labels: selectorLabels() }),
    exportTo: notEnforced(exportTo({ allowNone: true }), 'every ServiceEntry is visible in all namespaces'),
    subjectAltNames: listOf(string()),
  },
  { required: ['hosts'], exclusive: [['workloadSelector', 'endpoints']], check: checkServiceEntry },
);

function checkServiceEntry(se: Record<string, unknown>, path: string, ctx: Ctx): void {
  const resolution = str(se.resolution) ?? 'NONE';
  const hosts = list(se.hosts).filter((h): h is string => typeof h === 'string');
  const ports = list(se.ports).map(rec);
  const endpoints = list(se.endpoints);

  hosts.forEach((h, i) => {
    if (h.includes('*') && h !== '*' && !h.startsWith('*.')) ctx.warn(item(at(path, 'hosts'), i), `partial wildcard ${JSON.stringify(h)}; use "*.domain"`);
  });
  if (list(se.addresses).some((a) => typeof a === 'string' && a.includes('/')) && resolution !== 'NONE' && resolution !== 'STATIC') {
    ctx.error(at(path, 'addresses'), 'CIDR addresses are only allowed with resolution NONE or STATIC');
  }

  const names = new Map<string, number>();
  const numbers = new Map<number, number>();
  ports.forEach((p, i) => {
    const name = str(p?.name);
    const number = p?.number;
    if (name !== undefined) {
      if (names.has(name)) ctx.error(at(item(at(path, 'ports'), i), 'name'), `duplicate port name ${JSON.stringify(name)} (also ports[${names.get(name)}])`);
      else names.set(name, i);
    }
    if (typeof number === 'number') {
      if (numbers.has(number)) ctx.error(at(item(at(path, 'ports'), i), 'number'), `duplicate port ${number} (also ports[${numbers.get(number)}])`);
      else numbers.set(number, i);
    }
  });

  const servicePorts = new Set(names.keys());
  switch (resolution) {
    case 'NONE':
      if (endpoints.length > 0) ctx.error(at(path, 'endpoints'), 'resolution NONE uses the original destination address; endpoints are not allowed');
      if (has(se, 'workloadSelector')) ctx.warn(at(path, 'workloadSelector'), 'workloadSelector has no effect with resolution NONE');
      break;
    case 'STATIC':
      endpoints.forEach((e, i) => { const ep = rec(e); if (ep) checkWorkload(ep, item(at(path, 'endpoints'), i), ctx, { allowHostname: false, servicePorts }); });
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (endpoints.length === 0) {
        const bad = hosts.find((h) => fqdnError(h) !== undefined);
        if (bad !== undefined) ctx.error(at(path, 'hosts'), `with resolution ${resolution} and no endpoints, every host must be a resolvable name; ${JSON.stringify(bad)} is not`);
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) ctx.error(at(path, 'endpoints'), 'resolution DNS_ROUND_ROBIN allows at most one endpoint');
      endpoints.forEach((e, i) => { const ep = rec(e); if (ep) checkWorkload(ep, item(at(path, 'endpoints'), i), ctx, { allowHostname: true, servicePorts }); });
      break;
    default:
      break; // invalid values were reported by the enum
  }

  if (resolution !== 'NONE' && hosts.length > 1) {
    const opaque = ports.find((p) => !HTTP_OR_TLS.includes((str(p?.protocol) ?? 'TCP').toUpperCase()));
    if (opaque) ctx.error(at(path, 'hosts'), 'several hosts with a non-HTTP, non-TLS port cannot be told apart; use one host per ServiceEntry or resolution NONE');
  }
}
