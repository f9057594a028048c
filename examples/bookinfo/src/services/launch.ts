// Runs one service from a command line with a given outbound fetch and inbound server. The CLI
// (`main.ts`) passes global fetch and `runService`; a mesh-enabled launcher passes `mesh.fetch`
// and `mesh.serve` instead, without touching any service logic.
import { createServiceApp } from './catalog';
import { SERVICE_USAGE, parseServiceArgs } from './cli-args';
import type { ServiceCommand } from './cli-args';
import type { FetchLike, RequestHandler, ServiceLogger } from './types';
import { consoleLogger, silentLogger } from './types';

/** The inbound side a launcher serves with (`runService` or `mesh.serve`). */
export type ServeFunction = (
  handler: RequestHandler,
  options: { port: number; host: string },
) => Promise<{ readonly url: string; close(): Promise<void> }>;

/** A launched service. */
export interface LaunchedService {
  readonly command: ServiceCommand;
  readonly url: string;
  close(): Promise<void>;
}

/** Parses `argv`, builds the service with `fetch`, and serves it with `serve`. Undefined after `--help`. */
export async function launchService(
  argv: readonly string[],
  io: { fetch: FetchLike; serve: ServeFunction; pid: number; out: (line: string) => void },
): Promise<LaunchedService | undefined> {
  const command = parseServiceArgs(argv, io.pid);
  if (command.help) {
    io.out(SERVICE_USAGE);
    return undefined;
  }
  const logger: ServiceLogger = command.quiet ? silentLogger : consoleLogger(`${command.spec.service}-${command.spec.version}`);
  const handler = createServiceApp(command.spec, { fetch: io.fetch, logger });
  const running = await io.serve(handler, { port: command.port, host: command.host });
  return { command, url: running.url, close: () => running.close() };
}
