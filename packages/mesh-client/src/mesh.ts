// The Mesh: what connect() returns. Owns the config stream, the long-lived runtime state, the
// request pipeline and the front ends built on it (fetch, undici dispatcher, axios, gRPC options),
// the inbound side (serve), explain, and close(). Nothing here is global or registered on import.

import type http from 'node:http';
import type * as grpcJs from '@grpc/grpc-js';
import { loadXdsProtos, type DisconnectInfo, type XdsProtos } from '@inboard/xds';
import type { AxiosInstance, CreateAxiosDefaults } from 'axios';
import { EventEmitter } from 'eventemitter3';
import { getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { createMeshAxios } from './adapters/axios';
import { MeshDispatcher } from './adapters/dispatcher';
import { createMeshFetch } from './adapters/fetch';
import { plaintextXdsChannel, tlsXdsChannel, type XdsChannel } from './config/xds-channel';
import { XdsConfig, type NackEvent } from './config/xds-config';
import { MeshError } from './errors';
import { explainRequest, type ExplainRequest, type Explanation } from './explain/explain';
import { CertificateFiles, createGrpcMeshOptions, meshChannelCredentials, serveGrpc, type GrpcMeshOptions, type ServeGrpcOptions, type ServedGrpc } from './grpc';
import { MeshMtls } from './identity/mesh-mtls';
import type { IdentityMaterial } from './identity/issued-chain';
import { InboundAuthorizer } from './inbound/inbound-authz';
import { InboundContext, type RequestAuth, type VerifiedPeer } from './inbound/inbound-context';
import { inboundGrpcInterceptor } from './inbound/request-authn-grpc';
import { serveHttp, type RequestHandler, type ServedHttp, type ServeOptions } from './inbound/serve-http';
import { callerMetadata, servingIdentity } from './node-metadata';
import { resolveOptions, type ConnectOptions, type ResolvedOptions } from './options';
import type { OutlierEvent } from './policy/outlier-detector';
import { Passthrough } from './pipeline/passthrough';
import { buildPipeline, type HandleOptions, type MeshPipeline } from './pipeline/stack';
import { DispatchLane } from './pipeline/dispatch-lane';
import type { StackDeps } from './pipeline/types';
import type { MeshRequest, MeshResponse } from './request';
import { MeshRuntime } from './runtime/mesh-runtime';
import type { MeshSnapshot } from './snapshot/types';
import { MeshMetrics, MeshTelemetry, MeshTracing, workloadPeer } from './telemetry';
import { createEdgeReporting, type EdgeReporting } from './telemetry/edge-reporter';

/** A config change: the snapshot now in force. */
export interface ConfigEvent {
  readonly version: string;
  readonly previousVersion?: string;
  readonly snapshot: MeshSnapshot;
}

/** Events of a Mesh (eventemitter3). */
export interface MeshEvents {
  /** A new config is in force. */
  config: (event: ConfigEvent) => void;
  /** A pushed response was rejected; the last good config stays. */
  nack: (event: NackEvent) => void;
  /** The config stream is up. */
  connected: () => void;
  /** The config stream dropped; requests keep routing on the last config while it reconnects. */
  disconnected: (info: DisconnectInfo) => void;
  /** Outlier detection ejected or returned an endpoint. */
  outlier: (event: OutlierEvent) => void;
}

/** serveGrpc options when called through a Mesh (control plane, identity and service come from it). */
export type MeshServeGrpcOptions = Omit<ServeGrpcOptions, 'controlPlane' | 'service' | 'node'> & { readonly service?: string };

/**
 * Connects this process to the mesh. Returns at once; `mesh.ready` resolves when the first full
 * config (listeners, clusters and the routes and endpoints they reference) is in force. Requests
 * made before that wait for it.
 * @throws MeshError INVALID_OPTIONS naming the option at fault.
 */
export function connect(options: ConnectOptions = {}): Mesh {
  return new Mesh(resolveOptions(options));
}

/** The in-process mesh of one service. Create it with `connect()`; `close()` it to let the process exit. */
export class Mesh extends EventEmitter<MeshEvents> {
  /** Resolves once the first config is in force; rejects (CLOSED) if the mesh is closed first. */
  readonly ready: Promise<void>;
  /** The resolved connect() options. */
  readonly options: ResolvedOptions;
  /** WHATWG fetch through the mesh. Local replies (404 NR, 503 UH …) are Responses, as Envoy sends them. */
  readonly fetch: typeof fetch;
  /** An undici Dispatcher through the mesh: `fetch(url, { dispatcher })`, `undici.request(url, { dispatcher })`. */
  readonly dispatcher: Dispatcher;
  private readonly protos: XdsProtos;
  private readonly config: XdsConfig;
  private readonly runtime: MeshRuntime;
  private readonly passthrough = new Passthrough();
  private readonly inbound = new InboundContext();
  private readonly telemetry: MeshTelemetry;
  /** Edge statistics for the control plane's dashboard (undefined: nowhere to report). */
  private readonly edgeReporting: EdgeReporting | undefined;
  private readonly pipeline: MeshPipeline;
  private readonly served = new Set<{ close(): Promise<void> }>();
  private readonly servedGrpc = new Set<ServedGrpc>();
  /** Mutual TLS: the workload certificate (obtained and rotated) or the reason the mesh runs plaintext. */
  readonly mtls: MeshMtls;
  /** How this mesh reaches the control plane's xDS: plaintext (15010) or TLS with the root pinned (15012). */
  readonly xdsChannel: XdsChannel;
  /** The certificate's files for grpc-js-xds channels (made when `grpc` is first read with mTLS on). */
  private certificateFiles: CertificateFiles | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  /** Use `connect()`. */
  constructor(resolved: ResolvedOptions) {
    super();
    this.mtls = new MeshMtls(resolved.mtls, { namespace: resolved.identity.namespace, ...(resolved.identity.serviceAccount !== undefined ? { serviceAccount: resolved.identity.serviceAccount } : {}) });
    // A mesh without a certificate says so in its labels (security.istio.io/tlsMode: disabled) on every
    // stream, so auto mTLS sends its callers plaintext and its config and registration labels agree.
    const options = { ...resolved, identity: servingIdentity(resolved.identity, this.mtls.enabled) };
    this.options = options;
    this.protos = loadXdsProtos();
    this.runtime = new MeshRuntime(options.random, options.clock);
    this.runtime.pools.useMtls(this.mtls);
    const t = options.telemetry;
    const self = workloadPeer({ namespace: options.identity.namespace, labels: options.identity.labels, ...(options.identity.serviceAccount !== undefined ? { serviceAccount: options.identity.serviceAccount } : {}) });
    this.edgeReporting = createEdgeReporting({ controlPlane: options.controlPlane, env: process.env, self, labels: options.identity.labels, nodeId: options.nodeId, clock: options.clock });
    this.telemetry = new MeshTelemetry({
      self,
      ...(this.edgeReporting ? { edges: this.edgeReporting.aggregator } : {}),
      metrics: new MeshMetrics({ ...(t.meterProvider ? { meterProvider: t.meterProvider } : {}), ...(t.labelBudget ? { labelBudget: t.labelBudget } : {}) }),
      tracing: new MeshTracing({ ...(t.tracerProvider ? { tracerProvider: t.tracerProvider } : {}), ...(t.propagator ? { propagator: t.propagator } : {}) }),
      now: () => options.clock.now(),
    });
    this.runtime.outliers.onEvent((e) => this.emit('outlier', e));
    const m = resolved.mtls;
    this.xdsChannel = m.enabled && m.xdsOverTls ? tlsXdsChannel(m.caAddress, m.trustRootPem) : plaintextXdsChannel(options.controlPlane);
    this.config = new XdsConfig({
      channel: this.xdsChannel, protocol: options.protocol, protos: this.protos,
      node: { id: options.nodeId, metadata: callerMetadata(options.identity) },
    });
    this.config.on('snapshot', (snapshot, previous) => {
      this.runtime.apply(snapshot);
      this.emit('config', { version: snapshot.version, ...(previous ? { previousVersion: previous.version } : {}), snapshot });
    });
    this.config.on('nack', (e) => this.emit('nack', e));
    this.config.on('connected', () => {
      this.edgeReporting?.reporter.start();
      this.emit('connected');
    });
    this.config.on('disconnected', (info) => this.emit('disconnected', info));
    this.ready = this.config.ready;
    const deps: StackDeps = {
      runtime: this.runtime,
      currentSnapshot: () => this.config.current,
      ready: this.config.ready,
      isClosed: () => this.closed,
      random: options.random,
      clock: options.clock,
      outboundTrafficPolicy: options.outboundTrafficPolicy,
      passthrough: this.passthrough,
      telemetry: this.telemetry,
      inboundRequest: () => this.inbound.current(),
    };
    this.pipeline = buildPipeline(deps);
    const handle = (request: MeshRequest) => this.pipeline(request);
    this.fetch = createMeshFetch(handle);
    this.dispatcher = new MeshDispatcher(handle, undefined, new DispatchLane(deps));
  }

  /** The config in force (undefined before the first one). */
  get snapshot(): MeshSnapshot | undefined {
    return this.config.current;
  }

  /** True while the config stream to the control plane is up. */
  get connected(): boolean {
    return this.config.connected;
  }

  /**
   * Sends one request through the pipeline (the function every front end calls; custom front ends
   * such as the ingress gateway use it directly, optionally naming the listener to route with).
   * @throws MeshError ABORTED (caller's signal), CLOSED, or CONNECT_FAILURE/UPSTREAM_RESET for a passthrough host.
   */
  handle(request: MeshRequest, options?: HandleOptions): Promise<MeshResponse> {
    return this.pipeline(request, options);
  }

  /** A new axios instance whose adapter is the mesh. */
  axios(config: CreateAxiosDefaults = {}): AxiosInstance {
    return createMeshAxios((request) => this.pipeline(request), config);
  }

  /**
   * Makes every `fetch` of the process (Node's global fetch and undici's) go through the mesh, by
   * setting undici's global dispatcher. Explicit and process-wide; returns the function that
   * restores the previous dispatcher.
   */
  installGlobalDispatcher(): () => void {
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(this.dispatcher);
    let undone = false;
    return () => {
      if (undone) return;
      undone = true;
      if (getGlobalDispatcher() === this.dispatcher) setGlobalDispatcher(previous);
    };
  }

  /**
   * Serves HTTP and registers this workload with the control plane (auto-registration). `close()`
   * on the result deregisters first, then waits for in-flight requests, then stops.
   * @throws MeshError INVALID_OPTIONS, REGISTRATION_FAILED.
   */
  async serve(handlerOrServer: RequestHandler | http.Server, options: ServeOptions): Promise<ServedHttp> {
    this.assertOpen();
    const served = await serveHttp({
      controlPlane: this.xdsChannel.target, channel: this.xdsChannel, ...(this.options.service !== undefined ? { service: this.options.service } : {}),
      identity: this.options.identity, protos: this.protos, inbound: this.inbound, clock: this.options.clock, random: this.options.random,
      telemetry: this.telemetry, config: { current: () => this.config.current, ready: this.config.ready }, mtls: this.mtls,
    }, handlerOrServer, options);
    this.served.add(served);
    const close = served.close;
    return { ...served, get inFlight() { return served.inFlight; }, close: () => { this.served.delete(served); return close(); } };
  }

  /**
   * The verified mTLS identity of the caller whose request the calling code is serving (from its
   * client certificate, never from a header); undefined on plaintext or outside a served request.
   */
  peer(): VerifiedPeer | undefined {
    return this.inbound.current()?.peer;
  }

  /**
   * The end user of the request the calling code is serving, as RequestAuthentication verified it
   * (`principal` = `<iss>/<sub>`, `claims` = the JWT payload); undefined when it carried no token.
   */
  requestAuth(): RequestAuth | undefined {
    return this.inbound.current()?.requestAuth;
  }

  /** This workload's current certificate, or undefined (mTLS off, not issued yet, or expired). */
  certificate(): IdentityMaterial | undefined {
    try {
      return this.mtls.enabled ? this.mtls.current() : undefined;
    } catch {
      return undefined;
    }
  }

  /** Milliseconds left for the inbound request being served by the calling code (undefined: no deadline). */
  remainingTime(): number | undefined {
    const deadline = this.inbound.current()?.deadline;
    return deadline === undefined ? undefined : Math.max(0, Math.floor(deadline - this.options.clock.now()));
  }

  /** Why a request would go where it goes (listener, route, VirtualService, pick, endpoints, policies, notes). Pure. */
  explain(request: ExplainRequest): Explanation {
    return explainRequest(this.config.current, { runtime: this.runtime, random: this.options.random, outboundTrafficPolicy: this.options.outboundTrafficPolicy }, request);
  }

  /**
   * What a @grpc/grpc-js client needs to call mesh services through grpc-js-xds against the same
   * control plane and identity: `target(service)` and `channelOptions`. Call `registerGrpcXds()` once.
   */
  get grpc(): GrpcMeshOptions {
    const id = this.options.identity;
    // With an identity, the bootstrap names the workload certificate's files (file_watcher provider).
    if (this.mtls.enabled && !this.certificateFiles && !this.closed) this.certificateFiles = new CertificateFiles(this.mtls);
    return createGrpcMeshOptions({
      controlPlane: this.options.controlPlane,
      node: { id: `${this.options.nodeId}~grpc`, namespace: id.namespace, labels: id.labels, ...(id.serviceAccount !== undefined ? { serviceAccount: id.serviceAccount } : {}) },
      ...(this.certificateFiles ? { certificates: this.certificateFiles.paths } : {}),
    });
  }

  /**
   * grpc-js channel credentials for mesh mTLS with this workload's current certificate, accepting only
   * a server whose SPIFFE identity is one of `expectedIdentities` (none given: any mesh identity).
   */
  grpcCredentials(expectedIdentities: readonly string[] = []): grpcJs.ChannelCredentials {
    return meshChannelCredentials(this.mtls, expectedIdentities);
  }

  /** Binds a grpc-js Server and registers it as an endpoint of this mesh's service (or `options.service`). */
  async serveGrpc(server: grpcJs.Server, options: MeshServeGrpcOptions): Promise<ServedGrpc> {
    this.assertOpen();
    const service = options.service ?? this.options.service;
    if (service === undefined) throw new MeshError('INVALID_OPTIONS', 'serveGrpc options.service is required when connect() was given no service');
    const id = this.options.identity;
    // The port's PeerAuthentication mode, read per connection from its inbound listener (as serve does).
    const authorizers = new Map<number, InboundAuthorizer>();
    const config = { current: () => this.config.current };
    const mtls = options.credentials ? undefined : {
      source: this.mtls,
      modeFor: (localAddress: string | undefined, port: number) => {
        let authorizer = authorizers.get(port);
        if (!authorizer) authorizers.set(port, authorizer = new InboundAuthorizer(config, port, options.host ?? '127.0.0.1'));
        return authorizer.policyFor(localAddress)?.settings.mtlsMode ?? 'PERMISSIVE';
      },
      onRefused: onceEach((reason) => process.emitWarning(`serveGrpc: ${reason}`, { code: 'INBOARD_MTLS' })),
    };
    const served = await serveGrpc(server, {
      ...options, ...(mtls ? { mtls } : {}), controlPlane: this.options.controlPlane, service,
      node: { namespace: id.namespace, labels: id.labels, ...(id.serviceAccount !== undefined ? { serviceAccount: id.serviceAccount } : {}) },
    });
    this.served.add(served);
    this.servedGrpc.add(served);
    const close = served.close;
    return { ...served, close: () => { this.servedGrpc.delete(served); return close(); } };
  }

  /**
   * A grpc-js server interceptor enforcing this mesh's inbound policy on every call —
   * RequestAuthentication (JWT) and AuthorizationPolicy with the mTLS caller's principal:
   * `new grpc.Server({ interceptors: [mesh.grpcInboundInterceptor()] })`, then `mesh.serveGrpc(server, …)`.
   */
  grpcInboundInterceptor(): grpcJs.ServerInterceptor {
    return inboundGrpcInterceptor({ current: () => this.config.current }, {
      // Connections from the mTLS front carry no addresses in grpc-js: with one served port, it is that one.
      portOf: () => (this.servedGrpc.size === 1 ? [...this.servedGrpc][0]!.port : undefined),
      peerOf: (call) => this.grpcPeer(call),
    });
  }

  /**
   * The verified mTLS caller of a gRPC call served by this mesh's serveGrpc — pass the handler's
   * `call` or a server interceptor's call (both have `getPeer()`); undefined on plaintext.
   */
  grpcPeer(call: { getPeer(): string }): VerifiedPeer | undefined {
    for (const served of this.servedGrpc) {
      const peer = served.peerOf(call);
      if (peer) return peer;
    }
    return undefined;
  }

  /** Closes served workloads (deregistering and draining them), then the config stream, pools and timers. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await Promise.all([...this.served].map((s) => s.close().catch(() => undefined)));
      this.served.clear();
      await this.edgeReporting?.reporter.close();
      this.closed = true;
      this.config.close();
      await this.runtime.close();
      await this.passthrough.close();
      this.mtls.close();
      this.certificateFiles?.close();
      this.removeAllListeners();
    })());
  }

  private assertOpen(): void {
    if (this.closed || this.closing) throw new MeshError('CLOSED', 'the mesh is closed; create a new one with connect()');
  }
}

/** A reporter that passes each distinct message on once. */
function onceEach(report: (message: string) => void): (message: string) => void {
  const said = new Set<string>();
  return (message) => {
    if (said.has(message)) return;
    said.add(message);
    report(message);
  };
}
