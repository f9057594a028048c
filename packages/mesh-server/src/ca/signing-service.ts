// The certificate-signing endpoint (istiod's port 15012): Istio's CreateCertificate and Inboard's
// GetTrustBundle on a TLS gRPC server whose certificate the CA issues itself. The caller's identity
// comes from its workload bearer token alone; each token is rate-limited.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../api/server';
import { isServerError } from '../errors';
import type { TokenStore, VerifiedToken } from '../tokens/token-store';
import type { CertificateAuthority } from './authority';
import { CA_SERVICE_NAME, TRUST_BUNDLE_SERVICE_NAME, caServiceDefinitions, type IstioCertificateRequest, type IstioCertificateResponse, type TrustBundleResponse } from '@inboard/xds';
import { DEFAULT_SIGNING_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit';

/** istiod's port for xDS and certificate signing over TLS. */
export const DEFAULT_SIGNING_PORT = 15012;
/** Names in the signing endpoint's serving certificate. Clients pin the root and check these. */
export const SIGNING_SERVER_NAMES = { dnsNames: ['istiod.inboard.svc', 'localhost'], ipAddresses: ['127.0.0.1'] } as const;
/** gRPC path prefixes of the signing services (served over TLS only). */
export const SIGNING_SERVICE_PATHS: readonly string[] = [`/${CA_SERVICE_NAME}/`, `/${TRUST_BUNDLE_SERVICE_NAME}/`];
/** Largest request accepted (a CSR is about 1 KB). */
export const MAX_SIGNING_REQUEST_BYTES = 64 * 1024;

/** What the signing handlers need. */
export interface SigningHandlerOptions {
  readonly ca: CertificateAuthority;
  readonly tokens: Pick<TokenStore, 'verifyToken'>;
  /** Clock of the rate limiter (milliseconds). Default Date.now. */
  readonly clock?: { now(): number };
  /** Per-token limit; default bursts of 10, then one request every 6 s. */
  readonly rateLimit?: RateLimitOptions;
  readonly logger?: Logger;
}

/** Options of startSigningService. */
export interface SigningServiceOptions extends SigningHandlerOptions {
  /** Port (default 15012; 0 picks a free one). */
  readonly port?: number;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
}

/** A running signing endpoint. */
export interface SigningService {
  /** The bound port. */
  readonly port: number;
  /** host:port. */
  readonly address: string;
  /** Stops accepting calls and closes the server; idempotent. */
  close(): Promise<void>;
}

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * Adds CreateCertificate and GetTrustBundle to a grpc-js server — use this to serve them beside
 * xDS on one TLS port; `startSigningService` does it on a server of its own.
 */
export function addSigningServices(server: grpc.Server, options: SigningHandlerOptions): void {
  const { ca, tokens } = options;
  const logger = options.logger ?? silent;
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_SIGNING_RATE_LIMIT, options.clock ?? { now: () => Date.now() });
  const definitions = caServiceDefinitions();

  const createCertificate: grpc.handleUnaryCall<IstioCertificateRequest, IstioCertificateResponse> = (call, callback) => {
    const fail = (code: grpc.status, details: string) => callback({ code, details, metadata: new grpc.Metadata() });
    const caller = authenticate(call.metadata, tokens);
    if (typeof caller === 'string') return fail(grpc.status.UNAUTHENTICATED, caller);
    if (caller.scope !== 'workload' || caller.namespace === undefined || caller.serviceAccount === undefined) {
      return fail(grpc.status.PERMISSION_DENIED, `a ${caller.scope} token cannot request workload certificates; use a workload token (inboard token create -n NAMESPACE --service-account NAME)`);
    }
    const taken = limiter.take(caller.id);
    if (!taken.ok) return fail(grpc.status.RESOURCE_EXHAUSTED, `too many certificate requests for this token; retry in ${Math.ceil(taken.retryAfterMs / 1000)} s`);
    const request = call.request;
    // The limit holds on a shared server too (xDS on the same TLS port accepts larger messages).
    if ((request.csr ?? '').length > MAX_SIGNING_REQUEST_BYTES) return fail(grpc.status.RESOURCE_EXHAUSTED, `the CSR is larger than ${MAX_SIGNING_REQUEST_BYTES} bytes`);
    if (request.metadata?.fields && 'ImpersonatedIdentity' in request.metadata.fields) {
      return fail(grpc.status.PERMISSION_DENIED, 'metadata.ImpersonatedIdentity is not supported: the identity comes from the bearer token only');
    }
    const seconds = Number(request.validity_duration ?? 0);
    if (!Number.isSafeInteger(seconds)) return fail(grpc.status.INVALID_ARGUMENT, `validity_duration ${String(request.validity_duration)} is not a whole number of seconds`);
    try {
      const issued = ca.sign(request.csr ?? '', { namespace: caller.namespace, serviceAccount: caller.serviceAccount }, seconds > 0 ? seconds * 1000 : undefined);
      logger.info(`CA: issued ${issued.spiffeId} serial ${issued.serialNumber} until ${issued.notAfter.toISOString()} (token ${caller.id})`);
      callback(null, { cert_chain: [...issued.certChain] });
    } catch (error) {
      if (isServerError(error, 'BAD_REQUEST')) {
        logger.warn(`CA: refused a request of token ${caller.id}: ${error.message}`);
        return fail(grpc.status.INVALID_ARGUMENT, `${String(error.details.reason ?? 'BAD_REQUEST')}: ${error.message}`);
      }
      logger.error(`CA: signing failed for token ${caller.id}: ${(error as Error).message}`);
      return fail(grpc.status.INTERNAL, 'the CA could not sign the request; see the control plane log');
    }
  };

  const getTrustBundle: grpc.handleUnaryCall<object, TrustBundleResponse> = (call, callback) => {
    const caller = authenticate(call.metadata, tokens);
    if (typeof caller === 'string') return callback({ code: grpc.status.UNAUTHENTICATED, details: caller, metadata: new grpc.Metadata() });
    callback(null, { roots: [...ca.trustBundle()] });
  };

  server.addService(definitions.certificateService, { CreateCertificate: createCertificate });
  server.addService(definitions.trustBundleService, { GetTrustBundle: getTrustBundle });
}

/** TLS server credentials with a serving certificate issued by `ca` for SIGNING_SERVER_NAMES. */
export async function signingServerCredentials(ca: CertificateAuthority): Promise<grpc.ServerCredentials> {
  const serving = await ca.issueServingCertificate({ dnsNames: [...SIGNING_SERVER_NAMES.dnsNames], ipAddresses: [...SIGNING_SERVER_NAMES.ipAddresses] });
  return grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(serving.keyPem), cert_chain: Buffer.from(serving.certChain.join('')) }], false);
}

/** Starts the signing endpoint on its own TLS gRPC server. */
export async function startSigningService(options: SigningServiceOptions): Promise<SigningService> {
  const host = options.host ?? '127.0.0.1';
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_SIGNING_REQUEST_BYTES });
  addSigningServices(server, options);
  const credentials = await signingServerCredentials(options.ca);
  const bindHost = host.includes(':') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${bindHost}:${options.port ?? DEFAULT_SIGNING_PORT}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    address: `${bindHost}:${port}`,
    close: () => (closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => { server.forceShutdown(); resolve(); }, SHUTDOWN_GRACE_MS);
      force.unref();
      server.tryShutdown(() => { clearTimeout(force); resolve(); });
    })),
  };
}

/** The caller's token grant, or the (opaque) reason it is refused. */
function authenticate(metadata: grpc.Metadata, tokens: Pick<TokenStore, 'verifyToken'>): VerifiedToken | string {
  const values = metadata.get('authorization');
  if (values.length !== 1) return values.length === 0 ? 'missing "authorization: Bearer <token>" metadata' : 'send exactly one authorization metadata entry';
  const match = /^Bearer +(\S+) *$/i.exec(String(values[0]));
  if (!match) return 'the authorization metadata must be "Bearer <token>"';
  return tokens.verifyToken(match[1]!) ?? 'the bearer token is not valid (unknown, expired or revoked)';
}
