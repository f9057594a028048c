// The ingress gateway: a mesh client with role `router` (labels istio=ingressgateway by default), so
// the control plane serves it the Gateway servers that select it as socket listeners (`0.0.0.0_8080`
// → route table `http.8080`). It keeps one local server per listener, reconciled on every config
// push, and routes each request with the same pipeline as mesh.fetch, through that listener.

import { randomBytes } from 'node:crypto';
import { connect, type ConfigEvent } from '../mesh';
import type { MeshRequest, MeshResponse } from '../request';
import type { MeshSnapshot } from '../snapshot/types';
import { routeTableForListener } from '../snapshot/lookup';
import { selectVirtualHost } from '../routing/virtual-host';
import { startIngressServer, type IngressServer } from './ingress-server';
import { planListeners, type PlannedListener, type PortMapping, type TlsFiles } from './listener-plan';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** xDS address of the control plane (default $INBOARD_CONTROL_PLANE, else 127.0.0.1:15010). */
  readonly controlPlane?: string;
  /** Workload labels Gateway selectors match (default `{ istio: 'ingressgateway' }`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** The gateway's namespace (default `istio-system`, where Istio runs its ingress gateway). */
  readonly namespace?: string;
  /** Identity (default `istio-ingressgateway-service-account`). */
  readonly serviceAccount?: string;
  /** node.id of the config stream (default `istio-ingressgateway~PID~…`). */
  readonly name?: string;
  /** Address every listener binds (default 127.0.0.1). */
  readonly bind?: string;
  /** Gateway port → local port (0 = any free port); wins over `portOffset`. */
  readonly ports?: Readonly<Record<number, number>>;
  /** Serve Gateway port P on P + portOffset. */
  readonly portOffset?: number;
  /** Serve every Gateway port on a free local port (tests). */
  readonly anyPort?: boolean;
  /** Operator certificate for HTTPS servers that name no certificate files of their own. */
  readonly tls?: TlsFiles;
  /** Directory of credentials for Gateway `credentialName`: `<dir>/<name>/tls.crt`, `tls.key`, `ca.crt`. */
  readonly credentialDir?: string;
  /** Where progress lines go (`listener 0.0.0.0_8080 serving http://127.0.0.1:8080 …`). */
  readonly log?: (line: string) => void;
  /** How long the first configuration may take (default 30 s). */
  readonly readyTimeoutMs?: number;
}

/** One listener as the gateway serves it. */
export interface GatewayListener {
  readonly name: string;
  /** The Gateway server port. */
  readonly configPort: number;
  /** The local port bound. */
  readonly port: number;
  readonly url: string;
  readonly routeConfigName: string;
}

/** A running gateway. */
export interface Gateway {
  /** The listeners being served now. */
  listeners(): readonly GatewayListener[];
  /** Stops every listener (in-flight requests get a grace period), then the mesh client. Idempotent. */
  close(): Promise<void>;
}

/** What the gateway needs from its mesh client: config snapshots and the request pipeline. */
export interface GatewayMesh {
  readonly ready: Promise<void>;
  /** The snapshot in force (undefined before the first). */
  snapshot(): MeshSnapshot | undefined;
  /** Calls `listener` after every config change; returns the unsubscribe function. */
  onSnapshot(listener: (snapshot: MeshSnapshot) => void): () => void;
  /** The pipeline of mesh.fetch, routing through the named listener. */
  route(request: MeshRequest, listenerName: string): Promise<MeshResponse>;
  close(): Promise<void>;
}

/** Default labels: what Istio's ingress gateway pods carry and bookinfo-gateway selects. */
export const DEFAULT_GATEWAY_LABELS: Readonly<Record<string, string>> = Object.freeze({ istio: 'ingressgateway' });

/**
 * Serves the listeners `mesh` is given, reconciling on every snapshot. Resolves once the first
 * configuration is in force and its listeners are bound (or reported as unservable).
 */
export async function serveGateway(mesh: GatewayMesh, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? (() => undefined);
  const mapping: PortMapping = {
    bindHost: options.bind ?? '127.0.0.1',
    ...(options.ports ? { ports: options.ports } : {}),
    ...(options.portOffset !== undefined ? { portOffset: options.portOffset } : {}),
    ...(options.anyPort ? { anyPort: true } : {}),
  };
  const servers = new Map<string, IngressServer>();
  const reported = new Map<string, string>();
  let closed = false;
  let queue: Promise<void> = Promise.resolve();

  const route = (request: MeshRequest, listenerName: string) => mesh.route(request, listenerName);
  const onError = (listener: string, error: unknown) => log(`listener ${listener}: ${(error as Error)?.message ?? String(error)}`);
  const requiresTls = (authority: string, listener: string): boolean => {
    const snapshot = mesh.snapshot();
    const table = snapshot && routeTableForListener(snapshot, listener);
    const vhost = table && selectVirtualHost(table, authority);
    return vhost !== undefined && vhost.requireTls !== 'NONE';
  };

  async function reconcile(snapshot: MeshSnapshot): Promise<void> {
    if (closed) return;
    const certificates = { ...(options.tls ? { operator: options.tls } : {}), ...(options.credentialDir ? { credentialDir: options.credentialDir } : {}) };
    const { planned, problems } = planListeners(snapshot.listeners, mapping, certificates);
    for (const problem of problems) {
      if (reported.get(problem.name) === problem.message) continue;
      reported.set(problem.name, problem.message);
      log(`listener ${problem.name} cannot be served: ${problem.message}`);
    }
    const wanted = new Map(planned.map((p) => [p.name, p]));
    for (const [name, server] of [...servers]) {
      if (wanted.get(name)?.key === server.plan.key) continue;
      servers.delete(name);
      await server.close();
      log(`listener ${name} closed`);
    }
    for (const plan of planned) {
      if (servers.has(plan.name) || closed) continue;
      await bind(plan);
    }
  }

  async function bind(plan: PlannedListener): Promise<void> {
    try {
      const server = await startIngressServer(plan, route, onError, requiresTls);
      servers.set(plan.name, server);
      reported.delete(plan.name);
      const tlsText = plan.tls ? `, TLS with ${plan.tls.chains.map((c) => `${c.certFile}${c.serverNames.length ? ` for ${c.serverNames.join(',')}` : ''}`).join('; ')}` : '';
      log(`listener ${plan.name} serving ${server.url} (route table ${plan.routeConfigName}${tlsText})`);
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      const message = err.code === 'EADDRINUSE'
        ? `${plan.bindHost}:${plan.localPort} is already in use; map the Gateway port elsewhere (--port ${plan.configPort}=LOCAL or --port-offset)`
        : err.code === 'EACCES'
          ? `binding ${plan.bindHost}:${plan.localPort} needs privileges; map the Gateway port above 1023 (--port ${plan.configPort}=LOCAL or --port-offset)`
          : err.message;
      if (reported.get(plan.name) !== message) log(`listener ${plan.name} cannot be served: ${message}`);
      reported.set(plan.name, message);
    }
  }

  const schedule = (snapshot: MeshSnapshot) => {
    queue = queue.then(() => reconcile(snapshot)).catch((error: unknown) => log(`reconciling listeners failed: ${String(error)}`));
    return queue;
  };

  await mesh.ready;
  const unsubscribe = mesh.onSnapshot((snapshot) => void schedule(snapshot));
  const first = mesh.snapshot();
  if (first) await schedule(first);

  let closing: Promise<void> | undefined;
  return {
    listeners: () =>
      [...servers.values()].map((s) => ({ name: s.plan.name, configPort: s.plan.configPort, port: s.port, url: s.url, routeConfigName: s.plan.routeConfigName })),
    close: () =>
      (closing ??= (async () => {
        closed = true;
        unsubscribe();
        await queue;
        await Promise.all([...servers.values()].map((s) => s.close()));
        servers.clear();
        await mesh.close();
      })()),
  };
}

/** Why the gateway could not start. */
export class GatewayError extends Error {
  constructor(readonly code: 'NOT_READY', message: string) {
    super(message);
    this.name = 'GatewayError';
  }
}

/**
 * Starts an ingress gateway: connects to the control plane as a router and serves the Gateway
 * servers that select its labels. Resolves once the first configuration is in force and its
 * listeners are bound; rejects with NOT_READY when no configuration arrives in time.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? (() => undefined);
  const labels = options.labels ?? DEFAULT_GATEWAY_LABELS;
  const namespace = options.namespace ?? 'istio-system';
  const mesh = connect({
    ...(options.controlPlane !== undefined ? { controlPlane: options.controlPlane } : {}),
    role: 'router',
    namespace,
    labels,
    serviceAccount: options.serviceAccount ?? 'istio-ingressgateway-service-account',
    nodeId: options.name ?? `istio-ingressgateway.${namespace}~${process.pid}~${randomBytes(3).toString('hex')}`,
  });
  mesh.on('disconnected', (info) => log(`control plane connection lost (${info.details || info.code}); serving with the last config, retrying in ${Math.round(info.retryInMs)} ms`));
  mesh.on('nack', (event) => log(`rejected config from the control plane (${event.family}): ${event.message}`));
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GatewayError('NOT_READY', `no configuration from the control plane at ${mesh.options.controlPlane} within ${readyTimeoutMs / 1000} s; is it running (inboard control-plane) and is --control-plane its xDS address?`)), readyTimeoutMs);
    timer.unref();
  });
  const adapter: GatewayMesh = {
    ready: Promise.race([mesh.ready, timeout]),
    snapshot: () => mesh.snapshot,
    onSnapshot: (listener) => {
      const onConfig = (event: ConfigEvent) => listener(event.snapshot);
      mesh.on('config', onConfig);
      return () => void mesh.off('config', onConfig);
    },
    route: (request, listener) => mesh.handle(request, { listener }),
    close: () => mesh.close(),
  };
  try {
    const gateway = await serveGateway(adapter, options);
    const labelText = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    log(`gateway ready: connected to ${mesh.options.controlPlane} as ${mesh.options.nodeId} (labels ${labelText}, namespace ${namespace}); ${gateway.listeners().length} listener(s)`);
    return gateway;
  } catch (error) {
    await mesh.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
