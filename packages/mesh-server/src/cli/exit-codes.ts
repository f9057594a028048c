// Exit codes of the `inboard` CLI and the error that carries one up to the dispatcher.

/** Success. */
export const EXIT_OK = 0;
/** Input rejected: validation failed, conflict, not found, unauthorized. */
export const EXIT_REJECTED = 1;
/** Usage: unknown command or flag, missing or extra arguments. */
export const EXIT_USAGE = 2;
/** The control plane could not be reached. */
export const EXIT_UNREACHABLE = 3;

/** Ends a command with `exitCode`; the dispatcher prints `message` (and `usage` for usage errors). */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    /** Help text of the command, printed after a usage error. */
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error for the command whose help text is `usage`. */
export function usageError(message: string, usage: string): CliError {
  return new CliError(EXIT_USAGE, message, usage);
}
