// Starts the bench's servers (./http-server.ts, ./grpc-server.ts) in their own processes on the
// server side's core, and waits until they listen.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { compiledPackagesNodeArgs, waitForLine } from '../../testing/spawn';
import { placedCommand, type Placement } from '../harness/placement';
import type { ProcessSet } from '../harness/processes';

/** The kinds of target server the bench runs. */
export type ServerKind = 'http' | 'grpc';

/** A started server. */
export interface RunningServer {
  readonly kind: ServerKind;
  readonly pid: number;
  readonly port: number;
  /** What it is, for the report. */
  readonly description: string;
}

const FILES: Record<ServerKind, string> = {
  http: path.join(__dirname, 'http-server.ts'),
  grpc: path.join(__dirname, 'grpc-server.ts'),
};

/** Starts a server of `kind` on the server side, registered in `processes`, and resolves once it listens. */
export async function startServer(kind: ServerKind, placement: Placement, processes: ProcessSet, bodyBytes: number): Promise<RunningServer> {
  const args = [...compiledPackagesNodeArgs(), FILES[kind], ...(kind === 'http' ? ['--body-bytes', String(bodyBytes)] : [])];
  const { command, args: placedArgs } = placedCommand(placement, 'server', process.execPath, args);
  const child = processes.add(spawn(command, placedArgs, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const match = await waitForLine(child, /^listening 127\.0\.0\.1:(\d+) ready$/, 30_000);
  return {
    kind,
    pid: child.pid!,
    port: Number(match[1]),
    description: kind === 'http'
      ? `node:http ${process.version}, 1 process, keep-alive, ${bodyBytes} B body`
      : `@grpc/grpc-js ${require('@grpc/grpc-js/package.json').version} unary echo, 1 process`,
  };
}
