// Entry point of the `inboard` CLI: picks the command, runs it, prints errors and usage, and
// turns the outcome into the exit code (0 ok, 1 rejected, 2 usage, 3 unreachable).

import { isServerError } from '../errors';
import type { Command } from './command';
import { analyzeCommand } from './commands/analyze';
import { applyCommand } from './commands/apply';
import { controlPlaneCommand } from './commands/control-plane';
import { deleteCommand } from './commands/delete';
import { describeCommand } from './commands/describe';
import { explainCommand } from './commands/explain';
import { gatewayCommand } from './commands/gateway';
import { getCommand } from './commands/get';
import { proxyConfigCommand } from './commands/proxy-config';
import { proxyStatusCommand } from './commands/proxy-status';
import { tokenCommand } from './commands/token';
import { versionCommand } from './commands/version';
import { CliError, EXIT_OK, EXIT_REJECTED, EXIT_USAGE } from './exit-codes';
import { eprintln, println, processIo, type CliIo } from './io';

/** Every command, in the order `inboard --help` lists them. */
export const COMMANDS: readonly Command[] = [
  controlPlaneCommand,
  gatewayCommand,
  applyCommand,
  getCommand,
  describeCommand,
  deleteCommand,
  analyzeCommand,
  proxyStatusCommand,
  proxyConfigCommand,
  explainCommand,
  tokenCommand,
  versionCommand,
];

/** Top-level help. */
export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: inboard COMMAND [options]',
    '',
    'Inboard: a proxyless service mesh for Node.js, configured with Istio\'s language.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Run `inboard COMMAND --help` for a command\'s options.',
    'Exit codes: 0 ok, 1 rejected input, 2 usage, 3 control plane unreachable.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? (t: string) => eprintln(io, t) : (t: string) => println(io, t))(mainUsage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version') return main(['version', '--client', ...rest], io);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    eprintln(io, `error: unknown command "${name}"\n`);
    eprintln(io, mainUsage());
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CliError) {
    if (error.exitCode === EXIT_OK && error.usage) {
      println(io, error.usage);
      return EXIT_OK;
    }
    if (error.exitCode === EXIT_USAGE) {
      eprintln(io, `error: ${error.message}\n`);
      if (error.usage) eprintln(io, error.usage);
    } else eprintln(io, error.message);
    return error.exitCode;
  }
  if (isServerError(error)) {
    eprintln(io, `error: ${error.message}`);
    return EXIT_REJECTED;
  }
  const err = error as NodeJS.ErrnoException;
  eprintln(io, `error: ${err.code === 'EADDRINUSE' ? `address already in use (${err.message}); pick another port` : err.message}`);
  return EXIT_REJECTED;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Exit even if a stray handle lingers; an unref'd timer never delays a normal exit.
      setTimeout(() => process.exit(code), 2_000).unref();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(EXIT_REJECTED);
    },
  );
}
