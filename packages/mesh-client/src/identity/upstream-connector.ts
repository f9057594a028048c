// Outbound mesh mTLS for the transport: which endpoints need it (ISTIO_MUTUAL or auto mTLS, i.e. a
// certificate-provider UpstreamTlsContext), and the undici `connect` function that dials them with
// the workload certificate current at connect time, trusting only the mesh bundle, and checks
// secure naming on the server's DER (SPIFFE URI SAN = the endpoint's announced identity).

import tls from 'node:tls';
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import type { StringMatch } from '../routing/matchers';
import { upstreamTlsFor } from '../snapshot/compile-upstream-tls';
import type { ClusterConfig, Endpoint } from '../snapshot/types';
import type { MtlsSource } from './mesh-mtls';
import { readPeerIdentity, verifyPeerIdentity, type PeerIdentityResult } from './peer-verify';

/** How one endpoint must be dialled with mesh mTLS. */
export interface UpstreamMtls {
  /** SNI sent (Istio's `outbound_.PORT_.SUBSET_.HOST`); omitted for none. */
  readonly sni?: string;
  /** The identity the control plane announced for the endpoint (secure naming), when it did. */
  readonly expectedIdentity?: string;
  /** The cluster's SAN matchers, used when the endpoint announced no identity. */
  readonly sanMatchers: readonly StringMatch[];
  /** Stable text of these settings (part of the pool key: a change makes a new pool). */
  readonly key: string;
}

/** Error code of a refused or failed mesh TLS connect; the attempt counts as a connect failure. */
export const UPSTREAM_TLS_FAILED = 'UPSTREAM_TLS_FAILED';

/** A mesh TLS connect that failed: handshake, secure naming, or no valid workload certificate. */
export class UpstreamTlsError extends Error {
  readonly code = UPSTREAM_TLS_FAILED;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamTlsError';
  }
}

/** True if `error` (or its cause chain) is an UpstreamTlsError: no connection was made. */
export function isUpstreamTlsFailure(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    if ((e as { code?: unknown }).code === UPSTREAM_TLS_FAILED) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The mesh mTLS `endpoint` of `cluster` needs, or undefined for plaintext. Only mesh TLS (the
 * workload certificate from a certificate-provider instance, as Istio's ISTIO_MUTUAL and auto mTLS
 * send it) is served here; other UpstreamTlsContexts (certificate files) stay plaintext as before.
 */
export function upstreamMtlsFor(cluster: Pick<ClusterConfig, 'tls' | 'transportSocketMatches'>, endpoint: Endpoint): UpstreamMtls | undefined {
  const selected = upstreamTlsFor(cluster, endpoint);
  if (!selected || selected.certificate?.kind !== 'provider') return undefined;
  const sanMatchers = selected.subjectAltNames.map((s) => s.matcher);
  const key = `mtls|${selected.sni ?? ''}|${endpoint.identity ?? ''}|${sanMatchers.map((m) => `${m.kind}:${m.value}`).join(',')}`;
  return {
    ...(selected.sni ? { sni: selected.sni } : {}),
    ...(endpoint.identity ? { expectedIdentity: endpoint.identity } : {}),
    sanMatchers,
    key,
  };
}

/**
 * Secure naming on a server certificate (DER): exactly the announced identity when there is one,
 * else a SPIFFE identity matching one of the SAN matchers, else any valid mesh identity.
 */
export function checkServerIdentity(target: UpstreamMtls, peerDer: Uint8Array): PeerIdentityResult {
  if (target.expectedIdentity !== undefined) return verifyPeerIdentity(peerDer, [target.expectedIdentity]);
  const result = readPeerIdentity(peerDer);
  if (!result.ok || target.sanMatchers.length === 0) return result;
  if (target.sanMatchers.some((m) => m.test(result.identity.uri))) return result;
  return { ok: false, code: 'PEER_IDENTITY_MISMATCH', message: `the peer is ${result.identity.uri}, which matches none of the cluster's subject alt names` };
}

/**
 * An undici `connect` function for one endpoint: reads the workload certificate at each connect
 * (so a rotation reaches new connections while open ones finish), waits up to `timeoutMs` for the
 * first certificate, and refuses a server that fails the chain or secure-naming check.
 */
export function meshTlsConnector(source: MtlsSource, target: UpstreamMtls, timeoutMs: number): buildConnector.connector {
  return (options, callback) => {
    let done = false;
    const finish = (error: Error | null, socket: Socket | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      callback(error, socket as never);
    };
    const abort = new AbortController();
    const timer = setTimeout(() => {
      abort.abort();
      socket?.destroy();
      finish(new UpstreamTlsError(`mesh TLS connect to ${options.hostname}:${options.port} timed out after ${timeoutMs} ms`), null);
    }, timeoutMs);
    timer.unref();
    let socket: tls.TLSSocket | undefined;
    source.whenReady(abort.signal).then((material) => {
      if (done) return;
      const servername = target.sni ?? '';
      socket = tls.connect({
        host: options.hostname,
        port: Number(options.port),
        ...(servername !== '' ? { servername } : {}),
        key: material.keyPem,
        cert: material.certChainPem,
        ca: [...material.trustBundle],
        ALPNProtocols: ['http/1.1'],
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
        checkServerIdentity: (_host, cert) => {
          const result = checkServerIdentity(target, cert.raw);
          return result.ok ? undefined : new UpstreamTlsError(`secure naming refused ${options.hostname}:${options.port}: ${result.message} (${result.code})`);
        },
      });
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      socket.once('secureConnect', () => finish(null, socket!));
      socket.once('error', (error: Error) => {
        finish(error instanceof UpstreamTlsError ? error : new UpstreamTlsError(`mesh TLS connect to ${options.hostname}:${options.port} failed: ${error.message}`, { cause: error }), null);
      });
    }, (error: unknown) => {
      finish(new UpstreamTlsError(`no workload certificate for mesh TLS to ${options.hostname}:${options.port}: ${(error as Error)?.message ?? String(error)}`, { cause: error }), null);
    });
  };
}
