// Errors raised while configuring or launching a BookInfo service (bad flags, bad upstream URLs,
// unsupported versions). Request-time failures are HTTP responses, never these.

/** Stable codes of {@link BookinfoError}. */
export type BookinfoErrorCode =
  | 'BAD_FLAG'
  | 'BAD_UPSTREAM_URL'
  | 'MISSING_UPSTREAM'
  | 'UNKNOWN_SERVICE'
  | 'UNSUPPORTED_VERSION'
  | 'BAD_OPTION';

/** A configuration error of a BookInfo service; `code` is stable, the message says what to fix. */
export class BookinfoError extends Error {
  /** Stable machine-readable code. */
  readonly code: BookinfoErrorCode;

  constructor(code: BookinfoErrorCode, message: string) {
    super(message);
    this.name = 'BookinfoError';
    this.code = code;
  }
}
