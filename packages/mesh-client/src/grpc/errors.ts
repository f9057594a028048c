// Coded errors of the gRPC front end (grpc-js-xds bootstrap, serveGrpc registration). Kept apart
// from MeshError, whose codes all map to Envoy local replies; these are setup failures.

/** Stable codes of gRPC front-end errors. Callers and tests check `code`, never the message. */
export type GrpcMeshErrorCode =
  | 'INVALID_OPTIONS' // an option is missing or malformed; the message names the field
  | 'GRPC_XDS_UNAVAILABLE' // @grpc/grpc-js-xds cannot be loaded
  | 'BIND_FAILED' // the gRPC server could not bind host:port
  | 'REGISTRATION_REFUSED' // the control plane ended the registration stream (bad node metadata)
  | 'REGISTRATION_TIMEOUT'; // the control plane did not answer the registration stream in time

/** An error of the gRPC front end with a stable `code` and context `details`. */
export class GrpcMeshError extends Error {
  constructor(
    readonly code: GrpcMeshErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GrpcMeshError';
  }
}

/** True if `e` is a GrpcMeshError, optionally with the given code. */
export function isGrpcMeshError(e: unknown, code?: GrpcMeshErrorCode): e is GrpcMeshError {
  return e instanceof GrpcMeshError && (code === undefined || e.code === code);
}

/** Throws INVALID_OPTIONS naming `field` of `where`. */
export function invalidOption(where: string, field: string, problem: string, value?: unknown): never {
  const shown = value === undefined ? '' : `; got ${JSON.stringify(value)}`;
  throw new GrpcMeshError('INVALID_OPTIONS', `${where}: ${field} ${problem}${shown}`, { field });
}
