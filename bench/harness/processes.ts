// Small process helpers for the bench: find an executable (including sbin, where Debian puts
// haproxy and nginx), wait for a loopback port to accept connections, and a set of running
// processes stopped together at the end of a group or on Ctrl-C.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stopProcess } from '../../testing/spawn';

const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of executable `name` on PATH or in the sbin directories, or undefined. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves once 127.0.0.1:`port` accepts a TCP connection; rejects after `timeoutMs` or if `child` exits. */
export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before listening on port ${port}`);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Keeps the last `limit` characters a child printed, for error messages. */
export function captureOutput(child: ChildProcess, limit = 4000): () => string {
  let text = '';
  const onData = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => text;
}

/** Processes started by one bench run; `stopAll()` stops the ones still running, newest first. */
export class ProcessSet {
  private readonly children: ChildProcess[] = [];

  add(child: ChildProcess): ChildProcess {
    this.children.push(child);
    return child;
  }

  async stop(child: ChildProcess): Promise<void> {
    const index = this.children.indexOf(child);
    if (index >= 0) this.children.splice(index, 1);
    await stopProcess(child, 'SIGTERM', 3_000);
  }

  async stopAll(): Promise<void> {
    for (const child of this.children.splice(0).reverse()) await stopProcess(child, 'SIGTERM', 3_000);
  }
}
