// The child processes of `npm start`: spawns TypeScript entry points with the same runtime flags as
// this process (tsx + the inboard-source condition), relays their output line by line with the
// child's name, waits for a readiness line, and stops them (SIGTERM, then SIGKILL after a grace).
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { StartError } from './errors';

/** Where relayed lines go. */
export type LineSink = (line: string) => void;

/** One running child. */
export interface RunningChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the first line (stdout or stderr) matching `pattern`; rejects if the child exits or `timeoutMs` passes. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Registers a callback for every line the child prints. */
  onLine(listener: (line: string) => void): void;
}

/** Spawns and stops children; nothing outlives `stopAll`. */
export class ChildSet {
  private readonly children: RunningChild[] = [];
  private stopping = false;

  constructor(
    private readonly out: LineSink,
    /** Called when a child exits while the set is not stopping (a crash). */
    private readonly onUnexpectedExit: (name: string, code: number | null, signal: NodeJS.Signals | null) => void,
  ) {}

  /** Starts `node <runtime flags> <entry> ...args` with `env` over this process's environment; every line is relayed as `[name] line` (unless it already starts with `[`). */
  start(name: string, entry: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningChild {
    const child = spawn(process.execPath, [...process.execArgv, entry, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const listeners: ((line: string) => void)[] = [];
    const relay = (stream: NodeJS.ReadableStream | null) => {
      if (!stream) return;
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.out(line.startsWith('[') ? line : `[${name}] ${line}`);
        for (const listener of listeners) listener(line);
      });
    };
    relay(child.stdout);
    relay(child.stderr);
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit(name, code, signal);
    });
    const running: RunningChild = {
      name,
      process: child,
      onLine: (listener) => listeners.push(listener),
      waitFor: (pattern, timeoutMs) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => fail(`${name} did not print ${pattern} within ${timeoutMs / 1000} s`), timeoutMs);
          timer.unref();
          const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`${name} exited (${signal ?? `code ${code}`}) before it was ready; see its output above`);
          const listener = (line: string) => {
            const match = line.match(pattern);
            if (match) done(() => resolve(match));
          };
          function done(then: () => void) {
            clearTimeout(timer);
            child.off('exit', onExit);
            const at = listeners.indexOf(listener);
            if (at >= 0) listeners.splice(at, 1);
            then();
          }
          function fail(message: string) {
            done(() => reject(new StartError('CHILD_FAILED', message)));
          }
          if (child.exitCode !== null || child.signalCode !== null) return fail(`${name} is not running`);
          child.once('exit', onExit);
          listeners.push(listener);
        }),
    };
    this.children.push(running);
    return running;
  }

  /** Stops the named children (all when omitted) in parallel; resolves once they exited. */
  async stop(names?: readonly string[], graceMs = 5_000): Promise<void> {
    const targets = this.children.filter((c) => names === undefined || names.includes(c.name));
    await Promise.all(targets.map((c) => stopChild(c.process, graceMs)));
  }

  /**
   * Marks the set as stopping (exits are expected from now on) and stops every child: those named in
   * `first` (e.g. the gateway, so no new request enters), then all others in parallel.
   */
  async stopAll(first: readonly string[] = [], graceMs = 5_000): Promise<void> {
    this.stopping = true;
    await this.stop(first, graceMs);
    await this.stop(undefined, graceMs);
  }

  /** From now on child exits are expected (e.g. a terminal's Ctrl-C reaches the children too). */
  beginStopping(): void {
    this.stopping = true;
  }
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    kill.unref();
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
