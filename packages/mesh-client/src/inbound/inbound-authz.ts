// Inbound authorization for mesh.serve: finds the served port's inbound listener
// (`xds.istio.io/grpc/lds/inbound/<ip>:<port>`) in the mesh's config, compiles its RBAC filters and
// settings once per config push, and decides each request before the application sees it.

import type { IncomingMessage } from 'node:http';
import { authorize, compileRbacFilters, denyAllFilters, headerProblem, inboundListenerName, localReplyFor, readInboundSettings, type CompiledRbac, type InboundSettings, type LocalReply } from '../authz';
import type { ListenerSpec, MeshSnapshot } from '../snapshot/types';

/** Where the inbound side reads the mesh's config from. */
export interface InboundConfigSource {
  /** The config in force; undefined before the first one. */
  current(): MeshSnapshot | undefined;
}

/** What one inbound listener enforces, compiled from one snapshot. */
export interface InboundPolicy {
  readonly listener: string;
  readonly filters: readonly CompiledRbac[];
  readonly settings: InboundSettings;
  /** Why the listener's config could not be used (then `filters` deny everything). */
  readonly problem?: string;
}

/** The verdict on one request: a local reply to send instead of the application, or the URL to hand it. */
export type InboundVerdict =
  | { readonly allowed: true; readonly url: string }
  | { readonly allowed: false; readonly reply: LocalReply; readonly reason: string };

/** Fail-closed answer while the mesh has no config yet (Envoy would not have a listener to accept on). */
const NOT_READY_BODY = 'inbound config not received yet';
export const NOT_READY_REPLY: LocalReply = Object.freeze({
  status: 503,
  headers: Object.freeze({ 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(NOT_READY_BODY)) }),
  body: NOT_READY_BODY,
});

/** The settings a listener without usable metadata falls back to (Istio's defaults). */
const DEFAULT_SETTINGS: InboundSettings = Object.freeze({ mtlsMode: 'PERMISSIVE', pathNormalization: 'BASE', authorizationPolicies: Object.freeze([]) });

/**
 * Compiles a listener's RBAC filters and metadata. Bad RBAC or metadata never fails open: the
 * listener then denies every request, and `problem` says why.
 */
export function compileInboundPolicy(listener: string, spec: ListenerSpec): InboundPolicy {
  try {
    const settings = readInboundSettings(spec.metadata);
    const filters = compileRbacFilters(spec.http?.httpFilters ?? []);
    return { listener, filters, settings };
  } catch (error) {
    return { listener, filters: denyAllFilters(), settings: DEFAULT_SETTINGS, problem: (error as Error).message };
  }
}

/**
 * The authorizer of one served port. Per snapshot it looks up the inbound listener for the address
 * the request arrived on (else for the bound address) and compiles it once. Without any listener
 * for the port, requests are allowed (Istio: no policy applies) — but once a listener was seen, a
 * later snapshot without it keeps enforcing the last one (a DENY is never dropped by a gap).
 */
export class InboundAuthorizer {
  private snapshot: MeshSnapshot | undefined;
  private readonly compiled = new Map<string, InboundPolicy>();
  private lastSeen: InboundPolicy | undefined;

  constructor(
    private readonly source: InboundConfigSource,
    private readonly port: number,
    private readonly boundAddress: string,
    private readonly onProblem: (policy: InboundPolicy) => void = () => undefined,
  ) {}

  /** The policy for a connection accepted on `localAddress`, or undefined when none applies yet. */
  policyFor(localAddress: string | undefined): InboundPolicy | undefined {
    const snapshot = this.source.current();
    if (!snapshot) return this.lastSeen;
    if (snapshot !== this.snapshot) {
      this.snapshot = snapshot;
      this.compiled.clear();
    }
    const names = [...new Set([localAddress, this.boundAddress].filter((a): a is string => !!a).map((a) => inboundListenerName(unmapIpv4(a), this.port)))];
    for (const name of names) {
      let policy = this.compiled.get(name);
      if (!policy) {
        const spec = snapshot.listeners.get(name);
        if (!spec) continue;
        policy = compileInboundPolicy(name, spec);
        this.compiled.set(name, policy);
        if (policy.problem) this.onProblem(policy);
      }
      this.lastSeen = policy;
      return policy;
    }
    return this.lastSeen;
  }

  /**
   * Decides one request (mesh-internal headers already stripped): 503 before the first config, 400
   * for a repeated single-value header or a target that cannot be normalised, 403 when RBAC denies,
   * else the (normalised) URL to give the application.
   */
  check(req: IncomingMessage): InboundVerdict {
    if (!this.source.current() && !this.lastSeen) return { allowed: false, reply: NOT_READY_REPLY, reason: 'no config from the control plane yet' };
    const problem = headerProblem(req.headersDistinct);
    if (problem !== undefined) return { allowed: false, reply: { status: 400, headers: { 'content-type': 'text/plain', 'content-length': '0' }, body: '' }, reason: problem };
    const socket = req.socket;
    const policy = this.policyFor(socket.localAddress);
    if (!policy) return { allowed: true, url: req.url ?? '/' };
    const decision = authorize(policy.filters, {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headersDistinct,
      host: req.headers.host ?? '',
      port: socket.localPort ?? this.port,
      destinationIp: socket.localAddress ?? this.boundAddress,
      sourceIp: socket.remoteAddress ?? '',
      peer: { principal: undefined }, // plaintext until mTLS lands
      jwtClaims: undefined,
    }, { pathNormalization: policy.settings.pathNormalization });
    if (!decision.allowed) return { allowed: false, reply: localReplyFor(decision), reason: decision.reason };
    return { allowed: true, url: decision.url };
  }
}

/** `::ffff:127.0.0.1` (a dual-stack socket's IPv4 peer) → `127.0.0.1`, as listener names use. */
function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
