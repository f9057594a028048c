// The grpc-js service definition of the Aggregated Discovery Service, built from the codec's own
// protobufjs Root (one proto load; snake_case Struct on the wire too), with proto-loader's
// conventions: keepCase, longs and enums as strings, no defaults; Any stays { type_url, value }.

import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';

/** Full name of the ADS service. */
export const ADS_SERVICE_NAME = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** gRPC method paths of the two ADS methods. */
export const ADS_METHOD_PATH = {
  SOTW: `/${ADS_SERVICE_NAME}/StreamAggregatedResources`,
  DELTA: `/${ADS_SERVICE_NAME}/DeltaAggregatedResources`,
} as const;

/** toObject options for wire messages (same as proto-loader with keepCase, longs/enums String, oneofs). */
export const WIRE_DECODE_OPTIONS: protobuf.IConversionOptions = {
  enums: String,
  longs: String,
  defaults: false,
  oneofs: true,
};

/** Builds the ADS service definition from a Root holding envoy/service/discovery/v3/ads.proto. */
export function adsServiceDefinition(root: protobuf.Root): ServiceDefinition {
  const service = root.lookupService(ADS_SERVICE_NAME);
  const definition: Record<string, MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${ADS_SERVICE_NAME}/${method.name}`,
      requestStream: Boolean(method.requestStream),
      responseStream: Boolean(method.responseStream),
      requestSerialize: serializer(request),
      requestDeserialize: deserializer(request),
      responseSerialize: serializer(response),
      responseDeserialize: deserializer(response),
      originalName: method.name,
    };
  }
  return definition as ServiceDefinition;
}

function serializer(type: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    const bytes = type.encode(type.fromObject(value)).finish();
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), WIRE_DECODE_OPTIONS);
}
