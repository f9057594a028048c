// The CA's key material: a self-signed root created at first start and kept in <dataDir>/ca/
// (ca-key.pem 0600, ca-cert.pem, written atomically), or an operator's root or intermediate
// (--ca-cert/--ca-key) checked for key match, CA flags, validity and a chain to a root.

import { createPrivateKey, createPublicKey, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { MeshServerError } from '../errors';
import { ensurePrivateDirectory, readFileIfExists, writeFileAtomic } from './atomic-file';
import { allowsCertificateSigning, signCertificate } from './certificate-builder';
import { forge, fromBinary } from './forge';

/** The signing key and certificates the CA works with. */
export interface CaMaterial {
  readonly signingKey: KeyObject;
  readonly signingPublicKey: KeyObject;
  /** The certificate that signs leaves (the root itself, or an operator's intermediate). */
  readonly signingCert: X509Certificate;
  /** Certificates sent after the leaf: the signing certificate, its issuers, the root last. */
  readonly chain: readonly X509Certificate[];
  /** Trust bundle: the chain's root plus the extra roots, no duplicates. */
  readonly roots: readonly X509Certificate[];
  /** Where the material came from. */
  readonly source: 'generated' | 'data-dir' | 'operator';
}

/** Where openCaMaterial looks. */
export interface CaMaterialOptions {
  readonly dataDir: string;
  readonly trustDomain: string;
  readonly caCertFile?: string;
  readonly caKeyFile?: string;
  /** Wall-clock milliseconds. */
  readonly now: number;
}

/** Names of the files in <dataDir>/ca/. */
export const CA_FILES = { key: 'ca-key.pem', cert: 'ca-cert.pem', extraRoots: 'extra-roots.pem' } as const;
/** Lifetime of a generated root (Istio's self-signed root: 3650 days). */
export const ROOT_TTL_MS = 3650 * 86_400_000;
/** RSA modulus of generated keys. RSA because node-forge builds certificates for RSA keys only. */
export const CA_KEY_BITS = 2048;

const generateKeyPairAsync = promisify(generateKeyPair);

/** Loads the operator's CA, or the data dir's root, creating that root on first start. */
export async function openCaMaterial(options: CaMaterialOptions): Promise<CaMaterial> {
  const caDir = path.join(options.dataDir, 'ca');
  ensurePrivateDirectory(caDir);
  const extraRoots = readExtraRoots(path.join(caDir, CA_FILES.extraRoots));
  if (options.caCertFile !== undefined || options.caKeyFile !== undefined) {
    if (options.caCertFile === undefined || options.caKeyFile === undefined) {
      throw invalid('an operator CA needs both files: pass --ca-cert and --ca-key together', {});
    }
    return fromFiles(options.caCertFile, options.caKeyFile, extraRoots, options.now, 'operator');
  }
  const keyFile = path.join(caDir, CA_FILES.key);
  const certFile = path.join(caDir, CA_FILES.cert);
  if (fs.existsSync(certFile)) {
    if (!fs.existsSync(keyFile)) throw invalid(`${certFile} exists but its key ${keyFile} is missing; restore the key, or move ${caDir} away to create a new root (every workload then needs a new certificate)`, { file: keyFile });
    if ((fs.statSync(keyFile).mode & 0o077) !== 0) fs.chmodSync(keyFile, 0o600);
    return fromFiles(certFile, keyFile, extraRoots, options.now, 'data-dir');
  }
  // First start (or a start that died between writing the key and the certificate: no
  // certificate was ever served for that key, so a fresh pair replaces it).
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: CA_KEY_BITS });
  const publicKey = createPublicKey(privateKey);
  const root = signCertificate({
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    subject: [
      { name: 'organizationName', value: options.trustDomain },
      { name: 'commonName', value: `Inboard root CA ${new Date(options.now).toISOString().slice(0, 10)}` },
    ],
    notBefore: new Date(options.now - 60_000),
    notAfter: new Date(options.now + ROOT_TTL_MS),
    extensions: [
      { name: 'basicConstraints', critical: true, cA: true },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true },
      { name: 'subjectKeyIdentifier' },
    ],
  }, privateKey, publicKey);
  writeFileAtomic(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  try {
    writeFileAtomic(certFile, root.pem, { mode: 0o644, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fromFiles(certFile, keyFile, extraRoots, options.now, 'data-dir'); // another process won
  }
  const cert = new X509Certificate(root.der);
  return { signingKey: privateKey, signingPublicKey: publicKey, signingCert: cert, chain: [cert], roots: dedupe([cert, ...extraRoots]), source: 'generated' };
}

function fromFiles(certFile: string, keyFile: string, extraRoots: readonly X509Certificate[], now: number, source: CaMaterial['source']): CaMaterial {
  const chain = readCertificates(certFile);
  if (chain.length === 0) throw invalid(`${certFile} holds no PEM certificate`, { file: certFile });
  let signingKey: KeyObject;
  try {
    signingKey = createPrivateKey(fs.readFileSync(keyFile));
  } catch (cause) {
    throw invalid(`${keyFile} is not an unencrypted PEM private key: ${(cause as Error).message}`, { file: keyFile });
  }
  if (signingKey.asymmetricKeyType !== 'rsa') throw invalid(`${keyFile} holds a ${signingKey.asymmetricKeyType} key; the CA signs with RSA keys only (node-forge builds certificates for RSA)`, { file: keyFile });
  const bits = signingKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw invalid(`${keyFile} holds a ${bits}-bit RSA key; use at least 2048 bits`, { file: keyFile });
  const signingCert = chain[0]!;
  if (!signingCert.checkPrivateKey(signingKey)) throw invalid(`the key in ${keyFile} does not belong to the first certificate in ${certFile}`, { file: keyFile });
  checkCa(signingCert, certFile, 0, now);
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!issuedBy(chain[i]!, chain[i + 1]!)) throw invalid(`certificate ${i + 1} in ${certFile} is not issued by certificate ${i + 2}; list the signing certificate first, then each issuer up to the root`, { file: certFile });
    checkCa(chain[i + 1]!, certFile, i + 1, now);
  }
  const last = chain[chain.length - 1]!;
  const fullChain = [...chain];
  if (!issuedBy(last, last)) {
    const root = extraRoots.find((r) => issuedBy(last, r));
    if (!root) throw invalid(`the chain in ${certFile} does not end in a self-signed root; append the root certificate, or put it in <data-dir>/ca/${CA_FILES.extraRoots}`, { file: certFile });
    fullChain.push(root);
  }
  const root = fullChain[fullChain.length - 1]!;
  return { signingKey, signingPublicKey: createPublicKey(signingKey), signingCert, chain: fullChain, roots: dedupe([root, ...extraRoots]), source };
}

function readExtraRoots(file: string): X509Certificate[] {
  if (readFileIfExists(file) === undefined) return [];
  const roots = readCertificates(file);
  roots.forEach((root, i) => {
    if (!root.ca) throw invalid(`certificate ${i + 1} in ${file} is not a CA certificate (basicConstraints CA:TRUE); the trust bundle holds roots only`, { file });
  });
  return roots;
}

/** Every certificate of a PEM file, in order. */
export function readCertificates(file: string): X509Certificate[] {
  const text = readFileIfExists(file);
  if (text === undefined) throw invalid(`${file} does not exist`, { file });
  let messages;
  try {
    messages = forge.pem.decode(text);
  } catch (cause) {
    throw invalid(`${file} is not PEM: ${(cause as Error).message}`, { file });
  }
  return messages.filter((m) => m.type === 'CERTIFICATE').map((m, i) => {
    try {
      return new X509Certificate(fromBinary(m.body));
    } catch (cause) {
      throw invalid(`certificate ${i + 1} in ${file} does not parse: ${(cause as Error).message}`, { file });
    }
  });
}

function checkCa(cert: X509Certificate, file: string, index: number, now: number): void {
  const where = `certificate ${index + 1} in ${file} (${cert.subject.replace(/\n/g, ', ')})`;
  if (!cert.ca) throw invalid(`${where} is not a CA certificate (basicConstraints CA:TRUE is missing)`, { file });
  if (allowsCertificateSigning(cert.raw) === false) throw invalid(`${where} has keyUsage without keyCertSign, so it cannot sign certificates`, { file });
  if (Date.parse(cert.validTo) <= now) throw invalid(`${where} expired at ${cert.validTo}`, { file });
  if (Date.parse(cert.validFrom) > now + 60_000) throw invalid(`${where} is not valid before ${cert.validFrom}`, { file });
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

function dedupe(certs: readonly X509Certificate[]): X509Certificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => !seen.has(c.fingerprint256) && (seen.add(c.fingerprint256), true));
}

function invalid(message: string, details: Record<string, unknown>): MeshServerError {
  return new MeshServerError('BAD_REQUEST', message, { reason: 'CA_INVALID', ...details });
}
