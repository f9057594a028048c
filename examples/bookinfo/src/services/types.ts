// Shapes shared by every BookInfo service: the inbound request handler each factory returns,
// the injected outbound fetch, and the logger. Nothing here knows about the mesh.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The inbound side of a service: a plain Node request handler. `runService` serves it with
 * node:http today; `mesh.serve(handler)` will take the same function.
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The outbound side: any `fetch`-compatible function (global `fetch` today, `mesh.fetch` later). */
export type FetchLike = typeof fetch;

/** Where a service writes its access lines and errors. */
export interface ServiceLogger {
  info(line: string): void;
  error(line: string): void;
}

/** A logger that drops every line; the default when a factory is given none. */
export const silentLogger: ServiceLogger = Object.freeze({ info() {}, error() {} });

/** A logger writing to the process's stdout/stderr, one line per entry, prefixed with a name. */
export function consoleLogger(name: string): ServiceLogger {
  return {
    info: (line) => process.stdout.write(`[${name}] ${line}\n`),
    error: (line) => process.stderr.write(`[${name}] ${line}\n`),
  };
}
