// Reads what the control plane says about an inbound listener beyond its filters, from
// `filter_metadata.inboard`: the effective PeerAuthentication mode of the port and the path
// normalization to apply. Unknown values are errors — the server must not guess a weaker mode.

import { AuthzError } from './errors';
import { DEFAULT_PATH_NORMALIZATION, PATH_NORMALIZATIONS, type PathNormalization } from './normalize-path';

/** The listener name prefix of inbound (server) listeners, Istio's proxyless convention. */
export const INBOUND_LISTENER_PREFIX = 'xds.istio.io/grpc/lds/inbound/';

/** Effective mTLS modes (PeerAuthentication after precedence; never UNSET). */
export type InboundMtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** The inbound settings of one listener (one served port). */
export interface InboundSettings {
  readonly mtlsMode: InboundMtlsMode;
  readonly pathNormalization: PathNormalization;
  /** "PeerAuthentication/ns/name" that decided the mode, when one did. */
  readonly mtlsPolicy?: string;
  /** "AuthorizationPolicy/ns/name" of every policy in the listener's RBAC filters. */
  readonly authorizationPolicies: readonly string[];
}

/** `xds.istio.io/grpc/lds/inbound/<ip>:<port>` for the address a server listens on (IPv6 bracketed). */
export function inboundListenerName(ip: string, port: number): string {
  return `${INBOUND_LISTENER_PREFIX}${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

const MODES: readonly InboundMtlsMode[] = ['STRICT', 'PERMISSIVE', 'DISABLE'];

/**
 * The settings in a listener's metadata (`{ inboard: { mtls_mode, path_normalization, … } }`, as
 * the snapshot's readMetadata returns it). Missing values take Istio's defaults (PERMISSIVE, BASE);
 * a value this client does not know throws AuthzError INVALID_INBOUND_METADATA.
 */
export function readInboundSettings(metadata: Readonly<Record<string, unknown>> | undefined): InboundSettings {
  const inboard = (metadata?.['inboard'] ?? {}) as Record<string, unknown>;
  const mode = inboard['mtls_mode'] ?? 'PERMISSIVE';
  if (typeof mode !== 'string' || !MODES.includes(mode as InboundMtlsMode)) {
    throw new AuthzError('INVALID_INBOUND_METADATA', `inbound listener metadata inboard.mtls_mode: ${JSON.stringify(mode)} is not one of ${MODES.join(', ')}`);
  }
  const normalization = inboard['path_normalization'] ?? DEFAULT_PATH_NORMALIZATION;
  if (typeof normalization !== 'string' || !PATH_NORMALIZATIONS.includes(normalization as PathNormalization)) {
    throw new AuthzError('INVALID_INBOUND_METADATA', `inbound listener metadata inboard.path_normalization: ${JSON.stringify(normalization)} is not one of ${PATH_NORMALIZATIONS.join(', ')}`);
  }
  const policies = Array.isArray(inboard['authorization_policies']) ? inboard['authorization_policies'].filter((p): p is string => typeof p === 'string') : [];
  const mtlsPolicy = typeof inboard['mtls_policy'] === 'string' ? inboard['mtls_policy'] : undefined;
  return {
    mtlsMode: mode as InboundMtlsMode,
    pathNormalization: normalization as PathNormalization,
    ...(mtlsPolicy ? { mtlsPolicy } : {}),
    authorizationPolicies: policies,
  };
}
