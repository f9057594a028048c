// The bench side of the fan-out client processes (./fanout-process.ts): starts them on the client
// core, sends them commands and waits, with a deadline, for their reports.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { compiledPackagesNodeArgs } from '../../testing/spawn';
import type { GroupContext } from '../harness/group';
import { placedCommand } from '../harness/placement';
import { captureOutput } from '../harness/processes';
import type { FanoutCommand, FanoutReport } from './fanout-messages';

const PROCESS_FILE = path.join(__dirname, 'fanout-process.ts');

/** One client process and the reports it sent that nobody has taken yet. */
class ClientProcess {
  private readonly inbox: FanoutReport[] = [];
  private readonly waiters = new Set<() => void>();
  readonly output: () => string;

  constructor(readonly child: ChildProcess) {
    this.output = captureOutput(child);
    child.on('message', (report: FanoutReport) => {
      this.inbox.push(report);
      for (const wake of [...this.waiters]) wake();
    });
    child.on('exit', () => {
      for (const wake of [...this.waiters]) wake();
    });
  }

  send(command: FanoutCommand): void {
    if (this.child.connected) this.child.send(command);
  }

  /** The first report of `type` (taken out of the inbox), or undefined at the deadline or exit. */
  async take<T extends FanoutReport['type']>(type: T, deadline: number): Promise<Extract<FanoutReport, { type: T }> | undefined> {
    for (;;) {
      const failure = this.inbox.find((report) => report.type === 'error');
      if (failure && failure.type === 'error') throw new Error(`fan-out client process: ${failure.message}`);
      const index = this.inbox.findIndex((report) => report.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Extract<FanoutReport, { type: T }>;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`a fan-out client process exited (${this.child.exitCode ?? this.child.signalCode}): ${this.output().slice(-800)}`);
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }
}

/** A set of client processes driven together. */
export class ClientProcesses {
  private constructor(private readonly members: readonly ClientProcess[]) {}

  /** Starts `count` processes on the client core (each must then get a 'start' command). */
  static start(context: GroupContext, count: number): ClientProcesses {
    const members = Array.from({ length: count }, () => {
      const { command, args } = placedCommand(context.placement, 'client', process.execPath, [...compiledPackagesNodeArgs(), PROCESS_FILE]);
      return new ClientProcess(context.processes.add(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })));
    });
    return new ClientProcesses(members);
  }

  get size(): number {
    return this.members.length;
  }

  /** Sends `command(index)` to each process. */
  sendEach(command: (index: number) => FanoutCommand): void {
    this.members.forEach((member, index) => member.send(command(index)));
  }

  /** Each process's report of `type`, undefined for those that did not send one by `timeoutMs`. */
  async collect<T extends FanoutReport['type']>(type: T, timeoutMs: number): Promise<(Extract<FanoutReport, { type: T }> | undefined)[]> {
    const deadline = Date.now() + timeoutMs;
    return Promise.all(this.members.map((member) => member.take(type, deadline)));
  }

  /** Closes the clients and stops the processes. */
  async close(context: GroupContext): Promise<void> {
    this.sendEach(() => ({ type: 'close' }));
    await Promise.all(this.members.map((member) => context.processes.stop(member.child)));
  }
}

/** How many client processes carry `clients` clients (one per 500, at most 4). */
export function processCountFor(clients: number): number {
  return Math.min(4, Math.max(1, Math.ceil(clients / 500)));
}

/** Splits `clients` over `processes` as evenly as possible: [count, firstIndex] per process. */
export function splitClients(clients: number, processes: number): { count: number; firstIndex: number }[] {
  const base = Math.floor(clients / processes);
  const extra = clients % processes;
  let firstIndex = 0;
  return Array.from({ length: processes }, (_, index) => {
    const count = base + (index < extra ? 1 : 0);
    const slice = { count, firstIndex };
    firstIndex += count;
    return slice;
  });
}
