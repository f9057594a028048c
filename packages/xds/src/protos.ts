// Loads the Envoy v3 / xDS protos that ship inside @grpc/grpc-js-xds (its `deps/` folder) into one
// protobufjs Root (keepCase), plus the grpc-js service definition of the Aggregated Discovery Service.
// Everything else in @inboard/xds (codec, ADS client) and the control plane's ADS server reads these.

import fs from 'node:fs';
import path from 'node:path';
import * as protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { adsServiceDefinition } from './ads-service';
import { XdsError } from './errors';
import { addWellKnownTypes, wellKnownFile } from './well-known-types';

/** The `.proto` files loaded into the Root (their imports come along). */
export const XDS_PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/least_request/v3/least_request.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/load_balancing_policies/random/v3/random.proto',
  'envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/pick_first/v3/pick_first.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/load_balancing_policies/maglev/v3/maglev.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'xds/type/v3/typed_struct.proto',
  'udpa/type/v1/typed_struct.proto',
];

/** The loaded protos: a protobufjs Root (keepCase) and, loaded on first use, the ADS service definition. */
export interface XdsProtos {
  /** Every type in XDS_PROTO_FILES and their imports, field names in snake_case. */
  readonly root: protobuf.Root;
  /** The four `deps/` include directories inside @grpc/grpc-js-xds. */
  readonly includeDirs: readonly string[];
  /** How long loading the Root took, in milliseconds. */
  readonly loadMs: number;
  /**
   * grpc-js definition of AggregatedDiscoveryService (StreamAggregatedResources,
   * DeltaAggregatedResources), built from `root` on first use — for `Server.addService` and clients.
   */
  adsService(): ServiceDefinition;
  /** The protobufjs Type for a full message name (no leading dot); throws XdsError UNKNOWN_TYPE. */
  type(fullName: string): protobuf.Type;
}

let cached: WeakRef<XdsProtos> | undefined;

/**
 * Returns the xDS protos, loading them on the first call (about 0.2 s). The result is memoised
 * through a WeakRef, so keep the returned instance for as long as you use it (the ADS client and
 * server do) — then every caller in the process shares one load.
 */
export function loadXdsProtos(): XdsProtos {
  const hit = cached?.deref();
  if (hit) return hit;
  const protos = loadFresh();
  cached = new WeakRef(protos);
  return protos;
}

/** The `deps/` include directories of the installed @grpc/grpc-js-xds. */
export function xdsIncludeDirs(): string[] {
  let base: string;
  try {
    base = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  } catch (cause) {
    throw new XdsError('PROTOS_NOT_FOUND', 'cannot find @grpc/grpc-js-xds: install it, its deps/ folder holds the Envoy protos', { cause });
  }
  const dirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(base, 'deps', d));
  const missing = dirs.filter((d) => !fs.existsSync(d));
  if (missing.length > 0) {
    throw new XdsError('PROTOS_NOT_FOUND', `@grpc/grpc-js-xds has no proto folder ${missing.join(', ')}; reinstall it`);
  }
  return dirs;
}

function loadFresh(): XdsProtos {
  const includeDirs = xdsIncludeDirs();
  const started = process.hrtime.bigint();
  const root = new protobuf.Root();
  addWellKnownTypes(root);
  root.resolvePath = (origin, target) => resolveInclude(includeDirs, origin, target);
  try {
    root.loadSync(XDS_PROTO_FILES as string[], { keepCase: true });
    root.resolveAll();
  } catch (cause) {
    throw new XdsError('PROTOS_NOT_FOUND', `loading the Envoy protos failed: ${(cause as Error).message}`, { cause });
  }
  const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
  let service: ServiceDefinition | undefined;
  const types = new Map<string, protobuf.Type>();
  return {
    root,
    includeDirs,
    loadMs,
    adsService() {
      service ??= adsServiceDefinition(root);
      return service;
    },
    type(fullName) {
      let t = types.get(fullName);
      if (!t) {
        const found = root.lookup(fullName);
        if (!(found instanceof protobuf.Type)) {
          throw new XdsError('UNKNOWN_TYPE', `no protobuf message ${fullName} among the loaded xDS protos`, { typeName: fullName });
        }
        t = found;
        types.set(fullName, t);
      }
      return t;
    },
  };
}

function resolveInclude(includeDirs: readonly string[], origin: string, target: string): string {
  const wellKnown = wellKnownFile(target);
  if (wellKnown) return wellKnown;
  if (path.isAbsolute(target)) return target;
  for (const dir of includeDirs) {
    const full = path.join(dir, target);
    if (fs.existsSync(full)) return full;
  }
  return protobuf.util.path.resolve(origin, target);
}
