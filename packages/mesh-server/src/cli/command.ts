// The shape of one `inboard` command and the argument parsing every command shares (node:util
// parseArgs, strict): --help on every command, and the connection flags of client commands.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT_OK, usageError } from './exit-codes';
import type { CliIo } from './io';

/** One `inboard` sub-command. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text, printed by --help and after a usage error. */
  readonly usage: string;
  /** Runs the command; resolves with the exit code. Throws CliError to end with a message. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What parseCommand returns for a command with options `O`. */
export type ParsedCommand<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** --help, accepted by every command. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** Flags of every command that talks to the control plane. */
export const CONNECTION_OPTIONS = {
  ...HELP_OPTION,
  server: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/** Help lines describing CONNECTION_OPTIONS, appended to client commands' usage. */
export const CONNECTION_HELP = `Connection:
  --server URL       control plane admin API (default $INBOARD_SERVER or http://127.0.0.1:15014)
  --token TOKEN      bearer token for writes (default $INBOARD_TOKEN, else <data-dir>/admin-token)
  --data-dir DIR     where to find admin-token (default ./.inboard)
  -h, --help         show this help`;

/** Thrown by parseCommand when --help is given; the dispatcher prints the usage and exits 0. */
export class HelpRequested extends CliError {
  constructor(usage: string) {
    super(EXIT_OK, '', usage);
  }
}

/**
 * Parses a command's arguments strictly. Unknown flags and bad values become usage errors (exit 2,
 * with the command's usage); --help becomes HelpRequested.
 */
export function parseCommand<O extends OptionsConfig>(argv: readonly string[], options: O, usage: string): ParsedCommand<O> {
  let parsed: ParsedCommand<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) throw usageError((error as Error).message, usage);
    throw error;
  }
  if ((parsed.values as Record<string, unknown>).help === true) throw new HelpRequested(usage);
  return parsed;
}

/** Checks the number of positional arguments; a usage error otherwise. */
export function expectPositionals(positionals: readonly string[], min: number, max: number, usage: string): void {
  if (positionals.length < min) throw usageError(`missing argument${min - positionals.length > 1 ? 's' : ''}`, usage);
  if (positionals.length > max) throw usageError(`unexpected argument "${positionals[max]}"`, usage);
}

/** Checks an enumerated flag value; a usage error naming the allowed values otherwise. */
export function expectOneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], usage: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw usageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`, usage);
  return value as T;
}
