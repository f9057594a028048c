// The gRPC server front end: binds a grpc-js Server and registers it with the control plane through
// an ADS stream whose node metadata describes the workload (service, port, labels, namespace,
// service account, address) — Istio-style auto-registration, so a gRPC service needs no
// WorkloadEntry. While the stream is up the workload is an endpoint; close() ends the stream first.

import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import { AdsClient, TYPE_URL } from '@inboard/xds';
import { NODE_METADATA, checkControlPlane, checkMeshNode, envoyLocality, nodeMetadata, type MeshNode } from './bootstrap';
import { GrpcMeshError, invalidOption } from './errors';
import type { VerifiedPeer } from '../inbound/inbound-context';
import { bindWithMtls, type GrpcServeMtls } from './serve-mtls';

/** Options of serveGrpc. */
export interface ServeGrpcOptions {
  /** Port to bind; 0 picks a free one (the bound port is registered). */
  readonly port: number;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** xDS address of the control plane, host:port. */
  readonly controlPlane: string;
  /** Service this server implements: `reviews`, `reviews.ns` or the FQDN (registered in node.namespace). */
  readonly service: string;
  /** The workload's identity; `id` defaults to `<service>~<address>:<port>`. */
  readonly node?: Partial<MeshNode>;
  /** Name of the registered port (default "grpc", which makes the port's protocol GRPC). */
  readonly portName?: string;
  /** Address clients should dial (default: `host` when it is a specific IP, else the address the control plane sees). */
  readonly advertiseAddress?: string;
  /** Server credentials (default insecure). Not used with `mtls`. */
  readonly credentials?: grpc.ServerCredentials;
  /** Mesh mTLS with the port's PeerAuthentication mode (Mesh.serveGrpc sets it when the mesh has an identity). */
  readonly mtls?: GrpcServeMtls;
  /** How long to wait for the control plane to answer the registration stream (default 10 000 ms). */
  readonly registrationTimeoutMs?: number;
  /** How long close() lets in-flight calls finish before forcing the shutdown (default 5 000 ms). */
  readonly shutdownGraceMs?: number;
}

/** A served, registered gRPC server. */
export interface ServedGrpc {
  /** The bound port. */
  readonly port: number;
  /** The node id the workload is registered under (`inboard get workloads` NAME). */
  readonly nodeId: string;
  /** The verified mTLS caller of a call (handler's `call`), or undefined (plaintext or no mTLS). */
  peerOf(call: { getPeer(): string }): VerifiedPeer | undefined;
  /** Ends the registration stream (the endpoint leaves after the control plane's grace period), then shuts the server down. Idempotent. */
  close(): Promise<void>;
}

const WHERE = 'serveGrpc';
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function bindAddress(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, credentials, (error, port) =>
      error ? reject(new GrpcMeshError('BIND_FAILED', `serveGrpc: cannot bind ${address}: ${error.message}`, { address }, { cause: error })) : resolve(port),
    ),
  );
}

/**
 * Resolves once the control plane answered the registration stream's first request — the node is
 * registered when that request is read, and the answer (the service's own listener) comes after.
 * Rejects if the control plane refuses the node or does not answer in time.
 */
function awaitRegistration(ads: AdsClient, controlPlane: string, nodeId: string, service: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new GrpcMeshError('REGISTRATION_TIMEOUT',
        `serveGrpc: the control plane at ${controlPlane} did not confirm the registration of ${nodeId} within ${timeoutMs} ms ` +
        `(${ads.connected ? `it is connected but serves no listener for "${service}": does the service have a gRPC or HTTP port?` : 'no connection: is `inboard control-plane` running, and is this its xDS port?'})`,
        { controlPlane, nodeId }));
    }, timeoutMs);
    timer.unref();
    const onAnswer = () => { done(); resolve(); };
    const onDisconnected = (info: { code: number; details: string }) => {
      if (info.code !== grpc.status.INVALID_ARGUMENT) return; // e.g. UNAVAILABLE: AdsClient retries
      done();
      reject(new GrpcMeshError('REGISTRATION_REFUSED', `serveGrpc: the control plane refused the registration of ${nodeId}: ${info.details}`, { controlPlane, nodeId }));
    };
    function done() {
      clearTimeout(timer);
      ads.off('ack-sent', onAnswer);
      ads.off('nack-sent', onAnswer);
      ads.off('disconnected', onDisconnected);
    }
    ads.on('ack-sent', onAnswer);
    ads.on('nack-sent', onAnswer);
    ads.on('disconnected', onDisconnected);
  });
}

function shutdown(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, graceMs);
    timer.unref();
    server.tryShutdown(() => { clearTimeout(timer); resolve(); });
  });
}

/**
 * Binds `server` on host:port and registers it as an endpoint of `service` with the control plane
 * (node metadata INBOARD_SERVICE, INBOARD_PORTS, LABELS, NAMESPACE, SERVICE_ACCOUNT, INSTANCE_IPS).
 * Resolves once bound and registered; on failure the port is unbound and the error thrown.
 */
export async function serveGrpc(server: grpc.Server, options: ServeGrpcOptions): Promise<ServedGrpc> {
  if (typeof options !== 'object' || options === null) invalidOption(WHERE, 'options', 'must be an object { port, host, controlPlane, service }');
  const controlPlane = checkControlPlane(WHERE, options.controlPlane);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) invalidOption(WHERE, 'port', 'must be a port number 0-65535 (0 picks one)', options.port);
  if (typeof options.service !== 'string' || !HOSTNAME.test(options.service)) {
    invalidOption(WHERE, 'service', 'must be a service host name such as "reviews" or "reviews.default.svc.cluster.local"', options.service);
  }
  const host = options.host ?? '127.0.0.1';
  const portName = options.portName ?? 'grpc';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(portName)) invalidOption(WHERE, 'portName', 'must be a DNS label such as "grpc"', portName);
  const advertised = options.advertiseAddress ?? (isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::' ? host : undefined);
  if (advertised !== undefined && isIP(advertised) === 0) invalidOption(WHERE, 'advertiseAddress', 'must be an IP address', advertised);

  const address = bindAddress(host, options.port);
  const binding = options.mtls ? await bindWithMtls(server, host, options.port, options.mtls) : undefined;
  const port = binding ? binding.port : await bind(server, address, options.credentials ?? grpc.ServerCredentials.createInsecure());
  const boundAddress = bindAddress(host, port);
  const unbind = () => (binding ? binding.close() : server.unbind(boundAddress));
  const node = checkMeshNode(WHERE, { ...options.node, id: options.node?.id ?? `${options.service}~${advertised ?? host}:${port}` });
  const ads = new AdsClient({
    target: controlPlane,
    node: {
      id: node.id,
      locality: envoyLocality(node),
      metadata: nodeMetadata(node, {
        [NODE_METADATA.SERVICE]: options.service,
        [NODE_METADATA.PORTS]: { [portName]: port },
        ...(advertised !== undefined ? { [NODE_METADATA.INSTANCE_IPS]: advertised } : {}),
      }),
    },
  });
  // The control plane registers a node on its first request; subscribing to the service's own
  // listener makes that request, and its answer confirms the registration.
  const registered = awaitRegistration(ads, controlPlane, node.id, options.service, options.registrationTimeoutMs ?? 10_000);
  ads.watch(TYPE_URL.LISTENER, [options.service]);
  try {
    await registered;
  } catch (error) {
    ads.close();
    unbind();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    nodeId: node.id,
    peerOf: (call) => binding?.peerOf(call),
    close: () =>
      (closing ??= (async () => {
        ads.close();
        await shutdown(server, options.shutdownGraceMs ?? 5_000);
        binding?.close();
      })()),
  };
}
