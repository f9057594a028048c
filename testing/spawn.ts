// Test support shared by every package: run a TypeScript entry point as a real child process
// (from source, through tsx), wait for a line it prints, and find free loopback ports.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** Root of the repository. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** Node arguments that run a .ts file from source with workspace packages resolved to src/. */
export function tsNodeArgs(): string[] {
  return ['--require', require.resolve('tsx/cjs'), '--conditions=inboard-source'];
}

/**
 * Node arguments that run a .ts file (tsx) with workspace packages resolved to their compiled
 * dist/ — the library as users run it. The bench's measured processes use these (build first).
 */
export function compiledPackagesNodeArgs(): string[] {
  return ['--require', require.resolve('tsx/cjs')];
}

/** Spawns `node <file.ts> ...args` from source. Output is piped so tests can read it. */
export function spawnTs(file: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [...tsNodeArgs(), path.resolve(REPO_ROOT, file), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...options,
    env: { ...process.env, ...options.env },
  });
}

/** Resolves with the first stdout/stderr line matching `pattern`; rejects on exit or timeout. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      for (const line of seen.split('\n')) {
        const m = line.match(pattern);
        if (m) { cleanup(); resolve(m); return; }
      }
    };
    const onExit = (code: number | null) => { cleanup(); reject(new Error(`process exited (${code}) before printing ${pattern}; output:\n${seen}`)); };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${pattern}; output:\n${seen}`)); }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Sends `signal` and resolves when the process has exited (SIGKILL after `graceMs`). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
    child.kill(signal);
  });
}

/** A free TCP port on 127.0.0.1 (bound and released; tiny race accepted in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
