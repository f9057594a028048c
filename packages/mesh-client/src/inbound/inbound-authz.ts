// Inbound authorization for mesh.serve: finds the served port's inbound listener
// (`xds.istio.io/grpc/lds/inbound/<ip>:<port>`) in the mesh's config, compiles its JWT authentication,
// RBAC filters and settings once per config push, and decides each request before the application
// sees it: RequestAuthentication first (401 for a bad token), then AuthorizationPolicy (403).

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { authorize, compileRbacFilters, denyAllFilters, headerProblem, inboundListenerName, localReplyFor, readInboundSettings, type CompiledRbac, type InboundSettings, type LocalReply } from '../authz';
import { compileJwtAuthn, type JwtAuthnConfig } from '../snapshot/compile-jwt';
import type { ListenerSpec, MeshSnapshot } from '../snapshot/types';
import { verifiedPeerOf } from './inbound-context';
import { authenticateRequest, jwtFailureReply, JwksCache, outcomeWithoutVerification, type AuthnRequest } from './request-authn';
import { removeCookies, type RequestEdit } from './request-authn-tokens';

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
  /** RequestAuthentication (JWT) of the listener; absent when none applies. */
  readonly jwt?: JwtAuthnConfig;
  /** Why the listener's config could not be used (then `filters` deny everything). */
  readonly problem?: string;
}

/** The verdict on one request: a local reply to send instead of the application, or the URL to hand it. */
export type InboundVerdict =
  | {
    readonly allowed: true;
    readonly url: string;
    /** `<iss>/<sub>` of a verified JWT (Istio's request principal), when the request carried one. */
    readonly requestPrincipal?: string;
    /** The verified JWT payload, when the request carried one. */
    readonly jwtClaims?: Readonly<Record<string, unknown>>;
  }
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
    const jwt = compileJwtAuthn(spec.metadata);
    return { listener, filters, settings, ...(jwt ? { jwt } : {}) };
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
  /** JWKS key sets, kept across config pushes (remote ones are cached per their cache duration). */
  private readonly jwks = new JwksCache();

  constructor(
    private readonly source: InboundConfigSource,
    private readonly port: number,
    private readonly boundAddress: string,
    private readonly onProblem: (policy: InboundPolicy) => void = () => undefined,
    /** Wall clock in ms for JWT exp/nbf checks (injectable for tests). */
    private readonly now: () => number = Date.now,
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
   * Decides one request (mesh-internal headers already stripped), synchronously: 503 before the first
   * config, 400 for a repeated single-value header or a target that cannot be normalised, 403 when
   * RBAC denies, else the (normalised) URL to give the application. A request that carries a JWT to a
   * listener with RequestAuthentication cannot be verified synchronously: it gets 401 (fail closed);
   * servers call admit() for those.
   */
  check(req: IncomingMessage): InboundVerdict {
    const request = fromIncoming(req);
    const prepared = this.prepare(request);
    if ('verdict' in prepared) return prepared.verdict;
    const { policy } = prepared;
    if (!policy?.jwt) return this.authorizeRequest(request, policy, undefined);
    const outcome = outcomeWithoutVerification(policy.jwt, authnFacts(request));
    if (!outcome) return { allowed: false, reply: jwtFailureReply(authnFacts(request)), reason: 'the request carries a JWT and JWT verification needs InboundAuthorizer.admit() (asynchronous)' };
    if (outcome.kind === 'rejected') return { allowed: false, reply: outcome.reply, reason: outcome.reason };
    applyRequestEdit(req, outcome.edit);
    return this.authorizeRequest(editedRequest(request, outcome.edit), policy, undefined);
  }

  /**
   * Decides one request like check(), with RequestAuthentication first: every JWT in the request is
   * verified (401 `Jwt verification fails` when one does not), verified tokens are removed unless
   * forwarded, payload/claim headers are set, and the claims feed authorization (requestPrincipals,
   * request.auth.*). The request's headers and url are edited in place before the verdict returns.
   */
  async admit(req: IncomingMessage): Promise<InboundVerdict> {
    const { verdict, edit } = await this.decide(fromIncoming(req));
    if (edit) applyRequestEdit(req, edit);
    return verdict;
  }

  /**
   * The transport-neutral decision (HTTP and gRPC front ends): authentication, then authorization of
   * the request as authentication leaves it. `edit` (when set) is what the front end must do to the
   * request before the application sees it: remove tokens, set payload/claim headers.
   */
  async decide(request: InboundRequest): Promise<InboundAdmission> {
    const prepared = this.prepare(request);
    if ('verdict' in prepared) return { verdict: prepared.verdict };
    const { policy } = prepared;
    if (!policy?.jwt) return { verdict: this.authorizeRequest(request, policy, undefined) };
    const outcome = await authenticateRequest(policy.jwt, authnFacts(request), this.jwks, this.now());
    if (outcome.kind === 'rejected') return { verdict: { allowed: false, reply: outcome.reply, reason: outcome.reason } };
    const edited = editedRequest(request, outcome.edit);
    if (outcome.kind === 'anonymous') return { verdict: this.authorizeRequest(edited, policy, undefined), edit: outcome.edit };
    const verdict = this.authorizeRequest(edited, policy, outcome.claims);
    return {
      verdict: verdict.allowed ? { ...verdict, jwtClaims: outcome.claims, ...(outcome.principal ? { requestPrincipal: outcome.principal } : {}) } : verdict,
      edit: outcome.edit,
    };
  }

  /** The checks before authentication: config present, no repeated single-value header; then the policy. */
  private prepare(request: InboundRequest): { verdict: InboundVerdict } | { policy: InboundPolicy | undefined } {
    if (!this.source.current() && !this.lastSeen) return { verdict: { allowed: false, reply: NOT_READY_REPLY, reason: 'no config from the control plane yet' } };
    const problem = headerProblem(request.headers);
    if (problem !== undefined) return { verdict: { allowed: false, reply: { status: 400, headers: { 'content-type': 'text/plain', 'content-length': '0' }, body: '' }, reason: problem } };
    return { policy: this.policyFor(request.localAddress) };
  }

  /** Authorization (RBAC) of a request whose JWT, if any, is verified. */
  private authorizeRequest(request: InboundRequest, policy: InboundPolicy | undefined, jwtClaims: Readonly<Record<string, unknown>> | undefined): InboundVerdict {
    if (!policy) return { allowed: true, url: request.url };
    const decision = authorize(policy.filters, {
      method: request.method,
      path: request.url,
      headers: request.headers,
      host: request.host,
      port: request.localPort ?? this.port,
      destinationIp: request.localAddress ?? this.boundAddress,
      sourceIp: request.remoteAddress ?? '',
      peer: { principal: request.peerPrincipal },
      jwtClaims,
    }, { pathNormalization: policy.settings.pathNormalization });
    if (!decision.allowed) return { allowed: false, reply: localReplyFor(decision), reason: decision.reason };
    return { allowed: true, url: decision.url };
  }
}

/** One inbound request as any front end (HTTP or gRPC) describes it. */
export interface InboundRequest {
  readonly method: string;
  /** The raw request target (gRPC: `/package.Service/Method`). */
  readonly url: string;
  /** Lower-case header names, every header as a list (req.headersDistinct, gRPC metadata). */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
  /** `:authority` / Host. */
  readonly host: string;
  /** `http` or `https`. */
  readonly scheme: string;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly remoteAddress?: string;
  /** SPIFFE ID of the verified peer certificate, when the connection is mutual TLS. */
  readonly peerPrincipal?: string;
}

/** A decision plus the request edits RequestAuthentication asks for. */
export interface InboundAdmission {
  readonly verdict: InboundVerdict;
  readonly edit?: RequestEdit;
}

/** The transport-neutral view of a node:http request. */
function fromIncoming(req: IncomingMessage): InboundRequest {
  const socket = req.socket;
  // The identity the mTLS front verified for this connection — never one read from a header.
  const peer = verifiedPeerOf(socket);
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headersDistinct,
    host: req.headers.host ?? '',
    scheme: (socket as Partial<TLSSocket>).encrypted ? 'https' : 'http',
    ...(socket.localAddress !== undefined ? { localAddress: socket.localAddress } : {}),
    ...(socket.localPort !== undefined ? { localPort: socket.localPort } : {}),
    ...(socket.remoteAddress !== undefined ? { remoteAddress: socket.remoteAddress } : {}),
    ...(peer ? { peerPrincipal: peer.principal } : {}),
  };
}

/** The facts RequestAuthentication reads from a request. */
function authnFacts(request: InboundRequest): AuthnRequest {
  return { method: request.method, url: request.url, headers: request.headers, scheme: request.scheme, host: request.host };
}

/** The request as authorization must see it after RequestAuthentication's edits (pure). */
export function editedRequest(request: InboundRequest, edit: RequestEdit): InboundRequest {
  const headers: Record<string, readonly string[] | undefined> = { ...request.headers };
  for (const name of edit.removeHeaders) delete headers[name.toLowerCase()];
  if (edit.removeCookies.length > 0 && headers['cookie'] !== undefined) {
    const cookie = removeCookies(headers['cookie'], new Set(edit.removeCookies));
    if (cookie === undefined) delete headers['cookie'];
    else headers['cookie'] = [cookie];
  }
  for (const [name, value] of Object.entries(edit.setHeaders)) headers[name.toLowerCase()] = [value];
  return { ...request, url: edit.url, headers };
}

/**
 * Applies RequestAuthentication's edits to the request in place: the target without removed token
 * parameters, removed headers and cookies, set payload/claim headers — in `headers`,
 * `headersDistinct` and `rawHeaders` alike, so every way the application reads them agrees.
 */
export function applyRequestEdit(req: IncomingMessage, edit: RequestEdit): void {
  req.url = edit.url;
  const remove = new Set([...edit.removeHeaders, ...Object.keys(edit.setHeaders)].map((h) => h.toLowerCase()));
  let cookie: string | undefined;
  const editCookies = edit.removeCookies.length > 0 && req.headersDistinct['cookie'] !== undefined;
  if (editCookies) {
    cookie = removeCookies(req.headersDistinct['cookie'] ?? [], new Set(edit.removeCookies));
    remove.add('cookie');
  }
  if (remove.size === 0) return;
  const headers = req.headers as Record<string, unknown>;
  const distinct = req.headersDistinct as Record<string, string[]>;
  for (const name of remove) {
    delete headers[name];
    delete distinct[name];
  }
  const raw: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!remove.has(req.rawHeaders[i]!.toLowerCase())) raw.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  const set: [string, string][] = [...Object.entries(edit.setHeaders), ...(cookie !== undefined ? [['cookie', cookie] as [string, string]] : [])];
  for (const [name, value] of set) {
    headers[name] = value;
    distinct[name] = [value];
    raw.push(name, value);
  }
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
}

/** `::ffff:127.0.0.1` (a dual-stack socket's IPv4 peer) → `127.0.0.1`, as listener names use. */
function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
