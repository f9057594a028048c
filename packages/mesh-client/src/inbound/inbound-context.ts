// The inbound request a piece of code is serving, carried through its async work: mesh.serve runs
// each handler inside it, and the outbound pipeline reads its deadline so a downstream call never
// outlives the time its caller granted (deadline propagation). One per Mesh; nothing global.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from '@opentelemetry/api';
import { TIMEOUT_HEADERS } from '../policy/deadline';
import { RETRY_REQUEST_HEADERS } from '../policy/retry-policy';

/** What the mesh knows about the inbound request being served. */
export interface InboundRequestContext {
  /** Clock time (the mesh's clock) at which the caller stops waiting, from x-envoy-expected-rq-timeout-ms. */
  readonly deadline?: number;
  /** The served request's trace context: the parent of the spans of the calls made for it. */
  readonly traceContext?: Context;
  /** The caller's verified mesh identity (mTLS client certificate); absent on plaintext. */
  readonly peer?: VerifiedPeer;
  /** The end user verified by RequestAuthentication: `<iss>/<sub>` and the JWT's payload; absent without a token. */
  readonly requestAuth?: RequestAuth;
}

/** A request's verified JWT (Istio's request principal and its claims). */
export interface RequestAuth {
  readonly principal?: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A caller identity verified by mutual TLS: the SPIFFE ID of its certificate, chained to the mesh root. */
export interface VerifiedPeer {
  /** `spiffe://cluster.local/ns/<ns>/sa/<sa>`: AuthorizationPolicy's `source.principal` (RBAC principal_name). */
  readonly principal: string;
  /** `cluster.local/ns/<ns>/sa/<sa>`, as AuthorizationPolicy `principals` are written. */
  readonly istioPrincipal: string;
  readonly trustDomain: string;
  /** AuthorizationPolicy `source.namespaces`. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Serial number of the peer's certificate (uppercase hex). */
  readonly serialNumber: string;
}

/** Verified peers by connection: set by the inbound TLS front after the handshake and its checks. */
const verifiedPeers = new WeakMap<Socket, VerifiedPeer>();

/** Records the verified identity of a TLS connection (inbound TLS front only). */
export function recordVerifiedPeer(socket: Socket, peer: VerifiedPeer): void {
  verifiedPeers.set(socket, peer);
}

/**
 * The verified mesh identity of the connection a request arrived on, or undefined (plaintext, or
 * not a mesh TLS connection). Authorization reads `principal` from here — never from a header.
 */
export function verifiedPeerOf(socket: Socket | null | undefined): VerifiedPeer | undefined {
  return socket ? verifiedPeers.get(socket) : undefined;
}

/** Headers by which a network caller could claim an identity; removed before anyone reads them (Envoy's XFCC). */
export const IDENTITY_CLAIM_HEADERS: readonly string[] = Object.freeze(['x-forwarded-client-cert']);

/**
 * Request headers mesh.serve removes before the application sees them: Envoy's request-control
 * headers, which only mean something to the caller's mesh, and the expected timeout, which becomes
 * the request's deadline (see `mesh.remainingTime()`).
 */
export const INBOUND_STRIPPED_HEADERS: readonly string[] = Object.freeze([
  ...RETRY_REQUEST_HEADERS,
  TIMEOUT_HEADERS.upstreamRequestTimeout,
  TIMEOUT_HEADERS.expectedTimeout,
  ...IDENTITY_CLAIM_HEADERS,
]);

const STRIPPED = new Set(INBOUND_STRIPPED_HEADERS);

/** The per-Mesh async context of inbound requests. */
export class InboundContext {
  private readonly storage = new AsyncLocalStorage<InboundRequestContext>();

  /** The context of the inbound request being served by the current async flow, if any. */
  current(): InboundRequestContext | undefined {
    return this.storage.getStore();
  }

  /** Runs `fn` as part of serving a request with `context`. */
  run<T>(context: InboundRequestContext, fn: () => T): T {
    return this.storage.run(context, fn);
  }
}

/**
 * Reads the mesh's view of an inbound request and removes the mesh-internal headers from it (from
 * `headers`, `headersDistinct` and `rawHeaders`), returning the request's context; `now` is the mesh clock's time.
 */
export function takeInboundContext(req: IncomingMessage, now: number): InboundRequestContext {
  const raw = req.headers[TIMEOUT_HEADERS.expectedTimeout];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const ms = value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value.trim()) : undefined;
  let stripped = false;
  for (const name of INBOUND_STRIPPED_HEADERS) {
    if (req.headers[name] !== undefined) {
      delete req.headers[name];
      stripped = true;
    }
  }
  if (stripped) {
    // Node builds headersDistinct lazily from rawHeaders with the original header count, so it is
    // built (and cached) before rawHeaders shrinks, then cleaned like `headers`.
    const distinct = req.headersDistinct;
    for (const name of INBOUND_STRIPPED_HEADERS) delete distinct[name];
    const kept: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (!STRIPPED.has(req.rawHeaders[i]!.toLowerCase())) kept.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    }
    req.rawHeaders.splice(0, req.rawHeaders.length, ...kept);
  }
  const peer = verifiedPeerOf(req.socket);
  return { ...(ms !== undefined && ms > 0 ? { deadline: now + ms } : {}), ...(peer ? { peer } : {}) };
}
