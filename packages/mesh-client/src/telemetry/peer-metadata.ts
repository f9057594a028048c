// Peer metadata exchange, Istio's `x-envoy-peer-metadata` idea for proxyless peers: the caller
// sends who it is (workload, app, version …) in one header so the server can fill the source_*
// labels of reporter=destination metrics. Identity (principal, namespace) comes only from the mTLS
// certificate when there is one; claimed values are bounded by the label budget.

import { UNKNOWN, UNKNOWN_PEER, type WorkloadPeer } from './istio-labels';

/** The header carrying the caller's peer metadata (base64url of a small JSON object). */
export const PEER_METADATA_HEADER = 'x-inboard-peer-metadata';

const MAX_HEADER_LENGTH = 1024;
const FIELDS = ['workload', 'namespace', 'app', 'version', 'canonicalService', 'canonicalRevision', 'cluster'] as const;
const VALUE = /^[\x21-\x7e]{1,253}$/;
const PRINCIPAL = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/;

/** The header value describing `peer` (its principal is never sent: the certificate proves it). */
export function encodePeerMetadata(peer: WorkloadPeer): string {
  const fields: Record<string, string> = {};
  for (const field of FIELDS) if (peer[field] !== UNKNOWN) fields[field] = peer[field];
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

/** The peer a header value describes; undefined when malformed (too long, not base64url JSON, bad values). */
export function decodePeerMetadata(value: string | undefined): Partial<Omit<WorkloadPeer, 'principal'>> | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_HEADER_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const out: Record<string, string> = {};
  for (const field of FIELDS) {
    const v = (parsed as Record<string, unknown>)[field];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !VALUE.test(v)) return undefined;
    out[field] = v;
  }
  return out;
}

/**
 * The source peer of a served request: the claimed metadata (if the header is well-formed), with
 * principal and namespace taken from the verified client certificate when the request came over mTLS.
 */
export function inboundSourcePeer(headerValue: string | undefined, verifiedPrincipal?: string): WorkloadPeer {
  const claimed = decodePeerMetadata(headerValue) ?? {};
  const namespaceFromCert = verifiedPrincipal !== undefined ? PRINCIPAL.exec(verifiedPrincipal)?.[1] : undefined;
  return Object.freeze({
    ...UNKNOWN_PEER,
    ...claimed,
    ...(namespaceFromCert !== undefined ? { namespace: namespaceFromCert } : {}),
    principal: verifiedPrincipal ?? UNKNOWN,
  });
}
