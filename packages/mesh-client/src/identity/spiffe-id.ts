// SPIFFE identities in Istio's shape, `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`:
// a strict parser (SPIFFE-ID spec syntax, no percent-encoding, no dot segments, length limits) and
// the formatter. Pure; used by the peer-certificate checks on the raw URI SAN bytes.

import { IdentityError } from './errors';

/** A parsed workload identity. */
export interface SpiffeIdentity {
  /** The full URI, e.g. `spiffe://cluster.local/ns/default/sa/reviews`. */
  readonly uri: string;
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Istio's principal form (no scheme), as AuthorizationPolicy `principals` write it. */
  readonly principal: string;
}

/** Longest SPIFFE ID accepted, in bytes (the SPIFFE spec requires support up to 2048). */
export const MAX_SPIFFE_ID_LENGTH = 2048;
/** Longest trust domain accepted (a DNS name's limit). */
export const MAX_TRUST_DOMAIN_LENGTH = 255;

const SCHEME = 'spiffe://';
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Parses a SPIFFE ID that must name an Istio workload identity. Strict: lowercase `spiffe`
 * scheme; trust domain of `[a-z0-9._-]` only (no userinfo, port, uppercase or percent-encoding);
 * a path of exactly `/ns/<ns>/sa/<sa>` whose segments use `[A-Za-z0-9._-]` and are neither `.`
 * nor `..`; no query, fragment or trailing slash; at most 2048 bytes.
 * @throws IdentityError INVALID_SPIFFE_ID naming the first problem found.
 */
export function parseSpiffeId(uri: string): SpiffeIdentity {
  const fail = (problem: string): never => {
    throw new IdentityError('INVALID_SPIFFE_ID', `${JSON.stringify(uri.slice(0, 120))} is not a valid SPIFFE identity: ${problem}`, { uri });
  };
  if (typeof uri !== 'string') fail('not a string');
  if (Buffer.byteLength(uri, 'utf8') > MAX_SPIFFE_ID_LENGTH) fail(`longer than ${MAX_SPIFFE_ID_LENGTH} bytes`);
  if (!uri.startsWith(SCHEME)) fail('the scheme must be exactly "spiffe://" (lowercase)');
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  checkTrustDomainSyntax(trustDomain, fail);
  if (slash === -1 || slash === rest.length - 1) fail('the path is empty; a workload identity has the path /ns/<namespace>/sa/<service-account>');
  const path = rest.slice(slash);
  if (path.endsWith('/')) fail('the path ends with "/"');
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '') fail('the path has an empty segment ("//")');
    if (segment === '.' || segment === '..') fail(`the path has a "${segment}" segment`);
    if (!PATH_SEGMENT.test(segment)) fail(`the path segment ${JSON.stringify(segment.slice(0, 60))} has a character outside [A-Za-z0-9._-] (percent-encoding, query and fragment are not allowed)`);
  }
  if (segments.length !== 4 || segments[0] !== 'ns' || segments[2] !== 'sa') {
    fail('the path must be /ns/<namespace>/sa/<service-account>');
  }
  const namespace = segments[1]!;
  const serviceAccount = segments[3]!;
  return { uri, trustDomain, namespace, serviceAccount, principal: `${trustDomain}/ns/${namespace}/sa/${serviceAccount}` };
}

/** Builds `spiffe://<td>/ns/<ns>/sa/<sa>` and parses it back, so the result is always valid. */
export function formatSpiffeId(trustDomain: string, namespace: string, serviceAccount: string): SpiffeIdentity {
  return parseSpiffeId(`${SCHEME}${trustDomain}/ns/${namespace}/sa/${serviceAccount}`);
}

/**
 * Checks a trust domain name (as configured, e.g. `cluster.local`).
 * @throws IdentityError INVALID_SPIFFE_ID when it is empty, too long or has a character outside [a-z0-9._-].
 */
export function checkTrustDomain(trustDomain: string): void {
  checkTrustDomainSyntax(trustDomain, (problem) => {
    throw new IdentityError('INVALID_SPIFFE_ID', `trust domain ${JSON.stringify(trustDomain)} is not valid: ${problem}`, { trustDomain });
  });
}

function checkTrustDomainSyntax(trustDomain: string, fail: (problem: string) => never): void {
  if (trustDomain === '') fail('the trust domain is empty');
  if (trustDomain.length > MAX_TRUST_DOMAIN_LENGTH) fail(`the trust domain is longer than ${MAX_TRUST_DOMAIN_LENGTH} characters`);
  if (!TRUST_DOMAIN.test(trustDomain)) {
    fail('the trust domain may only hold lowercase letters, digits, ".", "-" and "_" (no uppercase, userinfo, port or percent-encoding)');
  }
}
