// Test support for the CLI and admin API integration tests: run the real control plane and real
// `inboard` CLI processes (from source), and talk HTTP to the admin API.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, spawnTs, stopProcess, waitForLine } from '../../../testing/spawn';

/** The CLI entry point, run from source. */
export const CLI_MAIN = 'packages/mesh-server/src/cli/main.ts';

/** Where the Istio samples live (beside the repository, in CI too). */
export const ISTIO_SAMPLES = path.resolve(REPO_ROOT, '../shared/istio-samples');

/** A control plane child process. */
export interface ControlPlaneProcess {
  readonly child: ChildProcess;
  /** Admin API base URL as printed. */
  readonly url: string;
  readonly dataDir: string;
  /** Everything it printed so far. */
  output(): string;
  /** The admin token from the data dir. */
  token(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A fresh temporary directory; remove it with removeDir. */
export function tempDir(prefix = 'inboard-it-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a directory tree. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Starts `inboard control-plane` on free ports with `dataDir` and waits for its admin API line. */
export async function startControlPlaneProcess(dataDir: string): Promise<ControlPlaneProcess> {
  const child = spawnTs(CLI_MAIN, ['control-plane', '--data-dir', dataDir, '--api-port', '0', '--xds-port', '0', '--ca-port', '0']);
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const match = await waitForLine(child, /admin API listening on (http:\/\/\S+)/);
  return {
    child,
    url: match[1]!,
    dataDir,
    output: () => log,
    token: () => fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim(),
    stop: (signal = 'SIGTERM') => stopProcess(child, signal),
  };
}

/** Outcome of one CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `inboard ARGS` as a child process and collects its output. */
export function runCli(args: readonly string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const child = spawnTs(CLI_MAIN, [...args], { env: options.env ?? {}, ...(options.cwd ? { cwd: options.cwd } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`inboard ${args.join(' ')} did not finish; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A CLI runner bound to one control plane: INBOARD_SERVER points at it, and the working directory
 * is the parent of its data dir, so a data dir named `.inboard` supplies the token by default.
 */
export function cliFor(plane: ControlPlaneProcess): (args: readonly string[], options?: { stdin?: string; cwd?: string; env?: Record<string, string> }) => Promise<CliRun> {
  return (args, options = {}) =>
    runCli(args, { ...options, env: { INBOARD_SERVER: plane.url, INBOARD_TOKEN: '', ...options.env }, cwd: options.cwd ?? path.dirname(plane.dataDir) });
}

/** JSON answer of an admin API call. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: any;
}

/** Calls the admin API with an optional bearer token and JSON body. */
export function apiCall(baseUrl: string, method: string, pathAndQuery: string, options: { token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(pathAndQuery, baseUrl), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls `condition` until it holds or the deadline passes. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A VirtualService document as YAML text. */
export function virtualServiceYaml(name: string, options: { namespace?: string; weight?: number; host?: string } = {}): string {
  const host = options.host ?? name;
  return [
    'apiVersion: networking.istio.io/v1',
    'kind: VirtualService',
    'metadata:',
    `  name: ${name}`,
    ...(options.namespace ? [`  namespace: ${options.namespace}`] : []),
    'spec:',
    '  hosts:',
    `  - ${host}`,
    '  http:',
    '  - route:',
    '    - destination:',
    `        host: ${host}`,
    ...(options.weight !== undefined ? [`      weight: ${options.weight}`] : []),
    '',
  ].join('\n');
}
