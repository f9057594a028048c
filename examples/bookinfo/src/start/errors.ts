// Errors of `npm start` (the whole-mesh launcher): bad flags, busy ports, a child process that did
// not come up, config the control plane refused. Each carries a stable code; the message says what to do.

/** Stable codes of {@link StartError}. */
export type StartErrorCode = 'BAD_FLAG' | 'PORT_IN_USE' | 'CHILD_FAILED' | 'CONFIG_REJECTED' | 'NOT_READY';

/** Why `npm start` could not start (or keep running) the example. */
export class StartError extends Error {
  /** Stable machine-readable code. */
  readonly code: StartErrorCode;

  constructor(code: StartErrorCode, message: string) {
    super(message);
    this.name = 'StartError';
    this.code = code;
  }
}
