// Coded errors of inbound authorization config. A filter config that cannot be compiled is
// rejected as a whole; the server must then deny every request on that listener (fail closed).

/** Stable codes. Callers and tests check `code`, never the message. */
export type AuthzErrorCode =
  | 'INVALID_RBAC_CONFIG' // an RBAC filter config Envoy would reject (bad regex, bad CIDR, empty set …)
  | 'INVALID_INBOUND_METADATA'; // the inbound listener's filter_metadata.inboard has a value we do not know

/** One problem in a config, with the field path it belongs to. */
export interface AuthzConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** An authorization config error with a stable `code` and every problem found. */
export class AuthzError extends Error {
  constructor(
    readonly code: AuthzErrorCode,
    message: string,
    readonly issues: readonly AuthzConfigIssue[] = [],
  ) {
    super(message);
    this.name = 'AuthzError';
  }
}

/** True if `e` is an AuthzError, optionally with the given code. */
export function isAuthzError(e: unknown, code?: AuthzErrorCode): e is AuthzError {
  return e instanceof AuthzError && (code === undefined || e.code === code);
}
