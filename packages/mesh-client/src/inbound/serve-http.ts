// mesh.serve: the inbound side. Starts (or takes) a node:http server, puts the mTLS front before it
// (PeerAuthentication STRICT / PERMISSIVE / DISABLE per connection), runs every request inside the
// mesh's inbound context with the mesh's control headers removed and the port's AuthorizationPolicies
// enforced, registers the workload through a registration stream, and on close() deregisters FIRST,
// then drains in-flight requests, then stops.

import http from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { context as otelContext } from '@opentelemetry/api';
import type { XdsProtos } from '@inboard/xds';
import { MeshError } from '../errors';
import type { XdsChannel } from '../config/xds-channel';
import { registrationMetadata, type NodeIdentity } from '../node-metadata';
import type { MtlsSource } from '../identity/mesh-mtls';
import { fail } from '../options';
import type { Clock } from '../policy/clock';
import type { MeshTelemetry } from '../telemetry';
import { InboundAuthorizer, NOT_READY_REPLY, type InboundConfigSource } from './inbound-authz';
import { takeInboundContext, type InboundContext, type RequestAuth } from './inbound-context';
import { installMtlsFront, type MtlsFront } from './mtls-front';
import { RegistrationStream } from './registration';

/** A request handler, as node:http calls it. */
export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Options of `mesh.serve`. */
export interface ServeOptions {
  /** Port to listen on; 0 picks a free one (the bound port is registered). Ignored for a server already listening. */
  readonly port: number;
  /** Address to bind and register (default 127.0.0.1). */
  readonly host?: string;
  /** Service served (default: the mesh's `service`). */
  readonly service?: string;
  /** Name of the registered port (default `http`). */
  readonly portName?: string;
  /** How long close() waits for in-flight requests before cutting connections (default 10 000 ms). */
  readonly drainTimeoutMs?: number;
  /** How long to wait for the mesh's first config, and then for the control plane to confirm the registration (default 10 000 ms each). */
  readonly registrationTimeoutMs?: number;
}

/** A served, registered HTTP workload. */
export interface ServedHttp {
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Node id the workload is registered under (`inboard get workloads`). */
  readonly nodeId: string;
  /** Requests being served now. */
  readonly inFlight: number;
  /** Deregisters, waits for in-flight requests (bounded), stops the server. Idempotent. */
  close(): Promise<void>;
}

/** What serve() needs from its Mesh. */
export interface ServeContext {
  readonly controlPlane: string;
  /** How the registration stream reaches the control plane (plaintext xDS port or TLS CA port). */
  readonly channel: XdsChannel;
  readonly service?: string;
  readonly identity: NodeIdentity;
  readonly protos: XdsProtos;
  readonly inbound: InboundContext;
  readonly clock: Clock;
  readonly random: () => number;
  readonly telemetry: MeshTelemetry;
  /**
   * The mesh's config (its inbound listeners carry the RBAC filters to enforce) and `ready`, its
   * first config. Absent: no authorization is enforced (a caller that has no config stream).
   */
  readonly config?: InboundConfigSource & { readonly ready: Promise<void> };
  /** Where problems with the inbound config are reported (default: process warning). */
  readonly warn?: (message: string) => void;
  /** The workload certificate for inbound mTLS (absent: plaintext only; STRICT ports then refuse everything). */
  readonly mtls?: MtlsSource;
}

/** Starts serving and registers; resolves once listening and registered. */
export async function serveHttp(ctx: ServeContext, handlerOrServer: RequestHandler | http.Server, options: ServeOptions): Promise<ServedHttp> {
  if (typeof options !== 'object' || options === null) fail('serve options', 'must be an object { port, host? }', options);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) fail('serve options.port', 'must be a port number 0-65535 (0 picks one)', options.port);
  const host = options.host ?? '127.0.0.1';
  const service = options.service ?? ctx.service;
  if (service === undefined) fail('serve options.service', 'is required when connect() was given no service (or set INBOARD_SERVICE)');
  const portName = options.portName ?? 'http';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(portName)) fail('serve options.portName', 'must be a DNS label such as "http"', portName);

  const servedHost = service.includes('.') ? service : `${service}.${ctx.identity.namespace}.svc.cluster.local`;
  const registrationTimeoutMs = options.registrationTimeoutMs ?? 10_000;
  // Fail closed: accept nothing before the mesh's first config is in (policies could not be known).
  if (ctx.config) {
    await withTimeout(ctx.config.ready, registrationTimeoutMs,
      () => new MeshError('REGISTRATION_FAILED', `serve: the mesh received no config from the control plane at ${ctx.controlPlane} in time, so it cannot enforce authorization yet`, { details: { controlPlane: ctx.controlPlane } }));
  }
  const server = typeof handlerOrServer === 'function' ? http.createServer() : handlerOrServer;
  if (!(server instanceof http.Server)) fail('serve handlerOrServer', 'must be a request handler function or a node:http Server', handlerOrServer);
  const handlers = typeof handlerOrServer === 'function' ? [handlerOrServer] : (server.listeners('request') as RequestHandler[]);
  server.removeAllListeners('request');
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let authorizer: InboundAuthorizer | undefined;
  const warn = ctx.warn ?? ((message: string) => process.emitWarning(message, { code: 'INBOARD_INBOUND_AUTHZ' }));
  // The mTLS front reads the port's effective mode (listener metadata inboard.mtls_mode) per connection.
  const front: MtlsFront = installMtlsFront(server, {
    mtls: ctx.mtls,
    modeFor: (localAddress) => (ctx.config && authorizer ? authorizer.policyFor(localAddress)?.settings.mtlsMode : undefined) ?? 'PERMISSIVE',
    onRefused: (() => {
      const said = new Set<string>();
      return (reason: string) => { if (!said.has(reason)) { said.add(reason); warn(`serve: ${reason}`); } };
    })(),
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    // A keep-alive plaintext connection accepted before the port became STRICT serves no more requests.
    if (!front.admits(req.socket)) {
      req.socket.destroy();
      return;
    }
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    const context = takeInboundContext(req, ctx.clock.now());
    // The SERVER span and Istio's inbound metrics; the handler runs in its trace context.
    const telemetry = ctx.telemetry.inbound({
      method: req.method ?? 'GET', scheme: 'http', authority: req.headers.host ?? '', path: req.url ?? '/', headers: req.headers as Record<string, string | string[]>,
      ...(req.socket.remoteAddress !== undefined ? { peerAddress: req.socket.remoteAddress } : {}),
      ...(req.socket.remotePort !== undefined ? { peerPort: req.socket.remotePort } : {}),
    }, { service: servedHost });
    res.once('close', () => telemetry.end({ status: res.statusCode }));
    // Authorization, after the internal headers are gone and before the application: a denied
    // request is answered here (403 RBAC: access denied, 400, or 503 before the first config).
    // RequestAuthentication (JWT) runs first inside admit(), so a bad token is a 401 and a good one's
    // principal and claims are what the AuthorizationPolicy sees.
    const runApplication = (requestAuth?: RequestAuth) => ctx.inbound.run({ ...context, traceContext: telemetry.context, ...(requestAuth ? { requestAuth } : {}) }, () => otelContext.with(telemetry.context, () => { for (const h of handlers) h.call(server, req, res); }));
    if (!ctx.config) return runApplication();
    if (!authorizer) return void res.writeHead(NOT_READY_REPLY.status, NOT_READY_REPLY.headers).end(NOT_READY_REPLY.body);
    authorizer.admit(req).then((verdict) => {
      if (!verdict.allowed) return void res.writeHead(verdict.reply.status, verdict.reply.headers).end(verdict.reply.body);
      req.url = verdict.url;
      runApplication(verdict.jwtClaims ? { claims: verdict.jwtClaims, ...(verdict.requestPrincipal ? { principal: verdict.requestPrincipal } : {}) } : undefined);
    }, (error: unknown) => {
      warn(`serve: inbound check failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' }).end();
    });
  });

  if (!server.listening) await listen(server, options.port, host);
  const bound = server.address() as AddressInfo;
  const port = bound.port;
  if (ctx.config) {
    authorizer = new InboundAuthorizer(ctx.config, port, bound.address,
      (policy) => warn(`serve: inbound listener ${policy.listener} cannot be enforced as sent (${policy.problem}); denying every request on port ${port}`));
  }
  const advertised = isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::' ? [host] : [];
  const nodeId = `${service}~${advertised[0] ?? host}:${port}`;
  const registration = new RegistrationStream({
    channel: ctx.channel, nodeId, protos: ctx.protos, random: ctx.random,
    metadata: registrationMetadata(ctx.identity, service, { [portName]: port }, advertised),
  });
  try {
    await withTimeout(registration.registered, registrationTimeoutMs,
      () => new MeshError('REGISTRATION_FAILED', `the control plane at ${ctx.controlPlane} did not confirm the registration of ${nodeId} in time: is it running, and is this its xDS port?`, { details: { nodeId } }));
  } catch (error) {
    await registration.close(0);
    front.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }

  let closing: Promise<void> | undefined;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  return {
    port,
    url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`,
    nodeId,
    get inFlight() { return inFlight; },
    close: () => (closing ??= (async () => {
      // 1. Deregister first, so callers stop picking this endpoint while it still answers.
      await registration.close();
      // 2. Stop accepting connections; idle keep-alive connections go now, busy ones after their request.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // 3. Wait for in-flight requests (bounded), then cut whatever is left.
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, drainTimeoutMs);
          timer.unref();
          drained = () => { clearTimeout(timer); resolve(); };
        });
      }
      server.closeAllConnections();
      front.close();
      await stopped;
    })()),
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(new MeshError('INVALID_OPTIONS', `serve: cannot listen on ${host}:${port}: ${error.message}`, { cause: error, details: { host, port } }));
    server.once('error', onError);
    server.listen(port, host, () => { server.off('error', onError); resolve(); });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    timer.unref();
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e); });
  });
}
