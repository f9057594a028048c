// CLI of the ingress gateway: `inboard gateway [options]` (mesh-server's CLI loads this file), or
// `node gateway/main.ts [options]` directly. Prints one line per listener; stops on SIGINT/SIGTERM.
// Exit codes: 0 stopped by a signal, 1 could not start, 2 usage.

import { GATEWAY_USAGE, GatewayUsageError, parseGatewayArgs } from './cli-options';
import { startGateway } from './gateway';

export { GATEWAY_USAGE } from './cli-options';

/** The streams and environment the CLI uses (mesh-server's CliIo fits). */
export interface GatewayCliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Runs the gateway until SIGINT/SIGTERM; resolves with the exit code. */
export async function runGatewayCli(argv: readonly string[], io: GatewayCliIo): Promise<number> {
  let command;
  try {
    command = parseGatewayArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof GatewayUsageError)) throw error;
    io.stderr.write(`error: ${error.message}\n\n${GATEWAY_USAGE}\n`);
    return 2;
  }
  if (command.help) {
    io.stdout.write(`${GATEWAY_USAGE}\n`);
    return 0;
  }
  const signal = untilSignal();
  const starting = startGateway({ ...command.options, log: (line: string) => io.stdout.write(`${line}\n`) });
  const first = await Promise.race([
    starting.then((gateway) => ({ gateway }), (error: unknown) => ({ error })),
    signal.then((received) => ({ received })),
  ]);
  if ('error' in first) {
    const coded = first.error as { code?: unknown; message?: string };
    io.stderr.write(`error: ${typeof coded.code === 'string' ? `${coded.code}: ` : ''}${coded.message ?? String(first.error)}\n`);
    return 1;
  }
  if ('received' in first) {
    // Stopped while starting: close whatever comes up, and exit cleanly.
    io.stdout.write(`received ${first.received} while starting, closing the gateway\n`);
    await starting.then((gateway) => gateway.close(), () => undefined);
    return 0;
  }
  const received = await signal;
  io.stdout.write(`received ${received}, closing the gateway\n`);
  await first.gateway.close();
  io.stdout.write('gateway stopped\n');
  return 0;
}

if (require.main === module) {
  runGatewayCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), 2_000).unref();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
