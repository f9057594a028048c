// Compiles a ClusterLoadAssignment (EDS resource, or a cluster's inline load_assignment) into
// localities of endpoints with their weight, health, priority, metadata and identity.

import type { MetadataMap } from '../routing/types';
import type { ClusterEndpoints, Endpoint, HealthStatus, Locality, LocalityEndpoints } from './types';
import {
  Issues, Obj, fields, join, readEnum, readInt, readList, readMetadata, readObject, readString, readFractionPerMillion,
} from './proto-readers';

const HEALTH: readonly HealthStatus[] = ['UNKNOWN', 'HEALTHY', 'UNHEALTHY', 'DRAINING', 'TIMEOUT', 'DEGRADED'];
const CLA_FIELDS = fields('cluster_name', 'endpoints', 'policy', 'named_endpoints');
const LOCALITY_FIELDS = fields('locality', 'lb_endpoints', 'load_balancer_endpoints', 'leds_cluster_locality_config', 'load_balancing_weight', 'priority', 'metadata');
const LB_ENDPOINT_FIELDS = fields('endpoint', 'endpoint_name', 'health_status', 'metadata', 'load_balancing_weight');
const ENDPOINT_FIELDS = fields('address', 'hostname');
const ENDPOINT_HARMLESS = fields('health_check_config', 'additional_addresses');

/** Compiles a ClusterLoadAssignment. `expectedName`, when given, must equal cluster_name. */
export function compileLoadAssignment(o: Obj, issues: Issues, path = '', expectedName?: string): ClusterEndpoints | undefined {
  const before = issues.errors.length;
  issues.unknownFields(o, path, CLA_FIELDS);
  const clusterName = readString(o['cluster_name'], join(path, 'cluster_name'), issues) ?? '';
  if (clusterName === '' && expectedName === undefined) issues.error(join(path, 'cluster_name'), 'cluster_name must not be empty');
  if (o['named_endpoints'] !== undefined && Object.keys(o['named_endpoints'] as object).length > 0) {
    issues.error(join(path, 'named_endpoints'), 'named endpoints are not supported');
  }
  const policy = readObject(o['policy'], join(path, 'policy'), issues);
  let overprovisioningFactor = 140;
  const dropOverloads: { category: string; perMillion: number }[] = [];
  if (policy) {
    const p = join(path, 'policy');
    issues.unknownFields(policy, p, fields('overprovisioning_factor', 'drop_overloads'), fields('endpoint_stale_after'));
    const factor = readInt(policy['overprovisioning_factor'], join(p, 'overprovisioning_factor'), issues);
    if (factor !== undefined) {
      if (factor === 0) issues.error(join(p, 'overprovisioning_factor'), 'overprovisioning_factor must be greater than 0');
      else overprovisioningFactor = factor;
    }
    readList(policy['drop_overloads'], join(p, 'drop_overloads'), issues).forEach((d, i) => {
      const dp = join(join(p, 'drop_overloads'), i);
      const dropo = readObject(d, dp, issues) ?? {};
      dropOverloads.push({ category: String(dropo['category'] ?? ''), perMillion: readFractionPerMillion(dropo['drop_percentage'], join(dp, 'drop_percentage'), issues, 0) });
    });
    if (dropOverloads.length > 0) issues.note(join(p, 'drop_overloads'), 'drop_overloads are carried but requests are not dropped by inboard');
  }
  const localities: LocalityEndpoints[] = [];
  readList(o['endpoints'], join(path, 'endpoints'), issues).forEach((l, i) => {
    const loc = compileLocality(l, join(join(path, 'endpoints'), i), issues);
    if (loc) localities.push(loc);
  });
  if (issues.errors.length > before) return undefined;
  return {
    clusterName: clusterName || expectedName || '',
    localities,
    endpoints: localities.flatMap((l) => l.endpoints),
    overprovisioningFactor,
    dropOverloads,
  };
}

function compileLocality(v: unknown, path: string, issues: Issues): LocalityEndpoints | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, LOCALITY_FIELDS, fields('proximity'));
  if (o['leds_cluster_locality_config'] !== undefined) issues.error(join(path, 'leds_cluster_locality_config'), 'LEDS is not supported');
  const lo = readObject(o['locality'], join(path, 'locality'), issues) ?? {};
  const locality: Locality = { region: String(lo['region'] ?? ''), zone: String(lo['zone'] ?? ''), subZone: String(lo['sub_zone'] ?? '') };
  const weight = readInt(o['load_balancing_weight'], join(path, 'load_balancing_weight'), issues);
  if (weight === 0) issues.error(join(path, 'load_balancing_weight'), 'locality load_balancing_weight must be ≥ 1');
  const priority = readInt(o['priority'], join(path, 'priority'), issues, { max: 128 }) ?? 0;
  const listed = o['lb_endpoints'] ?? (readObject(o['load_balancer_endpoints'], join(path, 'load_balancer_endpoints'), issues)?.['lb_endpoints']);
  const endpoints: Endpoint[] = [];
  readList(listed, join(path, 'lb_endpoints'), issues).forEach((e, i) => {
    const endpoint = compileLbEndpoint(e, join(join(path, 'lb_endpoints'), i), locality, priority, issues);
    if (endpoint) endpoints.push(endpoint);
  });
  return {
    locality,
    localityKey: `${locality.region}/${locality.zone}/${locality.subZone}`,
    ...(weight !== undefined && weight > 0 ? { weight } : {}),
    priority,
    endpoints,
  };
}

function compileLbEndpoint(v: unknown, path: string, locality: Locality, priority: number, issues: Issues): Endpoint | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, LB_ENDPOINT_FIELDS);
  if (o['endpoint_name'] !== undefined) {
    issues.error(join(path, 'endpoint_name'), 'named endpoints are not supported');
    return undefined;
  }
  const endpoint = readObject(o['endpoint'], join(path, 'endpoint'), issues);
  if (!endpoint) {
    issues.error(join(path, 'endpoint'), 'endpoint is required');
    return undefined;
  }
  issues.unknownFields(endpoint, join(path, 'endpoint'), ENDPOINT_FIELDS, ENDPOINT_HARMLESS);
  const socket = readSocketAddress(endpoint['address'], join(path, 'endpoint.address'), issues);
  if (!socket) return undefined;
  const weight = readInt(o['load_balancing_weight'], join(path, 'load_balancing_weight'), issues);
  if (weight === 0) {
    issues.error(join(path, 'load_balancing_weight'), 'endpoint load_balancing_weight must be ≥ 1');
    return undefined;
  }
  const metadata = readMetadata(o['metadata']);
  const hostname = readString(endpoint['hostname'], join(path, 'endpoint.hostname'), issues);
  const identity = identityOf(metadata);
  const tlsMode = metadata['envoy.transport_socket_match']?.['tlsMode'];
  return {
    key: endpointKey(socket.address, socket.port),
    address: socket.address,
    port: socket.port,
    ...(hostname ? { hostname } : {}),
    weight: weight ?? 1,
    health: readEnum(o['health_status'], HEALTH, join(path, 'health_status'), issues, 'UNKNOWN'),
    metadata,
    ...(identity ? { identity } : {}),
    ...(typeof tlsMode === 'string' ? { tlsMode } : {}),
    locality,
    priority,
  };
}

/** Reads core.v3.Address as a socket address with a numeric port (pipes, named ports and internal addresses are rejected). */
export function readSocketAddress(v: unknown, path: string, issues: Issues): { address: string; port: number } | undefined {
  const address = readObject(v, path, issues);
  if (!address) {
    issues.error(path, 'address is required');
    return undefined;
  }
  if (address['pipe'] !== undefined || address['envoy_internal_address'] !== undefined) {
    issues.error(path, 'only socket_address is supported (pipe and internal addresses are not)');
    return undefined;
  }
  const socket = readObject(address['socket_address'], join(path, 'socket_address'), issues);
  if (!socket) {
    issues.error(join(path, 'socket_address'), 'socket_address is required');
    return undefined;
  }
  const host = readString(socket['address'], join(path, 'socket_address.address'), issues) ?? '';
  if (host === '') issues.error(join(path, 'socket_address.address'), 'address must not be empty');
  if (socket['named_port'] !== undefined) issues.error(join(path, 'socket_address.named_port'), 'named ports are not supported; use port_value');
  const port = readInt(socket['port_value'], join(path, 'socket_address.port_value'), issues, { max: 65535 });
  if (port === undefined || port === 0) {
    issues.error(join(path, 'socket_address.port_value'), 'port_value is required (1–65535)');
    return undefined;
  }
  if (socket['protocol'] !== undefined && socket['protocol'] !== 'TCP') issues.error(join(path, 'socket_address.protocol'), 'only TCP endpoints are supported');
  return host === '' ? undefined : { address: host, port };
}

/** `address:port`, with IPv6 addresses in brackets (Envoy's Address::asString). */
export function endpointKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The workload identity in endpoint metadata: `inboard.identity` (a spiffe:// URI). */
function identityOf(metadata: MetadataMap): string | undefined {
  const id = metadata['inboard']?.['identity'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}
