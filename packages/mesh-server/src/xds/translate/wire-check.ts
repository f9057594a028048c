// Test helper: puts a translation result through the real wire path — @inboard/xds's strict encoder
// (misspelt fields, bad enums and unknown Any types fail) and then grpc-js-xds 1.14's own resource
// validators, so a test fails on anything an unmodified grpc-js-xds client would NACK.

import { encodeResource, loadXdsProtos, type EncodedAny, type XdsProtos } from '@inboard/xds';
import type { XdsResourceSet } from '../contracts';
import { TYPE_URL } from './envoy-names';

let protos: XdsProtos | undefined; // held for the test process: loadXdsProtos memoises through a WeakRef

const FAMILIES = [
  ['listeners', TYPE_URL.listener],
  ['routes', TYPE_URL.routeConfiguration],
  ['clusters', TYPE_URL.cluster],
  ['endpoints', TYPE_URL.clusterLoadAssignment],
] as const;

/** Encodes every resource; returns "family/name: error" for each that does not encode. */
export function encodeErrors(result: XdsResourceSet): { errors: string[]; encoded: { family: string; name: string; any: EncodedAny }[] } {
  const errors: string[] = [];
  const encoded: { family: string; name: string; any: EncodedAny }[] = [];
  for (const [family, typeUrl] of FAMILIES) {
    for (const [name, object] of result[family]) {
      try {
        encoded.push({ family, name, any: encodeResource(typeUrl, object, (protos ??= loadXdsProtos())) });
      } catch (error) {
        errors.push(`${family}/${name}: ${(error as Error).message}`);
      }
    }
  }
  return { errors, encoded };
}

interface DecodeResult { name: string; error?: string }
interface ResourceType { decode(context: unknown, any: { type_url: string; value: Buffer }): DecodeResult }

let grpcTypes: Record<string, ResourceType> | undefined;

function grpcResourceTypes(): Record<string, ResourceType> {
  if (grpcTypes) return grpcTypes;
  /* eslint-disable @typescript-eslint/no-require-imports */
  // register() fills grpc-js-xds's HTTP filter and LB policy registries the validators consult.
  (require('@grpc/grpc-js-xds') as { register(): void }).register();
  const base = '@grpc/grpc-js-xds/build/src/xds-resource-type/';
  grpcTypes = {
    listeners: require(`${base}listener-resource-type`).ListenerResourceType.get(),
    routes: require(`${base}route-config-resource-type`).RouteConfigurationResourceType.get(),
    clusters: require(`${base}cluster-resource-type`).ClusterResourceType.get(),
    endpoints: require(`${base}endpoint-resource-type`).EndpointResourceType.get(),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return grpcTypes;
}

/** The decode context of a client whose bootstrap has (Istio's grpc-agent bootstrap) or lacks `certificate_providers.default`. */
function decodeContext(certificateProviders: boolean) {
  const providers = certificateProviders ? { default: { plugin_name: 'file_watcher', config: {} } } : {};
  return {
    server: { serverUri: '127.0.0.1:15010', channelCreds: [{ type: 'insecure' }], serverFeatures: [] },
    bootstrap: { certificateProviders: providers, node: { id: 'test', locality: {} }, xdsServers: [], authorities: {} },
  };
}

/** What the simulated grpc-js-xds client was bootstrapped with. */
export interface GrpcClientBootstrap {
  /** Its bootstrap names the certificate-provider instance `default` (as Istio's grpc-agent writes it); default true. */
  readonly certificateProviders?: boolean;
}

/**
 * Runs every encoded resource (optionally only some families) through grpc-js-xds's decoder and
 * validator, as a client bootstrapped with `bootstrap`; returns "family/name: error" for each it would NACK.
 */
export function grpcNacks(
  result: XdsResourceSet,
  families: readonly string[] = ['listeners', 'routes', 'clusters', 'endpoints'],
  bootstrap: GrpcClientBootstrap = {},
): string[] {
  const context = decodeContext(bootstrap.certificateProviders ?? true);
  const { errors, encoded } = encodeErrors(result);
  if (errors.length > 0) return errors;
  const types = grpcResourceTypes();
  const nacks: string[] = [];
  for (const { family, name, any } of encoded) {
    if (!families.includes(family)) continue;
    try {
      const decoded = types[family]!.decode(context, { type_url: any.type_url, value: any.value });
      if (decoded.error) nacks.push(`${family}/${name}: ${decoded.error}`);
    } catch (error) {
      nacks.push(`${family}/${name}: ${(error as Error).message}`);
    }
  }
  return nacks;
}
