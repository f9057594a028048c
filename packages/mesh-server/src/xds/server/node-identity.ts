// Reads who a client is from the `node` of its first xDS request: the ProxyInfo translation sees,
// the view key clients share computed resources by, and — for serving workloads — the
// auto-registration.

// Node metadata keys (node.metadata is a google.protobuf.Struct; see NODE_METADATA in contracts.ts):
//   NAMESPACE        string   namespace of the workload (default "default")
//   LABELS           struct   workload labels, string values ({ app: "reviews", version: "v1" })
//   SERVICE_ACCOUNT  string   service account (identity spiffe://cluster.local/ns/NS/sa/SA)
//   INSTANCE_IPS     string   comma-separated addresses it serves on (default: the stream's peer IP)
//   WORKLOAD_NAME    string   display name of the instance, e.g. "reviews-v1-1"
//   INBOARD_SERVICE  string   service it serves (short name, svc.ns or FQDN) — makes it register itself
//   INBOARD_PORTS    struct   port name → number it serves, e.g. { http: 9080 } — also makes it register
//   INBOARD_ROLE     string   "sidecar" (an application, the default) or "router" (an ingress gateway)
// node.locality becomes ProxyInfo.locality "region/zone/sub_zone"; node.user_agent_name its userAgent.

import net from 'node:net';
import { fromStruct, type JsonValue, type WireNode } from '@inboard/xds';
import type { WorkloadRegistration } from '../../registry/auto-registration';
import { NODE_METADATA, type ProxyInfo } from '../contracts';

/** A node that cannot be served: the message names the field. */
export class NodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeError';
  }
}

/** What the first request tells about a client. */
export interface NodeIdentity {
  readonly proxy: ProxyInfo;
  /** Present when the node says it serves (INBOARD_SERVICE or INBOARD_PORTS). */
  readonly registration?: WorkloadRegistration;
}

/** Parses a node; `peer` is the stream's remote address ("ip:port"). Throws NodeError. */
export function parseNode(node: WireNode | undefined, peer: string): NodeIdentity {
  if (!node || typeof node.id !== 'string' || node.id === '') {
    throw new NodeError('the first request of a stream must carry node.id');
  }
  const meta = fromStruct(node.metadata);
  const namespace = optionalString(meta, NODE_METADATA.NAMESPACE) || 'default';
  const labels = stringMap(meta, NODE_METADATA.LABELS);
  const serviceAccount = optionalString(meta, NODE_METADATA.SERVICE_ACCOUNT);
  const role = optionalString(meta, NODE_METADATA.ROLE) ?? 'sidecar';
  if (role !== 'sidecar' && role !== 'router') {
    throw new NodeError(`node.metadata.${NODE_METADATA.ROLE} must be "sidecar" or "router", got ${JSON.stringify(role)}`);
  }
  const l = node.locality ?? {};
  const locality = [l.region ?? '', l.zone ?? '', l.sub_zone ?? ''].join('/').replace(/\/+$/, '');
  const proxy: ProxyInfo = {
    id: node.id,
    role,
    namespace,
    labels,
    ...(serviceAccount ? { serviceAccount } : {}),
    locality,
    ...(node.user_agent_name ? { userAgent: node.user_agent_name } : {}),
  };
  const service = optionalString(meta, NODE_METADATA.SERVICE);
  const hasPorts = meta[NODE_METADATA.PORTS] !== undefined;
  if (service === undefined && !hasPorts) return { proxy };
  const workloadName = optionalString(meta, NODE_METADATA.WORKLOAD_NAME);
  const registration: WorkloadRegistration = {
    ...(service ? { service } : {}),
    namespace,
    labels,
    serviceAccount: serviceAccount ?? '',
    addresses: addressesOf(optionalString(meta, NODE_METADATA.INSTANCE_IPS), peer),
    ports: portMap(meta, NODE_METADATA.PORTS),
    locality,
    ...(workloadName ? { workloadName } : {}),
  };
  return { proxy, registration };
}

/**
 * Key of the client's view: clients with equal keys get the same translated resources. Everything
 * in ProxyInfo translation may read except the node id — the user agent included, because
 * translation serves proxyless gRPC clients a different profile (no routes they would NACK).
 */
export function viewKeyOf(proxy: ProxyInfo): string {
  const labels = Object.keys(proxy.labels).sort().map((k) => [k, proxy.labels[k]]);
  return JSON.stringify([proxy.role, proxy.namespace, labels, proxy.serviceAccount ?? '', proxy.locality, proxy.userAgent ?? '']);
}

/** The IP of a grpc-js peer string ("1.2.3.4:5", "::1:5", "::ffff:1.2.3.4:5"). */
export function peerAddress(peer: string): string {
  const host = peer.startsWith('[') ? peer.slice(1, peer.indexOf(']')) : peer.slice(0, peer.lastIndexOf(':'));
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  return net.isIP(v4) ? v4 : host;
}

function addressesOf(instanceIps: string | undefined, peer: string): string[] {
  const listed = (instanceIps ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const ip of listed) {
    if (net.isIP(ip) === 0) throw new NodeError(`node.metadata.${NODE_METADATA.INSTANCE_IPS}: ${JSON.stringify(ip)} is not an IP address`);
  }
  if (listed.length > 0) return listed;
  const ip = peerAddress(peer);
  if (net.isIP(ip) === 0) throw new NodeError(`cannot tell the workload's address: set node.metadata.${NODE_METADATA.INSTANCE_IPS} (peer is ${JSON.stringify(peer)})`);
  return [ip];
}

function optionalString(meta: Record<string, JsonValue>, key: string): string | undefined {
  const v = meta[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new NodeError(`node.metadata.${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function stringMap(meta: Record<string, JsonValue>, key: string): Record<string, string> {
  const v = meta[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new NodeError(`node.metadata.${key} must be a struct of strings`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw new NodeError(`node.metadata.${key}.${k} must be a string, got ${JSON.stringify(value)}`);
    out[k] = value;
  }
  return out;
}

function portMap(meta: Record<string, JsonValue>, key: string): Record<string, number> {
  const v = meta[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new NodeError(`node.metadata.${key} must be a struct of port numbers`);
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(v)) {
    const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new NodeError(`node.metadata.${key}.${name} must be a port number 1-65535, got ${JSON.stringify(value)}`);
    }
    out[name] = port;
  }
  return out;
}
