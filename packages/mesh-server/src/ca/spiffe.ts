// Workload identities as the CA writes them: `spiffe://<trust-domain>/ns/<namespace>/sa/<sa>`,
// built only from validated names (Kubernetes naming rules, which sit inside SPIFFE's syntax).
// The CA only builds IDs; the strict parser lives with the peer checks in mesh-client's identity/.

import { MeshServerError } from '../errors';

/** The mesh's default trust domain. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** A workload identity: the namespace and service account a token is bound to. */
export interface WorkloadIdentityName {
  readonly namespace: string;
  readonly serviceAccount: string;
}

const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks a trust domain: 1–255 characters of `[a-z0-9._-]` (SPIFFE's rule; no uppercase, port,
 * userinfo or percent-encoding).
 * @throws MeshServerError BAD_REQUEST naming the field.
 */
export function checkTrustDomain(trustDomain: string, field = 'trustDomain'): void {
  if (typeof trustDomain !== 'string' || !TRUST_DOMAIN.test(trustDomain)) {
    throw new MeshServerError('BAD_REQUEST', `${field} ${JSON.stringify(trustDomain)} is not a valid trust domain: use 1-255 lowercase letters, digits, ".", "-" or "_" (e.g. cluster.local)`, { field, value: trustDomain });
  }
}

/**
 * Checks a namespace and a service account name against Kubernetes' rules: the namespace is a
 * DNS-1123 label (≤ 63), the service account a DNS-1123 subdomain (≤ 253).
 * @throws MeshServerError BAD_REQUEST naming the field.
 */
export function checkIdentityNames(identity: WorkloadIdentityName): void {
  const { namespace, serviceAccount } = identity;
  if (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new MeshServerError('BAD_REQUEST', `namespace ${JSON.stringify(namespace)} is not valid: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`, { field: 'namespace', value: namespace });
  }
  if (typeof serviceAccount !== 'string' || serviceAccount.length > 253 || !DNS_SUBDOMAIN.test(serviceAccount)) {
    throw new MeshServerError('BAD_REQUEST', `service account ${JSON.stringify(serviceAccount)} is not valid: use at most 253 lowercase letters, digits, "-" and "." (a DNS-1123 subdomain)`, { field: 'serviceAccount', value: serviceAccount });
  }
}

/**
 * `spiffe://<td>/ns/<ns>/sa/<sa>` for validated names.
 * @throws MeshServerError BAD_REQUEST when a part is not valid.
 */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  checkTrustDomain(trustDomain);
  checkIdentityNames({ namespace, serviceAccount });
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
