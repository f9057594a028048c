// Coded errors of the control plane. `code` is stable and is what callers and tests check;
// `message` says what happened and what to do; `details` carries the resource, field or key at fault.

export type ServerErrorCode =
  | 'INVALID' // config failed validation (details.errors lists every problem)
  | 'UNSUPPORTED_KIND' // a document of a kind the mesh does not store
  | 'CONFLICT' // compare-and-swap failed
  | 'NOT_FOUND'
  | 'COMPACTED' // watch from a revision whose history is gone
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'STORE_FAILURE'
  | 'UNAVAILABLE';

export class MeshServerError extends Error {
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MeshServerError';
  }
}

/** True if `e` is a MeshServerError with the given code. */
export function isServerError(e: unknown, code?: ServerErrorCode): e is MeshServerError {
  return e instanceof MeshServerError && (code === undefined || e.code === code);
}
