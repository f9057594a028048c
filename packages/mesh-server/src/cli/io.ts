// What a CLI command talks to: output streams, standard input, environment and working directory.
// Injected so commands run in-process in unit tests and as a real process from bin/inboard.js.

/** The streams and environment of one CLI invocation. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Current time, for AGE columns. */
  readonly now: () => Date;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), now: () => new Date() };
}

/** Writes a line to stdout. */
export function println(io: CliIo, text = ''): void {
  io.stdout.write(text + '\n');
}

/** Writes a line to stderr. */
export function eprintln(io: CliIo, text: string): void {
  io.stderr.write(text + '\n');
}
