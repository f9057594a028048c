// The gRPC client front end: what a grpc-js channel needs to join the mesh through grpc-js-xds —
// an `xds:///` target per service and channel options carrying an in-memory bootstrap — plus the
// explicit opt-in that registers grpc-js-xds's `xds:` resolver with grpc-js.

import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { buildXdsBootstrap, type BootstrapCertificateFiles, type MeshNode, type XdsBootstrap } from './bootstrap';
import { GrpcMeshError, invalidOption } from './errors';

/**
 * grpc-js-xds 1.14's per-channel bootstrap option (read by its xds resolver and XdsServer). It is the
 * only way to give one channel its own bootstrap; the name warns that grpc-node treats it as a test
 * hook without stability promises. The process-wide alternative is GRPC_XDS_BOOTSTRAP_CONFIG.
 */
export const XDS_BOOTSTRAP_CHANNEL_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

/** Options of createGrpcMeshOptions. */
export interface GrpcMeshInput {
  /** xDS address of the control plane, host:port (e.g. "127.0.0.1:15010"). */
  readonly controlPlane: string;
  /** Who this process is (id, namespace, labels, service account …). */
  readonly node: MeshNode;
  /** Further channel options merged into `channelOptions`. */
  readonly channelOptions?: ChannelOptions;
  /** The mesh certificate's files (the `default` certificate provider for ISTIO_MUTUAL clusters). */
  readonly certificates?: BootstrapCertificateFiles;
}

/** What a grpc-js client needs to call mesh services. */
export interface GrpcMeshOptions {
  /**
   * The xDS target of a service: `xds:///<service>[:<port>]`. `service` is a name the control plane
   * serves a listener for: `reviews` or `reviews:9080` (same namespace), `reviews.ns`,
   * `reviews.ns.svc`, the FQDN, or a ServiceEntry host; without a port, the service's default port.
   */
  target(service: string, port?: number): string;
  /** Channel options for `new grpc.Client(target, credentials, channelOptions)`: the bootstrap, in memory. */
  readonly channelOptions: ChannelOptions;
  /** The bootstrap itself (also usable as GRPC_XDS_BOOTSTRAP_CONFIG = bootstrapJson). */
  readonly bootstrap: XdsBootstrap;
  /** JSON text of `bootstrap`. */
  readonly bootstrapJson: string;
}

/** Builds the `xds:///` target of `service` (and port); throws INVALID_OPTIONS for a malformed one. */
export function xdsTarget(service: string, port?: number): string {
  const where = 'target';
  if (typeof service !== 'string' || service === '') invalidOption(where, 'service', 'must be a non-empty service name', service);
  if (/[\s/:?#@]/.test(service) || service.includes('://')) {
    invalidOption(where, 'service', 'must be a bare host name such as "reviews" or "reviews.default.svc.cluster.local" (give the port as the second argument)', service);
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) invalidOption(where, 'port', 'must be a port number 1-65535', port);
  return `xds:///${service}${port === undefined ? '' : `:${port}`}`;
}

/**
 * Everything a grpc-js client needs to use the mesh: `target(service)` and `channelOptions` with an
 * in-memory grpc-js-xds bootstrap naming this control plane and node. Requires registerGrpcXds()
 * once in the process. Each channel opens its own xDS stream under `node.id`.
 */
export function createGrpcMeshOptions(input: GrpcMeshInput): GrpcMeshOptions {
  if (typeof input !== 'object' || input === null) throw new GrpcMeshError('INVALID_OPTIONS', 'createGrpcMeshOptions: options must be an object { controlPlane, node }');
  const bootstrap = buildXdsBootstrap(input.controlPlane, input.node, 'createGrpcMeshOptions', input.certificates);
  const bootstrapJson = JSON.stringify(bootstrap);
  return Object.freeze({
    target: xdsTarget,
    channelOptions: Object.freeze({ ...input.channelOptions, [XDS_BOOTSTRAP_CHANNEL_OPTION]: bootstrapJson }),
    bootstrap,
    bootstrapJson,
  });
}

/**
 * Registers grpc-js-xds's `xds:` resolver, LB policies, HTTP filters and CSDS admin service with
 * grpc-js — a process-wide effect, so it is an explicit call and never happens on import. Idempotent.
 * grpc-js-xds must see the same @grpc/grpc-js instance as the application (its peer dependency).
 */
export function registerGrpcXds(): void {
  let grpcXds: { register(): void };
  try {
    grpcXds = require('@grpc/grpc-js-xds') as { register(): void };
  } catch (cause) {
    throw new GrpcMeshError('GRPC_XDS_UNAVAILABLE', 'registerGrpcXds: cannot load @grpc/grpc-js-xds; install it (npm install @grpc/grpc-js-xds@~1.14.1)', {}, { cause });
  }
  grpcXds.register();
}

/**
 * grpc-js-xds's XdsChannelCredentials (plaintext fallback): a channel made with them uses mesh mTLS
 * where the cluster says so (DestinationRule ISTIO_MUTUAL), with the bootstrap's certificate
 * provider and the cluster's SAN matchers (secure naming). Loads @grpc/grpc-js-xds.
 */
export function xdsChannelCredentials(): ChannelCredentials {
  let grpcXds: { XdsChannelCredentials: new (fallback: ChannelCredentials) => ChannelCredentials };
  try {
    grpcXds = require('@grpc/grpc-js-xds') as typeof grpcXds;
  } catch (cause) {
    throw new GrpcMeshError('GRPC_XDS_UNAVAILABLE', 'xdsChannelCredentials: cannot load @grpc/grpc-js-xds; install it (npm install @grpc/grpc-js-xds@~1.14.1)', {}, { cause });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  return new grpcXds.XdsChannelCredentials(grpc.credentials.createInsecure());
}
