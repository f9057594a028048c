// The client of the mesh CA's signing endpoint: CreateCertificate (Istio's API) and GetTrustBundle
// over TLS with the mesh root pinned, the workload token as `authorization: Bearer` metadata.
// WorkloadIdentity talks to the CA only through the `CertificateSigner` interface defined here.

import * as grpc from '@grpc/grpc-js';
import { caServiceDefinitions, type IstioCertificateRequest, type IstioCertificateResponse, type TrustBundleResponse } from '@inboard/xds';
import { IdentityError } from './errors';

/** What a signer returns: the chain (leaf first) and, when the CA offers it, the trust bundle. */
export interface SignedChain {
  readonly certChain: readonly string[];
  readonly trustBundle?: readonly string[];
}

/** Gets a CSR signed. Implementations throw IdentityError CA_REQUEST_FAILED. */
export interface CertificateSigner {
  sign(request: { readonly csrPem: string; readonly ttlSeconds?: number }, signal?: AbortSignal): Promise<SignedChain>;
  close(): void;
}

/** Options of the gRPC signer. */
export interface GrpcSignerOptions {
  /** host:port of the signing endpoint (the control plane's 15012). */
  readonly caAddress: string;
  /** The workload token (`inboard token create -n NS --service-account SA`). */
  readonly token: string;
  /** Root certificate(s), PEM, that the endpoint's serving certificate must chain to. */
  readonly trustRootPem: string;
  /** Name checked in the serving certificate (default istiod.inboard.svc, which the CA always puts there). */
  readonly serverName?: string;
  /** Deadline of each call (default 10 s). */
  readonly timeoutMs?: number;
}

/** The name the mesh CA's serving certificate always carries. */
export const DEFAULT_CA_SERVER_NAME = 'istiod.inboard.svc';

type Unary<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Res) => void) => grpc.ClientUnaryCall;

/** A CertificateSigner over TLS gRPC. The channel is kept for renewals; `close()` releases it. */
export function grpcCertificateSigner(options: GrpcSignerOptions): CertificateSigner {
  const definitions = caServiceDefinitions();
  const serverName = options.serverName ?? DEFAULT_CA_SERVER_NAME;
  const channelOptions = { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName };
  const credentials = grpc.credentials.createSsl(Buffer.from(options.trustRootPem));
  const Certificates = grpc.makeGenericClientConstructor(definitions.certificateService, 'IstioCertificateService');
  const Bundles = grpc.makeGenericClientConstructor(definitions.trustBundleService, 'TrustBundleService');
  const certificates = new Certificates(options.caAddress, credentials, channelOptions);
  const bundles = new Bundles(options.caAddress, credentials, channelOptions);
  const timeoutMs = options.timeoutMs ?? 10_000;

  function unary<Req, Res>(client: grpc.Client, method: string, request: Req, signal: AbortSignal | undefined): Promise<Res> {
    const fn = (client as unknown as Record<string, Unary<Req, Res>>)[method]!.bind(client);
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${options.token}`);
    return new Promise<Res>((resolve, reject) => {
      if (signal?.aborted) return reject(new IdentityError('CA_REQUEST_FAILED', `${method} aborted before it started`, { method }));
      const call = fn(request, metadata, { deadline: Date.now() + timeoutMs }, (error, response) => {
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(response!);
      });
      const onAbort = () => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    async sign(request, signal) {
      let response: IstioCertificateResponse;
      try {
        response = await unary<IstioCertificateRequest, IstioCertificateResponse>(certificates, 'CreateCertificate', { csr: request.csrPem, ...(request.ttlSeconds !== undefined ? { validity_duration: request.ttlSeconds } : {}) }, signal);
      } catch (error) {
        throw requestFailed('CreateCertificate', options.caAddress, error);
      }
      let trustBundle: readonly string[] | undefined;
      try {
        trustBundle = (await unary<object, TrustBundleResponse>(bundles, 'GetTrustBundle', {}, signal)).roots;
      } catch (error) {
        // A CA without the bundle service (istiod itself): the chain's root is the bundle.
        if ((error as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw requestFailed('GetTrustBundle', options.caAddress, error);
      }
      return { certChain: response.cert_chain ?? [], ...(trustBundle ? { trustBundle } : {}) };
    },
    close() {
      certificates.close();
      bundles.close();
    },
  };
}

function requestFailed(method: string, address: string, error: unknown): IdentityError {
  if (error instanceof IdentityError) return error;
  const e = error as Partial<grpc.ServiceError>;
  const code = typeof e.code === 'number' ? grpc.status[e.code] : 'UNKNOWN';
  return new IdentityError('CA_REQUEST_FAILED', `${method} at ${address} failed: ${code}: ${e.details ?? e.message ?? String(error)}`, { method, grpcCode: code }, { cause: error });
}
