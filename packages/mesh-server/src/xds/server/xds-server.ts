// The control plane's ADS server: StreamAggregatedResources (SotW) and DeltaAggregatedResources on
// one grpc-js server; translates once per client view per debounced change, pushes only what changed,
// registers serving workloads while their stream is up, and reports sync status and config dumps.

import * as grpc from '@grpc/grpc-js';
import { loadXdsProtos, type XdsProtos } from '@inboard/xds';
import type { ClientSyncStatus, XdsFamily, XdsStatusProvider } from '../contracts';
import { AdsStream, type StreamEnd, type StreamHost } from './ads-stream';
import { DeltaSession } from './delta-session';
import type { NodeIdentity } from './node-identity';
import { REAL_SERVER_CLOCK, STDERR_LOG, type XdsServerClock, type XdsServerLog, type XdsServerOptions } from './server-options';
import { SotwSession } from './sotw-session';
import { ViewCache, type ResourceView } from './view-cache';

/** How long close() waits for streams to finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 2_000;

/** The ADS server. Create, `listen`, call `inputChanged()` on every config or registry change, `close()`. */
export class XdsServer implements XdsStatusProvider {
  private readonly protos: XdsProtos;
  private readonly server: grpc.Server;
  private readonly views: ViewCache;
  private readonly streams = new Set<AdsStream>();
  /** Node id → number of its open streams that registered it. */
  private readonly registered = new Map<string, number>();
  private readonly registeringStreams = new Set<AdsStream>();
  private readonly clock: XdsServerClock;
  private readonly log: XdsServerLog;
  private readonly debounceMs: number;
  private readonly maxDebounceMs: number;
  private readonly host: StreamHost;
  private debounceTimer: unknown;
  private firstChangeAt: number | undefined;
  private closed = false;
  /** Ports bound by listenTls, and the services served on those only. */
  private readonly tlsPorts = new Set<number>();
  private readonly tlsOnlyPaths: string[] = [];

  constructor(private readonly options: XdsServerOptions) {
    this.protos = loadXdsProtos();
    this.clock = options.clock ?? REAL_SERVER_CLOCK;
    this.log = options.log ?? STDERR_LOG;
    this.debounceMs = options.debounceMs ?? 100;
    this.maxDebounceMs = options.maxDebounceMs ?? 10 * this.debounceMs;
    this.views = new ViewCache(options.translate, options.input, this.protos, this.log);
    this.host = {
      identified: (stream, identity) => this.identified(stream, identity),
      viewFor: (stream) => this.viewFor(stream),
      closed: (stream, how) => this.streamClosed(stream, how),
      warn: (message) => this.log.warn(message),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    };
    this.server = new grpc.Server({
      'grpc.keepalive_time_ms': 60_000, 'grpc.keepalive_timeout_ms': 20_000,
      interceptors: [(method, call) => this.refuseOffTls(method.path, call)],
    });
    this.server.addService(this.protos.adsService(), {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<object, object>) => this.accept(call, new SotwSession()),
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<object, object>) => this.accept(call, new DeltaSession()),
    });
  }

  /** Binds plaintext gRPC on host:port (port 0 picks one) and resolves with the bound port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err) reject(new Error(`xDS server cannot listen on ${address}: ${err.message}`, { cause: err }));
        else resolve(bound);
      });
    });
  }

  /**
   * Binds the same services over TLS on host:port (port 0 picks one) and resolves with the bound
   * port: istiod's 15012, where xDS and certificate signing share one TLS port.
   */
  listenTls(port: number, host: string, credentials: grpc.ServerCredentials): Promise<number> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, credentials, (err, bound) => {
        if (err) reject(new Error(`xDS/CA TLS server cannot listen on ${address}: ${err.message}`, { cause: err }));
        else {
          this.tlsPorts.add(bound);
          resolve(bound);
        }
      });
    });
  }

  /**
   * Adds gRPC services that answer only on the TLS ports (`listenTls`), e.g. certificate signing:
   * on the plaintext port their calls end UNAUTHENTICATED, so a bearer token never crosses in clear.
   */
  addTlsOnlyServices(pathPrefixes: readonly string[], register: (server: grpc.Server) => void): void {
    this.tlsOnlyPaths.push(...pathPrefixes);
    register(this.server);
  }

  /** The interceptor behind addTlsOnlyServices: passes every call except a TLS-only one off the TLS ports. */
  private refuseOffTls(path: string, call: grpc.ServerInterceptingCallInterface): grpc.ServerInterceptingCall {
    const port = call.getConnectionInfo().localPort;
    if (!this.tlsOnlyPaths.some((prefix) => path.startsWith(prefix)) || (port !== undefined && this.tlsPorts.has(port))) return new grpc.ServerInterceptingCall(call);
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMetadata: () => call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: `${path} is served over TLS only (the CA port, istiod's 15012)` }),
      }),
    });
  }

  /**
   * Config or registry changed. After `debounceMs` without further calls (at most `maxDebounceMs`
   * after the first), the input is read once, each view in use is translated once, and every
   * stream is sent only what changed for it.
   */
  inputChanged(): void {
    if (this.closed) return;
    const now = this.clock.now();
    this.firstChangeAt ??= now;
    if (this.debounceTimer !== undefined) this.clock.clearTimeout(this.debounceTimer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstChangeAt + this.maxDebounceMs - now));
    this.debounceTimer = this.clock.setTimeout(() => this.push(), wait);
  }

  /** Every identified client, with its per-family sync status. */
  clients(): readonly ClientSyncStatus[] {
    const out: ClientSyncStatus[] = [];
    for (const stream of this.streams) {
      const status = stream.status();
      if (status) out.push(status);
    }
    return out;
  }

  /** The resources last sent to the client with this node id (its newest stream), or undefined. */
  configDump(nodeId: string): Readonly<Record<XdsFamily, readonly object[]>> | undefined {
    let newest: AdsStream | undefined;
    for (const stream of this.streams) if (stream.proxy?.id === nodeId) newest = stream;
    return newest?.sentResources();
  }

  /** Ends every stream (UNAVAILABLE, so clients reconnect elsewhere or later) and stops the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.debounceTimer !== undefined) this.clock.clearTimeout(this.debounceTimer);
    for (const stream of [...this.streams]) stream.terminate(grpc.status.UNAVAILABLE, 'xDS server shutting down');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => { this.server.forceShutdown(); resolve(); }, SHUTDOWN_GRACE_MS);
      force.unref();
      this.server.tryShutdown(() => { clearTimeout(force); resolve(); });
    });
  }

  private accept(call: grpc.ServerDuplexStream<object, object>, session: SotwSession | DeltaSession): void {
    if (this.closed) {
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'xDS server shutting down' });
      return;
    }
    this.streams.add(new AdsStream(call, session, this.host));
  }

  private push(): void {
    this.debounceTimer = undefined;
    this.firstChangeAt = undefined;
    if (this.closed) return;
    this.views.invalidate();
    const inUse = new Set<string>();
    for (const stream of this.streams) {
      if (!stream.proxy) continue;
      inUse.add(stream.viewKey);
      stream.viewChanged();
    }
    this.views.retain(inUse);
  }

  private viewFor(stream: AdsStream): ResourceView {
    return this.views.view(stream.viewKey, stream.proxy!);
  }

  private identified(stream: AdsStream, identity: NodeIdentity): void {
    const registry = this.options.registry;
    if (!identity.registration || !registry) return;
    const nodeId = identity.proxy.id;
    registry.register(nodeId, identity.registration);
    this.registeringStreams.add(stream);
    this.registered.set(nodeId, (this.registered.get(nodeId) ?? 0) + 1);
    this.log.info(`xds: registered workload ${nodeId} from ${stream.peer}`);
  }

  /**
   * A registering stream ended. While another open stream still registers the node, nothing
   * changes. Otherwise a graceful end (the client's half-close) removes the node at once — the
   * registry removes it only if this stream's registration is still the current one, so an old
   * stream never removes a newer registration — and a dropped stream leaves it for the grace period.
   */
  private streamClosed(stream: AdsStream, how: StreamEnd): void {
    if (!this.streams.delete(stream) || !this.registeringStreams.delete(stream)) return;
    const nodeId = stream.proxy!.id;
    const count = this.registered.get(nodeId) ?? 1;
    if (count > 1) {
      this.registered.set(nodeId, count - 1);
      return;
    }
    this.registered.delete(nodeId);
    try {
      if (how.graceful) {
        this.options.registry?.remove(nodeId, stream.registration);
        this.log.info(`xds: deregistered workload ${nodeId} (its stream from ${stream.peer} closed gracefully)`);
      } else {
        this.options.registry?.unregister(nodeId);
      }
    } catch (e) {
      this.log.error(`xds: deregistering ${nodeId} failed: ${(e as Error).message}`);
    }
  }
}
