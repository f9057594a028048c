// HTTP-level errors of the admin API and the mapping from the control plane's coded errors
// (MeshServerError) to status codes. Every error leaves the server as JSON { code, message, details }.

import { MeshServerError, type ServerErrorCode } from '../errors';
import type { ApiErrorBody } from './wire';

/** An error with the HTTP status it answers with. `code` is stable and machine-readable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body sent to the client. */
  body(): ApiErrorBody {
    return { code: this.code, message: this.message, details: this.details };
  }
}

const STATUS_BY_CODE: Readonly<Record<ServerErrorCode, number>> = {
  INVALID: 422,
  UNSUPPORTED_KIND: 422,
  CONFLICT: 409,
  NOT_FOUND: 404,
  COMPACTED: 410,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  STORE_FAILURE: 500,
  UNAVAILABLE: 503,
};

/** Turns anything thrown by a handler into an ApiError; unknown errors become 500 INTERNAL. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof MeshServerError) {
    return new ApiError(STATUS_BY_CODE[error.code] ?? 500, error.code, error.message, error.details);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(500, 'INTERNAL', `internal error: ${message}`);
}
