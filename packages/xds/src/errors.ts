// Coded errors of @inboard/xds. `code` is stable and is what callers check; `details` names the
// resource type, field path or stream at fault.

/** Stable codes of XdsError. */
export type XdsErrorCode =
  | 'PROTOS_NOT_FOUND' // @grpc/grpc-js-xds or its deps/ protos are missing
  | 'UNKNOWN_TYPE' // a type URL / message name that is not among the loaded protos
  | 'INVALID_RESOURCE' // a plain object does not fit its message (unknown field, bad enum, wrong value type)
  | 'DECODE_FAILED' // bytes did not decode as the named message
  | 'CLOSED'; // the ADS client was used after close()

/** An error raised by @inboard/xds. */
export class XdsError extends Error {
  constructor(
    readonly code: XdsErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> & { cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'XdsError';
  }
}

/** True if `e` is an XdsError (optionally with the given code). */
export function isXdsError(e: unknown, code?: XdsErrorCode): e is XdsError {
  return e instanceof XdsError && (code === undefined || e.code === code);
}
