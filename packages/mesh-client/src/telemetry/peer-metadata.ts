// Peer metadata exchange, Istio's `x-envoy-peer-metadata` idea for proxyless peers: the caller
// sends who it is (workload, app, version …) in one header so the server can fill the source_*
// labels of reporter=destination metrics. Identity (principal, namespace) comes only from the mTLS
// certificate when there is one; claimed values are bounded by the label budget.

import { UNKNOWN, UNKNOWN_PEER, type WorkloadPeer } from './istio-labels';

/**
 * The header carrying the caller's peer metadata: a small JSON object, sent as it is (its values are
 * visible ASCII, so it is a valid header value), without the fields the receiver derives. Values of
 * earlier clients, base64url of the full object, are still read.
 */
export const PEER_METADATA_HEADER = 'x-inboard-peer-metadata';

const MAX_HEADER_LENGTH = 1024;
const FIELDS = ['workload', 'namespace', 'app', 'version', 'canonicalService', 'canonicalRevision', 'cluster'] as const;
const VALUE = /^[\x21-\x7e]{1,253}$/;
const PRINCIPAL = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/;
/** The revision a workload without a version label has (workloadPeer's default). */
const DEFAULT_REVISION = 'latest';

type ClaimedPeer = Partial<Omit<WorkloadPeer, 'principal'>>;

/**
 * The header value describing `peer`. Its principal is never sent (the certificate proves it), nor
 * unknown values, values the receiver would refuse, or a canonical service or revision equal to what
 * the receiver derives from app (else workload) and version (else 'latest').
 */
export function encodePeerMetadata(peer: WorkloadPeer): string {
  const fields: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = peer[field];
    if (value !== UNKNOWN && VALUE.test(value)) fields[field] = value;
  }
  if (fields['canonicalService'] === (fields['app'] ?? fields['workload'])) delete fields['canonicalService'];
  if (fields['canonicalRevision'] === (fields['version'] ?? DEFAULT_REVISION)) delete fields['canonicalRevision'];
  return JSON.stringify(fields);
}

/** The peer a header value describes; undefined when malformed (too long, not JSON or base64url JSON, bad values). */
export function decodePeerMetadata(value: string | undefined): ClaimedPeer | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_HEADER_LENGTH) return undefined;
  const compact = value.charCodeAt(0) === 0x7b; /* '{' */
  if (!compact && !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(compact ? value : Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const out: { -readonly [F in keyof ClaimedPeer]: string } = {};
  for (const field of FIELDS) {
    const v = (parsed as Record<string, unknown>)[field];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !VALUE.test(v)) return undefined;
    out[field] = v;
  }
  if (compact) {
    // What the sender left out because it equals what is derived here (encodePeerMetadata).
    const service = out.canonicalService ?? out.app ?? out.workload;
    if (service !== undefined) out.canonicalService = service;
    out.canonicalRevision ??= out.version ?? DEFAULT_REVISION;
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
