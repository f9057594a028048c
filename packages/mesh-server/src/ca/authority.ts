// The mesh certificate authority: signs workload CSRs as Istio's CA does — the identity comes from
// the caller's credential, never from the CSR — into SPIFFE X509-SVID leaves, and issues the
// TLS serving certificate of the signing endpoint. Key material: ca-material.ts.

import { createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { MeshServerError } from '../errors';
import { openCaMaterial, type CaMaterial } from './ca-material';
import { signCertificate, subjectKeyIdentifierOf } from './certificate-builder';
import { checkCsr } from './csr';
import { forge, type ForgeExtension } from './forge';
import { checkIdentityNames, checkTrustDomain, DEFAULT_TRUST_DOMAIN, spiffeId, type WorkloadIdentityName } from './spiffe';

/** Istio's default workload certificate lifetime (DEFAULT_WORKLOAD_CERT_TTL). */
export const DEFAULT_WORKLOAD_TTL_MS = 24 * 3_600_000;
/** Istio's maximum workload certificate lifetime (MAX_WORKLOAD_CERT_TTL). */
export const MAX_WORKLOAD_TTL_MS = 90 * 86_400_000;
/** How far notBefore is moved into the past, for peers whose clocks run behind. */
export const CLOCK_SKEW_MS = 60_000;
/** Lifetime of the signing endpoint's serving certificate (re-issued at every start). */
export const SERVING_CERT_TTL_MS = 365 * 86_400_000;

/** A wall clock: milliseconds since the epoch. */
export interface WallClock {
  now(): number;
}

/** Options of openCertificateAuthority. */
export interface CertificateAuthorityOptions {
  /** Data directory; the generated root lives in <dataDir>/ca/. */
  readonly dataDir: string;
  /** Trust domain of issued identities (default cluster.local). */
  readonly trustDomain?: string;
  /** Operator CA certificate (PEM: the signing certificate first, then its issuers). */
  readonly caCertFile?: string;
  /** Operator CA private key (unencrypted PEM, RSA). */
  readonly caKeyFile?: string;
  readonly clock?: WallClock;
  /** Lifetime when a request names none (default 24 h). */
  readonly defaultTtlMs?: number;
  /** Longest lifetime a request may ask for (default 90 days); longer requests are refused. */
  readonly maxTtlMs?: number;
}

/** A signed workload certificate. */
export interface IssuedCertificate {
  /** PEM chain: the leaf first, the root last (IstioCertificateResponse.cert_chain). */
  readonly certChain: readonly string[];
  /** The identity written into the leaf's only URI SAN. */
  readonly spiffeId: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A private key and certificate chain for a TLS server. */
export interface ServingCertificate {
  readonly keyPem: string;
  readonly certChain: readonly string[];
  readonly notAfter: Date;
}

/** The certificate authority. */
export interface CertificateAuthority {
  readonly trustDomain: string;
  readonly defaultTtlMs: number;
  readonly maxTtlMs: number;
  /** Where the signing key came from. */
  readonly source: CaMaterial['source'];
  /** The trust bundle: root certificates (PEM), the signing chain's root first. */
  trustBundle(): readonly string[];
  /**
   * Signs a CSR for `identity`. The CSR's subject, SANs and extensions are ignored; only its
   * (verified) public key is used. `ttlMs` undefined or ≤ 0 means the default.
   * @throws MeshServerError BAD_REQUEST, details.reason = CSR_* | TTL_TOO_LONG | TTL_INVALID, or
   *   BAD_REQUEST naming an invalid namespace/service account.
   */
  sign(csrPem: string, identity: WorkloadIdentityName, ttlMs?: number): IssuedCertificate;
  /** Makes a key and a serverAuth certificate for DNS names and IP addresses (no SPIFFE ID). */
  issueServingCertificate(names: { dnsNames: readonly string[]; ipAddresses: readonly string[]; ttlMs?: number }): Promise<ServingCertificate>;
}

const generateKeyPairAsync = promisify(generateKeyPair);
const systemClock: WallClock = { now: () => Date.now() };

/** Opens (creating on first start) the CA of a data directory, or the operator's CA. */
export async function openCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  checkTrustDomain(trustDomain);
  const clock = options.clock ?? systemClock;
  const maxTtlMs = options.maxTtlMs ?? MAX_WORKLOAD_TTL_MS;
  const defaultTtlMs = options.defaultTtlMs ?? DEFAULT_WORKLOAD_TTL_MS;
  if (!(maxTtlMs > 0) || !(defaultTtlMs > 0) || defaultTtlMs > maxTtlMs) {
    throw new MeshServerError('BAD_REQUEST', `CA lifetimes are inconsistent: default ${defaultTtlMs} ms must be > 0 and ≤ max ${maxTtlMs} ms`, { defaultTtlMs, maxTtlMs });
  }
  const material = await openCaMaterial({
    dataDir: options.dataDir,
    trustDomain,
    ...(options.caCertFile !== undefined ? { caCertFile: options.caCertFile } : {}),
    ...(options.caKeyFile !== undefined ? { caKeyFile: options.caKeyFile } : {}),
    now: clock.now(),
  });
  const chainPems = material.chain.map((c) => c.toString());
  const rootPems = material.roots.map((c) => c.toString());
  const chainNotAfter = Math.min(...material.chain.map((c) => Date.parse(c.validTo)));
  const authorityKeyId = subjectKeyIdentifierOf(material.signingCert.raw);
  const authorityKeyExtension: ForgeExtension[] = authorityKeyId ? [{ name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId.toString('latin1') }] : [];

  function validity(ttlMs: number): { notBefore: Date; notAfter: Date } {
    const now = clock.now();
    // Never outlive the CA chain: a leaf past its issuer's notAfter would not verify anyway.
    return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(Math.min(now + ttlMs, chainNotAfter)) };
  }

  function lifetime(ttlMs: number | undefined): number {
    if (ttlMs === undefined || ttlMs <= 0) return defaultTtlMs;
    if (!Number.isFinite(ttlMs)) throw new MeshServerError('BAD_REQUEST', `requested lifetime ${ttlMs} is not a number of milliseconds`, { reason: 'TTL_INVALID' });
    if (ttlMs > maxTtlMs) {
      throw new MeshServerError('BAD_REQUEST', `requested certificate lifetime ${Math.round(ttlMs / 1000)} s exceeds the maximum ${Math.round(maxTtlMs / 1000)} s; ask for less`, { reason: 'TTL_TOO_LONG', requestedMs: ttlMs, maxMs: maxTtlMs });
    }
    return ttlMs;
  }

  return {
    trustDomain,
    defaultTtlMs,
    maxTtlMs,
    source: material.source,
    trustBundle: () => rootPems,
    sign(csrPem, identity, ttlMs) {
      checkIdentityNames(identity);
      const ttl = lifetime(ttlMs);
      const csr = checkCsr(csrPem);
      const id = spiffeId(trustDomain, identity.namespace, identity.serviceAccount);
      const { notBefore, notAfter } = validity(ttl);
      const leaf = signCertificate({
        publicKey: csr.publicKey,
        subject: [],
        issuerDer: material.signingCert.raw,
        notBefore,
        notAfter,
        extensions: [
          { name: 'basicConstraints', critical: true, cA: false },
          { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
          // The subject is empty, so the SAN extension must be critical (RFC 5280 §4.2.1.6).
          { name: 'subjectAltName', critical: true, altNames: [{ type: 6, value: id }] },
          { name: 'subjectKeyIdentifier' },
          ...authorityKeyExtension,
        ],
      }, material.signingKey, material.signingPublicKey);
      return { certChain: [leaf.pem, ...chainPems], spiffeId: id, serialNumber: leaf.serialNumber, notBefore, notAfter };
    },
    async issueServingCertificate(names) {
      const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
      const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
      const altNames = [
        ...names.dnsNames.map((value) => ({ type: 2, value })),
        ...names.ipAddresses.map((ip) => ({ type: 7, ip })),
      ];
      if (altNames.length === 0) throw new MeshServerError('BAD_REQUEST', 'a serving certificate needs at least one DNS name or IP address');
      const { notBefore, notAfter } = validity(names.ttlMs ?? SERVING_CERT_TTL_MS);
      const cert = signCertificate({
        publicKey: forge.pki.publicKeyFromPem(publicKeyPem),
        subject: [],
        issuerDer: material.signingCert.raw,
        notBefore,
        notAfter,
        extensions: [
          { name: 'basicConstraints', critical: true, cA: false },
          { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', critical: true, altNames },
          { name: 'subjectKeyIdentifier' },
          ...authorityKeyExtension,
        ],
      }, material.signingKey, material.signingPublicKey);
      return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certChain: [cert.pem, ...chainPems], notAfter };
    },
  };
}
