// Parent side of the load generator: starts ./worker.ts in its own process (from source through
// tsx, optionally pinned to a core), hands it one job over IPC and relays its window edges.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { compiledPackagesNodeArgs } from '../../testing/spawn';
import type { LoadJob, LoadJobResult, RunJobMessage, WorkerMessage } from './job';

const WORKER_FILE = path.join(__dirname, 'worker.ts');

/** How the load process is started and watched. */
export interface LoadProcessOptions {
  /** Wraps the node command line (e.g. in `taskset -c 0`); identity when absent. */
  readonly wrap?: (command: string, args: string[]) => { command: string; args: string[] };
  /** The process is killed and the job reported failed after this long. */
  readonly timeoutMs: number;
  /** Called synchronously when a phase's measured window opens or closes. */
  readonly onWindow?: (phase: number, edge: 'start' | 'end') => void;
  /** Called with the child once it is started (to register it for clean-up). */
  readonly onStart?: (child: ChildProcess) => void;
}

/** What came back from a load process. */
export type LoadOutcome =
  | { readonly status: 'done'; readonly result: LoadJobResult }
  | { readonly status: 'not-run'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: string };

/** Runs `job` in a fresh load process and resolves with its outcome (never rejects). */
export function runLoadProcess(job: LoadJob, options: LoadProcessOptions): Promise<LoadOutcome> {
  const base = { command: process.execPath, args: [...compiledPackagesNodeArgs(), WORKER_FILE] };
  const { command, args } = options.wrap ? options.wrap(base.command, base.args) : base;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env });
  options.onStart?.(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  return new Promise((resolve) => {
    let outcome: LoadOutcome | undefined;
    const timer = setTimeout(() => {
      outcome ??= { status: 'failed', error: `load process timed out after ${options.timeoutMs} ms` };
      child.kill('SIGKILL');
    }, options.timeoutMs);
    timer.unref();
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'window') options.onWindow?.(message.phase, message.edge);
      else if (message.type === 'done') outcome ??= { status: 'done', result: message.result };
      else if (message.type === 'not-run') outcome ??= { status: 'not-run', reason: message.reason };
      else if (message.type === 'failed') outcome ??= { status: 'failed', error: message.error };
    });
    const settle = (fallback: string) => {
      clearTimeout(timer);
      resolve(outcome ?? { status: 'failed', error: fallback });
    };
    child.on('error', (error) => settle(`cannot run the load process: ${error.message}`));
    child.on('exit', (code, signal) => settle(`load process exited (${code ?? signal}) without a result; output:\n${output.trim()}`));
    const run: RunJobMessage = { type: 'run', job };
    child.send(run, (error) => {
      if (error) settle(`cannot hand the job to the load process: ${error.message}`);
    });
  });
}
