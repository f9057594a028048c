// Wire definitions of certificate signing: Istio's `istio.v1.auth.IstioCertificateService`
// (CreateCertificate; messages as in istio/api security/v1alpha1/ca.proto, field numbers kept) and
// Inboard's `inboard.security.v1.TrustBundleService` (GetTrustBundle), as grpc-js service definitions.

import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';

/** Full names of the two services. */
export const CA_SERVICE_NAME = 'istio.v1.auth.IstioCertificateService';
export const TRUST_BUNDLE_SERVICE_NAME = 'inboard.security.v1.TrustBundleService';

/** IstioCertificateRequest as a plain object (snake_case, int64 as string or number). */
export interface IstioCertificateRequest {
  csr?: string;
  /** Requested lifetime in seconds; ≤ 0 or absent = the CA's default. */
  validity_duration?: string | number;
  /** google.protobuf.Struct (protobufjs' camelCase value names). */
  metadata?: { fields?: Record<string, unknown> };
}

/** IstioCertificateResponse: PEM certificates, the leaf first and the root last. */
export interface IstioCertificateResponse {
  cert_chain: string[];
}

/** TrustBundleResponse: PEM root certificates the mesh trusts. */
export interface TrustBundleResponse {
  roots: string[];
}

const PROTO = `
syntax = "proto3";
package istio.v1.auth;
import "google/protobuf/struct.proto";
message IstioCertificateRequest {
  string csr = 1;
  int64 validity_duration = 3;
  google.protobuf.Struct metadata = 4;
}
message IstioCertificateResponse {
  repeated string cert_chain = 1;
}
service IstioCertificateService {
  rpc CreateCertificate(IstioCertificateRequest) returns (IstioCertificateResponse);
}
`;

const TRUST_BUNDLE_PROTO = `
syntax = "proto3";
package inboard.security.v1;
message TrustBundleRequest {}
message TrustBundleResponse {
  repeated string roots = 1;
}
service TrustBundleService {
  rpc GetTrustBundle(TrustBundleRequest) returns (TrustBundleResponse);
}
`;

/** The grpc-js definitions of both services. */
export interface CaServiceDefinitions {
  readonly certificateService: ServiceDefinition;
  readonly trustBundleService: ServiceDefinition;
}

/** Builds the service definitions (parses the small protos; call once and keep the result). */
export function caServiceDefinitions(): CaServiceDefinitions {
  const root = new protobuf.Root();
  protobuf.parse(PROTO, root, { keepCase: true });
  protobuf.parse(TRUST_BUNDLE_PROTO, root, { keepCase: true });
  root.addJSON(protobuf.common.get('google/protobuf/struct.proto')!.nested!);
  root.resolveAll();
  return {
    certificateService: serviceDefinition(root, CA_SERVICE_NAME),
    trustBundleService: serviceDefinition(root, TRUST_BUNDLE_SERVICE_NAME),
  };
}

function serviceDefinition(root: protobuf.Root, name: string): ServiceDefinition {
  const service = root.lookupService(name);
  const definition: Record<string, MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${name}/${method.name}`,
      requestStream: false,
      responseStream: false,
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
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), { longs: String, defaults: true, arrays: true });
}
